"""Incidents: flags and crisis signals grouped per thread, silenced, folded, and emailed when due.

Two steps, each committing small transactions:
- `route_pending` turns new flags into incidents (or into mentions of an open one); silences and
  inhibition rules apply here;
- `notify_due` asks alerts/notify.py which incidents owe an email now, and writes each email to
  the outbox in the same transaction as the incident change it reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.compose import AlertFacts, Mentioned, alert_email, chat_messages
from alerts.escalation import EscalationState, Step, held_until, next_step, told_roles, upcoming
from alerts.image_flags import image_evidence, route_image, unrouted
from alerts.notify import ESCALATED, OPENING, SLA_REMINDER, IncidentState, due, next_check
from alerts.outbox import enqueue
from alerts.routing import URGENCY_RANK, RouteDecision, first_route, folds_into, route, thread_key
from alerts.severity import Severity, severity_of
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
LIVE = ("open", "acknowledged")


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
        _event(
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
            _event(
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
                    _event(now, f"folded into {decision.category} incident #{incident.id}"),
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
    before = _severity(incident, lane=())
    if decision.level == "high" and incident.level != "high":
        incident.level = "high"
        events.append(f"now high: @{mention.author_handle} ({decision.category} {decision.score:.2f})")
    if URGENCY_RANK[decision.severity] > URGENCY_RANK.get(incident.severity, 0):
        incident.severity = decision.severity
    if _severity(incident, lane=()).rank > before.rank:
        incident.next_check_at = now  # a rise is told at once: notify_due looks here first
    incident.updated_at = now
    if events:
        incident.history = [*incident.history, *(_event(now, e) for e in events)]
    if new_terms := [t for t in decision.terms if t not in incident.topic_terms]:
        incident.topic_terms = [*incident.topic_terms, *new_terms][:40]


def _event(at: datetime, what: str) -> dict[str, str]:
    return {"at": at.isoformat(timespec="seconds"), "what": what}


# --- emails ------------------------------------------------------------------------------------
def notify_due(sessions: sessionmaker[Session], config: Config, *, clock: Clock = utcnow) -> int:
    """Queue every email an incident owes now (alerts/notify.py decides which). Returns how many.

    Only incidents where something could be due are looked at: never emailed, new mentions or a
    new level since the last email, or a stored next check (repeat, SLA) whose time has come.
    """
    queued = 0
    now = clock()
    with sessions() as session:
        ids = session.scalars(
            select(Incident.id)
            .where(
                Incident.status.in_(LIVE),
                Incident.severity != "digest",
                or_(
                    Incident.last_notified_at.is_(None),
                    Incident.mention_count > Incident.notified_count,
                    Incident.next_check_at <= now,
                ),
            )
            .order_by(Incident.id)
        ).all()
    for incident_id in ids:
        with sessions.begin() as session:
            incident = session.get_one(Incident, incident_id)
            now = clock()
            severity = _severity(incident, lane=config.routing.lane.categories)
            in_lane = incident.category in config.routing.lane.categories
            held = held_until(
                now, config.routing.quiet_hours, config.timezone, severity=severity.name, lane=in_lane
            )
            notice = due(_state(session, incident, config), now)
            step = next_step(_climb(incident, config), config.routing.escalation, now)
            if held is not None and (notice is not None or step is not None):
                if incident.next_check_at != held:
                    when = held.astimezone(config.timezone)
                    incident.history = [
                        *incident.history,
                        _event(
                            now,
                            f"held for working hours: {severity.label} waits until {when:%a %d %b %H:%M}",
                        ),
                    ]
                incident.next_check_at = held
                continue
            if notice is not None:
                _send(session, config, incident, notice, now)
                queued += 1
            if step is not None:
                _escalate(session, config, incident, step, now)
                queued += 1
            times = [next_check(_state(session, incident, config))]
            if (coming := upcoming(_climb(incident, config), config.routing.escalation)) is not None:
                times.append(coming.due_at)
            incident.next_check_at = min((t for t in times if t is not None), default=None)
    return queued


def _severity(incident: Incident, *, lane: tuple[str, ...] | list[str]) -> Severity:
    return severity_of(incident.severity, incident.level, incident.category, lane=lane)


def _climb(incident: Incident, config: Config) -> EscalationState:
    return EscalationState(
        role=incident.role,
        severity=_severity(incident, lane=config.routing.lane.categories).name,
        status=incident.status,
        acknowledged=incident.acknowledged_at is not None,
        first_notified_at=incident.first_notified_at,
        escalated_at=incident.escalated_at,
        step=incident.escalation_step,
    )


def _escalate(session: Session, config: Config, incident: Incident, step: Step, now: datetime) -> None:
    """Tell the next role up the chain; the step and its email are in the history."""
    waited = now - (incident.escalated_at or incident.first_notified_at or now)
    incident.escalation_step, incident.escalated_at = step.number, now
    title = config.contact(step.role).title or step.role
    incident.history = [
        *incident.history,
        _event(
            now,
            f"escalated to {title} (step {step.number} of the chain): not acknowledged after "
            f"{_duration(waited)}",
        ),
    ]
    _send(session, config, incident, ESCALATED, now, roles=[step.role], waited=waited)


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return (
        f"{minutes} min"
        if minutes < 120
        else f"{minutes / 60:g} h"
        if minutes % 60 == 0
        else f"{minutes / 60:.1f} h"
    )


def _state(session: Session, incident: Incident, config: Config | None = None) -> IncidentState:
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
        severity=_severity(incident, lane=lane).name,
    )


def _send(
    session: Session,
    config: Config,
    incident: Incident,
    notice: str,
    now: datetime,
    *,
    roles: list[str] | None = None,
    waited: timedelta | None = None,
) -> None:
    """Queue the incident's email to each role told so far (or `roles`): one per role, each with
    that role's advice; at the top severity, a chat message beside it where the role has one."""
    # The post to quote: the first for the opening, a repeat or a reminder; the newest otherwise.
    if notice in (OPENING, SLA_REMINDER, ESCALATED) or incident.mention_count == incident.notified_count:
        mention = session.get_one(MentionRow, incident.first_mention_id)
    else:
        mention = session.scalars(
            select(MentionRow)
            .join(IncidentMention, IncidentMention.mention_id == MentionRow.id)
            .where(IncidentMention.incident_id == incident.id)
            .order_by(IncidentMention.added_at.desc(), MentionRow.id.desc())
            .limit(1)
        ).one()
    lane = config.routing.lane.categories
    severity = _severity(incident, lane=lane)
    flag, sentiment = _flag_of(session, mention.id, incident.category)
    images = (
        image_evidence(session, config, mention.id)
        if "logo" in (incident.category, *incident.also_categories)
        else ()
    )
    top_posts, high_reach, volume = _thread_picture(session, config, incident)
    base = AlertFacts(
        incident_id=incident.id,
        category=incident.category,
        severity=incident.severity,
        clause=incident.clause,
        advice=config.lexicons.category(incident.category).advice,
        score=flag["score"] if flag else max((i.confidence for i in images), default=0.0),
        platform=mention.platform,
        author_handle=mention.author_handle,
        author_name=mention.author_name,
        author_reach=mention.author_reach,
        channel_kind=mention.channel_kind,
        url=mention.url,
        text=mention.text,
        created_at=mention.created_at,
        thread_key=incident.thread_key,
        evidence_terms=tuple(
            dict.fromkeys(e["text"] for e in (flag["evidence"] if flag else ()) if e["kind"] == "term")
        ),
        sentiment=sentiment,
        official_reply_in_thread=official_reply_exists(session, mention),
        reasons=_reasons(session, incident),
        notice=notice,
        level=incident.level,
        new_mentions=incident.mention_count - incident.notified_count,
        total_mentions=incident.mention_count,
        history=tuple(f"{e['at'][:16].replace('T', ' ')} UTC: {e['what']}" for e in incident.history[-12:]),
        level_name=severity.name,
        level_label=severity.label,
        colour=severity.colour,
        in_lane=incident.category in lane,
        top_posts=top_posts,
        high_reach=high_reach,
        volume=volume,
        press=_press_in_thread(session, config, incident),
        waited_hours=waited.total_seconds() / 3600 if waited else 0.0,
        first_email=incident.message_id is None,
        images=images,
    )
    told = roles or told_roles(incident.role, incident.escalation_step, config.routing.escalation)
    for role in told:
        facts = replace(
            base,
            reader_advice=config.routing.advice_for(incident.category, role),
            also=tuple(
                (c, config.lexicons.category(c).clause, config.routing.advice_for(c, role))
                for c in incident.also_categories
            ),
        )
        message = alert_email(config, facts, role=role, now=now, thread_root=incident.message_id)
        enqueue(session, message, incident_id=incident.id, now=now)
        if incident.message_id is None:
            incident.message_id = str(message["Message-ID"])
        if severity.name == "critical":
            for chat in chat_messages(config, facts, role=role, title=str(message["Subject"])):
                enqueue(session, chat, incident_id=incident.id, now=now)
    if notice != ESCALATED:
        incident.last_notified_at = now
        incident.first_notified_at = incident.first_notified_at or now
        incident.notified_count = incident.mention_count
        incident.notified_level = severity.name
    if notice == SLA_REMINDER:
        incident.reminded_at = now
    names = ", ".join(config.contact(r).title or r for r in told)
    incident.history = [*incident.history, _event(now, f"emailed ({notice.replace('_', ' ')}) to {names}")]


