"""`web`: serve the triage web app on the configured database (README, "The web app")."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING

from monitor.cli.base import EXIT_CONFIG, Command

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config import Config


class Web(Command):
    name = "web"
    help = "serve the triage web app: incidents, actions, mentions, silences, status, archive"
    description = (
        "Serve the web app on [web] host and port (config/monitor.toml), on the same database. "
        "The signing secret comes from the variable [web] secret_env names. A non-loopback address "
        "needs TLS ([web] tls_cert/tls_key) or a reverse proxy ([web] behind_proxy = true)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--host", help="address to listen on (default: [web] host)")
        parser.add_argument("--port", type=int, help="port (default: [web] port; 0 picks a free one)")

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from monitor.links import SecretMissing
        from monitor.optional import MissingExtra
        from monitor.store import open_store
        from monitor.web.serve import UnsafeAddress, make_server

        sessions = open_store(config, args.database)
        try:
            server = make_server(config, sessions, host=args.host, port=args.port)
        except (UnsafeAddress, SecretMissing, MissingExtra) as exc:
            print(f"The web app was not started: {exc}", file=sys.stderr)
            return EXIT_CONFIG

        def on_signal(signum: int, _frame: object) -> None:
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        scheme = "https" if config.monitor.web.tls_cert else "http"
        # Flushed: a supervisor (or a test) waits for this line to know the port is open.
        print(f"Web app on {scheme}://{server.host}:{server.port}/ ; Ctrl-C stops it.", flush=True)
        server.serve_forever()
        return 0


COMMANDS = (Web,)
