"""An incident's lifecycle: which statuses are live, the entries of its history, its severity and
its state as alerts/notify.py reads it, and the two actions people take on it (acknowledge,
resolve) from the CLI and the web app. Filing (alerts/incident_filing.py) and the due emails
(alerts/incident_emails.py) both build on this module.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from alerts.notify import IncidentState, next_check
from alerts.severity import Severity, severity_of
from monitor.config import Config
from monitor.schema import Incident, MentionRow

LIVE = ("open", "acknowledged")


def timeline_event(at: datetime, what: str) -> dict[str, str]:
    """One entry of an incident's timeline."""
    return {"at": at.isoformat(timespec="seconds"), "what": what}


def incident_severity(incident: Incident, *, lane: tuple[str, ...] | list[str]) -> Severity:
    """The incident's level on the one severity scale (alerts/severity.py)."""
    return severity_of(incident.severity, incident.level, incident.category, lane=lane)


def incident_state(session: Session, incident: Incident, config: Config | None = None) -> IncidentState:
    """What the pure escalation rules (alerts/notify.py) need to know of a stored incident."""
    first = session.get_one(MentionRow, incident.first_mention_id)
    lane = config.routing.lane.categories if config else ()
    return IncidentState(
        status=incident.status,
        urgency=incident.severity,
        category=incident.category,
        opened_at=incident.opened_at,
        level=incident.level,
        mention_count=incident.mention_count,
        group_wait=incident.group_wait,
        group_interval=incident.group_interval,
        repeat_interval=incident.repeat_interval,
        last_notified_at=incident.last_notified_at,
        notified_count=incident.notified_count,
        notified_level=incident.notified_level,
        acknowledged=incident.acknowledged_at is not None,
        sla_due_at=incident.sla_due_at,
        reminded=incident.reminded_at is not None,
        official_reply=incident.category == "complaint" and official_reply_exists(session, first),
        severity=incident_severity(incident, lane=lane).name,
    )


def official_reply_exists(session: Session, mention: MentionRow) -> bool:
    if mention.thread_id is None:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    MentionRow.platform == mention.platform,
                    MentionRow.thread_id == mention.thread_id,
                    MentionRow.is_official.is_(True),
                    MentionRow.id != mention.id,
                )
            )
        )
    )


# --- lifecycle, from the CLI ------------------------------------------------------------------
class IncidentError(LookupError):
    """No such incident, or it cannot go to the state asked for."""


def acknowledge(session: Session, incident_id: int, *, by: str, now: datetime) -> Incident:
    """Someone is on it: repeats stop; updates and SLA reminders still come."""
    incident = _get(session, incident_id)
    if incident.status not in LIVE:
        raise IncidentError(
            f"incident #{incident_id} is {incident.status}; only open incidents can be acknowledged"
        )
    incident.status, incident.acknowledged_at, incident.acknowledged_by = "acknowledged", now, by
    incident.next_check_at = next_check(incident_state(session, incident))
    incident.updated_at = now
    incident.history = [*incident.history, timeline_event(now, f"acknowledged by {by}")]
    return incident


def resolve(session: Session, incident_id: int, *, by: str, now: datetime) -> Incident:
    """Dealt with: no more emails; a new flag on the thread opens a new incident."""
    incident = _get(session, incident_id)
    if incident.status == "resolved":
        raise IncidentError(f"incident #{incident_id} is already resolved")
    incident.status, incident.resolved_at, incident.updated_at = "resolved", now, now
    incident.history = [*incident.history, timeline_event(now, f"resolved by {by}")]
    return incident


def _get(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise IncidentError(f"no incident #{incident_id}; `run_monitor.py incidents list` shows them")
    return incident
