"""`backup`: a checked copy of the SQLite database, or the pg_dump command for PostgreSQL."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.cli.base import EXIT_CONFIG, Command, shown_path

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config import Config


class Backup(Command):
    name = "backup"
    help = "a consistent copy of the database, even while `run` runs (pg_dump hint for PostgreSQL)"
    description = (
        "Write a checked copy of the SQLite database (SQLite's online backup API). For "
        "PostgreSQL it prints the pg_dump command to use. Back up before every upgrade (README)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--to", type=Path, metavar="FILE", help="where (default var/backups/monitor-<time>.db)"
        )

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from monitor.backup import BackupError, backup, default_target

        target = args.to or default_target(config.path("var/backups"), datetime.now(config.timezone))
        try:
            written = backup(args.database or config.database_url(), target)
        except BackupError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_CONFIG
        console.print(
            f"Backed up to {shown_path(written)} ({written.stat().st_size:,} bytes, integrity checked)."
        )
        return 0


COMMANDS = (Backup,)
