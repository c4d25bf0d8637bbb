"""Shared fixtures: the project's config, and a store on each backend (SQLite and PostgreSQL).

PostgreSQL tests use the server named by MONITOR_TEST_POSTGRES_URL (default: the local test
server). Each test gets a schema of its own, dropped afterwards, so runs never see each other.
Without a server they skip and say why; with MONITOR_REQUIRE_POSTGRES=1 (CI) they fail instead.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import DEFAULT_CONFIG_DIR, Config, load_config
from monitor.store import make_engine, migrate, sync_accounts

POSTGRES_URL = os.environ.get(
    "MONITOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("MONITOR_REQUIRE_POSTGRES") == "1"


@pytest.fixture(autouse=True)
def _restore_log_handlers() -> Iterator[None]:
    """main() installs a handler on the stream pytest captures; later threads must not write to it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(DEFAULT_CONFIG_DIR)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A writable copy of the project's config/ folder, for tests that break it."""
    target = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    return target


def _postgres_schema_url() -> Iterator[str]:
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server"
        admin.dispose()
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {str(exc).splitlines()[0]}"
        if REQUIRE_POSTGRES:
            pytest.fail(reason + " (MONITOR_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path):
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'monitor.db'}")
        migrate(eng)
        yield eng
        eng.dispose()
        return
    schema_gen = _postgres_schema_url()
    schema = next(schema_gen)
    eng = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    migrate(eng)
    yield eng
    eng.dispose()
    next(schema_gen, None)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend, as a URL another process can open."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
        return
    schema_gen = _postgres_schema_url()
    schema = next(schema_gen)
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    next(schema_gen, None)


@pytest.fixture
def sessions(engine, config: Config) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory.begin() as session:
        sync_accounts(session, config)
    return factory


class FakeClock:
    """Time that moves only when a test says so."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "220")  # rich wraps tables at 80 columns otherwise


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo's database, built once per test module."""
    from monitor.cli import main

    target = tmp_path_factory.mktemp("demo") / "demo"
    assert main(["demo", "--dir", str(target)]) == 0
    return f"sqlite:///{target / 'monitor.db'}"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`run_monitor.py ARGS` in-process: exit code, and stdout and stderr with whitespace folded."""
    from monitor.cli import main

    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, " ".join(out.split()), " ".join(err.split())


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # noqa: ANN201
    return lambda *args: run_cli(capsys, *args)
