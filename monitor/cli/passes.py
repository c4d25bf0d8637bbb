"""Passes: `demo` (the bundled sample week into a fresh database) and `once` (one real pass)."""

from __future__ import annotations

import argparse
import logging
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from monitor.cli.base import Command, shown_path

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session, sessionmaker

    from alerts.transports import Transport
    from monitor.config import Config


class Demo(Command):
    name = "demo"
    help = "replay the bundled sample week into a fresh database and show what the monitor does"
    description = (
        "Start from nothing under var/demo/: replay the bundled week of sample mentions, "
        "score them, open incidents and write the alert emails to a Maildir you can open in any mail "
        "client; then read the registered accounts' profiles from a bundled file (no network). Safe to "
        "run again: it starts afresh each time. Your config/ files are used for "
        "channels, accounts, contacts and word lists; the database and mail settings are the demo's."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--dir", default="var/demo", help="where the demo database and Maildir go (default var/demo)"
        )

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from sqlalchemy import func, select

        from alerts.transports.maildir import MaildirTransport
        from connectors.replay import SAMPLE_PATH, ReplayConnector
        from connectors.replay import Settings as ReplaySettings
        from monitor.config import DatabaseSection
        from monitor.media.avatars import AvatarReader
        from monitor.reports.profiles import profiles_table
        from monitor.reports.summary import incidents_table, media_summary, pass_tables, print_tables
        from monitor.sample_data.media_host import sample_session
        from monitor.schema import MentionRow
        from monitor.services.media import fetch_settings
        from monitor.services.passes import run_pass
        from monitor.services.profiles import SAMPLE_PROFILES, refresh_sample_profiles
        from monitor.store import open_store

        demo_dir = config.path(args.dir)
        if demo_dir.exists():
            shutil.rmtree(demo_dir)
        demo_dir.mkdir(parents=True)
        config = config.with_overrides(
            database=DatabaseSection(url=f"sqlite:///{demo_dir / 'monitor.db'}"),
            mail=config.monitor.mail.model_copy(
                update={"transport": "maildir", "maildir": str(demo_dir / "mail")}
            ),
        )
        # The sample week is replayed in one go, whatever the hour: holding its same-day emails
        # for working hours would hide half of what the demo is for.
        config = config.model_copy(
            update={"routing": config.routing.model_copy(update={"quiet_hours": None})}
        )
        sessions = open_store(config, config.monitor.database.url)
        replay = ReplayConnector(ReplaySettings(path=str(SAMPLE_PATH)), config.watch_list())
        transport = MaildirTransport(demo_dir / "mail")
        console.print(f"Replaying the sample week ({SAMPLE_PATH.name}) into {demo_dir / 'monitor.db'} ...")
        # Let the routes' group waits (a few minutes) pass, as a running monitor would.
        # The sample's pictures live on a reserved host that only this session serves, from the
        # bundled folder (monitor/sample_data/media_host.py): the real fetcher, no real network.
        pictures = sample_session()
        result = run_pass(sessions, config, [replay], transport, settle=True, media_http=pictures)
        # The registered accounts' profiles, from the bundled file, their pictures from the same
        # bundled host: the demo has no network.
        profiles = refresh_sample_profiles(
            sessions, config, avatars=AvatarReader(pictures, fetch_settings(config.monitor.media))
        )
        with sessions() as session:
            tables = pass_tables(session, result, config.routing)
            print_tables(console, [*tables, incidents_table(session, config.timezone)])
            newest = session.scalar(select(func.max(MentionRow.created_at)))
        console.print(media_summary(result.media))
        console.print(profiles_table(profiles, f"Profiles read from the bundled {SAMPLE_PROFILES.name}"))
        cards = _report_cards(sessions, config, transport, newest)
        mail_dir = shown_path(demo_dir / "mail")
        database = f"sqlite:///{shown_path(demo_dir / 'monitor.db')}"
        console.print(
            f"\n{result.flushed.sent + cards.sent} emails written to the Maildir [bold]{mail_dir}[/bold] "
            f"(one file each in {mail_dir}/new; open the folder with any mail client, e.g. "
            f"`mutt -f {mail_dir}`)."
        )
        if cards.queued:
            copy = config.contact(config.monitor.report_cards.copy_role)
            console.print(
                f"{len(cards.queued)} of them are monthly report cards for {cards.month:%B %Y}, one per "
                f"committee with report_card = true in config/accounts.toml ({', '.join(cards.queued)}), "
                f"to its admins with a copy to {copy.name}. One again:\n  python run_monitor.py "
                f"--database {database} report-card --month {cards.month:%Y-%m} "
                f"--account {cards.queued[0].replace(' @', ':')}"
            )
        console.print(
            f"List what was flagged:\n  python run_monitor.py --database {database} mentions --flagged"
        )
        if newest is not None:
            # `digest` covers yesterday by default; the sample week is in the past.
            last_day = newest.astimezone(config.timezone).date()
            console.print(
                "The digest of the sample week's last day:\n  python run_monitor.py "
                f"--database {database} digest --date {last_day.isoformat()}\n"
                "The audit of every ASV account, profiles included:\n  "
                f"python run_monitor.py --database {database} audit "
                f"--until {(last_day + timedelta(days=1)).isoformat()}"
            )
        return 0 if result.flushed.failed == 0 else 1