TOP_POSTS = 5


def _thread_picture(
    session: Session, config: Config, incident: Incident
) -> tuple[tuple[Mentioned, ...], tuple[Mentioned, ...], tuple[datetime, ...]]:
    """For a crisis: the thread's top posts by reach, its high-reach authors, and when each post came."""
    if incident.category != "crisis":
        return (), (), ()
    platform, _, thread = incident.thread_key.partition(":")
    rows = session.scalars(
        select(MentionRow).where(
            MentionRow.platform == platform,
            or_(MentionRow.thread_id == thread, MentionRow.platform_id == thread),
            MentionRow.is_official.is_(False),
        )
    ).all()
    ranked = sorted(rows, key=lambda m: (-(m.author_reach or 0), m.created_at))
    top = tuple(_mentioned(m) for m in ranked[:TOP_POSTS])
    threshold = config.monitor.scoring.high_reach_followers
    seen: dict[str, Mentioned] = {}
    for m in ranked:
        if (m.author_reach or 0) >= threshold and m.author_handle.lower() not in seen:
            seen[m.author_handle.lower()] = _mentioned(m)
    return top, tuple(seen.values()), tuple(sorted(m.created_at for m in rows))


def _mentioned(m: MentionRow) -> Mentioned:
    return Mentioned(m.author_handle, m.author_name, m.author_reach, m.text, m.url, m.created_at)


