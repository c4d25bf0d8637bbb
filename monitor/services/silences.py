"""Silences, like Alertmanager's: create (with limits), list, lift. Shared by the CLI and the web app.

A silence mutes the flags matching every one of its matchers until it ends or is lifted. It never
mutes the safeguarding lane (config/routing.toml [lane]): a silence that names a lane category is
refused, and any other silence is skipped for lane flags when alerts are routed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from monitor.config import CATEGORIES, Config
from monitor.models import PLATFORMS
from monitor.schema import Silence

MATCHERS = ("thread", "author", "term", "category", "platform")


class SilenceRefused(ValueError):
    """The silence was not created; the message says why and what to do instead."""


def create_silence(
    session: Session,
    config: Config,
    *,
    matchers: dict[str, str],
    reason: str,
    created_by: str,
    ends_at: datetime,
    now: datetime,
) -> Silence:
    """Store a silence muting the flags that match every one of `matchers` until `ends_at`.

    Raises SilenceRefused when a matcher is unknown or empty, when it would match the safeguarding
    lane, when it ends before it starts, or when it is longer than [silences] max_hours.
    """
    if not matchers:
        raise SilenceRefused(f"a silence needs at least one matcher: {', '.join(MATCHERS)}")
    cleaned: dict[str, str] = {}
    for name, value in matchers.items():
        if name not in MATCHERS:
            raise SilenceRefused(f"unknown matcher {name!r}; use {', '.join(MATCHERS)}")
        value = str(value).strip()
        if name == "author":
            value = value.lstrip("@")
        if not value:
            raise SilenceRefused(f"the {name} matcher is empty; give the {name} to silence")
        cleaned[name] = value
    lane = config.routing.lane.categories
    if (category := cleaned.get("category")) is not None:
        if category in lane:
            raise SilenceRefused(
                f"{category} is in the safeguarding lane and can never be silenced: a person at risk "
                "or a public interest disclosure must always reach the Director of Business Support"
            )
        if category not in CATEGORIES:
            raise SilenceRefused(f"unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
    if (platform := cleaned.get("platform")) is not None and platform not in PLATFORMS:
        raise SilenceRefused(f"unknown platform {platform!r}; use one of {', '.join(PLATFORMS)}")
    if ends_at <= now:
        raise SilenceRefused(
            f"the silence would end ({ends_at:%Y-%m-%d %H:%M %Z}) before it starts; give a later time"
        )
    limit = config.routing.silences.max_hours
    hours = (ends_at - now).total_seconds() / 3600
    if hours > limit:
        raise SilenceRefused(
            f"a silence of {hours:,.0f} hours is longer than the {limit:g} allowed "
            "(config/routing.toml [silences] max_hours); silence for less and renew it if still needed"
        )
    if not reason.strip():
        raise SilenceRefused("give a reason: whoever reads the list of silences later needs to know")
    first = next(iter(cleaned))
    silence = Silence(
        kind=first,
        value=cleaned[first][:300],
        matchers=cleaned,
        until=ends_at,
        reason=reason.strip(),
        created_by=created_by,
        created_at=now,
    )
    session.add(silence)
    session.flush()
    return silence


def list_silences(session: Session, *, now: datetime, include_expired: bool = False) -> list[Silence]:
    """Silences in force at `now`, soonest to end first; with `include_expired`, ended and lifted ones too."""
    query = select(Silence).order_by(Silence.until, Silence.id)
    if not include_expired:
        query = query.where(Silence.until > now, or_(Silence.lifted_at.is_(None), Silence.lifted_at > now))
    return list(session.scalars(query))


def lift_silence(session: Session, silence_id: int, *, lifted_by: str, now: datetime) -> Silence:
    """End a silence now. LookupError if there is no such silence; SilenceRefused if it has ended."""
    silence = session.get(Silence, silence_id)
    if silence is None:
        raise LookupError(f"no silence #{silence_id}; `run_monitor.py incidents silences` lists them")
    if silence.ends_at <= now:
        raise SilenceRefused(f"silence #{silence_id} already ended ({silence.ends_at:%Y-%m-%d %H:%M %Z})")
    silence.lifted_at, silence.lifted_by = now, lifted_by
    return silence


def matches(silence: Silence, *, category: str, platform: str, thread: str, author: str, text: str) -> bool:
    """Whether the silence mutes a flag of `category` on this post (every matcher must fit)."""
    for name, value in (silence.matchers or {silence.kind: silence.value}).items():
        if name == "thread" and value != thread:
            return False
        if name == "author" and value.lower().lstrip("@") != author.lower().lstrip("@"):
            return False
        if name == "term" and value.lower() not in text.lower():
            return False
        if name == "category" and value != category:
            return False
        if name == "platform" and value != platform:
            return False
    return True
