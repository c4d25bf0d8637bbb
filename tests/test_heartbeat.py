"""The heartbeat: pings to a healthchecks.io-style URL on a real loopback HTTP server (#12)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from rich.console import Console
from sqlalchemy import select

from alerts.transports.maildir import MaildirTransport
from monitor.daemon import scheduler as scheduler_module
from monitor.daemon.scheduler import Monitor
from monitor.daemon.status import status_tables
from monitor.heartbeat import ping
from monitor.schema import Heartbeat

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
CHECK = "/ping/5f1c2b9e-0d4e-4c1e-9a51-1f0e3c7d2a11"


@pytest.fixture
def pings(monkeypatch):  # noqa: ANN001, ANN201
    """A loopback server that answers like healthchecks.io and keeps (path, body) of each ping."""
    received: list[tuple[str, str]] = []
    answer = {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            received.append((self.path, body))
            self.send_response(answer["status"])
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("IOM3_HEARTBEAT_URL", f"http://127.0.0.1:{server.server_port}{CHECK}")
    yield received, answer
    server.shutdown()
    server.server_close()
    thread.join()


def _monitor(config, sessions, tmp_path) -> Monitor:  # noqa: ANN001
    return Monitor(
        config,
        sessions,
        [],
        MaildirTransport(tmp_path / "mail"),
        scheduler=BackgroundScheduler(timezone=config.timezone),
        clock=lambda: T0,
    )


def test_start_success_and_fail_are_pinged_and_shown_in_status(
    config, sessions, tmp_path, pings, monkeypatch
):
    received, _ = pings
    monitor = _monitor(config, sessions, tmp_path)
    assert ping(sessions, config.monitor.heartbeat, "start", T0) is True
    monitor.process()  # a good cycle

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("scoring fell over")

    monkeypatch.setattr(scheduler_module, "score_pending", broken)
    with pytest.raises(RuntimeError):
        monitor.process()
    assert received == [
        (f"{CHECK}/start", ""),
        (CHECK, ""),
        (f"{CHECK}/fail", "jobs that crashed: process (RuntimeError)"),
    ]
    with sessions() as session:
        console = Console(width=200, record=True)
        console.print(status_tables(session, config))
    shown = console.export_text()
    assert "Heartbeat" in shown and "jobs that crashed: process (RuntimeError)" in shown
    assert CHECK not in shown  # the URL is the credential


def test_a_ping_the_server_refuses_is_recorded_as_not_answered(config, sessions, pings):
    _, answer = pings
    answer["status"] = 500
    assert ping(sessions, config.monitor.heartbeat, "success", T0) is False
    with sessions() as session:
        beat = session.scalars(select(Heartbeat)).one()
    assert (beat.kind, beat.ok, beat.detail) == ("success", False, "HTTP 500")


def test_an_unreachable_ping_url_never_stops_the_service(config, sessions, monkeypatch):
    monkeypatch.setenv("IOM3_HEARTBEAT_URL", "http://127.0.0.1:1/ping/x")
    assert ping(sessions, config.monitor.heartbeat, "start", T0) is False


def test_no_url_no_ping(config, sessions, monkeypatch):
    monkeypatch.delenv("IOM3_HEARTBEAT_URL", raising=False)
    assert ping(sessions, config.monitor.heartbeat, "start", T0) is None
    with sessions() as session:
        assert session.scalars(select(Heartbeat)).all() == []
