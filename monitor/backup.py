"""`run_monitor.py backup`: a consistent copy of the database while the monitor runs.

SQLite: the online backup API (sqlite3.Connection.backup) copies page by page under SQLite's
own locking, so a running monitor (WAL) keeps writing and the copy is one consistent moment,
which a plain file copy of a WAL database is not. The copy is checked (integrity_check) before
it is reported. PostgreSQL: pg_dump does this job; the command to run is printed, password
masked.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from monitor.secrets import mask_url_passwords


class BackupError(Exception):
    """The backup could not be made; the message says what to do instead."""


def default_target(folder: Path, now: datetime) -> Path:
    return folder / f"monitor-{now:%Y%m%d-%H%M%S}.db"


def backup(url: str, target: Path) -> Path:
    """Copy the SQLite database at `url` to `target` (a new file); the path written."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        raise BackupError(
            "for PostgreSQL use pg_dump (it copies a running database consistently):\n"
            f"  pg_dump --format=custom --file={target.with_suffix('.dump')} "
            f"'{mask_url_passwords(libpq)}'\n"
            "(put the password in ~/.pgpass or PGPASSWORD, not on the command line); restore with "
            "pg_restore --clean --dbname=<url> <file>"
        )
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        raise BackupError(f"cannot back up {mask_url_passwords(url)}: not a SQLite file or PostgreSQL")
    source = Path(parsed.database)
    if not source.is_file():
        raise BackupError(f"no database at {source}: nothing to back up (check [database] url)")
    if target.exists():
        raise BackupError(f"{target} already exists; choose another --to")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=1024)  # in steps, so the running monitor is never held long
            (verdict,) = dst.execute("PRAGMA integrity_check").fetchone()
        finally:
            dst.close()
    finally:
        src.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check ({verdict}); nothing was kept")
    partial.rename(target)  # only a checked, complete copy ever carries the final name
    return target
