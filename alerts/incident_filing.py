"""Filing flags into incidents: `route_pending` turns new flags, logo findings and crisis signals
into incidents (or into mentions of an open one); silences and inhibition rules apply here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.image_flags import route_image, unrouted
from alerts.incident_lifecycle import LIVE, incident_severity, timeline_event
from alerts.routing import URGENCY_RANK, RouteDecision, first_route, folds_into, route, thread_key
from monitor.config import CATEGORIES, Config
from monitor.models import Assessment, flags_from_json
from monitor.schema import (
    AssessmentRow,
    CrisisSignalRow,
    Incident,
    IncidentMention,
    MentionRow,
    Silence,
    utcnow,
)
from monitor.services.silences import list_silences, matches

CHUNK = 1000
Clock = Callable[[], datetime]


@dataclass(slots=True)
class RouteResult:
    incidents_opened: int = 0
    mentions_joined: int = 0
    folded: int = 0
    silenced: int = 0
    digest_only: int = 0
    emails_queued: int = 0


def route_pending(sessions: sessionmaker[Session], config: Config, *, clock: Clock = utcnow) -> RouteResult:
    """Flagged, unrouted assessments and new crisis signals become incidents."""
    result = RouteResult()
    high_reach = config.monitor.scoring.high_reach_followers
    # Complaint and harassment flag for review from the detector's operating point and email
    # only from the stricter alert point (config/lexicons.toml, chosen for few false alerts).
    alert_at = {c: config.lexicons.category(c).alert_at() for c in CATEGORIES}
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
            silences = list_silences(session, now=now)
            lane = config.routing.lane.categories
            for row, mention in pairs:
                assessment = Assessment(
                    row.scorer_version, row.sentiment, row.scores, flags_from_json(row.flags)
                )
                by_role: dict[str, list[RouteDecision]] = {}
                for decision in route(
                    assessment,
                    config.routing,
                    channel_kind=mention.channel_kind,
                    platform=mention.platform,
                    author_reach=mention.author_reach,
                    high_reach=high_reach,
                    alert_at=alert_at,
                ):
                    # Nothing mutes the safeguarding lane (config/routing.toml [lane]).
                    if decision.category not in lane and _silenced(silences, decision.category, mention):
                        result.silenced += 1
                    elif not decision.emails:
                        result.digest_only += 1
                    else:
                        by_role.setdefault(decision.role, []).append(decision)
                # One post, one recipient, one email: the most urgent category leads, the others
                # ride along in the same incident ("also harassment").
                for decisions in _grouped(by_role):
                    decisions.sort(
                        key=lambda d: (
                            d.category in lane,
                            URGENCY_RANK[d.severity],
                            d.level == "high",
                            d.score,
                        ),
                        reverse=True,
                    )
                    lead, *others = decisions
                    incident = file_flag(session, config, lead, mention, now, result)
                    for other in others:
                        if incident.category not in folds_into(config.routing, other.category):
                            _also(incident, other, mention, now)
                row.routed_at = now
    _route_images(sessions, config, clock, result)
    with sessions.begin() as session:
        now = clock()
        for signal in session.scalars(select(CrisisSignalRow).where(CrisisSignalRow.routed_at.is_(None))):
            lead = _lead_mention(session, signal)
            if lead is not None:
                chosen = first_route(
                    config.routing,
                    "crisis",
                    channel_kind=lead.channel_kind,
                    platform=lead.platform,
                    level="high",
                )
                decision = RouteDecision(
                    "crisis",
                    chosen.role,
                    chosen.urgency,
                    config.lexicons.crisis.clause,
                    signal.score,
                    "high",
                    chosen.name,
                    chosen.timing(config.routing.timing),
                )
                file_flag(session, config, decision, lead, now, result, note="; ".join(signal.reasons))
            signal.routed_at = now
    return result


def _route_images(sessions: sessionmaker[Session], config: Config, clock: Clock, result: RouteResult) -> None:
    """Logo flags raised on a post's images (alerts/image_flags.py): each routed once, in the
    transaction that files it."""
    while True:
        with sessions.begin() as session:
            pending = unrouted(session, CHUNK)
            if not pending:
                return
            now = clock()
            silences = list_silences(session, now=now)
            for image, mention in pending:
                decision = route_image(config, image, mention)
                if _silenced(silences, decision.category, mention):
                    result.silenced += 1
                elif not decision.emails:
                    result.digest_only += 1
                else:
                    file_flag(session, config, decision, mention, now, result)
                image.routed_at = now


def _silenced(silences: list[Silence], category: str, mention: MentionRow) -> bool:
    key = thread_key(mention.platform, mention.thread_id, mention.platform_id)
    return any(
        matches(
            s,
            category=category,
            platform=mention.platform,
            thread=key,
            author=mention.author_handle,
            text=mention.text,
        )
        for s in silences
    )


# A press approach is never folded into another category's email: it goes to the press route as
# its own incident, so a journalist inside a pile-on is not lost in the crisis thread.
STANDS_ALONE = ("press",)


def _grouped(by_role: dict[str, list[RouteDecision]]) -> list[list[RouteDecision]]:
    groups = []
    for decisions in by_role.values():
        groups.extend([d] for d in decisions if d.category in STANDS_ALONE)
        if rest := [d for d in decisions if d.category not in STANDS_ALONE]:
            groups.append(rest)
    return groups


def _also(incident: Incident, decision: RouteDecision, mention: MentionRow, now: datetime) -> None:
    """Another category the same post raised for the incident's recipient: told in its email."""
    if decision.category == incident.category or decision.category in incident.also_categories:
        return
    incident.also_categories = [*incident.also_categories, decision.category]
    incident.history = [
        *incident.history,
        timeline_event(
            now, f"also {decision.category} ({decision.score:.2f}) from @{mention.author_handle}: same email"
        ),
    ]


