"""What a starting monitor tidies before it runs: runs a kill left "running" (issue #12, point 6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from monitor.schema import ConnectorRun

INTERRUPTED = (
    "the monitor stopped before this run finished (killed, crashed or the machine went down); "
    "what it had committed is kept and the next run resumed from there"
)


def close_stale_runs(sessions: sessionmaker[Session], now: datetime) -> int:
    """Mark every connector run still 'running' as 'interrupted'; how many there were.

    Only safe while no other monitor uses the database: call it holding the monitor lock.
    """
    with sessions.begin() as session:
        result = session.execute(
            update(ConnectorRun)
            .where(ConnectorRun.finished_at.is_(None))
            .values(status="interrupted", finished_at=now, error=INTERRUPTED)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
