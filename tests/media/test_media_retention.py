"""Migration 0013 down and up on both backends, and retention of what the image pass keeps (#16)."""

from __future__ import annotations

from datetime import timedelta

import responses
import sqlalchemy as sa
from alembic import command
from media_seed import CDN, FLYER, POSTED, media_rows, post, store_and_score
from sqlalchemy import update
from tenacity import wait_none

from alerts.incidents import route_pending
from monitor.config import MediaSection, RetentionSection
from monitor.retention import purge
from monitor.schema import Incident
from monitor.services.media import analyse_media, fetch_settings
from monitor.store import alembic_config, make_engine, migrate

FAST = fetch_settings(MediaSection()).__class__(wait=wait_none())
SHEFFIELD = {"platform": "facebook", "handle": "SheffieldMetallurgicalAssoc"}


def test_migration_0013_goes_down_and_up_keeping_the_images(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    command.downgrade(alembic_config(engine), "0012")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("media")}
    assert "decision" not in columns and "routed_at" not in columns and "findings" in columns
    migrate(engine)
    inspector = sa.inspect(engine)
    assert {"decision", "routed_at"} <= {c["name"] for c in inspector.get_columns("media")}
    assert "ix_media_unrouted" in {i["name"] for i in inspector.get_indexes("media")}
    (fk,) = inspector.get_foreign_keys("media")  # the batch rebuild on SQLite keeps the cascade
    assert fk["options"].get("ondelete") == "CASCADE"
    engine.dispose()


@responses.activate
def test_a_minimised_post_loses_its_thumbnail_but_not_while_its_incident_is_open(sessions, config):
    responses.get(CDN + "flyer.jpg", body=FLYER, content_type="image/jpeg")
    store_and_score(sessions, config, [post("1", CDN + "flyer.jpg", alt="the flyer", **SHEFFIELD)])
    analyse_media(sessions, config, settings=FAST, clock=lambda: POSTED)
    route_pending(sessions, config, clock=lambda: POSTED)
    later = POSTED + timedelta(days=400)  # past every retention period
    purge(sessions, RetentionSection(), later)
    row = media_rows(sessions)[CDN + "flyer.jpg"]
    assert row.thumbnail is not None and row.alt == "the flyer"  # the evidence of an open incident

    with sessions.begin() as session:
        session.execute(update(Incident).values(status="resolved", resolved_at=later - timedelta(days=1)))
    purge(sessions, RetentionSection(), later)
    (row,) = media_rows(sessions).values()
    assert (row.url, row.alt, row.thumbnail) == ("", "", None)  # the picture goes with the words
    assert row.sha256 and row.phash and row.findings and row.decision == "flag"  # counts still add up
