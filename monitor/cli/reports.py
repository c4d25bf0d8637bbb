"""`digest` and `audit`: build, save, print and (with --send) email the reports."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from monitor.cli.base import Command, day_arg, shown_path

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session, sessionmaker

    from monitor.config import Config


class Digest(Command):
    name = "digest"
    help = "the daily digest: a day in figures, charts, incidents and the posts that matter"
    description = (
        "Build the daily digest for one London day (default: yesterday). It is saved as "
        "HTML (with its charts), text and a CSV of the day's flagged mentions under [digest] folder; "
        "--send also emails it to the [digest] recipients."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--date", type=day_arg, metavar="YYYY-MM-DD", help="the day (default: yesterday)")
        parser.add_argument("--send", action="store_true", help="email it too")

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from monitor.services.reports import produce_digest, queue_digest
        from monitor.store import open_store

        sessions = open_store(config, args.database)
        day = args.date or (datetime.now(config.timezone).date() - timedelta(days=1))
        digest = produce_digest(sessions, config, day)
        console.print(digest.rendered.text)
        console.print(f"Saved: {shown_path(digest.path)} (with its charts and flagged.csv beside it)")
        if args.send:
            queue_digest(sessions, config, digest, now=datetime.now(UTC))
            return send_queued(sessions, config, console)
        return 0


class Audit(Command):
    name = "audit"
    help = "audit every registered ASV account against the policy (access, dormancy, content)"
    description = (
        "Check every account in config/accounts.toml: does the Comms team have access, is "
        "it dormant, what were its posts flagged for; and list accounts carrying IOM3's name that are "
        "not registered. Saved as HTML and CSV under [audit] folder; --send emails the Head of Marketing."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--since", type=day_arg, metavar="YYYY-MM-DD", help="start (default: [audit] period_days ago)"
        )
        parser.add_argument(
            "--until", type=day_arg, metavar="YYYY-MM-DD", help="end, exclusive (default: today)"
        )
        parser.add_argument("--send", action="store_true", help="email it too")

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from rich.table import Table
        from rich.text import Text

        from monitor.services.reports import produce_audit, queue_audit
        from monitor.store import open_store

        sessions = open_store(config, args.database)
        zone = config.timezone
        until_day = args.until or datetime.now(zone).date()
        since_day = args.since or until_day - timedelta(days=config.monitor.audit.period_days)
        since, until = (datetime.combine(d, time(0), tzinfo=zone) for d in (since_day, until_day))
        audit = produce_audit(sessions, config, since=since, until=until)
        findings = audit.report.findings
        table = Table(
            title=f"ASV account audit, {since_day} to {until_day}: {len(findings)} findings",
            title_justify="left",
        )
        for column in ("account", "finding", "policy clause"):
            table.add_column(column, overflow="fold")
        for finding in findings:  # Text: a display name or bio is shown as written, never as markup
            table.add_row(Text(finding.account), Text(finding.finding), Text(finding.clause))
        console.print(table)
        console.print(f"Saved: {shown_path(audit.path)} and findings.csv")
        if args.send:
            queue_audit(sessions, config, audit, now=datetime.now(UTC))
            return send_queued(sessions, config, console)
        return 0


def send_queued(sessions: sessionmaker[Session], config: Config, console: Console) -> int:
    """Send the outbox now (the service would within a minute) and say how it went."""
    from alerts.outbox import flush
    from alerts.transports import transport_from_config

    result = flush(sessions, transport_from_config(config), now=datetime.now(UTC))
    console.print(
        f"Sent {result.sent} email(s)." + (f" Not sent: {'; '.join(result.errors)}" if result.errors else "")
    )
    return 0 if not result.failed else 1


COMMANDS = (Digest, Audit)
