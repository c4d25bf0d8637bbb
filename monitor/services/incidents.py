"""List incidents: what has been flagged and emailed, with the post that opened each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.schema import Incident, MentionRow

LIVE = ("open", "acknowledged")


@dataclass(frozen=True, slots=True)
class IncidentListing:
    incident: Incident
    first_posted_at: datetime
    first_author: str


def list_incidents(session: Session, *, everything: bool = False) -> list[IncidentListing]:
    """Open and acknowledged incidents in order of opening; `everything` adds resolved and folded ones."""
    query = (
        select(Incident, MentionRow.created_at, MentionRow.author_handle)
        .join(MentionRow, MentionRow.id == Incident.first_mention_id)
        .order_by(Incident.id)
    )
    if not everything:
        query = query.where(Incident.status.in_(LIVE))
    return [IncidentListing(inc, posted, author) for inc, posted, author in session.execute(query)]
