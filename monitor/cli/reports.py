"""`digest`, `audit` and `report-card`: build, save, print and (with --send) email the reports."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time, timedelta
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
        "it dormant, what were its posts flagged for; and list unregistered accounts that present "
        "themselves as IOM3 (never those that only name or criticise it). Saved as HTML and CSV under "
        "[audit] folder; --send emails the Head of Marketing."
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


def month_arg(value: str) -> date:
    from monitor.reports.months import month_of

    try:
        return month_of(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class ReportCard(Command):
    name = "report-card"
    help = "a committee account's monthly report card: what went well, what to look at"
    description = (
        "Build the report card of one month (default: last month) for each committee account that "
        "opted in (report_card = true in config/accounts.toml), or for the one --account names (any "
        "committee account, to look at before opting in). Prints it and saves its HTML under "
        "[report_cards] folder; --send emails it to the account's admin_emails with a copy to the "
        "[report_cards] copy_role, once per account and month (the service sends them itself on the "
        "month's first working day)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--month", type=month_arg, metavar="YYYY-MM", help="the month (default: last month)"
        )
        parser.add_argument(
            "--account", metavar="PLATFORM:HANDLE", help="one committee account, e.g. x:IOM3_YMC"
        )
        parser.add_argument("--send", action="store_true", help="email it too (a month that is over)")

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        import re
        import sys

        from monitor.reports.months import month_bounds, previous_month
        from monitor.services.report_cards import (
            NoSuchAccount,
            committee_account,
            opted_in,
            produce_report_card,
            queue_report_cards,
        )
        from monitor.store import open_store

        now = datetime.now(UTC)
        month = args.month or previous_month(now.astimezone(config.timezone).date())
        try:
            accounts = [committee_account(config, args.account)] if args.account else opted_in(config)
        except NoSuchAccount as exc:
            print(str(exc), file=sys.stderr)
            return 2
        if not accounts:
            console.print(
                "No committee account has opted in: set report_card = true and admin_emails for it in "
                "config/accounts.toml, or name one with --account to look at its card."
            )
            return 0
        if args.send:
            problems = [
                f"{a.platform} @{a.handle} has not opted in: set report_card = true and admin_emails for it "
                "in config/accounts.toml first"
                for a in accounts
                if not a.report_card
            ]
            if now < month_bounds(month, config.timezone)[1]:
                problems.append(
                    f"{month:%B %Y} is not over yet: a report card covers a whole month. Leave out --send to "
                    "look at it so far"
                )
            if problems:
                print("\n".join(problems), file=sys.stderr)
                return 2
        sessions = open_store(config, args.database)
        folder = config.path(config.monitor.report_cards.folder) / f"{month:%Y-%m}"
        folder.mkdir(parents=True, exist_ok=True)
        for account in accounts:
            rendered = produce_report_card(sessions, config, account, month)
            safe = re.sub(r"[^\w.-]+", "_", account.handle)  # a web account's handle is a URL
            path = folder / f"{account.platform}-{safe}.html"
            path.write_text(rendered.html, encoding="utf-8")
            console.print(rendered.text, markup=False, highlight=False)
            console.print(f"Saved: {shown_path(path)}")
        if not args.send:
            return 0
        queued = queue_report_cards(sessions, config, month, now, accounts)
        for name, when in queued.already:
            console.print(
                f"{name}: the {month:%B %Y} card was already queued on "
                f"{when.astimezone(config.timezone):%d %b %Y %H:%M}; not sent again."
            )
        return send_queued(sessions, config, console)


def send_queued(sessions: sessionmaker[Session], config: Config, console: Console) -> int:
    """Send the outbox now (the service would within a minute) and say how it went."""
    from alerts.outbox import flush
    from alerts.transports import transport_from_config

    result = flush(sessions, transport_from_config(config), now=datetime.now(UTC))
    console.print(
        f"Sent {result.sent} email(s)." + (f" Not sent: {'; '.join(result.errors)}" if result.errors else "")
    )
    return 0 if not result.failed else 1


COMMANDS = (Digest, Audit, ReportCard)
