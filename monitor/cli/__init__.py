"""`run_monitor.py`: the command line the Communications team and operators use.

One module per command group (monitor/cli/<group>.py), each with Command classes that add
their own arguments and handle their own work; this module only assembles the parser and runs
the chosen command. Adding a command is one class and, for a new group, one line in COMMAND_MODULES.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from monitor.cli.base import EXIT_CONFIG, EXIT_DATABASE, Command

# In the order `--help` lists them.
COMMAND_MODULES = (
    "monitor.cli.passes",  # demo, once
    "monitor.cli.check_config",
    "monitor.cli.mentions",
    "monitor.cli.scoring",  # explain, rescore, score-file
    "monitor.cli.incidents",
    "monitor.cli.reports",  # digest, audit, report-card
    "monitor.cli.accounts",
    "monitor.cli.service",  # run, status
    "monitor.cli.web",
    "monitor.cli.backup",
)

# Commands that open the database: they say which one when the operator did not choose it.
USES_THE_DATABASE = frozenset(
    {"once", "mentions", "rescore", "incidents", "digest", "audit", "report-card", "run", "status", "web"}
)

DESCRIPTION = """\
IOM3 social listening and escalation monitor.

Reads mentions of IOM3 from the official channels and registered ASV accounts, scores each
for policy risk, and emails the right person. Start with `demo` to see it work on the bundled
sample week; `check-config` after editing anything in config/.
"""


def commands() -> list[Command]:
    """Every command, one instance each, in `--help` order."""
    return [cls() for name in COMMAND_MODULES for cls in importlib.import_module(name).COMMANDS]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_monitor.py", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--config",
        metavar="DIR",
        help="folder with the TOML files (default: config/ in the project, or $MONITOR_CONFIG_DIR)",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="use this database instead of the configured one "
        "(e.g. sqlite:///var/demo/monitor.db to look at the demo's)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step (level DEBUG)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands():
        child = sub.add_parser(command.name, help=command.help, description=command.description or None)
        command.add_arguments(child)
        child.set_defaults(handler=command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from rich.console import Console
    from sqlalchemy.exc import OperationalError

    from connectors import check_settings
    from monitor.config import ConfigError, load_config
    from monitor.database_notice import database_notice
    from monitor.redact import configure_logging
    from monitor.secrets import mask_url_passwords

    console = Console()
    try:
        config = load_config(args.config)
        check_settings(config)  # each connector validates its own [connectors.<name>] table
    except ConfigError as exc:
        print("The configuration has problems; nothing was run:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command in USES_THE_DATABASE and (notice := database_notice(config, args.database)):
        print(notice, file=sys.stderr)
    level = "DEBUG" if args.verbose else config.monitor.monitor.log_level
    configure_logging(level, fmt=config.monitor.monitor.log_format)
    if not args.verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)  # "Running upgrade" is noise here
    try:
        return int(args.handler.handle(args, config, console) or 0)
    except OperationalError as exc:
        print(
            f"Cannot use the database: {mask_url_passwords(str(exc.orig).strip().splitlines()[0])}\n"
            "Check [database] url in config/monitor.toml (or $MONITOR_DATABASE_URL, or --database) "
            "and that the database server is running.",
            file=sys.stderr,
        )
        return EXIT_DATABASE
