"""Escalation when nobody acknowledges, and working hours. Pure: state, policy and time in, a verdict out.

The chain is data (config/routing.toml [escalation]): `chain` lists roles lowest first and
`ack_timeout` says, per severity, how long an unacknowledged incident waits before the next role
up is told. `next_step` is the whole rule; alerts/incident_emails.py records each step it takes in the
incident's history and sends the email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.config import WEEKDAYS, Escalation, QuietHours


@dataclass(frozen=True, slots=True)
class EscalationState:
    role: str  # the incident's own role: the chain is climbed from there
    severity: str  # alerts/severity.py
    status: str
    acknowledged: bool
    first_notified_at: datetime | None  # nothing climbs before someone was told
    escalated_at: datetime | None = None
    step: int = 0  # steps already taken


@dataclass(frozen=True, slots=True)
class Step:
    number: int  # 1 for the first role above the incident's own
    role: str
    due_at: datetime


def upcoming(state: EscalationState, policy: Escalation | None) -> Step | None:
    """The next step and when it falls due, or None when nothing more will climb."""
    if (
        policy is None
        or state.acknowledged
        or state.status != "open"
        or state.first_notified_at is None
        or state.severity not in policy.ack_timeout
        or state.role not in policy.chain
    ):
        return None
    above = policy.chain[policy.chain.index(state.role) + 1 :]
    if state.step >= len(above):
        return None
    since = state.escalated_at or state.first_notified_at
    return Step(
        state.step + 1, above[state.step], since + timedelta(minutes=policy.ack_timeout[state.severity])
    )


def next_step(state: EscalationState, policy: Escalation | None, now: datetime) -> Step | None:
    """The step to take now, if one is due."""
    step = upcoming(state, policy)
    return step if step is not None and now >= step.due_at else None


def told_roles(role: str, step: int, policy: Escalation | None) -> list[str]:
    """The incident's role and every role the chain has reached: who gets its later emails."""
    if policy is None or role not in policy.chain or step == 0:
        return [role]
    start = policy.chain.index(role)
    return policy.chain[start : start + step + 1]


# --- working hours ---------------------------------------------------------------------------
def _working_day(day: date, hours: QuietHours) -> bool:
    return WEEKDAYS[day.weekday()] in hours.working_days and day not in hours.bank_holidays


def _at(day: date, clock: str, zone: ZoneInfo) -> datetime:
    hh, mm = clock.split(":")
    return datetime.combine(day, time(int(hh), int(mm)), tzinfo=zone)


def held_until(
    now: datetime, hours: QuietHours | None, zone: ZoneInfo, *, severity: str, lane: bool
) -> datetime | None:
    """None if an email of `severity` may go now; else the start of the next working period.

    The safeguarding lane and anything not in `hold` are never held.
    """
    if hours is None or lane or severity not in hours.hold:
        return None
    local = now.astimezone(zone)
    day = local.date()
    if _working_day(day, hours) and _at(day, hours.start, zone) <= local < _at(day, hours.end, zone):
        return None
    if _working_day(day, hours) and local < _at(day, hours.start, zone):
        return _at(day, hours.start, zone)
    for ahead in range(1, 60):
        candidate = day + timedelta(days=ahead)
        if _working_day(candidate, hours):
            return _at(candidate, hours.start, zone)
    raise ValueError("no working day in the next 60 days; check [quiet_hours] working_days and bank_holidays")
