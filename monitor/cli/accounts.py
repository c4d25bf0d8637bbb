"""`accounts list|add|import|remove`: the registry of ASV accounts, config/accounts.toml."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.cli.base import Command, day_arg
from monitor.models import PLATFORMS

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config import Config


class Accounts(Command):
    name = "accounts"
    help = "the ASV account registry: list, add, import a CSV, remove"
    description = "Edit config/accounts.toml, the registry of ASV accounts, and exchange it as CSV."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser("list", help="every registered account")
        listing.add_argument("--csv", type=Path, metavar="FILE", help="write the registry to this CSV file")
        add = actions.add_parser("add", help="register (or update) one account")
        add.add_argument("--platform", choices=PLATFORMS, required=True)
        add.add_argument("--handle", required=True)
        add.add_argument("--kind", choices=["asv_committee", "asv_personal"], default="asv_committee")
        add.add_argument("--committee", default="")
        add.add_argument("--admins", default="", help="names separated by semicolons")
        add.add_argument("--comms-access", action="store_true", help="the Comms team can log in to it")
        add.add_argument("--logo-approved", action="store_true", help="approved to use the IOM3 logo")
        add.add_argument("--registered-on", type=day_arg, metavar="YYYY-MM-DD")
        add.add_argument(
            "--report-card", action="store_true", help="send its admins the monthly report card (committees)"
        )
        add.add_argument("--admin-emails", default="", help="the admins' addresses, separated by semicolons")
        imports = actions.add_parser(
            "import", help="add or update every account in a CSV (columns as `list --csv`)"
        )
        imports.add_argument("csv", type=Path)
        remove = actions.add_parser("remove", help="take one account off the registry")
        remove.add_argument("platform", choices=PLATFORMS)
        remove.add_argument("handle")

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from pydantic import ValidationError
        from rich.table import Table

        from monitor import registry
        from monitor.config import RegisteredAccount
        from monitor.csv_safe import write_csv

        path = config.config_dir / "accounts.toml"
        accounts = list(config.accounts.account)
        try:
            if args.action == "list":
                frame = registry.to_frame(accounts)
                if args.csv:
                    write_csv(frame, args.csv)
                    console.print(f"Wrote {len(frame)} account(s) to {args.csv}")
                    return 0
                table = Table(title=f"Registered ASV accounts ({len(frame)})", title_justify="left")
                for column in frame.columns:
                    table.add_column(column.replace("_", " "), overflow="fold")
                for row in frame.itertuples(index=False):
                    table.add_row(*(str(v) for v in row))
                console.print(table)
                return 0
            if args.action == "add":
                account = RegisteredAccount(
                    platform=args.platform,
                    handle=args.handle.lstrip("@"),
                    kind=args.kind,
                    committee=args.committee,
                    admins=[a.strip() for a in args.admins.split(";") if a.strip()],
                    comms_access=args.comms_access,
                    logo_approved=args.logo_approved,
                    registered_on=args.registered_on,
                    report_card=args.report_card,
                    admin_emails=[a.strip() for a in args.admin_emails.split(";") if a.strip()],
                )
                updated, added, _ = registry.upsert(accounts, [account])
                registry.write(path, updated)
                console.print(f"{'Registered' if added else 'Updated'} {account.platform} @{account.handle}.")
            elif args.action == "import":
                new = registry.from_csv(args.csv)
                updated, added, replaced = registry.upsert(accounts, new)
                registry.write(path, updated)
                console.print(
                    f"Imported {len(new)} account(s) from {args.csv}: {added} new, {replaced} updated."
                )
            else:
                registry.write(path, registry.remove(accounts, args.platform, args.handle))
                console.print(f"Removed {args.platform} @{args.handle.lstrip('@')} from the registry.")
        except (registry.RegistryError, ValidationError) as exc:
            print(str(exc), file=sys.stderr)
            return 2
        return 0


COMMANDS = (Accounts,)
