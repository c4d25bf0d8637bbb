"""When an incident's next email is due, and which kind. Pure: a snapshot and a time in, a verdict out.

The rules, in order:
- resolved, folded or digest-only incidents are never emailed;
- the first email waits `group_wait` after the incident opened, so a burst arrives as one;
- a rise in severity (alerts/severity.py, e.g. high -> critical) is told at once;
- new mentions are told in an update no sooner than `group_interval` after the last email;
- a complaint with no official reply when its SLA runs out (after its last email) gets one reminder;
- an immediate incident nobody has acknowledged is sent again every `repeat_interval`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.severity import rank

OPENING, UPDATE, RISEN, SLA_REMINDER, REPEAT = "opening", "update", "risen", "sla_reminder", "repeat"
ESCALATED = "escalated"  # alerts/escalation.py decides these


@dataclass(frozen=True, slots=True)
class IncidentState:
    status: str
    urgency: str
    category: str
    opened_at: datetime
    level: str
    mention_count: int
    group_wait: int
    group_interval: int
    repeat_interval: int
    last_notified_at: datetime | None = None
    notified_count: int = 0
    notified_level: str | None = None
    acknowledged: bool = False
    sla_due_at: datetime | None = None
    reminded: bool = False
    official_reply: bool = False
    severity: str = ""  # alerts/severity.py: what the last email said is `notified_level`


def due(state: IncidentState, now: datetime) -> str | None:
    if state.status in ("resolved", "folded") or state.urgency == "digest":
        return None
    if state.last_notified_at is None:
        return OPENING if now >= state.opened_at + timedelta(minutes=state.group_wait) else None
    # An older row's notified level ("high"/"normal") is not on the scale: no rise is invented.
    if rank(state.notified_level) >= 0 and rank(state.severity) > rank(state.notified_level):
        return RISEN
    since_last = now - state.last_notified_at
    if state.mention_count > state.notified_count and since_last >= timedelta(minutes=state.group_interval):
        return UPDATE
    # The reminder is news only if the SLA ran out after the last email (which said "not replied").
    if (
        state.category == "complaint"
        and state.sla_due_at is not None
        and now >= state.sla_due_at
        and state.last_notified_at < state.sla_due_at
        and not state.official_reply
        and not state.reminded
    ):
        return SLA_REMINDER
    if (
        state.urgency == "immediate"
        and not state.acknowledged
        and state.status == "open"
        and since_last >= timedelta(minutes=state.repeat_interval)
    ):
        return REPEAT
    return None


def next_check(state: IncidentState) -> datetime | None:
    """The earliest time a repeat or an SLA reminder could fall due without anything arriving.

    Stored on the incident so that each pass looks only at incidents where something changed or a
    time has come, not at every open one.
    """
    if state.status in ("resolved", "folded") or state.urgency == "digest" or state.last_notified_at is None:
        return None
    times = []
    if state.urgency == "immediate" and not state.acknowledged and state.status == "open":
        times.append(state.last_notified_at + timedelta(minutes=state.repeat_interval))
    if (
        state.category == "complaint"
        and state.sla_due_at is not None
        and not state.reminded
        and state.last_notified_at < state.sla_due_at
    ):
        times.append(state.sla_due_at)
    return min(times) if times else None
