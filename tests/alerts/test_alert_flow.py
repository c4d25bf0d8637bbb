"""Flags to incidents to outbox to Maildir: grouping, safe emails, exactly-once sending."""

from __future__ import annotations

import mailbox
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

import alerts.incident_emails as incident_emails
from alerts.compose import header_safe
from alerts.incidents import notify_due, route_pending
from alerts.outbox import flush
from alerts.transports import TransportError
from alerts.transports.maildir import MaildirTransport
from monitor.channels import ChannelDirectory
from monitor.models import Mention
from monitor.pipeline import score_pending
from monitor.schema import AssessmentRow, Incident, OutboxMessage
from monitor.scoring import Scorer
from monitor.store import save_batch

COMPLAINT = "Still waiting for my refund, no reply for weeks. Unacceptable."


def _mention(n: int, text: str = COMPLAINT, **overrides) -> Mention:
    values = dict(
        platform="x",
        platform_id=str(5000 + n),
        author_handle=f"member{n}",
        author_name=f"Member {n}",
        text=text,
        created_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC) + timedelta(minutes=n),
        thread_id="4000",
        url=f"https://x.com/member{n}/status/{5000 + n}",
        author_reach=100 + n,
    )
    values.update(overrides)
    return Mention(**values)


def _store_and_route(sessions, config, clock, mentions: list[Mention]):
    """Store, score and route; then let the routes' group waits pass and queue what is due."""
    with sessions.begin() as session:
        save_batch(
            session, connector="test", mentions=mentions, cursor={}, directory=ChannelDirectory(config)
        )
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring), clock=clock)
    result = route_pending(sessions, config, clock=clock)
    clock.advance(minutes=10)
    result.emails_queued = notify_due(sessions, config, clock=clock)
    return result


def _outbox(sessions) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _read(row: OutboxMessage) -> EmailMessage:
    return message_from_bytes(row.payload.encode(), policy=policy.default)


def test_a_pile_on_in_one_thread_is_one_incident_and_one_email(sessions, config, clock):
    result = _store_and_route(sessions, config, clock, [_mention(i) for i in range(12)])
    assert (result.incidents_opened, result.mentions_joined, result.emails_queued) == (1, 11, 1)
    with sessions() as session:
        (incident,) = session.scalars(select(Incident)).all()
    assert (incident.mention_count, incident.thread_key, incident.role) == (
        12,
        "x:4000",
        "communications_executive",
    )
    (email,) = _outbox(sessions)
    assert email.recipient == "Kovida Mehra <kovida.mehra@iom3.org>"


def test_separate_threads_are_separate_incidents_and_official_posts_never_alert(sessions, config, clock):
    mentions = [
        _mention(1, thread_id="A"),
        _mention(2, thread_id="B"),
        _mention(3, text="Charged twice for the dinner, awful service, I want my money back", thread_id=None),
        _mention(4, author_handle="iom3", thread_id="C"),  # IOM3 apologising, with complaint words
        _mention(5, text="Lovely evening at the IOM3 lecture, thank you"),
    ]
    result = _store_and_route(sessions, config, clock, mentions)
    assert result.incidents_opened == 3
    with sessions() as session:
        keys = set(session.scalars(select(Incident.thread_key)))
        unrouted = session.scalar(select(func.count()).where(AssessmentRow.routed_at.is_(None)))
    assert keys == {"x:A", "x:B", "x:5003"}
    assert unrouted == 0


def test_posts_outside_threads_on_one_topic_within_the_window_are_one_incident(sessions, config, clock):
    standalone = dict(thread_id=None)
    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    result = _store_and_route(
        sessions,
        config,
        clock,
        [
            _mention(
                1, text="Still waiting for my refund from IOM3. Unacceptable.", created_at=t0, **standalone
            ),
            _mention(
                2,
                text="Also still waiting for a refund. Poor.",
                created_at=t0 + timedelta(minutes=40),
                **standalone,
            ),
            _mention(
                3,
                text="My journal access is broken again, useless website",
                created_at=t0 + timedelta(minutes=50),
                **standalone,
            ),
            _mention(
                4, text="Still waiting for the refund", created_at=t0 + timedelta(hours=5), **standalone
            ),
        ],
    )
    # 1 and 2 share "still waiting" within two hours; 3 shares no word; 4 comes too late.
    assert (result.incidents_opened, result.mentions_joined) == (3, 1)
    with sessions() as session:
        counts = sorted(session.scalars(select(Incident.mention_count)))
    assert counts == [1, 1, 2]


def test_the_email_says_what_happened_why_and_what_to_do(sessions, config, clock):
    _store_and_route(sessions, config, clock, [_mention(1, thread_id="T1")])
    message = _read(_outbox(sessions)[0])
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "@member1" in body and "101 followers" in body
        assert "Still waiting" in body and "no reply" in body
        assert "let IOM3 post an official response first" in body
        assert "Fri 20 Nov 2026, 09:01 GMT" in body
        assert "https://x.com/member1/status/5001" in body
        assert "mentions --thread x:T1" in body
    assert "not replied" in text


