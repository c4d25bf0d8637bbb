"""Chat through Apprise from the same outbox: a loopback HTTP receiver, an outage, exactly once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("apprise")
import responses  # noqa: E402
from sqlalchemy import select  # noqa: E402

from alerts.incidents import notify_due, route_pending  # noqa: E402
from alerts.outbox import flush  # noqa: E402
from alerts.transports import chat_transport  # noqa: E402
from alerts.transports.apprise import AppriseTransport  # noqa: E402
from alerts.transports.base import TransportError  # noqa: E402
from monitor.channels import ChannelDirectory  # noqa: E402
from monitor.models import Mention  # noqa: E402
from monitor.pipeline import score_pending  # noqa: E402
from monitor.schema import OutboxMessage  # noqa: E402
from monitor.scoring import Scorer  # noqa: E402
from monitor.store import save_batch  # noqa: E402

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
AT_RISK = "I am 15 and I don't want to be here anymore, IOM3 mentoring made it worse"


class Receiver:
    """A webhook endpoint on loopback: answers 503 while `down`, keeps every JSON body it accepts."""

    def __init__(self) -> None:
        self.down = False
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.down:
                    self.send_response(503)
                else:
                    receiver.received.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def _raise_a_safeguarding_alert(sessions, config, clock) -> None:
    mention = Mention(
        platform="x",
        platform_id="6000",
        author_handle="kid",
        text=AT_RISK,
        created_at=T0,
        url="https://x.com/kid/status/6000",
        author_reach=40,
    )
    with sessions.begin() as session:
        save_batch(session, connector="t", mentions=[mention], cursor={}, directory=ChannelDirectory(config))
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring), clock=clock)
    route_pending(sessions, config, clock=clock)
    assert notify_due(sessions, config, clock=clock) == 1


def test_a_critical_alert_reaches_chat_exactly_once_across_an_outage(
    sessions, config, clock, receiver, monkeypatch
):
    monkeypatch.setenv("IOM3_CHAT_DIRECTOR", receiver.url)
    clock.now = T0
    _raise_a_safeguarding_alert(sessions, config, clock)
    with sessions() as session:
        (chat,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "chat")).all()
        assert receiver.url not in chat.payload  # the variable's name is stored, never the token URL
        assert json.loads(chat.payload)["url_env"] == "IOM3_CHAT_DIRECTOR"
    transport = chat_transport(config)
    assert isinstance(transport, AppriseTransport)

    receiver.down = True
    result = flush(sessions, transport, now=clock())
    assert (result.sent, result.failed) == (0, 1)
    assert "127.0.0.1" in result.errors[0] and "IOM3_CHAT_DIRECTOR" in result.errors[0]
    receiver.down = False
    assert flush(sessions, transport, now=clock()).sent == 0  # waiting out its backoff, not hammering
    clock.advance(minutes=2)
    assert flush(sessions, transport, now=clock()).sent == 1
    clock.advance(hours=1)
    assert flush(sessions, transport, now=clock()).sent == 0
    (delivered,) = receiver.received
    assert delivered["title"].startswith("[IOM3 monitor] CRITICAL: Safeguarding")
    assert "Follow the Safeguarding Policy" in delivered["message"]


def test_no_chat_variable_no_chat_message(sessions, config, clock, monkeypatch):
    monkeypatch.delenv("IOM3_CHAT_DIRECTOR", raising=False)
    clock.now = T0
    _raise_a_safeguarding_alert(sessions, config, clock)
    with sessions() as session:
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "chat")).all() == []
    assert chat_transport(config) is None


@responses.activate
def test_a_slack_url_posts_to_slacks_webhook_with_title_and_body(monkeypatch):
    slack = "https://hooks.slack.com/services/T1ABCD2EF/B3GHIJ4KL/abcdefghijklmnopqrstuvwx"
    responses.post(slack, body="ok")
    monkeypatch.setenv("IOM3_CHAT_COMMS", "slack://T1ABCD2EF/B3GHIJ4KL/abcdefghijklmnopqrstuvwx")
    AppriseTransport().send(
        {"url_env": "IOM3_CHAT_COMMS", "title": "CRITICAL: Crisis on X", "body": "Act now"}
    )
    (call,) = responses.calls
    sent = json.loads(call.request.body)
    assert "CRITICAL: Crisis on X" in json.dumps(sent) and "Act now" in json.dumps(sent)


def test_a_refused_url_or_a_missing_variable_says_which(monkeypatch):
    monkeypatch.delenv("IOM3_CHAT_COMMS", raising=False)
    with pytest.raises(TransportError, match="IOM3_CHAT_COMMS is not set") as missing:
        AppriseTransport().send({"url_env": "IOM3_CHAT_COMMS", "title": "t", "body": "b"})
    assert missing.value.permanent
    monkeypatch.setenv("IOM3_CHAT_COMMS", "nosuchservice://secret-token")
    with pytest.raises(TransportError, match="does not understand") as bad:
        AppriseTransport().send({"url_env": "IOM3_CHAT_COMMS", "title": "t", "body": "b"})
    assert "secret-token" not in str(bad.value)
