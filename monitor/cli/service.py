"""`run` (the long-running service, owning its signals) and `status` (what it is doing)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from typing import TYPE_CHECKING

from monitor.cli.base import EXIT_ALREADY_RUNNING, EXIT_CONFIG, Command

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config import Config

log = logging.getLogger(__name__)


class Run(Command):
    name = "run"
    help = "run as a service: poll, score, alert, send, and build the digest and audit on schedule"
    description = (
        "Run until stopped (Ctrl-C or SIGTERM), on the [schedule] in config/monitor.toml. "
        "A running job finishes its batch and commits before the monitor stops; a restart resumes. "
        "Only one monitor can run against a database: a second one refuses to start."
    )

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from alerts.transports import transport_from_config
        from connectors import enabled_connectors
        from monitor.daemon.lock import AlreadyRunning, monitor_lock
        from monitor.daemon.scheduler import Monitor
        from monitor.links import SecretMissing
        from monitor.store import open_store
        from monitor.web.serve import UnsafeAddress

        sessions = open_store(config, args.database)
        engine = sessions.kw["bind"]
        connectors = enabled_connectors(config)
        try:
            with monitor_lock(engine):
                monitor = Monitor(config, sessions, connectors, transport_from_config(config))
                stop = threading.Event()

                def on_signal(signum: int, _frame: object) -> None:
                    log.info("event=stopping signal=%s", signal.Signals(signum).name)
                    monitor.stopping.set()
                    stop.set()

                signal.signal(signal.SIGTERM, on_signal)
                signal.signal(signal.SIGINT, on_signal)
                web_server = _start_web(config, sessions)
                monitor.start()
                names = ", ".join(c.name for c in connectors) or "none"
                console.print(f"Monitor running (connectors: {names}); Ctrl-C or SIGTERM stops it.")
                stop.wait()
                monitor.shutdown()
                if web_server is not None:
                    web_server.shutdown()
                console.print("Monitor stopped; the next `run` resumes where this one stopped.")
        except AlreadyRunning as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_ALREADY_RUNNING
        except (UnsafeAddress, SecretMissing) as exc:
            print(f"The monitor was not started ([web] enabled): {exc}", file=sys.stderr)
            return EXIT_CONFIG
        return 0


def _start_web(config: Config, sessions: object):  # noqa: ANN202
    """With [web] enabled, the web app in a thread of this process (README, "The web app")."""
    if not config.monitor.web.enabled:
        return None
    from monitor.web.serve import make_server

    server = make_server(config, sessions)  # type: ignore[arg-type]
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    log.info("event=web_started host=%s port=%s", server.host, server.port)
    return server


class Status(Command):
    name = "status"
    help = "each connector's last run and next one, rate limits, errors and fixes; outbox; incidents"
    description = "What the monitor is doing, read from the database (works while `run` is running)."

    def handle(self, args: argparse.Namespace, config: Config, console: Console) -> int:
        from monitor.daemon.status import status_tables
        from monitor.store import open_store

        sessions = open_store(config, args.database)
        with sessions() as session:
            console.print(status_tables(session, config))
        return 0


COMMANDS = (Run, Status)
