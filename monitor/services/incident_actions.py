"""Acting on an incident (acknowledge, assign, note, resolve, silence, lift) and the record of it.

Every action writes one `action_log` row: who (an address from contacts.toml), when, what, and
from where (`source`: "page /incidents/24", "email link", "cli"). The incident's own history
gets a line too, so the email thread and the page tell the same story. Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import incidents as lifecycle
from monitor.config import Config
from monitor.schema import ActionLog, Incident, OutboxMessage, Silence
from monitor.services.people import Person, people
from monitor.services.silences import create_silence, lift_silence

NOTE_LIMIT = 2000


class ActionRefused(ValueError):
    """The action cannot be done as asked (no such incident, wrong state, no permission)."""


def record(
    session: Session,
    *,
    actor: Person,
    action: str,
    now: datetime,
    source: str,
    incident_id: int | None = None,
    silence_id: int | None = None,
    detail: str = "",
) -> ActionLog:
    """One row of the trustees' record."""
    row = ActionLog(
        at=now,
        actor=actor.email,
        action=action,
        incident_id=incident_id,
        silence_id=silence_id,
        detail=detail,
        source=source[:300],
    )
    session.add(row)
    return row


def _history(incident: Incident, now: datetime, what: str) -> None:
    incident.history = [*incident.history, {"at": now.isoformat(timespec="seconds"), "what": what}]
    incident.updated_at = now


def _incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise ActionRefused(f"no incident #{incident_id}")
    return incident


def acknowledge(session: Session, incident_id: int, *, actor: Person, source: str, now: datetime) -> Incident:
    """Someone is on it (alerts.incidents.acknowledge: repeats stop)."""
    try:
        incident = lifecycle.acknowledge(session, incident_id, by=actor.name, now=now)
    except lifecycle.IncidentError as exc:
        raise ActionRefused(str(exc)) from None
    record(session, actor=actor, action="acknowledge", incident_id=incident_id, source=source, now=now)
    return incident


def assign(
    session: Session,
    config: Config,
    incident_id: int,
    *,
    assignee: str,
    actor: Person,
    source: str,
    now: datetime,
) -> Incident:
    """Give the incident to a person in contacts.toml (by address)."""
    incident = _incident(session, incident_id)
    target = people(config).get(assignee.strip().lower())
    if target is None:
        raise ActionRefused("assign to someone in contacts.toml")
    if incident.status not in lifecycle.LIVE:
        raise ActionRefused(f"incident #{incident_id} is {incident.status}; only a live incident is assigned")
    incident.assigned_to = target.email
    _history(incident, now, f"assigned to {target.name} by {actor.name}")
    record(
        session,
        actor=actor,
        action="assign",
        incident_id=incident_id,
        detail=target.email,
        source=source,
        now=now,
    )
    return incident


def add_note(
    session: Session, incident_id: int, *, text: str, actor: Person, source: str, now: datetime
) -> Incident:
    """A note for whoever reads the incident next (and the trustees)."""
    incident = _incident(session, incident_id)
    text = text.strip()
    if not text:
        raise ActionRefused("the note is empty; write what happened or what was decided")
    if len(text) > NOTE_LIMIT:
        raise ActionRefused(f"the note has {len(text)} characters; keep it under {NOTE_LIMIT}")
    _history(incident, now, f"note by {actor.name}: {text}")
    record(session, actor=actor, action="note", incident_id=incident_id, detail=text, source=source, now=now)
    return incident


def resolve(
    session: Session, incident_id: int, *, outcome: str, actor: Person, source: str, now: datetime
) -> Incident:
    """Dealt with, and how (alerts.incidents.resolve: no more emails)."""
    if not actor.may_resolve:
        raise ActionRefused(f"{actor.name} may not resolve incidents ([web] resolve_roles)")
    outcome = outcome.strip()
    if not outcome:
        raise ActionRefused("say how it was resolved (the outcome): the trustees' record needs it")
    try:
        incident = lifecycle.resolve(session, incident_id, by=actor.name, now=now)
    except lifecycle.IncidentError as exc:
        raise ActionRefused(str(exc)) from None
    incident.outcome = outcome[:NOTE_LIMIT]
    _history(incident, now, f"outcome: {incident.outcome}")
    record(
        session,
        actor=actor,
        action="resolve",
        incident_id=incident_id,
        detail=outcome,
        source=source,
        now=now,
    )
    return incident


def silence(
    session: Session,
    config: Config,
    *,
    matchers: dict[str, str],
    reason: str,
    ends_at: datetime,
    actor: Person,
    source: str,
    now: datetime,
    incident_id: int | None = None,
) -> Silence:
    """Silence a thread, author or term (monitor.services.silences); raises ActionRefused or
    SilenceRefused (both ValueError)."""
    if not actor.may_silence:
        raise ActionRefused(f"{actor.name} may not silence alerts ([web] silence_roles)")
    made = create_silence(
        session, config, matchers=matchers, reason=reason, created_by=actor.name, ends_at=ends_at, now=now
    )
    session.flush()
    what = f"{made.kind} {made.value} until {ends_at.isoformat(timespec='minutes')}: {made.reason}"
    if incident_id is not None:
        _history(_incident(session, incident_id), now, f"silenced by {actor.name}: {what}")
    record(
        session,
        actor=actor,
        action="silence",
        incident_id=incident_id,
        silence_id=made.id,
        detail=what,
        source=source,
        now=now,
    )
    return made


def lift(session: Session, silence_id: int, *, actor: Person, source: str, now: datetime) -> Silence:
    """End a silence now."""
    if not actor.may_silence:
        raise ActionRefused(f"{actor.name} may not lift silences ([web] silence_roles)")
    lifted = lift_silence(session, silence_id, lifted_by=actor.name, now=now)
    # A silence made from an incident page is lifted in that incident's history too.
    made_from = session.scalar(
        select(ActionLog.incident_id).where(ActionLog.silence_id == silence_id, ActionLog.action == "silence")
    )
    if made_from is not None:
        _history(
            _incident(session, made_from),
            now,
            f"silence lifted by {actor.name}: {lifted.kind} {lifted.value}",
        )
    record(
        session,
        actor=actor,
        action="lift silence",
        incident_id=made_from,
        silence_id=silence_id,
        detail=f"{lifted.kind} {lifted.value}",
        source=source,
        now=now,
    )
    return lifted


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str  # history | action | email
    what: str
    who: str = ""
    source: str = ""


def timeline(session: Session, incident: Incident) -> list[TimelineEntry]:
    """Everything that happened to an incident, oldest first: its history, every action with who
    and from where, and every email with whom it went to."""
    entries = [TimelineEntry(datetime.fromisoformat(e["at"]), "history", e["what"]) for e in incident.history]
    for row in session.scalars(select(ActionLog).where(ActionLog.incident_id == incident.id)):
        entries.append(TimelineEntry(row.at, "action", row.action, row.actor, row.source))
    for mail in session.scalars(select(OutboxMessage).where(OutboxMessage.incident_id == incident.id)):
        told = f"email to {mail.recipient}: {mail.title}"
        sent = f"sent {mail.sent_at.isoformat(timespec='minutes')}" if mail.sent_at else mail.status
        entries.append(TimelineEntry(mail.created_at, "email", told, source=sent))
    return sorted(entries, key=lambda e: (e.at, {"history": 0, "action": 1, "email": 2}[e.kind]))