def test_post_text_cannot_inject_headers_or_html(sessions, config, clock):
    evil = "Unacceptable\r\nBcc: x@y\r\n<script>alert(1)</script> still waiting \x00\u202e"
    _store_and_route(
        sessions,
        config,
        clock,
        [
            _mention(1, text=evil, author_handle="bad\r\nBcc: z@y", url="javascript:alert(1)"),
        ],
    )
    raw = _outbox(sessions)[0].payload
    message = _read(_outbox(sessions)[0])
    headers = raw.split("\n\n", 1)[0]
    # The words may appear inside the folded Subject, never as a header line of their own.
    assert message["Bcc"] is None and not re.search(r"(?im)^bcc:", headers)
    assert all("\r" not in v and "\n" not in v for v in message.values())
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html
    assert message.defects == [] and all(part.defects == [] for part in message.walk())


def test_a_very_long_post_is_cut_with_a_link(sessions, config, clock):
    long_text = COMPLAINT + " " + "word " * 2000
    _store_and_route(sessions, config, clock, [_mention(1, text=long_text)])
    text = _read(_outbox(sessions)[0]).get_body(("plain",)).get_content()
    assert "(cut: read the whole post at the link)" in text
    assert len(text) < 3000


def test_header_safe_strips_every_control_character():
    assert header_safe("a\r\nb\tc\x00d\u2028e\u202ef", 100) == "a b c d e f"
    assert header_safe("x" * 50, 10) == "xxxxxxxxx…"


def test_email_and_incident_commit_together(sessions, config, clock, monkeypatch):
    def broken_template(*args, **kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(incident_emails, "alert_email", broken_template)
    with pytest.raises(RuntimeError):
        _store_and_route(sessions, config, clock, [_mention(1)])
    with sessions() as session:
        (incident,) = session.scalars(select(Incident)).all()
        assert incident.last_notified_at is None and incident.message_id is None  # rolled back with the email
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    monkeypatch.undo()
    assert notify_due(sessions, config, clock=clock) == 1
    with sessions() as session:
        (incident,) = session.scalars(select(Incident)).all()
        (email,) = session.scalars(select(OutboxMessage)).all()
        assert incident.message_id == email.message_id and incident.last_notified_at == clock()


class OutageTransport(MaildirTransport):
    """A Maildir that refuses the first `failures` sends, like an SMTP server that is down."""

    def __init__(self, path, failures: int) -> None:
        super().__init__(path)
        self.failures = failures

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise TransportError("connection refused")
        super().send(message)


def _delivered(path) -> list[str]:
    return sorted(m["Message-ID"] for m in mailbox.Maildir(path, create=False))


def test_an_outage_delays_emails_but_each_arrives_exactly_once(sessions, config, clock, tmp_path):
    _store_and_route(sessions, config, clock, [_mention(i, thread_id=f"t{i}") for i in range(3)])
    transport = OutageTransport(tmp_path / "mail", failures=4)
    first = flush(sessions, transport, now=clock())
    assert (first.sent, first.failed) == (0, 3)
    assert all(row.status == "failed" and "connection refused" in row.last_error for row in _outbox(sessions))
    assert flush(sessions, transport, now=clock()).sent == 0  # not before the backoff: no hammering
    clock.advance(minutes=1)
    second = flush(sessions, transport, now=clock())
    assert (second.sent, second.failed) == (2, 1)
    assert flush(sessions, transport, now=clock()).sent == 0
    clock.advance(minutes=2)  # the twice-failed email waits twice as long
    third = flush(sessions, transport, now=clock())
    assert (third.sent, third.failed) == (1, 0)
    clock.advance(hours=2)
    assert flush(sessions, transport, now=clock()).sent == 0
    assert _delivered(tmp_path / "mail") == sorted(row.message_id for row in _outbox(sessions))


def test_a_crash_mid_flush_never_sends_twice(sessions, config, clock, tmp_path):
    _store_and_route(sessions, config, clock, [_mention(i, thread_id=f"t{i}") for i in range(2)])
    transport = MaildirTransport(tmp_path / "mail")
    rows = _outbox(sessions)
    # Row 1: the process died after the Maildir accepted it but before it was marked sent.
    # Row 2: the process died after claiming it, before sending.
    # ("delivering": past the transport's point of no return; "sending": claimed, not yet there.)
    transport.send(_read(rows[0]))
    with sessions.begin() as session:
        for row in session.scalars(select(OutboxMessage)):
            row.status = "delivering" if row.id == rows[0].id else "sending"
    result = flush(sessions, transport, now=clock())
    assert (result.recovered, result.sent) == (2, 1)
    assert _delivered(tmp_path / "mail") == sorted(r.message_id for r in rows)
    assert {r.status for r in _outbox(sessions)} == {"sent"}
