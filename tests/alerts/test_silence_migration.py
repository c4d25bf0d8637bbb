"""Migration 0011 on a database holding silences: each keeps muting exactly what it muted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import sessionmaker

from monitor.schema import UtcDateTime
from monitor.services.silences import list_silences, matches
from monitor.store import alembic_config, make_engine, migrate

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
OLD_SILENCES = sa.table(  # as revision 0005 left it
    "silences",
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
    sa.column("until", UtcDateTime()),
    sa.column("reason", sa.Text),
    sa.column("created_by", sa.String),
    sa.column("created_at", UtcDateTime()),
)


def test_old_silences_become_one_matcher_each(database_url):
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0005")
    with engine.begin() as conn:
        for kind, value in (("author", "SomeTroll"), ("term", "raffle")):
            conn.execute(
                OLD_SILENCES.insert().values(
                    kind=kind,
                    value=value,
                    until=NOW + timedelta(hours=5),
                    reason="r",
                    created_by="k",
                    created_at=NOW,
                )
            )
    migrate(engine)
    with sessionmaker(engine)() as session:
        troll, raffle = list_silences(session, now=NOW)
        assert (troll.matchers, raffle.matchers) == ({"author": "SomeTroll"}, {"term": "raffle"})
        assert troll.lifted_at is None and troll.lifted_by == ""
        post = dict(category="complaint", platform="x", thread="x:1", author="sometroll", text="the raffle")
        assert matches(troll, **post) and matches(raffle, **post)
    command.downgrade(alembic_config(engine), "0005")
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from silences")).scalar() == 2
    engine.dispose()
