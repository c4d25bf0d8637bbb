"""Search stored mentions: the filters of `run_monitor.py mentions` (and the web app's list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from monitor.schema import AssessmentRow, MentionRow


@dataclass(frozen=True, slots=True)
class MentionSearch:
    """Every filter is optional; together they narrow (AND)."""

    platform: str | None = None
    kind: str | None = None  # channel kind: who posted
    author: str | None = None  # a handle, with or without @, any case
    text: str | None = None  # the post contains this, any case
    since: datetime | None = None
    thread: str | None = None  # a thread key as in alert emails: "<platform>:<thread or post id>"
    flagged: bool = False
    limit: int = 50


def mention_query(search: MentionSearch) -> Select[tuple[MentionRow]]:
    """The newest mentions matching `search`, with their assessments loaded."""
    query = select(MentionRow).options(selectinload(MentionRow.assessments))
    if search.platform:
        query = query.where(MentionRow.platform == search.platform)
    if search.kind:
        query = query.where(MentionRow.channel_kind == search.kind)
    if search.author:
        query = query.where(MentionRow.author_handle.ilike(search.author.lstrip("@")))
    if search.text:
        query = query.where(MentionRow.text.ilike(f"%{search.text}%"))
    if search.since:
        query = query.where(MentionRow.created_at >= search.since)
    if search.thread:
        platform, _, thread = search.thread.partition(":")
        query = query.where(
            MentionRow.platform == platform,
            (MentionRow.thread_id == thread) | (MentionRow.platform_id == thread),
        )
    if search.flagged:
        query = query.where(MentionRow.assessments.any(AssessmentRow.flagged.is_(True)))
    return query.order_by(MentionRow.created_at.desc(), MentionRow.id.desc()).limit(search.limit)


def search_mentions(session: Session, search: MentionSearch) -> list[MentionRow]:
    """The matching mentions, newest first."""
    return list(session.scalars(mention_query(search)))
