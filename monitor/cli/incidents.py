"""`incidents list|show|ack|resolve|silence`: what has been flagged and emailed, and acting on it."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from monitor.cli.base import Command, moment_arg

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config import Config

CLI = "cli"  # the action_log's source for what is done from here


class Incidents(Command):
    name = "incidents"
    help = "list, show, acknowledge, resolve and silence incidents; list and lift silences"
    description = (
        "Incidents are the flagged mentions of one thread, emailed as one thread. "
        "Acknowledge one to stop its repeat emails; resolve it when it is dealt with; silence a "
        "thread, an author or a term to raise no alerts for it until a time."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser("list", help="open and acknowledged incidents (--all for every one)")
        listing.add_argument("--all", action="store_true", help="resolved and folded ones too")
        show = actions.add_parser("show", help="one incident: its mentions, emails and history")
        show.add_argument("id", type=int)
        for name, text in (
            ("ack", "someone is on it: no more repeat emails"),
            ("resolve", "dealt with: no more emails"),
        ):
            action = actions.add_parser(name, help=text)
            action.add_argument("id", type=int)
            action.add_argument(
                "--by",
                default=os.environ.get("USER", "someone"),
                help="who: an address in contacts.toml, or a name (default: your login)",
            )
            if name == "resolve":
                action.add_argument(
                    "--outcome", required=True, help="how it was dealt with (the trustees' record needs it)"
                )
        silence = actions.add_parser(
            "silence", help="no alerts for a thread, an author or a term until a time"
        )
        target = silence.add_mutually_exclusive_group(required=True)
        target.add_argument("--thread", metavar="KEY", help="a thread key, as in the alert email (x:1858...)")
        target.add_argument("--author", metavar="HANDLE", help="an author's handle")
        target.add_argument("--term", metavar="TEXT", help="posts containing this text (ignores case)")
        until = silence.add_mutually_exclusive_group(required=True)
        until.add_argument("--until", type=moment_arg, metavar="'YYYY-MM-DD HH:MM'", help="London time")
        until.add_argument("--hours", type=float, help="for this many hours from now")
        target.add_argument("--category", help="one category (never safeguarding or disclosure)")
        silence.add_argument("--platform", help="only on this platform (with any of the above)")
        silence.add_argument("--reason", required=True, help="why, for whoever reads the list later")
        silence.add_argument("--by", default=os.environ.get("USER", "someone"))
        silences = actions.add_parser("silences", help="the silences in force: who, why, what, until when")
        silences.add_argument("--all", action="store_true", help="ended and lifted ones too")
        unsilence = actions.add_parser("unsilence", help="lift a silence now (its id from `silences`)")
        unsilence.add_argument("id", type=int)
        unsilence.add_argument("--by", default=os.environ.get("USER", "someone"))

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from alerts.incidents import IncidentError
        from monitor.reports.summary import incident_detail, incidents_table
        from monitor.services import incident_actions as act
        from monitor.services.people import operator
        from monitor.services.silences import list_silences
        from monitor.store import open_store

        sessions = open_store(config, args.database)
        now = datetime.now(UTC)
        zone = config.timezone
        try:
            with sessions.begin() as session:
                if args.action == "list":
                    console.print(incidents_table(session, zone, everything=args.all))
                elif args.action == "show":
                    console.print(incident_detail(session, args.id, zone))
                elif args.action == "ack":
                    who = operator(config, args.by)
                    incident = act.acknowledge(session, args.id, actor=who, source=CLI, now=now)
                    console.print(
                        f"Incident #{incident.id} acknowledged by {who.name}: no more repeat emails."
                    )
                elif args.action == "resolve":
                    who = operator(config, args.by)
                    incident = act.resolve(
                        session, args.id, outcome=args.outcome, actor=who, source=CLI, now=now
                    )
                    console.print(f"Incident #{incident.id} resolved: {incident.outcome}")
                elif args.action == "silences":
                    console.print(
                        silences_table(list_silences(session, now=now, include_expired=args.all), zone, now)
                    )
                elif args.action == "unsilence":
                    silence = act.lift(session, args.id, actor=operator(config, args.by), source=CLI, now=now)
                    console.print(f"Silence #{silence.id} lifted: its alerts come through again.")
                else:
                    matchers = {
                        k: v
                        for k in ("thread", "author", "term", "category", "platform")
                        if (v := getattr(args, k))
                    }
                    until = args.until or now + timedelta(hours=args.hours)
                    silence = act.silence(
                        session,
                        config,
                        matchers=matchers,
                        reason=args.reason,
                        ends_at=until,
                        actor=operator(config, args.by),
                        source=CLI,
                        now=now,
                    )
                    shown = ", ".join(f"{k} {v!r}" for k, v in silence.matchers.items())
                    console.print(
                        f"Silence #{silence.id}: {shown} until "
                        f"{until.astimezone(zone):%a %d %b %Y %H:%M %Z}. "
                        f"{', '.join(config.routing.lane.categories).capitalize()} alerts still come through."
                    )
        except (IncidentError, LookupError, ValueError) as exc:
            print(str(exc), file=sys.stderr)
            return 2
        return 0


def silences_table(silences: list, zone, now: datetime):  # noqa: ANN001, ANN201 - rich is imported late
    """One row per silence: id, what it matches, until when (date and year), who, why, state."""
    from rich.table import Table

    table = Table(title=f"Silences ({len(silences)})", expand=False)
    for column in ("#", "matches", "until", "by", "reason", "state"):
        table.add_column(column, overflow="fold")
    for s in silences:
        state = (
            f"lifted by {s.lifted_by} {s.lifted_at.astimezone(zone):%d %b %Y %H:%M}"
            if s.lifted_at
            else "ended"
            if s.until <= now
            else "in force"
        )
        table.add_row(
            str(s.id),
            ", ".join(f"{k}={v}" for k, v in (s.matchers or {s.kind: s.value}).items()),
            f"{s.until.astimezone(zone):%a %d %b %Y %H:%M %Z}",
            s.created_by,
            s.reason,
            state,
        )
    return table


COMMANDS = (Incidents,)
