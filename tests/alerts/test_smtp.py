"""Email through a real SMTP server on loopback (aiosmtpd), started by the tests."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from alert_steps import arrive

from alerts.incidents import notify_due
from alerts.outbox import flush
from alerts.transports import TransportError
from alerts.transports.smtp import SmtpTransport
from monitor.config import SmtpSection
from monitor.models import Mention

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
    # Without the chain, so that only the Communications Executive's thread is on the wire.
    config = config.model_copy(update={"routing": config.routing.model_copy(update={"escalation": None})})
    smtp_server.start()
    transport = smtp(smtp_server.port)
    clock.now = T0
    arrive(sessions, config, clock, _mention(0, CRISIS))
    clock.advance(minutes=2)
    notify_due(sessions, config, clock=clock)
    assert flush(sessions, transport, now=clock()).sent == 1
    arrive(sessions, config, clock, _mention(1, CRISIS), _mention(2, CRISIS))
    clock.advance(minutes=30)
    notify_due(sessions, config, clock=clock)
    assert flush(sessions, transport, now=clock()).sent == 1

    (sender1, to1, opening), (_, _, update) = smtp_server.sink.received
    assert sender1 == "iom3-monitor@iom3.org" and to1 == ["kovida.mehra@iom3.org"]
    assert opening["To"] == "Kovida Mehra <kovida.mehra@iom3.org>"
    assert opening["Subject"].strip().startswith("[IOM3 monitor] CRITICAL: Crisis on X: @m0:")
    assert opening["Reply-To"] == "Marketing and Communications team <fabiola.franco@iom3.org>"
    assert (opening["Importance"], opening["X-Priority"]) == ("high", "1 (Highest)")
    assert opening["In-Reply-To"] is None
    assert update["In-Reply-To"] == opening["Message-ID"] == update["References"]
    assert update["Subject"].strip() == "[IOM3 monitor] CRITICAL #1 2 more posts, 3 in all: Crisis on X"
    # A crisis carries the thread's volume chart inline, beside the HTML it is shown in.
    assert {p.get_content_type() for p in opening.iter_parts()} == {"text/plain", "multipart/related"}
    (chart,) = [p for p in opening.walk() if p.get_content_type() == "image/png"]
    assert f"cid:{chart['Content-ID'][1:-1]}" in opening.get_body(("html",)).get_content()
    body = update.get_body(("plain",)).get_content()
    assert "2 more mention(s) on this thread since the last email, 3 in all" in body
    assert "python run_monitor.py incidents ack 1" in body


def test_smtp_down_for_an_hour_then_every_email_arrives_once(sessions, config, clock, smtp_server):
    transport = smtp(smtp_server.port)
    clock.now = T0
    for n, thread in enumerate(("a", "b", "c")):
        arrive(sessions, config, clock, _mention(n, CRISIS, thread_id=thread))
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
    arrive(sessions, config, clock, _mention(0, evil, author_handle="x\r\nCc: a@b.c"))
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


class OAuthSink(Sink):
    """A server that takes only SASL XOAUTH2 and checks the bearer token (as Microsoft 365 does)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.logins: list[str] = []

    async def auth_XOAUTH2(self, server, args):  # noqa: N802 - aiosmtpd's hook name for the mechanism
        import base64

        sent = base64.b64decode(args[1]).decode() if len(args) > 1 else ""
        self.logins.append(sent.split("\x01")[0])
        return AuthResult(
            success=sent == f"user=monitor@iom3.org\x01auth=Bearer {self.token}\x01\x01", handled=False
        )


def _plain_message():
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@iom3.org", "b@iom3.org", "t"
    message["Message-ID"] = "<oauth1@iom3.org>"
    message.set_content("hello")
    return message


def test_xoauth2_with_a_token_from_the_environment(smtp_server, monkeypatch):
    smtp_server.sink = OAuthSink("eyJ0eXAi.good")
    smtp_server.start(auth_require_tls=False, auth_exclude_mechanism=["LOGIN", "PLAIN"])
    monkeypatch.setenv("IOM3_SMTP_USERNAME", "monitor@iom3.org")
    monkeypatch.setenv("IOM3_SMTP_TOKEN", "eyJ0eXAi.expired")
    transport = smtp(
        smtp_server.port, username_env="IOM3_SMTP_USERNAME", auth="xoauth2", token_env="IOM3_SMTP_TOKEN"
    )
    with pytest.raises(
        TransportError, match="refused the login; check IOM3_SMTP_USERNAME and IOM3_SMTP_TOKEN"
    ) as caught:
        transport.send(_plain_message())
    assert caught.value.permanent and "eyJ0eXAi" not in str(caught.value)
    monkeypatch.setenv("IOM3_SMTP_TOKEN", "eyJ0eXAi.good")
    transport.send(_plain_message())
    transport.close()
    assert len(smtp_server.sink.received) == 1
    assert smtp_server.sink.logins == ["user=monitor@iom3.org", "user=monitor@iom3.org"]


def test_xoauth2_with_a_token_command(smtp_server, monkeypatch, tmp_path):
    smtp_server.sink = OAuthSink("from-the-command")
    smtp_server.start(auth_require_tls=False, auth_exclude_mechanism=["LOGIN", "PLAIN"])
    monkeypatch.setenv("IOM3_SMTP_USERNAME", "monitor@iom3.org")
    import sys

    transport = smtp(
        smtp_server.port,
        username_env="IOM3_SMTP_USERNAME",
        auth="xoauth2",
        token_command=[sys.executable, "-c", "print('from-the-command')"],
    )
    transport.send(_plain_message())
    transport.close()
    assert len(smtp_server.sink.received) == 1
    broken = smtp(
        smtp_server.port,
        username_env="IOM3_SMTP_USERNAME",
        auth="xoauth2",
        token_command=[sys.executable, "-c", "import sys; sys.exit(3)"],
    )
    with pytest.raises(TransportError, match="failed \\(exit status 3\\); run it by hand") as caught:
        broken.send(_plain_message())
    assert caught.value.permanent


def test_xoauth2_config_needs_one_token_source():
    with pytest.raises(ValueError, match="exactly one of token_env"):
        SmtpSection(auth="xoauth2", username_env="U")
    with pytest.raises(ValueError, match="needs username_env"):
        SmtpSection(auth="xoauth2", token_env="T")
