"""Retention: keep each kind of data only as long as it is needed (UK GDPR, data minimisation).

Run nightly by the scheduler (`[retention] purge_time`). Mentions are *minimised*, not deleted:
the text, the author's name, the link and the platform's payload go; the row stays with its
platform id (so the post is never fetched and alerted on again), its times, platform and scores
(so counts, baselines and the audit still add up). Posts flagged `safeguarding` - often about
children or people at risk - are minimised first, after `safeguarding_days`. A mention that
belongs to an incident still open or acknowledged is kept whole until the incident is closed:
it is the evidence someone is acting on. A minimised mention's images (the `media` table) lose
their link, alt text and thumbnail with it; their hashes and logo findings stay, so the audit's
counts still add up, and one not yet analysed is marked skipped, as there is nothing left to fetch.
Images are rows of their mention: deleting a mention deletes them (ON DELETE CASCADE).
Profiles (issue #16) are kept only for accounts still in the registry (the `accounts` table,
which mirrors config/accounts.toml at every start) and for the official channels the caller
names: the profile of an account taken off the registry goes at the next purge.
A Meta webhook's queued object (`webhook_events`) carries the platform's JSON about a post (a
comment's words, its author's name): it goes when raw payloads go. A fetched one is deleted (its
mention holds what is kept); one never fetched keeps its id, so the connector still fetches it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Text, and_, cast, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import RetentionSection
from monitor.schema import (
    Account,
    ActionLog,
    AssessmentRow,
    Incident,
    IncidentMention,
    MediaRow,
    MentionRow,
    OutboxMessage,
    ProfileRow,
    WebhookEvent,
)

SAFEGUARDING = "safeguarding"
CLOSED = ("resolved", "folded")
BATCH = 500  # rows per transaction: a first purge of years of data must not hold one huge lock


@dataclass(slots=True)
class PurgeResult:
    safeguarding_minimised: int = 0
    mentions_minimised: int = 0
    payloads_removed: int = 0
    incidents_deleted: int = 0
    emails_deleted: int = 0
    profiles_deleted: int = 0
    webhook_events_removed: int = 0

    def summary(self) -> str:
        return " ".join(f"{name}={getattr(self, name)}" for name in self.__slots__)  # type: ignore[attr-defined]


def _in_live_incident():  # noqa: ANN202
    return exists().where(
        IncidentMention.mention_id == MentionRow.id,
        IncidentMention.incident_id == Incident.id,
        Incident.status.not_in(CLOSED),
    )


def _minimise(session: Session, ids: list[int], now: datetime) -> None:
    session.execute(
        update(MentionRow)
        .where(MentionRow.id.in_(ids))
        .values(text="", author_name="", url="", raw={}, minimised_at=now)
        .execution_options(synchronize_session=False)
    )
    # The pictures go with the words: no link to fetch them again, no alt text, no thumbnail.
    session.execute(
        update(MediaRow)
        .where(MediaRow.mention_id.in_(ids), MediaRow.state == "pending")
        .values(state="skipped", skip_reason="its mention was minimised (retention) before analysis")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(MediaRow)
        .where(MediaRow.mention_id.in_(ids))
        .values(url="", alt="", thumbnail=None)
        .execution_options(synchronize_session=False)
    )


def _safeguarding_ids(session: Session, cutoff: datetime) -> list[int]:
    rows = session.execute(
        select(MentionRow.id, AssessmentRow.flags)
        .join(AssessmentRow, AssessmentRow.mention_id == MentionRow.id)
        .where(
            MentionRow.minimised_at.is_(None),
            MentionRow.created_at < cutoff,
            AssessmentRow.flagged.is_(True),
            ~_in_live_incident(),
        )
    ).all()
    # Flags are JSON; read in Python so the same code serves SQLite and PostgreSQL.
    return sorted({mid for mid, flags in rows if any(f.get("category") == SAFEGUARDING for f in flags)})


def purge(
    sessions: sessionmaker[Session],
    retention: RetentionSection,
    now: datetime,
    *,
    official: Collection[tuple[str, str]] | None = None,
) -> PurgeResult:
    """Apply `[retention]` as of `now`; what was removed, by kind. Safe to run at any time.

    `official`: (platform, lower-case handle) of the official channels whose profiles stay;
    None leaves official channels' profiles as they are.
    """
    result = PurgeResult()
    days = timedelta(days=1)

    with sessions() as session:
        ids = _safeguarding_ids(session, now - retention.safeguarding_days * days)
    for start in range(0, len(ids), BATCH):
        with sessions.begin() as session:
            _minimise(session, ids[start : start + BATCH], now)
    result.safeguarding_minimised = len(ids)

    text_cutoff = now - retention.mention_text_days * days
    while True:
        with sessions.begin() as session:
            batch = list(
                session.scalars(
                    select(MentionRow.id)
                    .where(
                        MentionRow.minimised_at.is_(None),
                        MentionRow.created_at < text_cutoff,
                        ~_in_live_incident(),
                    )
                    .limit(BATCH)
                )
            )
            if not batch:
                break
            _minimise(session, batch, now)
            result.mentions_minimised += len(batch)

    raw_cutoff = now - retention.raw_payload_days * days
    with sessions.begin() as session:
        done = session.execute(
            update(MentionRow)
            .where(
                MentionRow.created_at < raw_cutoff,
                MentionRow.minimised_at.is_(None),
                cast(MentionRow.raw, Text) != "{}",  # an emptied payload is not counted twice
                ~_in_live_incident(),
            )
            .values(raw={})
            .execution_options(synchronize_session=False)
        )
        result.payloads_removed = int(done.rowcount or 0)  # type: ignore[attr-defined]
    result.webhook_events_removed = _purge_webhook_events(sessions, raw_cutoff)

    incident_cutoff = now - retention.resolved_incident_days * days
    safeguarding_cutoff = now - retention.safeguarding_days * days
    closed_at = or_(
        and_(Incident.status == "resolved", Incident.resolved_at < incident_cutoff),
        and_(Incident.status == "folded", Incident.updated_at < incident_cutoff),
        and_(
            Incident.category == SAFEGUARDING,
            Incident.status.in_(CLOSED),
            or_(Incident.resolved_at < safeguarding_cutoff, Incident.updated_at < safeguarding_cutoff),
        ),
    )
    with sessions.begin() as session:
        old = list(session.scalars(select(Incident.id).where(closed_at)))
        if old:
            # Its emails quote the posts; its mentions stay (minimised on their own schedule).
            result.emails_deleted += int(
                session.execute(delete(OutboxMessage).where(OutboxMessage.incident_id.in_(old))).rowcount or 0  # type: ignore[attr-defined]
            )
            session.execute(delete(IncidentMention).where(IncidentMention.incident_id.in_(old)))
            # The web app's record of who acknowledged, noted and resolved it goes with it: its
            # notes talk about the post and the people in it.
            session.execute(delete(ActionLog).where(ActionLog.incident_id.in_(old)))
            session.execute(delete(Incident).where(Incident.id.in_(old)))
        result.incidents_deleted = len(old)

    with sessions.begin() as session:
        done = session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == "sent", OutboxMessage.sent_at < now - retention.sent_email_days * days
            )
        )
        result.emails_deleted += int(done.rowcount or 0)  # type: ignore[attr-defined]
    result.profiles_deleted = _purge_profiles(sessions, official)
    return result


def _purge_webhook_events(sessions: sessionmaker[Session], cutoff: datetime) -> int:
    """Queued webhook objects received before `cutoff`: fetched ones deleted, the rest emptied."""
    old = WebhookEvent.received_at < cutoff
    with sessions.begin() as session:
        deleted = session.execute(delete(WebhookEvent).where(old, WebhookEvent.fetched_at.is_not(None)))
        emptied = session.execute(
            update(WebhookEvent)
            .where(old, WebhookEvent.fetched_at.is_(None), cast(WebhookEvent.payload, Text) != "{}")
            .values(payload={})
            .execution_options(synchronize_session=False)
        )
    return int(deleted.rowcount or 0) + int(emptied.rowcount or 0)  # type: ignore[attr-defined]


def _purge_profiles(sessions: sessionmaker[Session], official: Collection[tuple[str, str]] | None) -> int:
    """Delete the profiles of accounts no longer registered (and of channels no longer official)."""
    registered = exists().where(
        Account.platform == ProfileRow.platform, func.lower(Account.handle) == ProfileRow.handle_key
    )
    with sessions.begin() as session:
        gone = session.execute(
            delete(ProfileRow)
            .where(ProfileRow.kind != "official", ~registered)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if official is not None:
            rows = session.execute(
                select(ProfileRow.id, ProfileRow.platform, ProfileRow.handle_key).where(
                    ProfileRow.kind == "official"
                )
            )
            stale = [row.id for row in rows if (row.platform, row.handle_key) not in official]
            if stale:
                gone += session.execute(delete(ProfileRow).where(ProfileRow.id.in_(stale))).rowcount  # type: ignore[attr-defined]
    return int(gone or 0)
