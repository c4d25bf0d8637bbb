"""A kill -9 in the middle of the first migration must not leave SQLite unusable (issue #12, 1)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from monitor.schema import Base
from monitor.store import make_engine, migrate
from tests.cli_runner import ROOT

# The child migrates a fresh database and kills itself with SIGKILL right after its N-th
# CREATE TABLE has run: the worst moment, with some of the schema written and none recorded.
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from monitor.store import make_engine, migrate

    kill_after = int(sys.argv[2])
    created = 0

    @event.listens_for(Engine, "after_cursor_execute")
    def _maybe_die(conn, cursor, statement, *args):
        global created
        if statement.lstrip().upper().startswith("CREATE TABLE"):
            created += 1
            if created == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

    migrate(make_engine("sqlite:///" + sys.argv[1]))
    print("finished without being killed")
    """
)


@pytest.mark.parametrize("kill_after", [1, 2, 5, 9])
def test_a_kill_during_the_first_migration_leaves_a_database_that_migrates(
    tmp_path: Path, kill_after: int
) -> None:
    db = tmp_path / "monitor.db"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), str(kill_after)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stderr  # it really died mid-migration
    engine = make_engine(f"sqlite:///{db}")
    try:
        migrate(engine)  # the restart: before the fix, "table accounts already exists"
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM mentions")).scalar_one() == 0
    finally:
        engine.dispose()
