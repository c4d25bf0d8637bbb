"""`mentions`: stored mentions, newest first, with filters."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from monitor.cli.base import Command, date_arg
from monitor.models import PLATFORMS, ChannelKind

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config import Config


class Mentions(Command):
    name = "mentions"
    help = "list stored mentions, newest first, with filters"
    description = "List stored mentions with their flags, newest first."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--platform", choices=PLATFORMS)
        parser.add_argument("--kind", choices=[k.value for k in ChannelKind], help="who posted")
        parser.add_argument("--flagged", action="store_true", help="only mentions the scorer flagged")
        parser.add_argument(
            "--thread", metavar="KEY", help="one thread, as shown in alert emails (e.g. x:1858...)"
        )
        parser.add_argument("--author", metavar="HANDLE", help="one author (without @)")
        parser.add_argument("--search", metavar="TEXT", help="text contains this (ignores case)")
        parser.add_argument(
            "--since", metavar="YYYY-MM-DD", type=date_arg, help="posted on or after this day"
        )
        parser.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from monitor.reports.summary import mentions_table
        from monitor.services.mentions import MentionSearch, mention_query
        from monitor.store import open_store

        sessions = open_store(config, args.database)
        search = MentionSearch(
            platform=args.platform,
            kind=args.kind,
            author=args.author,
            text=args.search,
            since=args.since,
            thread=args.thread,
            flagged=args.flagged,
            limit=args.limit,
        )
        with sessions() as session:
            console.print(mentions_table(session, mention_query(search), config.timezone))
        return 0


COMMANDS = (Mentions,)
