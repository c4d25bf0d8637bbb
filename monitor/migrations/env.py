"""Alembic environment: the engine comes from the monitor (`monitor.store.migrate`)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from monitor.schema import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # `alembic` on the command line: -x url=... names the database
        url = context.get_x_argument(as_dictionary=True).get("url")
        if not url:
            raise SystemExit("name the database: alembic -x url=sqlite:///var/monitor.db ...")
        engine = create_engine(url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run against a database")
run_migrations_online()
