"""The incident inbox, the incident page and its actions, the printable timeline, and the
one-tap links from alert emails."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import and_, case, func, select

from alerts.severity import SCALE
from monitor.config import CATEGORIES
from monitor.links import LinkRefused
from monitor.models import PLATFORMS
from monitor.schema import AssessmentRow, CrisisSignalRow, Incident, IncidentMention, MentionRow
from monitor.services import incident_actions as actions
from monitor.services.people import people
from monitor.services.silences import SilenceRefused
from monitor.web.auth import check_link, login_required, require_role, start_session, use_link
from monitor.web.views import config, db, now, person

bp = Blueprint("incidents", __name__)
STATUSES = ("open", "acknowledged", "resolved")
LEVEL_RANK = case((Incident.level == "high", 0), else_=1)
POSTS_SHOWN = 50


def severity_rank(lane: Sequence[str]) -> Any:
    """An incident's rank on the one severity scale, in SQL to sort and filter by: the rules of
    alerts.severity.severity_of (CRITICAL 3 .. LOW 0); a test holds the two to the same answers."""
    return case(
        (Incident.category.in_(list(lane)), SCALE["critical"].rank),
        (and_(Incident.severity == "immediate", Incident.level == "high"), SCALE["critical"].rank),
        (Incident.severity == "immediate", SCALE["high"].rank),
        (Incident.severity == "same_day", SCALE["medium"].rank),
        else_=SCALE["low"].rank,
    )


@bp.get("/")
def home():  # noqa: ANN201
    return redirect(url_for("incidents.inbox"))


@bp.get("/incidents")
@login_required
def inbox():  # noqa: ANN201
    """Incidents in one state, most urgent and newest first, filtered, a page at a time."""
    status = request.args.get("status", "open")
    status = status if status in STATUSES else "open"
    filters = {k: request.args.get(k, "") for k in ("category", "severity", "role", "platform")}
    conditions = [Incident.status == status]
    for key in ("category", "role"):
        if filters[key]:
            conditions.append(getattr(Incident, key) == filters[key])
    rank = severity_rank(config().routing.lane.categories)
    if filters["severity"] in SCALE:
        conditions.append(rank == SCALE[filters["severity"]].rank)
    if filters["platform"]:
        conditions.append(Incident.thread_key.startswith(filters["platform"] + ":", autoescape=True))
    size = config().monitor.web.page_size
    total = db().scalar(select(func.count(Incident.id)).where(*conditions)) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    # One page of incident ids first, then their first posts: joining before the LIMIT lets
    # PostgreSQL hash the whole mentions table to keep 25 rows.
    ids = (
        db()
        .scalars(
            select(Incident.id)
            .where(*conditions)
            .order_by(rank.desc(), LEVEL_RANK, Incident.opened_at.desc(), Incident.id.desc())
            .offset((page - 1) * size)
            .limit(size)
        )
        .all()
    )
    found = {
        incident.id: (incident, first)
        for incident, first in db().execute(
            select(Incident, MentionRow)
            .join(MentionRow, MentionRow.id == Incident.first_mention_id)
            .where(Incident.id.in_(ids))
        )
    }
    rows = [found[i] for i in ids]
    counts = dict(
        db()
        .execute(
            select(Incident.status, func.count())
            .where(Incident.status.in_(STATUSES))
            .group_by(Incident.status)
        )
        .all()
    )
    return render_template(
        "inbox.html.j2",
        rows=rows,
        status=status,
        filters=filters,
        counts=counts,
        page=page,
        pages=pages,
        total=total,
        categories=CATEGORIES,
        severities=tuple(SCALE.values()),
        roles=sorted(config().contacts.roles),
        platforms=PLATFORMS,
    )


def _incident_page(incident_id: int, *, link: dict | None = None, status_code: int = 200):  # noqa: ANN202
    incident = db().get(Incident, incident_id)
    if incident is None:
        abort(404)
    posts = (
        db()
        .execute(
            select(MentionRow)
            .join(IncidentMention, IncidentMention.mention_id == MentionRow.id)
            .where(IncidentMention.incident_id == incident.id)
            .order_by(MentionRow.created_at.desc(), MentionRow.id.desc())
            .limit(POSTS_SHOWN)
        )
        .scalars()
        .all()
    )
    flags = _flags(incident.category, [p.id for p in posts])
    signal = db().scalar(select(CrisisSignalRow).where(CrisisSignalRow.thread_key == incident.thread_key))
    cfg = config()
    return render_template(
        "incident.html.j2",
        incident=incident,
        posts=[(p, _highlight(p.text, flags.get(p.id))) for p in posts],
        scores={pid: f["score"] for pid, f in flags.items() if f},
        chart=_chart(incident.id),
        signal=signal,
        timeline=actions.timeline(db(), incident),
        people=people(cfg),
        assignee=people(cfg).get(incident.assigned_to),
        steps=_steps(incident),
        link=link,
        default_until=(now() + timedelta(hours=24)).astimezone(cfg.timezone).strftime("%Y-%m-%dT%H:%M"),
    ), status_code


def _flags(category: str, mention_ids: list[int]) -> dict[int, dict | None]:
    found: dict[int, dict | None] = {}
    for row in db().scalars(
        select(AssessmentRow).where(AssessmentRow.mention_id.in_(mention_ids)).order_by(AssessmentRow.id)
    ):
        found[row.mention_id] = next((f for f in row.flags if f["category"] == category), None)
    return found


def _highlight(text: str, flag: dict | None) -> list[tuple[str, bool]]:
    """The post cut into (piece, is_evidence) runs; the template escapes every piece."""
    spans = sorted(
        (e["start"], e["end"])
        for e in (flag or {}).get("evidence", ())
        if e.get("start") is not None and e.get("end") is not None
    )
    pieces, at = [], 0
    for start, end in spans:
        if start < at or end > len(text):
            continue
        pieces += [(text[at:start], False), (text[start:end], True)]
        at = end
    pieces.append((text[at:], False))
    return [p for p in pieces if p[0]]


def _chart(incident_id: int) -> list[tuple[str, int]]:
    """Mentions per hour over the incident's first 48 hours (the crisis chart), as (label, count)."""
    times = (
        db()
        .scalars(
            select(MentionRow.created_at)
            .join(IncidentMention, IncidentMention.mention_id == MentionRow.id)
            .where(IncidentMention.incident_id == incident_id)
            .order_by(MentionRow.created_at)
            .limit(20000)
        )
        .all()
    )
    if not times:
        return []
    zone = config().timezone
    start = times[0].astimezone(zone).replace(minute=0, second=0, microsecond=0)
    hours = min(48, int((times[-1] - start).total_seconds() // 3600) + 1)
    counts = [0] * hours
    for moment in times:
        index = int((moment - start).total_seconds() // 3600)
        if index < hours:
            counts[index] += 1
    return [((start + timedelta(hours=i)).strftime("%a %H:%M"), n) for i, n in enumerate(counts)]


def _steps(incident: Incident) -> list[str]:
    """The escalation steps this incident follows (its route's timing)."""
    steps = []
    if incident.group_wait:
        steps.append(f"first email after {incident.group_wait} min of grouping")
    else:
        steps.append("first email at once")
    steps.append(f"updates at most every {incident.group_interval} min; a rise to HIGH at once")
    if incident.severity == "immediate":
        steps.append(f"repeated every {incident.repeat_interval} min until acknowledged")
    if incident.sla_due_at:
        steps.append(f"reply-time reminder if no official reply by {incident.sla_due_at:%d %b %H:%M} UTC")
    if incident.next_check_at and incident.status != "resolved":
        steps.append(f"next check {incident.next_check_at:%d %b %H:%M} UTC")
    return steps


@bp.get("/incidents/<int:incident_id>")
@login_required
def show(incident_id: int):  # noqa: ANN201
    return _incident_page(incident_id)


@bp.get("/incidents/<int:incident_id>/timeline")
@login_required
def timeline(incident_id: int):  # noqa: ANN201
    """The incident's whole record on one printable page, for a board report."""
    incident = db().get(Incident, incident_id)
    if incident is None:
        abort(404)
    first = db().get(MentionRow, incident.first_mention_id)
    return render_template(
        "timeline.html.j2",
        incident=incident,
        first=first,
        entries=actions.timeline(db(), incident),
        people=people(config()),
        printed=now(),
    )


def _source() -> str:
    return f"page {request.path.rsplit('/', 1)[0]}"


def _act(incident_id: int, do) -> object:  # noqa: ANN001
    """Run one action for the signed-in person; commit, or show why not (nothing changed)."""
    try:
        do(person())
    except (actions.ActionRefused, SilenceRefused) as refused:
        db().rollback()
        flash(str(refused), "error")
        return redirect(url_for("incidents.show", incident_id=incident_id)), 303
    db().commit()
    return redirect(url_for("incidents.show", incident_id=incident_id)), 303


@bp.post("/incidents/<int:incident_id>/acknowledge")
@login_required
def acknowledge(incident_id: int):  # noqa: ANN201
    return _act(
        incident_id,
        lambda who: actions.acknowledge(db(), incident_id, actor=who, source=_source(), now=now()),
    )


@bp.post("/incidents/<int:incident_id>/assign")
@login_required
def assign(incident_id: int):  # noqa: ANN201
    assignee = request.form.get("assignee", "")
    return _act(
        incident_id,
        lambda who: actions.assign(
            db(), config(), incident_id, assignee=assignee, actor=who, source=_source(), now=now()
        ),
    )


@bp.post("/incidents/<int:incident_id>/note")
@login_required
def note(incident_id: int):  # noqa: ANN201
    text = request.form.get("note", "")
    return _act(
        incident_id,
        lambda who: actions.add_note(db(), incident_id, text=text, actor=who, source=_source(), now=now()),
    )


@bp.post("/incidents/<int:incident_id>/resolve")
@login_required
def resolve(incident_id: int):  # noqa: ANN201
    require_role(person().may_resolve, "resolve incidents")
    outcome = request.form.get("outcome", "")
    return _act(
        incident_id,
        lambda who: actions.resolve(
            db(), incident_id, outcome=outcome, actor=who, source=_source(), now=now()
        ),
    )


@bp.post("/incidents/<int:incident_id>/silence")
@login_required
def silence(incident_id: int):  # noqa: ANN201
    require_role(person().may_silence, "silence alerts")
    incident = db().get(Incident, incident_id)
    if incident is None:
        abort(404)
    kind = request.form.get("kind", "thread")
    value = incident.thread_key if kind == "thread" else request.form.get("value", "")
    reason = request.form.get("reason", "")
    try:
        until = datetime.fromisoformat(request.form.get("until", ""))
    except ValueError:
        flash("Give the end time as a date and time.", "error")
        return redirect(url_for("incidents.show", incident_id=incident_id)), 303
    ends_at = until if until.tzinfo else until.replace(tzinfo=config().timezone)
    return _act(
        incident_id,
        lambda who: actions.silence(
            db(),
            config(),
            matchers={kind: value},
            reason=reason,
            ends_at=ends_at,
            actor=who,
            source=_source(),
            now=now(),
            incident_id=incident_id,
        ),
    )


# --- one tap from the email ---------------------------------------------------------------------
@bp.get("/l/<token>")
def link(token: str):  # noqa: ANN201
    """An alert email's link: the incident page with the action ready behind one button. Nothing
    changes on GET (a link preview or a mail scanner may fetch this)."""
    try:
        claim, who = check_link(token, ("acknowledge", "open"))
    except LinkRefused as refused:
        return render_template("link_refused.html.j2", reason=refused.reason), 410
    if claim.purpose == "open" and person() is not None and person().email == who.email:
        return redirect(url_for("incidents.show", incident_id=claim.incident_id))
    return _incident_page(claim.incident_id, link={"token": token, "purpose": claim.purpose, "who": who})


@bp.post("/l/<token>")
def link_action(token: str):  # noqa: ANN201
    """The confirmation tap: use the link once, sign its person in, do the action."""
    try:
        claim, who = check_link(token, ("acknowledge", "open"))
        use_link(claim)
    except LinkRefused as refused:
        db().rollback()
        return render_template("link_refused.html.j2", reason=refused.reason), 410
    if person() is None or person().email != who.email:
        start_session(who, "email link")
    if claim.purpose == "acknowledge":
        try:
            actions.acknowledge(
                db(), claim.incident_id, actor=who, source="email link (Acknowledge)", now=now()
            )
        except actions.ActionRefused as refused:
            flash(str(refused), "error")
    db().commit()
    return redirect(url_for("incidents.show", incident_id=claim.incident_id)), 303
