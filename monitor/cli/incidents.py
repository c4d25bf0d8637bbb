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


class Incidents(Command):
    name = "incidents"
    help = "list, show, acknowledge, resolve and silence incidents"
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
                "--by", default=os.environ.get("USER", "someone"), help="who (default: your login)"
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
        silence.add_argument("--reason", default="", help="why, for whoever reads the list later")
        silence.add_argument("--by", default=os.environ.get("USER", "someone"))

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from alerts.incidents import IncidentError, acknowledge, add_silence, resolve
        from monitor.reports.summary import incident_detail, incidents_table
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
                    incident = acknowledge(session, args.id, by=args.by, now=now)
                    console.print(
                        f"Incident #{incident.id} acknowledged by {args.by}: no more repeat emails."
                    )
                elif args.action == "resolve":
                    incident = resolve(session, args.id, by=args.by, now=now)
                    console.print(f"Incident #{incident.id} resolved.")
                else:
                    kind, value = next(
                        (k, v) for k in ("thread", "author", "term") if (v := getattr(args, k))
                    )
                    until = args.until or now + timedelta(hours=args.hours)
                    add_silence(
                        session, kind=kind, value=value, until=until, by=args.by, reason=args.reason, now=now
                    )
                    console.print(
                        f"Silenced {kind} {value!r} until {until.astimezone(zone):%a %d %b %H:%M %Z}."
                    )
        except (IncidentError, ValueError) as exc:
            print(str(exc), file=sys.stderr)
            return 2
        return 0


COMMANDS = (Incidents,)
