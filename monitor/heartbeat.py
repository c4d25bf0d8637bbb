"""Pings to an outside monitor (healthchecks.io style), so someone hears when this one stops.

The service pings `<url>/start` when it starts, `<url>` after each good processing cycle and
`<url>/fail` after a failed one. The outside monitor expects a ping every few minutes and tells
someone when none comes: the one failure this process cannot report itself is its own death.
"""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import HeartbeatSection
from monitor.schema import Heartbeat

log = logging.getLogger(__name__)

SUFFIX = {"start": "/start", "success": "", "fail": "/fail"}


def heartbeat_url(settings: HeartbeatSection) -> str | None:
    """The ping URL from the environment, or None (then no pings are sent)."""
    return os.environ.get(settings.url_env) or None


def ping(
    sessions: sessionmaker[Session],
    settings: HeartbeatSection,
    kind: str,
    now: datetime,
    *,
    detail: str = "",
) -> bool | None:
    """Ping and record the result for `status`; None when no URL is set. Never raises.

    `detail` (what failed) goes in the request body, which healthchecks.io shows in its log;
    it never holds post text. The URL is never logged: it is the credential.
    """
    url = heartbeat_url(settings)
    if url is None:
        return None
    request = urllib.request.Request(
        url.rstrip("/") + SUFFIX[kind],
        data=detail.encode("utf-8")[:10_000],
        method="POST",
        headers={"User-Agent": "iom3-monitor"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout_seconds) as response:  # noqa: S310
            ok, outcome = 200 <= response.status < 300, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        ok, outcome = False, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:  # unreachable, timed out, or not a URL at all
        ok, outcome = False, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    level = logging.INFO if ok else logging.WARNING
    log.log(level, "event=heartbeat kind=%s ok=%s outcome=%s", kind, ok, outcome.replace(url, "<url>"))
    try:
        with sessions.begin() as session:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            values = {"kind": kind, "at": now, "ok": ok, "detail": (detail or outcome)[:2000]}
            stmt = insert(Heartbeat).values(**values)
            session.execute(stmt.on_conflict_do_update(index_elements=["kind"], set_=values))
    except Exception:  # noqa: BLE001 - a heartbeat must never take the service down
        log.exception("event=heartbeat_not_recorded kind=%s", kind)
    return ok
