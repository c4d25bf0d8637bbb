"""`run_monitor.py backup` (#12): a checked copy taken while another process writes."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from monitor.backup import BackupError, backup
from monitor.channels import ChannelDirectory
from monitor.models import Mention
from monitor.schema import MentionRow
from monitor.store import make_engine, migrate, save_batch
from tests.alerts.test_smtp import T0


def _mentions(start: int, count: int) -> list[Mention]:
    return [
        Mention(platform="x", platform_id=str(n), author_handle="a", text=f"p{n}", created_at=T0)
        for n in range(start, start + count)
    ]


def test_a_backup_taken_while_the_monitor_writes_is_whole_and_consistent(tmp_path, config, cli) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    engine = make_engine(url)
    migrate(engine)
    sessions = sessionmaker(engine)
    with sessions.begin() as session:
        save_batch(
            session,
            connector="t",
            mentions=_mentions(0, 2000),
            cursor={"n": 2000},
            directory=ChannelDirectory(config),
        )
    writing = threading.Event()
    done = threading.Event()

    def writer() -> None:  # a running monitor, committing batches with their cursor
        n = 2000
        while not done.is_set():
            with sessions.begin() as session:
                save_batch(
                    session,
                    connector="t",
                    mentions=_mentions(n, 50),
                    cursor={"n": n + 50},
                    directory=ChannelDirectory(config),
                )
            n += 50
            writing.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        writing.wait()
        code, out, err = cli("--database", url, "backup", "--to", str(tmp_path / "copy.db"))
    finally:
        done.set()
        thread.join()
        engine.dispose()
    assert code == 0, err
    assert "integrity checked" in out
    copy = sqlite3.connect(tmp_path / "copy.db")
    stored = copy.execute("SELECT count(*) FROM mentions").fetchone()[0]
    (cursor,) = copy.execute("SELECT cursor FROM connector_cursors WHERE connector = 't'").fetchone()
    copy.close()
    assert stored >= 2050 and json.loads(cursor) == {"n": stored}  # mentions and cursor from one moment
    restored = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    migrate(restored)  # a restored copy opens and is at the current schema
    with restored.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(MentionRow)) == stored
    restored.dispose()


def test_postgresql_gets_the_pg_dump_command_with_the_password_masked(tmp_path) -> None:
    with pytest.raises(BackupError) as caught:
        backup("postgresql+psycopg://iom3:averysecretpw@db.example/monitor", tmp_path / "m.db")
    message = str(caught.value)
    assert "pg_dump --format=custom" in message and "postgresql://iom3:...etpw@db.example/monitor" in message
    assert "averysecretpw" not in message


def test_an_existing_target_is_never_overwritten(tmp_path) -> None:
    (tmp_path / "monitor.db").write_bytes(b"")
    (tmp_path / "copy.db").write_text("an older backup")
    with pytest.raises(BackupError, match="already exists"):
        backup(f"sqlite:///{tmp_path / 'monitor.db'}", tmp_path / "copy.db")
    assert (tmp_path / "copy.db").read_text() == "an older backup"
