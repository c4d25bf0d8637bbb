"""The steps of a pass: fetch -> store -> score (routing and sending are alerts/).

Each step is a function of its own; monitor/services/passes.py runs them in order and the
scheduler runs each as its own job. Each commits as it goes in small transactions, so a crash
loses at most the step in progress and the next pass picks up where this one stopped: unscored
mentions, unrouted assessments and unsent emails are all found again by what the database holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, exists, select
from sqlalchemy.orm import Session, sessionmaker

from connectors.base import Connector, ConnectorError, NotConfigured, RateLimited
from monitor import webhooks
from monitor.channels import ChannelDirectory
from monitor.config import Config
from monitor.models import flags_to_json
from monitor.schema import AssessmentRow, MentionRow, utcnow
from monitor.scoring import Context, Scorer
from monitor.store import finish_run, last_run_error, load_cursor, save_batch, start_run

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
CHUNK = 1000
SCORING_COLUMNS = (
    MentionRow.id,
    MentionRow.platform,
    MentionRow.platform_id,
    MentionRow.thread_id,
    MentionRow.text,
    MentionRow.channel_kind,
    MentionRow.author_handle,
    MentionRow.author_name,
    MentionRow.author_reach,
    MentionRow.created_at,
)


@dataclass(slots=True)
class IngestResult:
    connector: str
    status: str = "ok"
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    edited: int = 0  # stored posts replaced by a later edit of themselves (to be scored again)
    skipped: list[str] = field(default_factory=list)
    error: str = ""
    resume_at: datetime | None = None  # when a platform that said wait will take calls again


def ingest(
    sessions: sessionmaker[Session],
    connector: Connector,
    directory: ChannelDirectory,
    *,
    clock: Clock = utcnow,
    stop: Callable[[], bool] = lambda: False,
) -> IngestResult:
    """Store every new mention the connector has, each batch with its cursor in one commit.

    `stop` is asked after each committed batch: a shutdown waits for one batch, not a whole run.
    """
    result = IngestResult(connector.name)
    with sessions() as session:
        cursor = load_cursor(session, connector.name)
        previous_error = last_run_error(session, connector.name)
        if queued := webhooks.pending(session, connector.name):
            # Objects Meta's webhooks named: the connector fetches them by id (connectors/graph.py).
            cursor = {**(cursor or {}), "webhook_events": queued}
    run_id = start_run(sessions, connector.name, clock())
    try:
        for batch in connector.fetch(cursor):
            with sessions.begin() as session:
                saved = save_batch(
                    session,
                    connector=connector.name,
                    mentions=batch.mentions,
                    cursor=batch.cursor,
                    directory=directory,
                )
                webhooks.acknowledge(session, batch.acknowledged)
            result.fetched += len(batch.mentions)
            result.stored += len(saved.stored_ids)
            result.duplicates += saved.duplicates
            result.edited += len(saved.edited_ids)
            result.skipped.extend(batch.skipped)
            if stop():
                result.error = result.error or "stopped before the end: the next run resumes from here"
                break
    except NotConfigured as exc:
        result.status, result.error = "skipped", str(exc)
    except RateLimited as exc:
        result.status, result.error, result.resume_at = "rate_limited", str(exc), exc.resume_at
    except ConnectorError as exc:
        result.status, result.error = "failed", str(exc)
    except Exception as exc:  # one broken connector must not stop the others
        result.status, result.error = "failed", f"unexpected {type(exc).__name__}: {exc}"
        log.exception("connector=%s event=crashed", connector.name)
    if result.skipped and result.status == "ok":
        result.status = "partial"
    if headline := result.error or (result.skipped[0] if result.skipped else ""):
        # Tell the operator once: the same problem as last run is news to nobody.
        level = logging.INFO if headline == previous_error else logging.WARNING
        log.log(
            level,
            "connector=%s event=%s problems=%d first=%s",
            connector.name,
            result.status,
            len(result.skipped) + bool(result.error),
            headline,
        )
    finish_run(
        sessions,
        run_id,
        status=result.status,
        fetched=result.fetched,
        stored=result.stored,
        skipped=result.skipped,
        error=result.error,
        now=clock(),
    )
    return result


def score_pending(
    sessions: sessionmaker[Session], config: Config, scorer: Scorer, *, clock: Clock = utcnow
) -> int:
    """Assess every stored mention that has no assessment yet; their alerts follow."""
    return _score(
        sessions,
        config,
        scorer,
        ~exists().where(AssessmentRow.mention_id == MentionRow.id),
        clock=clock,
        settle=False,
    )


def rescore(sessions: sessionmaker[Session], config: Config, scorer: Scorer, *, clock: Clock = utcnow) -> int:
    """Re-assess every mention last scored by another scorer version (after a lexicon edit).

    The new assessments replace the old ones and are marked routed: re-reading last month's
    posts with new words must not email anyone about them today.
    """
    current = exists().where(
        AssessmentRow.mention_id == MentionRow.id, AssessmentRow.scorer_version == scorer.version
    )
    count = _score(sessions, config, scorer, ~current, clock=clock, settle=True)
    with sessions.begin() as session:
        session.execute(delete(AssessmentRow).where(AssessmentRow.scorer_version != scorer.version))
    return count


def _score(
    sessions: sessionmaker[Session],
    config: Config,
    scorer: Scorer,
    pending: Any,
    *,
    clock: Clock,
    settle: bool,
) -> int:
    registry = logo_approvals(config)
    scored, last_id = 0, 0
    while True:
        with sessions.begin() as session:
            # Only what scoring reads, as plain rows: decoding every raw payload would double the
            # cost, and building ORM objects took a third of the scoring step's own time.
            rows = session.execute(
                select(*SCORING_COLUMNS)
                .where(MentionRow.id > last_id, pending)
                .order_by(MentionRow.id)
                .limit(CHUNK)
            ).all()
            if not rows:
                return scored
            official_threads = _official_threads(session, rows)
            now = clock()
            values = []
            contexts = [
                context_for(
                    mention,
                    config,
                    in_iom3_thread=(mention.platform, mention.thread_id) in official_threads,
                    logo_approved=registry,
                )
                for mention in rows
            ]
            # One batch per chunk: the learned detectors score a whole chunk in one numpy pass.
            assessments = scorer.assess_many([m.text for m in rows], contexts)
            for mention, assessment in zip(rows, assessments, strict=True):
                values.append(
                    {
                        "mention_id": mention.id,
                        "scorer_version": assessment.scorer_version,
                        "sentiment": assessment.sentiment,
                        "scores": assessment.scores,
                        "flags": flags_to_json(assessment.flags),
                        "flagged": bool(assessment.flags),
                        "created_at": now,
                        # Nothing to route for an unflagged mention (or a re-score): settle it here.
                        "routed_at": now if settle or not assessment.flags else None,
                    }
                )
            # Core insert, one executemany: the ORM bulk path issued one statement per few rows.
            session.execute(AssessmentRow.__table__.insert(), values)
            scored += len(rows)
            last_id = rows[-1].id


def logo_approvals(config: Config) -> dict[tuple[str, str], bool]:
    return {(a.platform, a.handle.lower()): a.logo_approved for a in config.accounts.account}


def context_for(
    mention: MentionRow | Row[Any],
    config: Config,
    *,
    in_iom3_thread: bool,
    logo_approved: dict[tuple[str, str], bool],
) -> Context:
    """What scoring may know of a stored mention besides its words."""
    return Context(
        platform=mention.platform,
        channel_kind=mention.channel_kind,
        author_reach=mention.author_reach,
        in_iom3_thread=in_iom3_thread,
        logo_approved=logo_approved.get((mention.platform, mention.author_handle.lower()), False),
        created_at=mention.created_at,
        high_reach_followers=config.monitor.scoring.high_reach_followers,
        author=f"{mention.author_handle} {mention.author_name}",
    )


def in_official_thread(session: Session, mention: MentionRow) -> bool:
    return (mention.platform, mention.thread_id) in _official_threads(session, [mention])


def _official_threads(session: Session, rows: Sequence[MentionRow | Row[Any]]) -> set[tuple[str, str | None]]:
    """Threads in this chunk whose first post is on an official IOM3 channel."""
    by_platform: dict[str, set[str]] = {}
    for mention in rows:
        if mention.thread_id:
            by_platform.setdefault(mention.platform, set()).add(mention.thread_id)
    # One query per platform on (platform, platform_id), the natural key's index. platform_id alone,
    # or a row-value IN, scans the table once per chunk: scoring slowed down as the store grew.
    found = [
        row
        for platform, thread_ids in by_platform.items()
        for row in session.execute(
            select(MentionRow.platform, MentionRow.platform_id).where(
                MentionRow.platform == platform,
                MentionRow.platform_id.in_(thread_ids),
                MentionRow.is_official.is_(True),
            )
        )
    ]
    return {(platform, platform_id) for platform, platform_id in found}
