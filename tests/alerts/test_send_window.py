"""Issue #12, points 2 and 4: the send window, unknown outcomes, a hung server, a shutdown.

A "crash" is simulated by a BaseException thrown at the exact moment, as a kill -9 would stop
the process there; bench/crash_loop.py does the same with real kills and counts.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import select

from alerts.outbox import enqueue, flush
from alerts.transports.smtp import SmtpTransport
from monitor.daemon.status import status_tables
from monitor.schema import OutboxMessage
from tests.alerts.test_smtp import smtp, smtp_server  # noqa: F401 - the fixture

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


class Crash(BaseException):
    """Stands for kill -9: nothing after it runs, no except clause catches it."""


def _queue(sessions, count: int) -> list[str]:
    ids = []
    with sessions.begin() as session:
        for n in range(count):
            message = EmailMessage()
            message["From"] = "monitor@iom3.org"
            message["To"] = "comms@iom3.org"
            message["Subject"] = f"alert {n}"
            message["Message-ID"] = make_msgid(domain="iom3.org")
            message.set_content(f"body {n}\n.\nA line that is only a dot must survive dot-stuffing.\n")
            enqueue(session, message, incident_id=None, now=NOW)
            ids.append(str(message["Message-ID"]))
    return ids


def _drop_connection(transport: SmtpTransport) -> None:
    """What the kernel does to a killed process's socket: closed, no QUIT."""
    if transport._smtp is not None:
        transport._smtp.sock.close()
        transport._smtp = None


class CrashBeforeTheDot(SmtpTransport):
    def send_staged(self, message, point_of_no_return) -> None:  # noqa: ANN001
        def die() -> None:
            raise Crash

        try:
            super().send_staged(message, die)
        finally:
            _drop_connection(self)


class CrashAfterTheServerAccepted(SmtpTransport):
    def send_staged(self, message, point_of_no_return) -> None:  # noqa: ANN001
        super().send_staged(message, point_of_no_return)
        _drop_connection(self)
        raise Crash  # the 250 came back; the "sent" commit never happens


def _received_ids(server) -> list[str]:
    return [str(m["Message-ID"]) for _, _, m in server.sink.received]


def test_a_crash_before_the_final_dot_cannot_duplicate(sessions, smtp_server) -> None:  # noqa: F811
    smtp_server.start()
    (message_id,) = _queue(sessions, 1)
    with pytest.raises(Crash):
        flush(sessions, CrashBeforeTheDot(smtp(smtp_server.port).settings), now=NOW)
    assert _received_ids(smtp_server) == []  # the unfinished DATA was thrown away
    result = flush(sessions, smtp(smtp_server.port), now=NOW)
    assert (result.recovered, result.sent, result.resent_unknown) == (1, 1, 0)
    assert _received_ids(smtp_server) == [message_id]
    with sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.unknown_outcomes) == ("sent", 0)


def test_a_crash_in_the_rfc1047_window_resends_with_the_same_message_id_and_counts_it(
    sessions,
    config,
    smtp_server,  # noqa: F811
) -> None:
    smtp_server.start()
    (message_id,) = _queue(sessions, 1)
    with pytest.raises(Crash):
        flush(sessions, CrashAfterTheServerAccepted(smtp(smtp_server.port).settings), now=NOW)
    with sessions() as session:
        assert session.scalars(select(OutboxMessage.status)).one() == "delivering"
    result = flush(sessions, smtp(smtp_server.port), now=NOW)
    assert (result.recovered, result.sent, result.resent_unknown) == (1, 1, 1)
    # The duplicate SMTP cannot rule out, with the original Message-ID so mail clients fold it.
    assert _received_ids(smtp_server) == [message_id, message_id]
    assert smtp_server.sink.received[0][2].as_bytes() == smtp_server.sink.received[1][2].as_bytes()
    with sessions() as session:
        assert session.scalars(select(OutboxMessage.unknown_outcomes)).one() == 1
        from rich.console import Console

        console = Console(width=200, record=True)
        console.print(status_tables(session, config))
        shown = console.export_text()
        assert "resent after an unknown outcome" in shown and "1 (same Message-ID)" in shown


@pytest.fixture
def hung_server():
    """A server that takes the connection and never says a word (as a wedged relay does)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    yield listener.getsockname()[1]
    listener.close()


def test_a_hung_server_costs_one_timeout_per_pass_not_one_per_email(sessions, hung_server) -> None:
    _queue(sessions, 5)
    settings = smtp(hung_server).settings.model_copy(update={"timeout_seconds": 0.5})
    result = flush(sessions, SmtpTransport(settings), now=NOW)
    assert (result.sent, result.failed, result.left_for_next_pass) == (0, 1, 4)
    assert "cannot reach the SMTP server" in result.errors[0]
    with sessions() as session:
        statuses = sorted(session.scalars(select(OutboxMessage.status)))
    assert statuses == ["failed", "pending", "pending", "pending", "pending"]


def test_a_shutdown_is_heard_between_emails(sessions, smtp_server) -> None:  # noqa: F811
    smtp_server.start()
    _queue(sessions, 4)
    asked = []

    def stop() -> bool:  # the shutdown arrives while the first email is being sent
        asked.append(1)
        return len(asked) > 1

    result = flush(sessions, smtp(smtp_server.port), now=NOW, stop=stop)
    assert (result.sent, result.left_for_next_pass) == (1, 3)
    assert len(smtp_server.sink.received) == 1


def test_a_spent_pass_budget_leaves_the_rest_for_the_next_pass(sessions, smtp_server) -> None:  # noqa: F811
    smtp_server.start()
    _queue(sessions, 3)
    result = flush(sessions, smtp(smtp_server.port), now=NOW, budget_seconds=0)
    assert (result.sent, result.left_for_next_pass) == (0, 3)
    assert flush(sessions, smtp(smtp_server.port), now=NOW).sent == 3
    bodies = [
        m.get_body(("plain",)).get_content().replace("\r\n", "\n") for _, _, m in smtp_server.sink.received
    ]
    assert all("\n.\nA line that is only a dot" in b for b in bodies), bodies


def test_a_reply_lost_after_the_final_dot_is_counted_as_an_unknown_outcome(sessions, smtp_server) -> None:  # noqa: F811
    """The server takes the message but its "250" never arrives in time: RFC 1047 while alive."""
    import asyncio
    import threading

    from aiosmtpd.controller import Controller

    first_kept = threading.Event()
    kept: list[str] = []

    class SlowOnce:
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
            first = not kept
            kept.append(envelope.original_content.split(b"Message-ID: ", 1)[1].split(b"\r\n", 1)[0].decode())
            first_kept.set()
            if first:  # queued, as a real server does, but answered after the client gave up
                await asyncio.sleep(2)
            return "250 OK"

    controller = Controller(SlowOnce(), hostname="127.0.0.1", port=smtp_server.port)
    controller.start()
    try:
        (message_id,) = _queue(sessions, 1)
        settings = smtp(smtp_server.port).settings.model_copy(update={"timeout_seconds": 0.5})
        first = flush(sessions, SmtpTransport(settings), now=NOW)
        assert (first.sent, first.failed, first.resent_unknown) == (0, 1, 1)
        assert first_kept.wait(timeout=60)  # the server did keep it
        later = NOW + timedelta(hours=1)  # past the backoff
        second = flush(sessions, SmtpTransport(settings), now=later)
        assert second.sent == 1
    finally:
        controller.stop()
    assert kept == [message_id, message_id]
    with sessions() as session:
        assert session.scalars(select(OutboxMessage.unknown_outcomes)).one() == 1
