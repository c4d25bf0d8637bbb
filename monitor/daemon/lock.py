"""One running monitor per database, so two instances never poll twice or send an email twice.

PostgreSQL: a session-level advisory lock held on a connection kept open for the whole run (it
goes away with the process, however it dies). SQLite: an exclusive `flock` on a file beside the
database (also released by the kernel when the process dies).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

ADVISORY_KEY = 0x10_3E_3A_11  # an arbitrary constant: "the IOM3 monitor"
# The second half of the key is the schema, so monitors on two schemas of one database (staging
# beside live, or the tests) do not lock each other out.
_LOCK = "SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"
_UNLOCK = "SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"


class AlreadyRunning(RuntimeError):
    """Another monitor holds the lock; the message says which database and how to find it."""


@contextmanager
def monitor_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = conn.execute(text(_LOCK), {"k": ADVISORY_KEY}).scalar()
            conn.commit()
            if not got:
                raise AlreadyRunning(
                    f"another monitor is already running against {_shown(engine)} (it holds PostgreSQL "
                    f"advisory lock {ADVISORY_KEY}); stop it first, or find it with: SELECT pid FROM "
                    f"pg_locks WHERE locktype = 'advisory' AND classid = {ADVISORY_KEY}"
                )
            try:
                yield
            finally:
                conn.execute(text(_UNLOCK), {"k": ADVISORY_KEY})
                conn.commit()
        return
    database = make_url(engine.url).database or ""
    path = Path(f"{database}.lock") if database not in ("", ":memory:") else None
    if path is None:
        yield
        return
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise AlreadyRunning(
            f"another monitor is already running against {database} (process {holder}, lock file {path}); "
            "stop it first"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
