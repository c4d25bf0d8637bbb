"""Silences as the web app and the CLI ask for them: create (with the reason it was refused),
list, lift.

A stand-in with the agreed API, written over alerts.incidents.add_silence and the `silences`
table; the silence rules themselves (#13) replace this module at merge.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.incidents import add_silence
from monitor.config import Config
from monitor.schema import Silence

KINDS = ("thread", "author", "term")


class SilenceRefused(ValueError):
    """The silence cannot be made as asked; the message says why and what to change."""


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
    """A silence of one thread, author or term until `ends_at`; raises SilenceRefused."""
    given = {k: v.strip() for k, v in matchers.items() if v and v.strip()}
    unknown = sorted(set(given) - set(KINDS))
    if unknown:
        raise SilenceRefused(f"cannot silence by {', '.join(unknown)}; use one of {', '.join(KINDS)}")
    if len(given) != 1:
        raise SilenceRefused("give exactly one of a thread, an author or a term to silence")
    if not reason.strip():
        raise SilenceRefused("give a reason: whoever reads the list of silences later needs it")
    ((kind, value),) = given.items()
    try:
        return add_silence(
            session, kind=kind, value=value, until=ends_at, by=created_by, reason=reason.strip(), now=now
        )
    except ValueError as exc:
        raise SilenceRefused(str(exc)) from None


def list_silences(session: Session, *, now: datetime, include_expired: bool = False) -> list[Silence]:
    """Silences in force (every one with `include_expired`), the soonest to end first."""
    query = select(Silence).order_by(Silence.until, Silence.id)
    if not include_expired:
        query = query.where(Silence.until > now)
    return list(session.scalars(query))


def lift_silence(session: Session, silence_id: int, *, lifted_by: str, now: datetime) -> Silence:
    """End a silence now; raises SilenceRefused if there is none in force with that id."""
    silence = session.get(Silence, silence_id)
    if silence is None:
        raise SilenceRefused(f"no silence #{silence_id}")
    if silence.until <= now:
        raise SilenceRefused(f"silence #{silence_id} has already ended")
    silence.until = now
    silence.reason = f"{silence.reason} (lifted by {lifted_by})".strip()
    return silence
