"""The store on both backends: dedup by natural key, mentions and cursor in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

import monitor.store as store
from connectors.base import Batch, Connector, Cursor, RetriableError
from connectors.replay import SAMPLE_PATH, ReplayConnector, Settings
from monitor.channels import ChannelDirectory
from monitor.models import MediaRef, Mention
from monitor.pipeline import ingest
from monitor.schema import Base, ConnectorCursor, ConnectorRun, MentionRow

SAMPLE_LINES = sum(1 for line in SAMPLE_PATH.open() if line.strip())


def _count(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(MentionRow))


def _cursor(sessions, name: str = "replay") -> Cursor | None:
    with sessions() as session:
        return store.load_cursor(session, name)


def _replay(config, path: Path = SAMPLE_PATH, batch_size: int = 50) -> ReplayConnector:
    return ReplayConnector(Settings(path=str(path), batch_size=batch_size), config.watch_list())


def test_migrations_match_the_orm(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], "schema.py changed without a migration: run alembic revision --autogenerate"


def test_sample_replayed_twice_stores_each_mention_once(sessions, config):
    directory = ChannelDirectory(config)
    first = ingest(sessions, _replay(config), directory)
    assert (first.status, first.fetched, first.stored) == ("ok", SAMPLE_LINES, SAMPLE_LINES)
    assert _count(sessions) == SAMPLE_LINES

    # Forget the cursor, as if the connector started over: every mention comes again.
    with sessions.begin() as session:
        session.execute(ConnectorCursor.__table__.delete())
    second = ingest(sessions, _replay(config, batch_size=77), directory)
    assert (second.fetched, second.stored, second.duplicates) == (SAMPLE_LINES, 0, SAMPLE_LINES)
    assert _count(sessions) == SAMPLE_LINES
    assert _cursor(sessions) == {"line": SAMPLE_LINES}


def test_a_resumed_run_reads_only_what_was_appended(sessions, config, tmp_path):
    path = tmp_path / "mentions.jsonl"
    lines = SAMPLE_PATH.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:100]))
    directory = ChannelDirectory(config)
    assert ingest(sessions, _replay(config, path), directory).stored == 100
    path.write_text("".join(lines[:130]))
    again = ingest(sessions, _replay(config, path), directory)
    assert (again.fetched, again.stored) == (30, 30)
    assert _cursor(sessions) == {"line": 130}


def test_crash_between_fetch_and_commit_leaves_cursor_and_mentions_consistent(sessions, config, monkeypatch):
    directory = ChannelDirectory(config)
    real_save_cursor = store.save_cursor
    calls = {"n": 0}

    def save_cursor_then_crash(session, connector, cursor):
        calls["n"] += 1
        real_save_cursor(session, connector, cursor)
        if calls["n"] == 3:  # the third batch's mentions are inserted, then the process "dies"
            raise RuntimeError("simulated crash before commit")

    monkeypatch.setattr(store, "save_cursor", save_cursor_then_crash)
    result = ingest(sessions, _replay(config, batch_size=40), directory)
    assert result.status == "failed" and "simulated crash" in result.error
    # Two batches committed, the third rolled back whole: mentions and cursor agree.
    assert _count(sessions) == 80
    assert _cursor(sessions) == {"line": 80}

    monkeypatch.setattr(store, "save_cursor", real_save_cursor)
    resumed = ingest(sessions, _replay(config, batch_size=40), directory)
    assert (resumed.status, resumed.stored, resumed.duplicates) == ("ok", SAMPLE_LINES - 80, 0)
    assert _count(sessions) == SAMPLE_LINES
    with sessions() as session:
        runs = session.execute(select(ConnectorRun.status).order_by(ConnectorRun.id)).scalars().all()
    assert runs == ["failed", "ok"]


class FlakyConnector(Connector):
    """Yields one good batch, then fails the way a rate-limited platform does."""

    name = "flaky"

    def __init__(self, config, mentions: list[Mention]) -> None:
        super().__init__(Connector.Settings(), config.watch_list())
        self.mentions = mentions

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        yield Batch(self.mentions[:2], {"since_id": self.mentions[1].platform_id})
        raise RetriableError("X rate limit reached", fix="the next run resumes after the reset")


def _mention(n: int, **overrides) -> Mention:
    values = dict(
        platform="x",
        platform_id=str(1000 + n),
        author_handle=f"user{n}",
        text=f"IOM3 post {n} ✨",
        created_at=datetime(2026, 11, 20, 9, n, tzinfo=UTC),
        thread_id="999",
        author_reach=10 * n,
        raw={"id": str(1000 + n)},
    )
    values.update(overrides)
    return Mention(**values)


def test_a_failing_connector_keeps_what_it_committed(sessions, config):
    result = ingest(
        sessions, FlakyConnector(config, [_mention(i) for i in range(3)]), ChannelDirectory(config)
    )
    assert result.status == "failed"
    assert "rate limit" in result.error and "resumes after the reset" in result.error
    assert _count(sessions) == 2
    assert _cursor(sessions, "flaky") == {"since_id": "1001"}


def test_stored_fields_round_trip_with_timezones(sessions, config):
    bst = timezone(timedelta(hours=1))
    mention = _mention(
        5,
        created_at=datetime(2026, 7, 1, 9, 30, tzinfo=bst),
        author_handle="IOM3_YMC",
        raw={"nested": {"emoji": "🎉", "list": [1, 2]}},
    )
    with sessions.begin() as session:
        saved = store.save_batch(
            session,
            connector="t",
            mentions=[mention, mention],
            cursor={"n": 1},
            directory=ChannelDirectory(config),
        )
    assert len(saved.stored_ids) == 1 and saved.duplicates == 1
    with sessions() as session:
        row = session.scalars(select(MentionRow)).one()
    assert row.created_at == datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert row.created_at.tzinfo is not None
    assert row.channel_kind == "asv_committee"
    assert row.raw == {"nested": {"emoji": "🎉", "list": [1, 2]}}
    assert row.text == "IOM3 post 5 ✨"


def test_official_handles_are_marked_official_whatever_the_connector_says(sessions, config):
    with sessions.begin() as session:
        store.save_batch(
            session,
            connector="t",
            mentions=[_mention(1, author_handle="IOM3")],
            cursor={},
            directory=ChannelDirectory(config),
        )
    with sessions() as session:
        row = session.scalars(select(MentionRow)).one()
    assert (row.is_official, row.channel_kind) == (True, "official")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="has no timezone"):
        _mention(1, created_at=datetime(2026, 11, 20, 9, 0))  # noqa: DTZ001 - the point of the test


def test_sample_is_large_and_varied():
    rows = [json.loads(line) for line in SAMPLE_PATH.read_text().splitlines()]
    assert len(rows) >= 300
    assert {r["platform"] for r in rows} == {"x", "facebook", "instagram", "linkedin"}
    assert len({r["created_at"][:10] for r in rows}) >= 5
    notes = " ".join(r["note"] for r in rows)
    for clause in (
        "complaint handling",
        "crisis",
        "libel",
        "press",
        "harassment",
        "protection",
        "public interest disclosure",
        "confidentiality",
        "political",
        "brand name",
        "disclaimer",
        "setting up accounts",
        "copyright",
        "hard negative",
    ):
        assert clause in notes, clause


def test_the_operator_is_told_of_a_problem_once_not_every_poll(sessions, config, caplog):
    directory = ChannelDirectory(config)
    caplog.set_level("INFO", logger="monitor.pipeline")

    def warnings() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]

    for _ in range(3):
        ingest(sessions, FlakyConnector(config, [_mention(i) for i in range(3)]), directory)
    assert len(warnings()) == 1 and "rate limit" in warnings()[0]
    assert sum("rate limit" in r.getMessage() for r in caplog.records if r.levelname == "INFO") == 2


def test_a_payload_orjson_refuses_is_still_stored_whole(sessions, config):
    """JSON columns are written by orjson, which refuses integers beyond 64 bits; json takes those."""
    huge = 2**70  # a platform may send any integer; JSON itself has no limit
    mention = _mention(6, raw={"id": "1006", "counter": huge, "nested": [{"n": -(2**65)}]})
    with sessions.begin() as session:
        saved = store.save_batch(
            session, connector="t", mentions=[mention], cursor=None, directory=ChannelDirectory(config)
        )
    assert len(saved.stored_ids) == 1
    with sessions() as session:
        row = session.scalars(select(MentionRow)).one()
    assert row.raw == {"id": "1006", "counter": huge, "nested": [{"n": -(2**65)}]}


def test_json_text_reads_back_either_way():
    """orjson's compact text for what it takes; json's for a number it refuses."""
    assert store.json_text({"complaint": 0.5, "flags": []}) == '{"complaint":0.5,"flags":[]}'
    assert json.loads(store.json_text({"complaint": 0.5, "flags": []})) == {"complaint": 0.5, "flags": []}
    assert json.loads(store.json_text({"big": 2**70})) == {"big": 2**70}


def test_a_later_version_with_the_same_words_or_of_a_minimised_post_changes_no_words(sessions, config):
    """Only new words replace a stored post: a re-read changes nothing, retention is not undone."""
    from datetime import UTC, datetime

    from monitor.schema import AssessmentRow

    def save(*mentions: Mention):  # noqa: ANN202
        with sessions.begin() as session:
            return store.save_batch(
                session,
                connector="t",
                mentions=list(mentions),
                cursor=None,
                directory=ChannelDirectory(config),
            )

    (same_id, gone_id) = save(_mention(7, version="0007"), _mention(8, version="0008")).stored_ids
    with sessions.begin() as session:
        session.add(AssessmentRow(mention_id=same_id, scorer_version="s", sentiment=0.0, scores={}, flags=[]))
        session.get(MentionRow, gone_id).minimised_at = datetime(2026, 12, 1, tzinfo=UTC)
    saved = save(_mention(7, version="0009"), _mention(8, version="0010", text="new words"))
    assert (saved.edited_ids, saved.duplicates) == ([], 2)
    with sessions() as session:
        same, gone = session.get(MentionRow, same_id), session.get(MentionRow, gone_id)
        assessments = session.scalars(select(AssessmentRow.mention_id)).all()
    assert (same.version, same.text, assessments) == ("0009", "IOM3 post 7 ✨", [same_id])
    assert (gone.version, gone.text) == ("0008", "IOM3 post 8 ✨")  # minimised: left as it was


def test_a_version_must_be_short_text():
    with pytest.raises(ValueError, match="version of x:1012 must be 1 to 40 characters"):
        _mention(12, version="9" * 41)


def test_migration_0015_goes_down_and_up_keeping_every_row(database_url, config):
    """mentions.version; on SQLite going down rebuilds the table, which must not cascade."""
    import sqlalchemy as sa
    from alembic import command

    from monitor.schema import AssessmentRow, MediaRow

    engine = store.make_engine(database_url)
    store.migrate(engine)
    sessions = sessionmaker(engine)
    with sessions.begin() as session:
        (mention_id,) = store.save_batch(
            session,
            connector="t",
            mentions=[_mention(9, version="0009", media=(MediaRef("https://example.org/a.png", "image"),))],
            cursor=None,
            directory=ChannelDirectory(config),
        ).stored_ids
        session.add(
            AssessmentRow(mention_id=mention_id, scorer_version="s", sentiment=0.0, scores={}, flags=[])
        )
    command.downgrade(store.alembic_config(engine), "0014")
    assert "version" not in {c["name"] for c in sa.inspect(engine).get_columns("mentions")}
    store.migrate(engine)
    with sessions() as session:
        assert session.get(MentionRow, mention_id).version is None  # gone with the column
        assert session.scalars(select(AssessmentRow.mention_id)).all() == [mention_id]
        assert session.scalars(select(MediaRow.mention_id)).all() == [mention_id]
    engine.dispose()
