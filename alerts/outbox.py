"""The outbox: every message is a row, written in the transaction that decided to send it.

A row has a kind (email today; chat and escalation steps next) and a transport carries one kind.
`flush` claims each pending row of its transport's kind with a compare-and-set before sending and
marks it sent after, so a crash or an outage delays a message but never loses it, and two flushes
never both send it. Rows of a kind no transport carries wait, untouched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any, cast

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.transports import Transport, TransportError
from monitor.schema import OutboxMessage

MAX_ATTEMPTS = 10  # after this many failures an email stays "failed" until someone requeues it


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message of any kind on its way to the outbox. `message_id` is unique across kinds."""

    kind: str  # "email", "chat", "escalation": which transport carries it
    message_id: str
    recipient: str
    title: str
    payload: str  # an email's RFC 5322 text; JSON for the other kinds

    @classmethod
    def email(cls, message: EmailMessage) -> Outgoing:
        return cls(
            kind="email",
            message_id=str(message["Message-ID"]),
            recipient=str(message["To"]),
            title=str(message["Subject"]),
            payload=message.as_string(),
        )


def enqueue(
    session: Session, message: EmailMessage | Outgoing, *, incident_id: int | None, now: datetime
) -> OutboxMessage:
    """Queue `message` (an email, or any Outgoing); commits with the caller's transaction."""
    outgoing = Outgoing.email(message) if isinstance(message, EmailMessage) else message
    row = OutboxMessage(
        kind=outgoing.kind,
        incident_id=incident_id,
        message_id=outgoing.message_id,
        recipient=outgoing.recipient,
        title=outgoing.title,
        payload=outgoing.payload,
        status="pending",
        created_at=now,
    )
    session.add(row)
    return row


def decode(kind: str, payload: str) -> EmailMessage | Any:
    """What a transport of `kind` is given: an EmailMessage for email, the JSON value otherwise."""
    if kind == "email":
        return cast(EmailMessage, message_from_string(payload, policy=policy.default))
    return json.loads(payload)


@dataclass(slots=True)
class FlushResult:
    sent: int = 0
    failed: int = 0
    recovered: int = 0
    errors: list[str] = field(default_factory=list)


def _claim(session: Session, row_id: int, from_status: str, now: datetime) -> bool:
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == from_status)
        .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def recover_interrupted(sessions: sessionmaker[Session], transport: Transport, now: datetime) -> int:
    """Settle rows a crash left in 'sending': sent if the transport has them, else pending."""
    recovered = 0
    with sessions.begin() as session:
        stuck = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.status == "sending", OutboxMessage.kind == transport.kind
            )
        ).all()
        for row in stuck:
            delivered = transport.already_delivered(row.message_id)
            if delivered:
                row.status, row.sent_at = "sent", now
            else:
                # The transport cannot tell (None) or has not got it (False): send again. For a
                # transport that cannot tell this is the one at-least-once window, as narrow as
                # the time between the transport accepting and the next commit.
                row.status = "pending"
            recovered += 1
    return recovered


def flush(sessions: sessionmaker[Session], transport: Transport, *, now: datetime) -> FlushResult:
    """Send every pending (or retryable failed) message of the transport's kind once."""
    result = FlushResult(recovered=recover_interrupted(sessions, transport, now))
    with sessions() as session:
        queued = session.execute(
            select(OutboxMessage.id, OutboxMessage.status)
            .where(
                OutboxMessage.kind == transport.kind,
                OutboxMessage.status.in_(("pending", "failed")),
                OutboxMessage.attempts < MAX_ATTEMPTS,
                or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
            )
            .order_by(OutboxMessage.id)
        ).all()
    try:
        _send_all(sessions, transport, queued, now, result)
    finally:
        close = getattr(transport, "close", None)
        if close is not None:
            close()
    return result


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failure, capped at an hour: an outage is not hammered."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _send_all(
    sessions: sessionmaker[Session], transport: Transport, queued: list, now: datetime, result: FlushResult
) -> None:
    for row_id, status in queued:
        with sessions.begin() as session:
            if not _claim(session, row_id, status, now):
                continue  # another flush took it
            claimed = session.get_one(OutboxMessage, row_id)
            message = decode(claimed.kind, claimed.payload)
        try:
            transport.send(message)
        except TransportError as exc:
            with sessions.begin() as session:
                row = session.get_one(OutboxMessage, row_id)
                row.status, row.last_error = "failed", str(exc)
                row.next_attempt_at = now + backoff(row.attempts)
            result.failed += 1
            result.errors.append(f"outbox #{row_id} to {row.recipient}: {exc}")
            if exc.permanent:
                break  # every later email would fail the same way
            continue
        # The one at-least-once window: the transport has accepted the email and this commit has
        # not happened yet. A crash exactly here leaves the row 'sending'; recover_interrupted then
        # asks the transport, and only a transport that cannot tell (SMTP) sends it again. The
        # window is one local commit long; narrower would need the mail server to take part in
        # our transaction, which SMTP cannot.
        with sessions.begin() as session:
            row = session.get_one(OutboxMessage, row_id)
            row.status, row.sent_at, row.last_error = "sent", now, ""
        result.sent += 1
