"""The emails incidents owe: `notify_due` asks alerts/notify.py which incidents owe an email now
(an opening, an update, a rise, a repeat, an SLA reminder) and alerts/escalation.py whether one climbs the
chain, and writes each email to the outbox in the same transaction as the incident change it
reports, with the crisis thread's picture (top posts, high-reach authors, press approaches).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.compose import AlertFacts, Mentioned, alert_email, chat_messages
from alerts.escalation import EscalationState, Step, held_until, next_step, told_roles, upcoming
from alerts.image_flags import image_evidence
from alerts.incident_lifecycle import (
    LIVE,
    incident_severity,
    incident_state,
    official_reply_exists,
    timeline_event,
)
from alerts.notify import ESCALATED, OPENING, SLA_REMINDER, due, next_check
from alerts.outbox import enqueue
from monitor.config import Config
from monitor.schema import AssessmentRow, CrisisSignalRow, Incident, IncidentMention, MentionRow, utcnow

Clock = Callable[[], datetime]


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
            severity = incident_severity(incident, lane=config.routing.lane.categories)
            in_lane = incident.category in config.routing.lane.categories
            held = held_until(
                now, config.routing.quiet_hours, config.timezone, severity=severity.name, lane=in_lane
            )
            notice = due(incident_state(session, incident, config), now)
            step = next_step(_climb(incident, config), config.routing.escalation, now)
            if held is not None and (notice is not None or step is not None):
                if incident.next_check_at != held:
                    when = held.astimezone(config.timezone)
                    incident.history = [
                        *incident.history,
                        timeline_event(
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
            times = [next_check(incident_state(session, incident, config))]
            if (coming := upcoming(_climb(incident, config), config.routing.escalation)) is not None:
                times.append(coming.due_at)
            incident.next_check_at = min((t for t in times if t is not None), default=None)
    return queued


def _climb(incident: Incident, config: Config) -> EscalationState:
    return EscalationState(
        role=incident.role,
        severity=incident_severity(incident, lane=config.routing.lane.categories).name,
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
        timeline_event(
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
    severity = incident_severity(incident, lane=lane)
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
    incident.history = [
        *incident.history,
        timeline_event(now, f"emailed ({notice.replace('_', ' ')}) to {names}"),
    ]


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