@dataclass(slots=True)
class DemoCards:
    month: date | None = None
    queued: list[str] = field(default_factory=list)
    sent: int = 0


def _report_cards(
    sessions: sessionmaker[Session], config: Config, transport: Transport, newest: datetime | None
) -> DemoCards:
    """The opted-in committees' report cards for the sample week's month, into the Maildir."""
    from alerts.outbox import flush
    from monitor.services.report_cards import queue_report_cards

    if newest is None:
        return DemoCards()
    month = newest.astimezone(config.timezone).date().replace(day=1)
    now = datetime.now(UTC)
    queued = queue_report_cards(sessions, config, month, now)
    return DemoCards(month, queued.queued, flush(sessions, transport, now=now).sent)


class Once(Command):
    name = "once"
    help = "poll every enabled connector once, then score, alert and send"
    description = (
        "One full pass: fetch new mentions from every connector enabled in "
        "config/monitor.toml, store them, score them, open incidents and send the emails; then read "
        "the profiles of the official channels and registered accounts not read yet today. Each "
        "connector resumes where its last run stopped."
    )

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from rich.markup import escape

        from alerts.transports import transport_from_config
        from connectors import enabled_connectors
        from monitor.reports.profiles import profiles_table
        from monitor.reports.summary import pass_tables, print_tables
        from monitor.services.passes import run_pass
        from monitor.services.profiles import refresh_profiles
        from monitor.store import open_store

        sessions = open_store(config, args.database)
        connectors = enabled_connectors(config)
        if not connectors:
            console.print("No connector is enabled in config/monitor.toml; nothing to poll.")
            return 1
        pipeline_log = logging.getLogger("monitor.pipeline")
        level = pipeline_log.level
        if not args.verbose:  # each problem is printed below, once; the log would say it again
            pipeline_log.setLevel(logging.ERROR)
        try:
            result = run_pass(sessions, config, connectors, transport_from_config(config))
        finally:
            pipeline_log.setLevel(level)
        profiles = refresh_profiles(sessions, config, connectors)  # each at most once a day
        with sessions() as session:
            print_tables(console, pass_tables(session, result, config.routing))
        console.print(profiles_table(profiles, "Profiles of the official channels and registered accounts"))
        problems = [r for r in result.ingested if r.status != "ok"]
        for r in problems:
            console.print(f"[yellow]{r.connector}[/yellow]: {r.status}. {r.error}")
            for line in r.skipped[:10]:
                console.print(f"  skipped {line}")
        for platform, why in profiles.stopped.items():
            if why not in {r.error for r in problems}:  # a connector's own failure is said above
                console.print(f"[yellow]{platform} profiles[/yellow]: not read this run. {escape(why)}")
        for error in result.flushed.errors:
            console.print(f"[red]email not sent[/red]: {error}")
        if not any(r.status in ("ok", "partial") for r in result.ingested):
            console.print(
                "[red]Nothing was polled[/red]: every enabled connector was skipped or failed (above)."
            )
            return 1
        return 1 if any(r.status == "failed" for r in result.ingested) or result.flushed.failed else 0


COMMANDS = (Demo, Once)
