"""The outbox: every message is a row, written in the transaction that decided to send it.

A row has a kind (email today; chat and escalation steps next) and a transport carries one kind.
`flush` claims each pending row of its transport's kind with a compare-and-set before sending and
marks it sent after, so a crash or an outage delays a message but never loses it, and two flushes
never both send it. Rows of a kind no transport carries wait, untouched.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
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
    resent_unknown: int = 0  # resent after a crash in the RFC 1047 window (may be duplicates)
    left_for_next_pass: int = 0  # not tried: deadline, shutdown or an unreachable server
    errors: list[str] = field(default_factory=list)


def _claim(session: Session, row_id: int, from_status: str, now: datetime) -> bool:
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == from_status)
        .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def recover_interrupted(
    sessions: sessionmaker[Session], transport: Transport, now: datetime, result: FlushResult | None = None
) -> int:
    """Settle rows a crash left mid-send.

    'sending': claimed, but the transport never reached its point of no return (for SMTP, the
    final "." of DATA), so nothing was delivered: pending again, no duplicate possible.
    'delivering': past that point. Sent if the transport can tell it has it; pending if it can
    tell it has not; and if it cannot tell (SMTP) pending as well, counted in `unknown_outcomes`:
    this is the at-least-once window, and the resend carries the original Message-ID (the stored
    message is sent byte for byte), so mail clients fold a duplicate into the first copy.
    """
    recovered = 0
    with sessions.begin() as session:
        stuck = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.status.in_(("sending", "delivering")), OutboxMessage.kind == transport.kind
            )
        ).all()
        for row in stuck:
            if row.status == "sending":
                row.status = "pending"
            elif delivered := transport.already_delivered(row.message_id):
                row.status, row.sent_at = "sent", now
            else:
                if delivered is None:
                    row.unknown_outcomes += 1
                    if result is not None:
                        result.resent_unknown += 1
                row.status = "pending"
            recovered += 1
    return recovered


def flush(
    sessions: sessionmaker[Session],
    transport: Transport,
    *,
    now: datetime,
    budget_seconds: float | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> FlushResult:
    """Send every pending (or retryable failed) message of the transport's kind once.

    `budget_seconds` bounds the pass and `stop` (a shutdown) is asked between emails: a slow or
    hung mail server delays the rest to the next pass instead of holding this one for hours.
    """
    result = FlushResult()
    result.recovered = recover_interrupted(sessions, transport, now, result)
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
        deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
        _send_all(sessions, transport, queued, now, result, deadline=deadline, stop=stop)
    finally:
        close = getattr(transport, "close", None)
        if close is not None:
            close()
    return result


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failure, capped at an hour: an outage is not hammered."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _send_all(
    sessions: sessionmaker[Session],
    transport: Transport,
    queued: list,
    now: datetime,
    result: FlushResult,
    *,
    deadline: float | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    for index, (row_id, status) in enumerate(queued):
        if stop() or (deadline is not None and time.monotonic() > deadline):
            result.left_for_next_pass += len(queued) - index
            break
        with sessions.begin() as session:
            if not _claim(session, row_id, status, now):
                continue  # another flush took it
            claimed = session.get_one(OutboxMessage, row_id)
            message = decode(claimed.kind, claimed.payload)

        passed: list[bool] = []

        def point_of_no_return(row_id: int = row_id, passed: list[bool] = passed) -> None:
            with sessions.begin() as session:
                session.execute(
                    update(OutboxMessage).where(OutboxMessage.id == row_id).values(status="delivering")
                )
            passed.append(True)

        staged = getattr(transport, "send_staged", None)
        try:
            if staged is not None:  # SMTP: "delivering" is committed just before DATA's final dot
                staged(message, point_of_no_return)
            else:  # the whole send is the window; Maildir can tell afterwards, the console cannot
                point_of_no_return()
                transport.send(message)
        except TransportError as exc:
            with sessions.begin() as session:
                row = session.get_one(OutboxMessage, row_id)
                row.status, row.last_error = "failed", str(exc)
                row.next_attempt_at = now + backoff(row.attempts)
                if passed and exc.unreachable and staged is not None:
                    # The final dot went and the reply never came: the server may have it (RFC
                    # 1047). The retry may duplicate, with the same Message-ID; count it.
                    row.unknown_outcomes += 1
                    result.resent_unknown += 1
            result.failed += 1
            result.errors.append(f"outbox #{row_id} to {row.recipient}: {exc}")
            if exc.permanent or exc.unreachable:
                # Every later message would fail the same way, or wait out the same timeout.
                result.left_for_next_pass += len(queued) - index - 1
                break
            continue
        # The one at-least-once window (RFC 1047) is from the "delivering" commit, through the
        # server accepting the final dot, to this commit. A crash in it leaves the row
        # 'delivering'; recover_interrupted asks the transport, and only one that cannot tell
        # (SMTP) sends it again, with the same Message-ID, counted in `status`.
        with sessions.begin() as session:
            row = session.get_one(OutboxMessage, row_id)
            row.status, row.sent_at, row.last_error = "sent", now, ""
        result.sent += 1
