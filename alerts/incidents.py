"""Routing with the store: flags and crisis signals become incidents, and opening emails go to
the outbox in the same transaction as the incident that causes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.compose import AlertFacts, alert_email
from alerts.outbox import enqueue
from alerts.routing import DEFAULT_ROUTES, RouteDecision, route, thread_key
from monitor.config import Config
from monitor.models import Assessment, flags_from_json
from monitor.schema import AssessmentRow, CrisisSignalRow, Incident, IncidentMention, MentionRow, utcnow

CHUNK = 1000
Clock = Callable[[], datetime]


@dataclass(slots=True)
class RouteResult:
    incidents_opened: int = 0
    mentions_joined: int = 0
    emails_queued: int = 0
    digest_only: int = 0


def route_pending(sessions: sessionmaker[Session], config: Config, *, clock: Clock = utcnow) -> RouteResult:
    """Flagged, unrouted assessments and new crisis signals become incidents and emails."""
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
                break
            now = clock()
            for row, mention in pairs:
                assessment = Assessment(
                    row.scorer_version, row.sentiment, row.scores, flags_from_json(row.flags)
                )
                for decision in route(assessment):
                    if not decision.emails:
                        result.digest_only += 1
                        continue
                    _open_or_join(session, config, decision, mention, now, result, assessment=assessment)
                row.routed_at = now
    with sessions.begin() as session:
        now = clock()
        for signal in session.scalars(select(CrisisSignalRow).where(CrisisSignalRow.routed_at.is_(None))):
            _route_crisis(session, config, signal, now, result)
            signal.routed_at = now
    return result


def _route_crisis(
    session: Session, config: Config, signal: CrisisSignalRow, now: datetime, result: RouteResult
) -> None:
    platform, _, thread = signal.thread_key.partition(":")
    # The post the email quotes: the widest-reaching one in the surging window.
    lead = session.scalars(
        select(MentionRow)
        .where(
            MentionRow.platform == platform,
            (MentionRow.thread_id == thread) | (MentionRow.platform_id == thread),
            MentionRow.created_at >= signal.window_start,
            MentionRow.created_at <= signal.window_end,
            MentionRow.is_official.is_(False),
        )
        .order_by(MentionRow.author_reach.desc().nulls_last(), MentionRow.created_at)
        .limit(1)
    ).first()
    if lead is None:
        return
    role, severity = DEFAULT_ROUTES["crisis"]
    decision = RouteDecision("crisis", role, severity, config.lexicons.crisis.clause, signal.score)
    _open_or_join(session, config, decision, lead, now, result, reasons=tuple(signal.reasons))


def _open_or_join(
    session: Session,
    config: Config,
    decision: RouteDecision,
    mention: MentionRow,
    now: datetime,
    result: RouteResult,
    *,
    assessment: Assessment | None = None,
    reasons: tuple[str, ...] = (),
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
        already = session.get(IncidentMention, (incident.id, mention.id))
        if already is None:
            incident.mention_count += 1
            session.add(IncidentMention(incident_id=incident.id, mention_id=mention.id, added_at=now))
        incident.updated_at = now
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
    flag = assessment.flag(decision.category) if assessment else None
    sentiment = assessment.sentiment if assessment else _latest_sentiment(session, mention.id)
    facts = AlertFacts(
        incident_id=incident.id,
        category=decision.category,
        severity=decision.severity,
        clause=decision.clause,
        advice=config.lexicons.category(decision.category).advice,
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
        evidence_terms=tuple(
            dict.fromkeys(e.text for e in (flag.evidence if flag else ()) if e.kind == "term")
        ),
        sentiment=sentiment,
        official_reply_in_thread=_official_reply_exists(session, mention),
        reasons=reasons,
    )
    enqueue(
        session, alert_email(config, facts, role=decision.role, now=now), incident_id=incident.id, now=now
    )
    result.incidents_opened += 1
    result.emails_queued += 1


def _latest_sentiment(session: Session, mention_id: int) -> float:
    value = session.scalar(
        select(AssessmentRow.sentiment)
        .where(AssessmentRow.mention_id == mention_id)
        .order_by(AssessmentRow.id.desc())
    )
    return value or 0.0


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
                    MentionRow.id != mention.id,
                )
            )
        )
    )
