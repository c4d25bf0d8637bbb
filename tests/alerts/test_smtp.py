"""Email through a real SMTP server on loopback (aiosmtpd), started by the tests."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from alerts.incidents import notify_due, route_pending
from alerts.outbox import flush
from alerts.transports import TransportError
from alerts.transports.smtp import SmtpTransport
from monitor.channels import ChannelDirectory
from monitor.config import SmtpSection
from monitor.models import Mention
from monitor.pipeline import score_pending
from monitor.scoring import Scorer
from monitor.store import save_batch

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@dataclass
class Sink:
    """Keeps every message the server accepts: (envelope sender, recipients, parsed message)."""

    received: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Start/stop an SMTP server on loopback; `server.start()` may be called later (an outage)."""

    class Server:
        def __init__(self) -> None:
            self.port = free_port()
            self.sink = Sink()
            self.controller: Controller | None = None

        def start(self, **kwargs) -> None:
            self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port, **kwargs)
            self.controller.start()

        def stop(self) -> None:
            if self.controller is not None:
                self.controller.stop()
                self.controller = None

    server = Server()
    yield server
    server.stop()


def smtp(port: int, **changes) -> SmtpTransport:
    return SmtpTransport(
        SmtpSection(host="127.0.0.1", port=port, security="none", timeout_seconds=5, **changes)
    )


def _arrive(sessions, config, clock, *mentions: Mention) -> None:
    with sessions.begin() as session:
        save_batch(
            session, connector="t", mentions=list(mentions), cursor={}, directory=ChannelDirectory(config)
        )
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring), clock=clock)
    route_pending(sessions, config, clock=clock)


def _mention(n: int, text: str, **overrides) -> Mention:
    values = dict(
        platform="x",
        platform_id=str(8000 + n),
        author_handle=f"m{n}",
        text=text,
        created_at=T0 + timedelta(minutes=n),
        thread_id="8000",
        author_reach=150,
        url=f"https://x.com/m{n}/status/{8000 + n}",
    )
    return Mention(**{**values, **overrides})


CRISIS = "Boycott the IOM3 awards. This sponsorship is a scandal and a disgrace."


def test_emails_arrive_threaded_with_their_headers_and_bodies(sessions, config, clock, smtp_server):
    smtp_server.start()
    transport = smtp(smtp_server.port)
    clock.now = T0
    _arrive(sessions, config, clock, _mention(0, CRISIS))
    clock.advance(minutes=2)
    notify_due(sessions, config, clock=clock)
    assert flush(sessions, transport, now=clock()).sent == 1
    _arrive(sessions, config, clock, _mention(1, CRISIS), _mention(2, CRISIS))
    clock.advance(minutes=30)
    notify_due(sessions, config, clock=clock)
    assert flush(sessions, transport, now=clock()).sent == 1

    (sender1, to1, opening), (_, _, update) = smtp_server.sink.received
    assert sender1 == "iom3-monitor@iom3.org" and to1 == ["kovida.mehra@iom3.org"]
    assert opening["To"] == "Kovida Mehra <kovida.mehra@iom3.org>"
    assert opening["Subject"].startswith("[IOM3 monitor] Crisis (act now): @m0 on X:")
    assert opening["In-Reply-To"] is None
    assert update["In-Reply-To"] == opening["Message-ID"] == update["References"]
    assert update["Subject"] == "Re: " + opening["Subject"]
    assert {p.get_content_type() for p in opening.iter_parts()} == {"text/plain", "text/html"}
    body = update.get_body(("plain",)).get_content()
    assert "2 more mention(s) on this thread since the last email, 3 in all" in body
    assert "python run_monitor.py incidents ack 1" in body


def test_smtp_down_for_an_hour_then_every_email_arrives_once(sessions, config, clock, smtp_server):
    transport = smtp(smtp_server.port)
    clock.now = T0
    for n, thread in enumerate(("a", "b", "c")):
        _arrive(sessions, config, clock, _mention(n, CRISIS, thread_id=thread))
    clock.advance(minutes=2)
    assert notify_due(sessions, config, clock=clock) == 3
    failures = 0
    for _ in range(12):  # an hour of flushes every five minutes against a server that is not there
        result = flush(sessions, transport, now=clock())
        failures += result.failed
        assert result.sent == 0
        assert all("cannot reach the SMTP server 127.0.0.1" in e for e in result.errors)
        clock.advance(minutes=5)
    assert 3 <= failures < 36  # retried, with backoff rather than at every flush
    smtp_server.start()
    clock.advance(hours=1)
    assert flush(sessions, transport, now=clock()).sent == 3
    assert flush(sessions, transport, now=clock() + timedelta(hours=1)).sent == 0
    ids = [message["Message-ID"] for _, _, message in smtp_server.sink.received]
    assert len(ids) == 3 and len(set(ids)) == 3


def test_a_hostile_post_cannot_add_recipients_or_script(sessions, config, clock, smtp_server):
    smtp_server.start()
    clock.now = T0
    evil = "Boycott IOM3, a scandal\r\nBcc: attacker@example.com\r\n<script>alert(1)</script>"
    _arrive(sessions, config, clock, _mention(0, evil, author_handle="x\r\nCc: a@b.c"))
    clock.advance(minutes=2)
    notify_due(sessions, config, clock=clock)
    flush(sessions, smtp(smtp_server.port), now=clock())
    ((_, recipients, message),) = smtp_server.sink.received
    assert recipients == ["kovida.mehra@iom3.org"]
    assert message["Bcc"] is None and message["Cc"] is None
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_refused_login_is_permanent_and_says_which_variables(smtp_server, monkeypatch):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"right"
        return AuthResult(success=ok, handled=False)

    smtp_server.start(authenticator=authenticator, auth_require_tls=False)
    monkeypatch.setenv("IOM3_SMTP_USERNAME", "monitor")
    monkeypatch.setenv("IOM3_SMTP_PASSWORD", "wrong")
    transport = smtp(smtp_server.port, username_env="IOM3_SMTP_USERNAME", password_env="IOM3_SMTP_PASSWORD")
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@iom3.org", "b@iom3.org", "t"
    message["Message-ID"] = "<t1@iom3.org>"
    message.set_content("hello")
    with pytest.raises(
        TransportError, match="refused the login; check IOM3_SMTP_USERNAME and IOM3_SMTP_PASSWORD"
    ) as caught:
        transport.send(message)
    assert caught.value.permanent and "wrong" not in str(caught.value)
    monkeypatch.setenv("IOM3_SMTP_PASSWORD", "right")
    transport.send(message)
    transport.close()
    assert len(smtp_server.sink.received) == 1
