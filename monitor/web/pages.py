"""The other pages: mentions search, silences (list, lift), status and outbox, the digest and
audit archive, the ASV account registry (read-only)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_from_directory, url_for
from sqlalchemy import func, select

from monitor.config import CATEGORIES
from monitor.models import PLATFORMS
from monitor.schema import Account, ConnectorRun, JobState, OutboxMessage
from monitor.services import incident_actions as actions
from monitor.services.mentions import MentionSearch, search_mentions
from monitor.services.silences import SilenceRefused, list_silences
from monitor.web.auth import login_required, require_role
from monitor.web.views import config, db, now, person

bp = Blueprint("pages", __name__)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ARCHIVE_FILE = re.compile(r"^[\w.-]+\.(html|csv|png|txt)$")
# Archived reports were written for email (inline styles): shown sandboxed, never scripted.
ARCHIVE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


@bp.get("/mentions")
@login_required
def mentions():  # noqa: ANN201
    args = request.args
    search = MentionSearch(
        platform=args.get("platform") if args.get("platform") in PLATFORMS else None,
        author=args.get("author", "").strip()[:200] or None,
        text=args.get("q", "").strip()[:200] or None,
        thread=args.get("thread", "").strip()[:300] or None,
        flagged=args.get("flagged") == "1",
        limit=100,
    )
    asked = any((search.platform, search.author, search.text, search.thread, search.flagged))
    found = search_mentions(db(), search) if asked else []
    # A flag under its category's alert point was not emailed: it is marked "for review".
    alert_at = {c: config().lexicons.category(c).alert_at() for c in CATEGORIES}
    return render_template(
        "mentions.html.j2",
        found=found,
        args=args,
        platforms=PLATFORMS,
        searched=bool(args),
        alert_at=alert_at,
    )


@bp.get("/silences")
@login_required
def silences():  # noqa: ANN201
    moment = now()
    return render_template(
        "silences.html.j2",
        live=list_silences(db(), now=moment),
        ended=[s for s in list_silences(db(), now=moment, include_expired=True) if s.ends_at <= moment][-20:],
    )


@bp.post("/silences/<int:silence_id>/lift")
@login_required
def lift(silence_id: int):  # noqa: ANN201
    require_role(person().may_silence, "lift silences")
    try:
        actions.lift(db(), silence_id, actor=person(), source="page /silences", now=now())
    except (actions.ActionRefused, SilenceRefused, LookupError) as refused:
        db().rollback()
        flash(str(refused.args[0]) if isinstance(refused, LookupError) else str(refused), "error")
    else:
        db().commit()
    return redirect(url_for("pages.silences")), 303


@bp.get("/status")
@login_required
def status():  # noqa: ANN201
    latest = select(ConnectorRun.connector, func.max(ConnectorRun.id).label("id")).group_by(
        ConnectorRun.connector
    )
    runs = (
        db()
        .scalars(
            select(ConnectorRun)
            .where(ConnectorRun.id.in_(select(latest.subquery().c.id)))
            .order_by(ConnectorRun.connector)
        )
        .all()
    )
    states = {s.job: s for s in db().scalars(select(JobState))}
    counts = dict(
        db().execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    )
    waiting = (
        db()
        .scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status.in_(("pending", "sending", "failed")))
            .order_by(OutboxMessage.id)
            .limit(20)
        )
        .all()
    )
    return render_template("status.html.j2", runs=runs, states=states, counts=counts, waiting=waiting)


def _folders() -> dict[str, Path]:
    cfg = config()
    return {"digest": cfg.path(cfg.monitor.digest.folder), "audit": cfg.path(cfg.monitor.audit.folder)}


@bp.get("/archive")
@login_required
def archive():  # noqa: ANN201
    days = {}
    for kind, folder in _folders().items():
        found = (
            sorted((p for p in folder.iterdir() if p.is_dir() and DAY.match(p.name)), reverse=True)
            if folder.is_dir()
            else []
        )
        days[kind] = [
            (p.name, sorted(f.name for f in p.iterdir() if f.suffix in (".html", ".csv"))) for p in found[:60]
        ]
    return render_template("archive.html.j2", days=days)


@bp.get("/archive/<kind>/<day>/<name>")
@login_required
def archived(kind: str, day: str, name: str):  # noqa: ANN201
    folder = _folders().get(kind)
    if folder is None or not DAY.match(day) or not ARCHIVE_FILE.match(name):
        abort(404)
    response = send_from_directory(folder / day, name, as_attachment=name.endswith(".csv"))
    response.headers["Content-Security-Policy"] = ARCHIVE_CSP
    return response


@bp.get("/accounts")
@login_required
def accounts():  # noqa: ANN201
    rows = db().scalars(select(Account).order_by(Account.platform, Account.handle)).all()
    return render_template("accounts.html.j2", accounts=rows)
