"""One pass of the monitor: fetch -> store -> score -> route -> outbox -> transport.

Each step is a function of its own that the CLI and (later) the scheduler both call. Each
commits as it goes in small transactions, so a crash loses at most the step in progress and
the next pass picks up where this one stopped: unscored mentions, unrouted assessments and
unsent emails are all found again by what the database holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.compose import AlertFacts, alert_email
from alerts.outbox import FlushResult, enqueue, flush
from alerts.routing import RouteDecision, route, thread_key
from alerts.transports import Transport
from connectors.base import Connector, ConnectorError, NotConfigured, RateLimited
from monitor.channels import ChannelDirectory
from monitor.config import Config
from monitor.models import Assessment, flags_from_json, flags_to_json
from monitor.schema import AssessmentRow, Incident, IncidentMention, MentionRow, utcnow
from monitor.scoring import Scorer
from monitor.store import finish_run, last_run_error, load_cursor, save_batch, start_run

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
CHUNK = 1000


@dataclass(slots=True)
class IngestResult:
    connector: str
    status: str = "ok"
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str = ""


def ingest(
    sessions: sessionmaker[Session],
    connector: Connector,
    directory: ChannelDirectory,
    *,
    clock: Clock = utcnow,
) -> IngestResult:
    """Store every new mention the connector has, each batch with its cursor in one commit."""
    result = IngestResult(connector.name)
    with sessions() as session:
        cursor = load_cursor(session, connector.name)
        previous_error = last_run_error(session, connector.name)
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
            result.fetched += len(batch.mentions)
            result.stored += len(saved.stored_ids)
            result.duplicates += saved.duplicates
            result.skipped.extend(batch.skipped)
    except NotConfigured as exc:
        result.status, result.error = "skipped", str(exc)
    except RateLimited as exc:
        result.status, result.error = "rate_limited", str(exc)
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


def score_pending(sessions: sessionmaker[Session], scorer: Scorer, *, clock: Clock = utcnow) -> int:
    """Assess every stored mention that has no assessment from this scorer version yet."""
    scored, last_id = 0, 0
    unscored = and_(AssessmentRow.mention_id == MentionRow.id, AssessmentRow.scorer_version == scorer.version)
    while True:
        with sessions.begin() as session:
            rows = session.execute(
                select(MentionRow.id, MentionRow.text, MentionRow.channel_kind)
                .where(MentionRow.id > last_id, ~exists().where(unscored))
                .order_by(MentionRow.id)
                .limit(CHUNK)
            ).all()
            if not rows:
                return scored
            now = clock()
            values = []
            for mention_id, text, channel_kind in rows:
                assessment = scorer.assess(text, channel_kind=channel_kind)
                values.append(
                    {
                        "mention_id": mention_id,
                        "scorer_version": assessment.scorer_version,
                        "sentiment": assessment.sentiment,
                        "scores": assessment.scores,
                        "flags": flags_to_json(assessment.flags),
                        "flagged": bool(assessment.flags),
                        "created_at": now,
                        # Nothing to route for an unflagged mention: settle it here.
                        "routed_at": None if assessment.flags else now,
                    }
                )
            session.execute(insert(AssessmentRow), values)
            scored += len(rows)
            last_id = rows[-1][0]


@dataclass(slots=True)
class RouteResult:
    incidents_opened: int = 0
    mentions_joined: int = 0
    emails_queued: int = 0


def route_pending(sessions: sessionmaker[Session], config: Config, *, clock: Clock = utcnow) -> RouteResult:
    """Turn flagged, unrouted assessments into incidents, and queue the opening emails."""
    result = RouteResult()
    while True:
        with sessions.begin() as session:
            pairs = session.execute(
                select(AssessmentRow, MentionRow)
                .join(MentionRow, AssessmentRow.mention_id == MentionRow.id)
                .where(AssessmentRow.routed_at.is_(None))
                .order_by(AssessmentRow.id)
                .limit(CHUNK)
            ).all()
            if not pairs:
                return result
            now = clock()
            for row, mention in pairs:
                assessment = Assessment(
                    row.scorer_version, row.sentiment, row.scores, flags_from_json(row.flags)
                )
                for decision in route(assessment, channel_kind=mention.channel_kind):
                    _open_or_join(session, config, decision, assessment, mention, now, result)
                row.routed_at = now


def _open_or_join(
    session: Session,
    config: Config,
    decision: RouteDecision,
    assessment: Assessment,
    mention: MentionRow,
    now: datetime,
    result: RouteResult,
) -> None:
    key = thread_key(mention.platform, mention.thread_id, mention.platform_id)
    incident = session.scalar(
        select(Incident).where(
            Incident.status != "resolved", Incident.category == decision.category, Incident.thread_key == key
        )
    )
    if incident is not None:
        # Later mentions on the thread join the incident quietly; follow-up emails in the
        # thread arrive with the escalation work.
        incident.mention_count += 1
        incident.updated_at = now
        session.add(IncidentMention(incident_id=incident.id, mention_id=mention.id, added_at=now))
        result.mentions_joined += 1
        return
    incident = Incident(
        category=decision.category,
        severity=decision.severity,
        role=decision.role,
        clause=decision.clause,
        thread_key=key,
        status="open",
        opened_at=now,
        updated_at=now,
        mention_count=1,
        first_mention_id=mention.id,
    )
    session.add(incident)
    session.flush()
    session.add(IncidentMention(incident_id=incident.id, mention_id=mention.id, added_at=now))
    flag = assessment.flag(decision.category)
    facts = AlertFacts(
        incident_id=incident.id,
        category=decision.category,
        severity=decision.severity,
        clause=decision.clause,
        advice=config.lexicons.complaint.advice,
        score=decision.score,
        platform=mention.platform,
        author_handle=mention.author_handle,
        author_name=mention.author_name,
        author_reach=mention.author_reach,
        channel_kind=mention.channel_kind,
        url=mention.url,
        text=mention.text,
        created_at=mention.created_at,
        thread_key=key,
        evidence_terms=tuple(e.text for e in (flag.evidence if flag else ()) if e.kind == "term"),
        sentiment=assessment.sentiment,
        official_reply_in_thread=_official_reply_exists(session, mention),
    )
    enqueue(
        session, alert_email(config, facts, role=decision.role, now=now), incident_id=incident.id, now=now
    )
    result.incidents_opened += 1
    result.emails_queued += 1


def _official_reply_exists(session: Session, mention: MentionRow) -> bool:
    if mention.thread_id is None:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    MentionRow.platform == mention.platform,
                    MentionRow.thread_id == mention.thread_id,
                    MentionRow.is_official.is_(True),
                )
            )
        )
    )


@dataclass(slots=True)
class PassResult:
    ingested: list[IngestResult]
    scored: int
    routed: RouteResult
    flushed: FlushResult


def run_pass(
    sessions: sessionmaker[Session],
    config: Config,
    connectors: list[Connector],
    transport: Transport,
    *,
    clock: Clock = utcnow,
) -> PassResult:
    """Every step once, in order: what `run_monitor.py once` and `demo` do."""
    directory = ChannelDirectory(config)
    ingested = [ingest(sessions, c, directory, clock=clock) for c in connectors]
    scored = score_pending(sessions, Scorer(config.lexicons, config.monitor.scoring), clock=clock)
    routed = route_pending(sessions, config, clock=clock)
    flushed = flush(sessions, transport, now=clock())
    return PassResult(ingested, scored, routed, flushed)