def _lead_mention(session: Session, signal: CrisisSignalRow) -> MentionRow | None:
    """The post a crisis email quotes: the widest-reaching one in the surging window."""
    platform, _, thread = signal.thread_key.partition(":")
    return session.scalars(
        select(MentionRow)
        .where(
            MentionRow.platform == platform,
            or_(MentionRow.thread_id == thread, MentionRow.platform_id == thread),
            MentionRow.created_at >= signal.window_start,
            MentionRow.created_at <= signal.window_end,
            MentionRow.is_official.is_(False),
        )
        .order_by(MentionRow.author_reach.desc().nulls_last(), MentionRow.created_at)
        .limit(1)
    ).first()


def _live_incident(session: Session, category: str, key: str) -> Incident | None:
    return session.scalar(
        select(Incident).where(
            Incident.status.in_(LIVE), Incident.category == category, Incident.thread_key == key
        )
    )


def file_flag(
    session: Session,
    config: Config,
    decision: RouteDecision,
    mention: MentionRow,
    now: datetime,
    result: RouteResult,
    *,
    note: str = "",
) -> Incident:
    """Put one routed flag into its incident: an open one it folds into, its own, or a new one."""
    key = thread_key(mention.platform, mention.thread_id, mention.platform_id)
    for host in folds_into(config.routing, decision.category):
        incident = _live_incident(session, host, key)
        if incident is not None:
            _join(
                session,
                incident,
                decision,
                mention,
                now,
                f"{decision.category} folded in from @{mention.author_handle}",
            )
            result.folded += 1
            return incident
    incident = _live_incident(session, decision.category, key) or _same_topic(session, decision, mention)
    if incident is not None:
        _join(session, incident, decision, mention, now, note and f"crisis signal: {note}")
        result.mentions_joined += 1
        return incident
    sla_hours = config.monitor.sla.complaint_reply_hours
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
        route=decision.route,
        level=decision.level,
        group_wait=decision.timing.group_wait,
        group_interval=decision.timing.group_interval,
        repeat_interval=decision.timing.repeat_interval,
        sla_due_at=mention.created_at + timedelta(hours=sla_hours)
        if decision.category == "complaint"
        else None,
        topic_terms=list(decision.terms),
        first_posted_at=mention.created_at,
        history=[
            timeline_event(
                now, f"opened ({decision.route}): @{mention.author_handle}" + (f"; {note}" if note else "")
            )
        ],
    )
    session.add(incident)
    session.flush()
    session.add(IncidentMention(incident_id=incident.id, mention_id=mention.id, added_at=now))
    result.incidents_opened += 1
    # Inhibition: the categories this one takes in stop notifying on their own on this thread.
    for rule in config.routing.inhibit:
        if rule.when == decision.category:
            for folded in session.scalars(
                select(Incident).where(
                    Incident.status.in_(LIVE), Incident.category.in_(rule.fold), Incident.thread_key == key
                )
            ):
                folded.status = "folded"
                folded.updated_at = now
                folded.history = [
                    *folded.history,
                    timeline_event(now, f"folded into {decision.category} incident #{incident.id}"),
                ]
    return incident


def _same_topic(session: Session, decision: RouteDecision, mention: MentionRow) -> Incident | None:
    """A post that starts no thread of its own joins an open incident of its category that shares
    one of its flagged words and began within the topic window: scattered posts, one subject."""
    if mention.thread_id not in (None, mention.platform_id) or not decision.terms:
        return None
    window = timedelta(minutes=decision.timing.topic_window)
    candidates = session.scalars(
        select(Incident)
        .where(
            Incident.status.in_(LIVE),
            Incident.category == decision.category,
            Incident.first_posted_at >= mention.created_at - window,
            Incident.first_posted_at <= mention.created_at + window,
        )
        .order_by(Incident.id.desc())
    ).all()
    terms = set(decision.terms)
    return next((c for c in candidates if terms & set(c.topic_terms)), None)


def _join(
    session: Session,
    incident: Incident,
    decision: RouteDecision,
    mention: MentionRow,
    now: datetime,
    note: str,
) -> None:
    """Add a mention to an open incident. The history keeps what changes the picture (a rise, a
    fold, a crisis signal), not every mention: the count says how many."""
    if session.get(IncidentMention, (incident.id, mention.id)) is None:
        session.add(IncidentMention(incident_id=incident.id, mention_id=mention.id, added_at=now))
        incident.mention_count += 1
    events = [note] if note else []
    before = incident_severity(incident, lane=())
    if decision.level == "high" and incident.level != "high":
        incident.level = "high"
        events.append(f"now high: @{mention.author_handle} ({decision.category} {decision.score:.2f})")
    if URGENCY_RANK[decision.severity] > URGENCY_RANK.get(incident.severity, 0):
        incident.severity = decision.severity
    if incident_severity(incident, lane=()).rank > before.rank:
        incident.next_check_at = now  # a rise is told at once: notify_due looks here first
    incident.updated_at = now
    if events:
        incident.history = [*incident.history, *(timeline_event(now, e) for e in events)]
    if new_terms := [t for t in decision.terms if t not in incident.topic_terms]:
        incident.topic_terms = [*incident.topic_terms, *new_terms][:40]