def _press_in_thread(session: Session, config: Config, incident: Incident) -> tuple[str, ...]:
    """Press approaches on the crisis thread, each its own line with where it went."""
    if incident.category != "crisis":
        return ()
    lines = []
    for press in session.scalars(
        select(Incident).where(
            Incident.thread_key == incident.thread_key,
            Incident.category == "press",
            Incident.id != incident.id,
        )
    ):
        first = session.get_one(MentionRow, press.first_mention_id)
        title = config.contact(press.role).title or press.role
        lines.append(
            f"@{first.author_handle}: \u201c{first.text[:140]}\u201d: a press approach, incident "
            f"#{press.id}, sent to the {title}"
        )
    return tuple(lines)


def _reasons(session: Session, incident: Incident) -> tuple[str, ...]:
    """For a crisis, what the surge test found on the thread."""
    if incident.category != "crisis":
        return ()
    signal = session.scalar(select(CrisisSignalRow).where(CrisisSignalRow.thread_key == incident.thread_key))
    return tuple(signal.reasons) if signal else ()


def _flag_of(session: Session, mention_id: int, category: str) -> tuple[dict | None, float]:
    row = session.scalars(
        select(AssessmentRow).where(AssessmentRow.mention_id == mention_id).order_by(AssessmentRow.id.desc())
    ).first()
    if row is None:
        return None, 0.0
    return next((f for f in row.flags if f["category"] == category), None), row.sentiment


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
    incident.next_check_at = next_check(_state(session, incident))
    incident.updated_at = now
    incident.history = [*incident.history, _event(now, f"acknowledged by {by}")]
    return incident


def resolve(session: Session, incident_id: int, *, by: str, now: datetime) -> Incident:
    """Dealt with: no more emails; a new flag on the thread opens a new incident."""
    incident = _get(session, incident_id)
    if incident.status == "resolved":
        raise IncidentError(f"incident #{incident_id} is already resolved")
    incident.status, incident.resolved_at, incident.updated_at = "resolved", now, now
    incident.history = [*incident.history, _event(now, f"resolved by {by}")]
    return incident


def _get(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise IncidentError(f"no incident #{incident_id}; `run_monitor.py incidents list` shows them")
    return incident
