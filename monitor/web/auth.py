"""Sign-in by emailed link, sessions, sign-out; `login_required` and the person on `g`.

The sign-in form answers the same words for any address, known or not, so it never tells who
is on the contacts list. A link works once, for [web] sign_in_minutes; opening it shows a button
(a mail scanner that follows links must not use it up), and the POST behind the button signs in.
A session is a random key in the signed cookie; its hash is a `web_sessions` row, so signing out
ends it on the server too.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from monitor.links import LinkClaim, LinkRefused, make_token, read_token, safe_next
from monitor.schema import OutboxMessage, UsedLink, WebSession
from monitor.services.people import Person, person
from monitor.web.views import config, db, ext, now

bp = Blueprint("auth", __name__)
LINKS_PER_ADDRESS = 3  # sign-in emails to one address per sign_in_minutes, whatever the IP
SIGN_IN_SUBJECT = "sign-in link"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def load_signed_in_person() -> None:
    """Put the signed-in person (or None) on `g`: a live session row for a person still listed."""
    g.person = None
    key = session.get("k")
    if not key:
        return
    row = db().scalar(select(WebSession).where(WebSession.key_hash == _hash(key)))
    if row is None or row.ended_at is not None or row.expires_at <= now():
        session.pop("k", None)
        return
    g.person = person(config(), row.email)  # removed from contacts.toml: signed out


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("person") is None:
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def start_session(who: Person, via: str) -> None:
    """Sign `who` in on this browser (a fresh key: no session fixation)."""
    key = secrets.token_urlsafe(32)
    moment = now()
    db().add(
        WebSession(
            key_hash=_hash(key),
            email=who.email,
            created_at=moment,
            expires_at=moment + timedelta(hours=config().monitor.web.session_hours),
            via=via,
        )
    )
    session.clear()
    session["k"] = key
    session.permanent = True
    g.person = who


def use_link(claim: LinkClaim) -> None:
    """Mark the link used, in the caller's transaction; LinkRefused if it was used before."""
    database = db()
    if database.get(UsedLink, claim.nonce) is not None:
        raise LinkRefused("This link has already been used.")
    database.add(UsedLink(nonce=claim.nonce, purpose=claim.purpose, email=claim.email, used_at=now()))
    try:
        database.flush()
    except IntegrityError:  # two taps at once: one wins
        database.rollback()
        raise LinkRefused("This link has already been used.") from None


def check_link(token: str, purposes: tuple[str, ...]) -> tuple[LinkClaim, Person]:
    """The claim and its person, or LinkRefused (tampered, expired, used, not for this page,
    or for someone no longer on the contacts list)."""
    claim = read_token(ext()["secret"], token, now=now())
    who = person(config(), claim.email)
    if claim.purpose not in purposes or who is None:
        raise LinkRefused("This link is not valid here.")
    if db().get(UsedLink, claim.nonce) is not None:
        raise LinkRefused("This link has already been used.")
    return claim, who


@bp.get("/sign-in")
def sign_in():  # noqa: ANN201
    return render_template("sign_in.html.j2", next=safe_next(request.args.get("next")), sent=False)


@bp.post("/sign-in")
def send_link():  # noqa: ANN201
    """Email a sign-in link to a listed address. The answer is the same for any address."""
    address = request.form.get("email", "").strip()[:300]
    target = safe_next(request.form.get("next"))
    who = person(config(), address)
    if who is not None and _recent_links(who.email) < LINKS_PER_ADDRESS:
        _queue_sign_in_email(who, target)
        ext()["send_outbox"]()
    return render_template("sign_in.html.j2", next=target, sent=True)


def _recent_links(email: str) -> int:
    since = now() - timedelta(minutes=config().monitor.web.sign_in_minutes)
    return (
        db().scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.incident_id.is_(None),
                OutboxMessage.recipient.ilike(f"%<{email}>"),
                OutboxMessage.title.ilike(f"%{SIGN_IN_SUBJECT}%"),
                OutboxMessage.created_at >= since,
            )
        )
        or 0
    )


def _queue_sign_in_email(who: Person, target: str) -> None:
    from alerts.compose import header_safe, make_message
    from alerts.outbox import enqueue

    cfg, moment = config(), now()
    minutes = cfg.monitor.web.sign_in_minutes
    token = make_token(
        ext()["secret"],
        purpose="sign-in",
        email=who.email,
        expires=moment + timedelta(minutes=minutes),
        next=target,
    )
    link = url_for("auth.confirm_sign_in", token=token, _external=True)
    base = cfg.monitor.web.base_url.rstrip("/")
    if base:  # the address people reach it by, not whatever Host this request came with
        link = base + url_for("auth.confirm_sign_in", token=token)
    message = make_message(
        cfg,
        "signin",
        f"{header_safe(who.name, 80)} <{who.email}>",
        {"person": who, "link": link, "minutes": minutes},
        now=moment,
        idstring="sign-in",
    )
    database = db()
    enqueue(database, message, incident_id=None, now=moment)
    database.commit()


@bp.get("/sign-in/<token>")
def confirm_sign_in(token: str):  # noqa: ANN201
    """Show who the link signs in, with a button; a link preview that GETs this uses nothing."""
    try:
        claim, who = check_link(token, ("sign-in",))
    except LinkRefused as refused:
        return render_template("link_refused.html.j2", reason=refused.reason), 410
    return render_template("sign_in_confirm.html.j2", who=who, token=token, claim=claim)


@bp.post("/sign-in/<token>")
def finish_sign_in(token: str):  # noqa: ANN201
    try:
        claim, who = check_link(token, ("sign-in",))
        use_link(claim)
    except LinkRefused as refused:
        return render_template("link_refused.html.j2", reason=refused.reason), 410
    start_session(who, "sign-in link")
    db().commit()
    return redirect(safe_next(claim.next))


@bp.post("/sign-out")
def sign_out():  # noqa: ANN201
    key = session.get("k")
    if key:
        row = db().scalar(select(WebSession).where(WebSession.key_hash == _hash(key)))
        if row is not None and row.ended_at is None:
            row.ended_at = now()
            db().commit()
    session.clear()
    return render_template("signed_out.html.j2")


def require_role(allowed: bool, what: str) -> None:
    if not allowed:
        abort(403, description=f"Your role may not {what}. Ask the Communications Executive.")
