"""Migration 0005 (the outbox carries any kind) on a database holding queued and sent emails.

Every email queued before the upgrade is sent once after it; none already sent is sent again.
"""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import sessionmaker

from alerts.outbox import Outgoing, enqueue, flush
from alerts.transports.maildir import MaildirTransport
from monitor.schema import OutboxMessage, UtcDateTime
from monitor.store import alembic_config, make_engine, migrate

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
OLD_OUTBOX = sa.table(  # the table as revision 0004 left it
    "outbox",
    sa.column("message_id", sa.String),
    sa.column("to_addr", sa.String),
    sa.column("subject", sa.String),
    sa.column("message", sa.Text),
    sa.column("status", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("last_error", sa.Text),
    sa.column("created_at", UtcDateTime()),
    sa.column("sent_at", UtcDateTime()),
    sa.column("next_attempt_at", UtcDateTime()),
)


def _email(n: int) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[IOM3 monitor] Complaint (today): post {n}"
    message["From"] = "monitor@iom3.org"
    message["To"] = "Kovida Mehra <kovida.mehra@iom3.org>"
    message["Message-ID"] = f"<incident-{n}@iom3.org>"
    message.set_content(f"Post number {n}: still no reply to my complaint.\n")
    return message


# status, attempts, sent: pending (never tried), failed (retry due), sent, and one a crash left
# 'sending' after the Maildir had taken it.
ROWS = {1: ("pending", 0, False), 2: ("failed", 2, False), 3: ("sent", 1, True), 4: ("sending", 1, False)}


@pytest.fixture
def old_database(database_url: str, tmp_path: Path):
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0004")
    with engine.begin() as conn:
        for n, (status, attempts, sent) in ROWS.items():
            message = _email(n)
            conn.execute(
                OLD_OUTBOX.insert().values(
                    message_id=message["Message-ID"],
                    to_addr=message["To"],
                    subject=message["Subject"],
                    message=message.as_string(),
                    status=status,
                    attempts=attempts,
                    last_error="connection refused" if status == "failed" else "",
                    created_at=NOW - timedelta(hours=1),
                    sent_at=NOW - timedelta(minutes=30) if sent else None,
                    next_attempt_at=NOW - timedelta(minutes=1) if status == "failed" else None,
                )
            )
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    box.add(mailbox.MaildirMessage(_email(4)))  # delivered just before the crash
    yield engine
    engine.dispose()


def test_every_queued_email_survives_the_upgrade_as_it_was(old_database):
    migrate(old_database)
    with old_database.connect() as conn:
        rows = {
            r.message_id: r for r in conn.execute(sa.select(OutboxMessage.__table__).order_by("message_id"))
        }
    assert len(rows) == len(ROWS)
    for n, (status, attempts, _sent) in ROWS.items():
        row = rows[f"<incident-{n}@iom3.org>"]
        # 0010: a pre-0010 'sending' row may have been handed over; 'delivering' says so now.
        kept = "delivering" if status == "sending" else status
        assert (row.kind, row.status, row.attempts) == ("email", kept, attempts)
        assert row.recipient == "Kovida Mehra <kovida.mehra@iom3.org>"
        assert row.title == f"[IOM3 monitor] Complaint (today): post {n}"
        assert row.payload == _email(n).as_string()


def test_after_the_upgrade_what_was_queued_is_sent_once_and_nothing_sent_is_resent(old_database, tmp_path):
    migrate(old_database)
    sessions = sessionmaker(old_database)
    transport = MaildirTransport(tmp_path / "mail")
    result = flush(sessions, transport, now=NOW)
    assert (result.sent, result.failed, result.recovered) == (2, 0, 1)
    delivered = sorted(str(m["Message-ID"]) for m in mailbox.Maildir(tmp_path / "mail", create=False))
    assert delivered == ["<incident-1@iom3.org>", "<incident-2@iom3.org>", "<incident-4@iom3.org>"]
    again = flush(sessions, transport, now=NOW + timedelta(hours=2))
    assert (again.sent, again.failed) == (0, 0)
    with sessions() as session:
        assert set(session.scalars(sa.select(OutboxMessage.status))) == {"sent"}


def test_another_kind_waits_for_its_own_transport_and_blocks_a_lossy_downgrade(old_database, tmp_path):
    migrate(old_database)
    sessions = sessionmaker(old_database)
    chat = Outgoing("chat", "<step-1@iom3.org>", "comms-room", "Crisis on x:1858", '{"text": "act now"}')
    with sessions.begin() as session:
        enqueue(session, chat, incident_id=None, now=NOW)
    flush(sessions, MaildirTransport(tmp_path / "mail"), now=NOW)
    with sessions() as session:
        row = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "chat")).one()
        assert (row.status, row.attempts) == ("pending", 0)  # the email transport never touched it
    with pytest.raises(RuntimeError, match=r"1 message\(s\) that are not emails.*DELETE FROM outbox"):
        command.downgrade(alembic_config(old_database), "0004")


def test_the_downgrade_gives_the_emails_back_to_0004(old_database):
    migrate(old_database)
    command.downgrade(alembic_config(old_database), "0004")
    with old_database.connect() as conn:
        rows = conn.execute(sa.select(OLD_OUTBOX).order_by(OLD_OUTBOX.c.message_id)).all()
    assert [r.subject for r in rows] == [f"[IOM3 monitor] Complaint (today): post {n}" for n in ROWS]
    assert [r.message for r in rows] == [_email(n).as_string() for n in ROWS]
