"""`check-config`: validate config/*.toml and say what the monitor would use."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from monitor.cli.base import Command

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config import Config


class CheckConfig(Command):
    name = "check-config"
    help = "validate the files in config/ and report every problem, one per line"
    description = (
        "Validate config/*.toml without running anything. Prints one line per problem: "
        "the file, the key, what is wrong. Exit status 0 when all is well, 2 otherwise."
    )

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        # Loading the config (in monitor.cli.main) already refused a bad one; here we say what a
        # good one amounts to.
        from connectors import enabled_connectors
        from monitor.secrets import mask

        url = args.database or config.database_url()
        console.print(f"[green]OK[/green] configuration in {config.config_dir}")
        console.print(f"  database: {shown_url(url)}")
        mail = config.monitor.mail
        console.print(
            f"  mail: {mail.transport}"
            + (f" to {config.path(mail.maildir)}" if mail.transport == "maildir" else "")
        )
        console.print(
            f"  official channels: {len(config.channels.official)}; "
            f"registered ASV accounts: {len(config.accounts.account)}"
        )
        cards = [f"{a.platform} @{a.handle}" for a in config.accounts.account if a.report_card]
        copy = config.contact(config.monitor.report_cards.copy_role)
        console.print(
            f"  report cards: monthly to {', '.join(cards)} (a copy to {copy.name})"
            if cards
            else "  report cards: no committee has opted in (report_card in accounts.toml)"
        )
        for connector in enabled_connectors(config):
            envs = connector.token_envs()
            missing = [env for env in envs if not os.environ.get(env)]
            found = [f"{env} ({mask(os.environ[env])})" for env in envs if env not in missing]
            if missing:
                console.print(
                    f"  connector {connector.name}: enabled, [yellow]{', '.join(missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} not set[/yellow]: it will be skipped until "
                    + ("it is" if len(missing) == 1 else "they are")
                )
            elif found:
                console.print(f"  connector {connector.name}: enabled, token in {', '.join(found)}")
            else:
                console.print(f"  connector {connector.name}: enabled")
        return 0


def shown_url(url: str) -> str:
    """A database URL with its password masked."""
    from sqlalchemy.engine import make_url

    from monitor.secrets import mask

    parsed = make_url(url)
    return parsed.set(password=mask(parsed.password)).render_as_string() if parsed.password else url


COMMANDS = (CheckConfig,)
