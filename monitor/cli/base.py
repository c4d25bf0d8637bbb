"""What every command shares: the Command shape, argument types, exit statuses, shown paths.

Light on purpose: the parser imports every command module to build `--help`, so anything heavy
(pandas, matplotlib, the platform clients, the scheduler) is imported inside `handle`.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config import Config

EXIT_CONFIG = 2
EXIT_DATABASE = 3
EXIT_ALREADY_RUNNING = 4


class Command:
    """One command: its name and help, the arguments it adds, and what it does.

    `handle` returns the exit status. Subclasses live one command group to a module.
    """

    name: ClassVar[str]
    help: ClassVar[str]
    description: ClassVar[str] = ""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add this command's own arguments (the global ones are added by monitor.cli)."""

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        raise NotImplementedError


def date_arg(value: str) -> datetime:
    """A day as the UTC midnight it starts at (for filters on stored instants)."""
    try:
        return datetime.combine(datetime.fromisoformat(value).date(), time(0), tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def day_arg(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def moment_arg(value: str) -> datetime:
    """A time; without a zone it is London time, as the team reads clocks."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a time; write it as 'YYYY-MM-DD HH:MM'") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Europe/London"))


def shown_path(path: Path) -> str:
    """`path` relative to the working folder when it is inside it: shorter to read and to paste."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
