"""The database edge: engine, schema migration, and the writes that must be atomic."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, delete, event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from monitor.channels import ChannelDirectory
from monitor.config import Config
from monitor.models import MediaRef, Mention
from monitor.schema import (
    Account,
    AssessmentRow,
    ConnectorCursor,
    ConnectorRun,
    MediaRow,
    MentionRow,
    utcnow,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the per-connection settings the monitor relies on."""
    engine = create_engine(url, json_serializer=json_text, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def json_text(value: Any) -> str:
    """A JSON column's text: orjson's, or json's for what orjson refuses.

    Every scored mention writes a dict of all its category scores; json.dumps spent 4 µs on
    each, a sixth of the scoring step's own work besides the scorer (bench/ingest.py). orjson
    refuses integers beyond 64 bits and non-string keys, which a platform's raw payload may hold.
    """
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets `mentions` and the CLI read while a run writes; foreign keys are off by default
    # in SQLite and the schema's cascades depend on them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Create the schema on first run, or bring it up to date (Alembic `upgrade head`).

    All of it or none of it: a kill half-way leaves the database as it was (issue #12, point 1).
    PostgreSQL has transactional DDL already; SQLite gets it from `_atomic_sqlite_engine`.
    """
    atomic = _atomic_sqlite_engine(engine)
    try:
        command.upgrade(alembic_config(atomic or engine), "head")
    finally:
        if atomic is not None:
            atomic.dispose()


def _atomic_sqlite_engine(engine: Engine) -> Engine | None:
    """A private engine on the same SQLite file whose transactions really are transactions.

    Python's sqlite3 driver opens a transaction only before INSERT/UPDATE/DELETE, so each
    `CREATE TABLE` of a migration commits on its own and a kill between two of them leaves a
    schema that is half there and unrecorded ("table accounts already exists" for ever). This
    is SQLAlchemy's documented pysqlite recipe ("Serializable isolation / Savepoints /
    Transactional DDL"): the driver's own transaction handling off, and our BEGIN emitted.
    IMMEDIATE takes the write lock at once, so two monitors starting together migrate one after
    the other instead of failing. Only the migration uses it: the rest of the monitor keeps the
    driver's behaviour its concurrency was tested with. None for anything but a SQLite file.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    atomic = create_engine(engine.url, poolclass=NullPool)
    event.listen(atomic, "connect", _sqlite_pragmas)
    event.listen(atomic, "connect", _driver_transactions_off)
    event.listen(atomic, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return atomic


def _driver_transactions_off(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def open_store(config: Config, url: str | None = None) -> sessionmaker[Session]:
    """Engine for the configured database, migrated, with the account registry mirrored."""
    engine = make_engine(url or config.database_url())
    migrate(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        sync_accounts(session, config)
    return sessions


def sync_accounts(session: Session, config: Config) -> None:
    """Make the accounts table equal to config/accounts.toml, which is the source of truth."""
    session.execute(delete(Account))
    session.add_all(
        Account(
            platform=a.platform,
            handle=a.handle,
            kind=str(a.kind),
            committee=a.committee,
            admins=list(a.admins),
            comms_access=a.comms_access,
            logo_approved=a.logo_approved,
            registered_on=a.registered_on,
        )
        for a in config.accounts.account
    )


def dialect_insert(session: Session) -> Any:
    """The session's dialect's `insert`, which has ON CONFLICT DO NOTHING on both backends."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def without_nul(value: Any) -> Any:
    """PostgreSQL text and JSONB cannot hold NUL; a post with one must not sink its batch."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


def mention_values(mention: Mention, *, source: str, directory: ChannelDirectory) -> dict[str, Any]:
    return without_nul(
        {
            "platform": mention.platform,
            "platform_id": mention.platform_id,
            "source": source,
            "author_handle": mention.author_handle,
            "author_name": mention.author_name,
            "author_reach": mention.author_reach,
            "channel_kind": str(directory.classify(mention)),
            "url": mention.url,
            "text": mention.text,
            "lang": mention.lang,
            "created_at": mention.created_at,
            "thread_id": mention.thread_id,
            "in_reply_to_id": mention.in_reply_to_id,
            "is_official": mention.is_official or directory.is_official(mention),
            "raw": mention.raw,
            "version": mention.version,
            "ingested_at": utcnow(),
        }
    )


@dataclass(frozen=True, slots=True)
class SavedBatch:
    stored_ids: list[int]
    duplicates: int
    edited_ids: list[int] = field(default_factory=list)  # stored posts a later edit replaced


def save_batch(
    session: Session,
    *,
    connector: str,
    mentions: Sequence[Mention],
    cursor: dict[str, Any],
    directory: ChannelDirectory,
) -> SavedBatch:
    """Insert new mentions and move the connector's cursor, in the caller's one transaction.

    A mention already stored under (platform, platform_id) is left as it is, so replaying a
    batch never duplicates, unless the incoming one is a later edit of it (see `apply_edits`).
    Call inside `sessions.begin()`: if anything raises before the commit, neither the mentions
    nor the cursor are written.
    """
    stored_ids: list[int] = []
    edited_ids: list[int] = []
    if mentions:
        rows = [mention_values(m, source=connector, directory=directory) for m in mentions]
        insert = dialect_insert(session)
        # executemany form: the statement compiles once and is cached; SQLAlchemy batches it
        # into multi-row INSERTs ("insertmanyvalues") that still return the new ids.
        stmt = (
            insert(MentionRow)
            .on_conflict_do_nothing(index_elements=["platform", "platform_id"])
            .returning(MentionRow.id, MentionRow.platform, MentionRow.platform_id)
        )
        inserted = session.execute(stmt, rows).all()
        stored_ids = [row.id for row in inserted]
        new_keys = {(row.platform, row.platform_id) for row in inserted}
        save_media(session, mentions, {(row.platform, row.platform_id): row.id for row in inserted})
        edited_ids = apply_edits(
            session,
            [
                (r, m.media)
                for r, m in zip(rows, mentions, strict=True)
                if r["version"] and (r["platform"], r["platform_id"]) not in new_keys
            ],
        )
    save_cursor(session, connector, cursor)
    return SavedBatch(
        stored_ids=stored_ids,
        duplicates=len(mentions) - len(stored_ids) - len(edited_ids),
        edited_ids=edited_ids,
    )


def apply_edits(session: Session, candidates: list[tuple[dict[str, Any], Sequence[MediaRef]]]) -> list[int]:
    """Replace each stored post that an incoming later edit of it supersedes; the ids replaced.

    `candidates`: each incoming post's row values (`mention_values`) with its images. Later
    means a greater `version` (Mention.version) with different words or different images: the
    same post again (a page read twice, a post stored before versions were kept) changes
    nothing. The replaced words and image links stay in the payload under `replaced_versions`,
    the assessment is deleted so the next scoring step reads the new words (and routes them: an
    edit can add libel), new images replace the stored ones as pending, so the media pass
    fetches and checks them (an edit can add a flyer with the logo), and a minimised post stays
    minimised.
    """
    latest: dict[tuple[str, str], tuple[dict[str, Any], Sequence[MediaRef]]] = {}
    for values, images in candidates:
        key = (values["platform"], values["platform_id"])
        if key not in latest or values["version"] > latest[key][0]["version"]:
            latest[key] = (values, images)
    edited: list[int] = []
    new_images: dict[int, Sequence[MediaRef]] = {}
    for platform in {p for p, _ in latest}:
        ids = [pid for p, pid in latest if p == platform]
        stored = session.execute(
            select(
                MentionRow.id, MentionRow.platform_id, MentionRow.version, MentionRow.text, MentionRow.raw
            ).where(
                MentionRow.platform == platform,
                MentionRow.platform_id.in_(ids),
                MentionRow.minimised_at.is_(None),
            )
        ).all()
        stored_images: dict[int, list[str]] = {}
        for mention_id, url in session.execute(
            select(MediaRow.mention_id, MediaRow.url)
            .where(MediaRow.mention_id.in_([row.id for row in stored]))
            .order_by(MediaRow.mention_id, MediaRow.position)
        ):
            stored_images.setdefault(mention_id, []).append(url)
        for row in stored:
            new, images = latest[(platform, row.platform_id)]
            if row.version is not None and new["version"] <= row.version:
                continue  # the same version, or an older one read late
            changes: dict[str, Any] = {"version": new["version"]}
            before = stored_images.get(row.id, [])
            images_changed = [without_nul(ref.url) for ref in images] != before
            if new["text"] != row.text or images_changed:
                replaced = {"version": row.version, "text": row.text}
                if images_changed:
                    replaced["images"] = before
                    new_images[row.id] = images
                earlier = [*row.raw.get("replaced_versions", []), replaced]
                raw = {**new["raw"], "replaced_versions": earlier}
                changes |= {"text": new["text"], "url": new["url"], "raw": raw}
                edited.append(row.id)
            session.execute(update(MentionRow).where(MentionRow.id == row.id).values(**changes))
    if edited:
        session.execute(delete(AssessmentRow).where(AssessmentRow.mention_id.in_(edited)))
    if new_images:
        session.execute(delete(MediaRow).where(MediaRow.mention_id.in_(list(new_images))))
        insert_media(session, new_images)
    return edited


def save_media(session: Session, mentions: Sequence[Mention], new_ids: dict[tuple[str, str], int]) -> None:
    """One `media` row per image of each mention this batch inserted, in the post's order.

    `new_ids` maps (platform, platform_id) to the id of a row just inserted: a mention that was
    already stored (a duplicate) is not in it, so it adds no media rows. Rows conflicting on
    the natural key return nothing, which is why the ids are matched by key, not by position.
    """
    images: dict[int, Sequence[MediaRef]] = {}
    for mention in mentions:
        # pop: a batch that carries the same post twice gives its images once, from the first.
        # The key as stored: mention_values replaced any NUL in the id.
        mention_id = new_ids.pop((mention.platform, without_nul(mention.platform_id)), None)
        if mention_id is not None:
            images[mention_id] = mention.media
    insert_media(session, images)


def insert_media(session: Session, images: dict[int, Sequence[MediaRef]]) -> None:
    """Pending `media` rows: each stored mention's images, in the post's order."""
    rows = [
        without_nul(
            {
                "mention_id": mention_id,
                "position": position,
                "url": ref.url,
                "kind": ref.kind,
                "alt": ref.alt,
                "state": "pending",
            }
        )
        for mention_id, refs in images.items()
        for position, ref in enumerate(refs)
    ]
    if rows:
        session.execute(dialect_insert(session)(MediaRow), rows)


def save_cursor(session: Session, connector: str, cursor: dict[str, Any]) -> None:
    insert = dialect_insert(session)
    stmt = insert(ConnectorCursor).values(connector=connector, cursor=cursor, updated_at=utcnow())
    stmt = stmt.on_conflict_do_update(
        index_elements=["connector"],
        set_={"cursor": stmt.excluded.cursor, "updated_at": stmt.excluded.updated_at},
    )
    session.execute(stmt)


def load_cursor(session: Session, connector: str) -> dict[str, Any] | None:
    return session.scalar(select(ConnectorCursor.cursor).where(ConnectorCursor.connector == connector))


def last_run_error(session: Session, connector: str) -> str:
    """The error of the connector's most recent finished run ('' if it went well)."""
    error = session.scalar(
        select(ConnectorRun.error)
        .where(ConnectorRun.connector == connector, ConnectorRun.finished_at.is_not(None))
        .order_by(ConnectorRun.id.desc())
        .limit(1)
    )
    return (error or "").split("\n", 1)[0]


def start_run(sessions: sessionmaker[Session], connector: str, now: datetime) -> int:
    """Record a run before it fetches, so a crash still leaves a 'running' row to explain."""
    with sessions.begin() as session:
        run = ConnectorRun(connector=connector, started_at=now, status="running")
        session.add(run)
        session.flush()
        return run.id


def finish_run(
    sessions: sessionmaker[Session],
    run_id: int,
    *,
    status: str,
    fetched: int,
    stored: int,
    skipped: Iterable[str],
    error: str = "",
    now: datetime,
) -> None:
    skipped = list(skipped)
    problems = "\n".join(filter(None, [error, *skipped[:50]]))
    if len(skipped) > 50:
        problems += f"\n... and {len(skipped) - 50} more unreadable items"
    with sessions.begin() as session:
        run = session.get_one(ConnectorRun, run_id)
        run.status = status
        run.fetched = fetched
        run.stored = stored
        run.skipped = len(skipped)
        run.error = problems
        run.finished_at = now
