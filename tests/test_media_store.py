"""The `media` table on both backends (#16): rows written in the mention's own transaction, only
for a newly stored mention, deleted with it; the record's own checks; migration 0012 down and up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from media_rows import stored_media
from sqlalchemy import delete, func, select

import monitor.store as store
from monitor.channels import ChannelDirectory
from monitor.models import MediaRef, Mention
from monitor.schema import MediaRow, MentionRow
from monitor.store import alembic_config, make_engine, migrate, save_batch

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _mention(platform_id: str, *urls: str, alt: str = "") -> Mention:
    return Mention(
        platform="x",
        platform_id=platform_id,
        author_handle="a",
        text="IOM3 stand",
        created_at=NOW,
        media=tuple(MediaRef(url, "image", alt) for url in urls),
    )


def _save(sessions, config, mentions: list[Mention]) -> store.SavedBatch:
    with sessions.begin() as session:
        return save_batch(
            session, connector="x", mentions=mentions, cursor={}, directory=ChannelDirectory(config)
        )


def test_images_are_stored_in_order_and_a_duplicate_adds_none(sessions, config):
    first = _save(
        sessions, config, [_mention("1", "https://e.org/a.jpg", "https://e.org/b.jpg"), _mention("2")]
    )
    assert len(first.stored_ids) == 2
    # The same post again, now with a third image (an edit, say), and twice in one batch: the
    # stored mention keeps the images it was stored with.
    again = _save(
        sessions,
        config,
        [
            _mention("1", "https://e.org/c.jpg"),
            _mention("3", "https://e.org/d.jpg"),
            _mention("3", "https://e.org/e.jpg"),
        ],
    )
    assert (len(again.stored_ids), again.duplicates) == (1, 2)
    assert stored_media(sessions) == {
        "1": [("https://e.org/a.jpg", "image", ""), ("https://e.org/b.jpg", "image", "")],
        "3": [("https://e.org/d.jpg", "image", "")],
    }
    with sessions() as session:
        row = session.scalars(select(MediaRow).where(MediaRow.url == "https://e.org/a.jpg")).one()
    assert (row.state, row.findings, row.sha256, row.thumbnail, row.analysed_at) == (
        "pending",
        [],
        None,
        None,
        None,
    )


def test_a_failed_commit_stores_neither_the_mention_nor_its_images(sessions, config, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("killed between the images and the cursor")

    monkeypatch.setattr(store, "save_cursor", crash)
    with pytest.raises(RuntimeError):
        _save(sessions, config, [_mention("1", "https://e.org/a.jpg")])
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(MentionRow)) == 0
        assert session.scalar(select(func.count()).select_from(MediaRow)) == 0


def test_hostile_alt_text_is_kept_verbatim_but_nul_which_postgresql_refuses(sessions, config):
    _save(sessions, config, [_mention("1", "https://e.org/a.jpg", alt="a\r\n<script>x</script>\x00b")])
    assert stored_media(sessions)["1"] == [("https://e.org/a.jpg", "image", "a\r\n<script>x</script>\ufffdb")]


def test_images_go_with_their_mention(sessions, config):
    _save(
        sessions,
        config,
        [_mention("1", "https://e.org/a.jpg", "https://e.org/b.jpg"), _mention("2", "https://e.org/c.jpg")],
    )
    with sessions.begin() as session:
        session.execute(delete(MentionRow).where(MentionRow.platform_id == "1"))  # ON DELETE CASCADE
    assert stored_media(sessions) == {"2": [("https://e.org/c.jpg", "image", "")]}
    with sessions() as session:
        mention = session.scalars(select(MentionRow)).one()
        assert [m.url for m in mention.media] == ["https://e.org/c.jpg"]


@pytest.mark.parametrize(
    ("url", "kind", "message"),
    [
        ("ftp://e.org/a.jpg", "image", "is not http(s)"),
        ("data:image/png;base64,AAAA", "image", "is not http(s)"),
        ("javascript:alert(1)", "image", "is not http(s)"),
        ("/relative/a.jpg", "image", "is not http(s)"),
        ("https://", "image", "is not http(s)"),
        ("https://e.org/a.jpg\r\nX-Injected: 1", "image", "whitespace or control characters"),
        ("https://e.org/a b.jpg", "image", "whitespace or control characters"),
        ("https://e.org/" + "a" * 5000, "image", "too long"),
        ("", "image", "is not a link"),
        ("https://e.org/a.jpg", "photo", "image kind 'photo' is not one of image, video_thumbnail, gif"),
    ],
)
def test_a_media_ref_refuses_what_is_not_an_http_link_and_says_why(url, kind, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        MediaRef(url, kind)


def test_a_mention_refuses_media_that_are_not_media_refs():
    with pytest.raises(ValueError, match="must be a tuple of MediaRef, not list"):
        Mention("x", "1", "a", "t", NOW, media=[MediaRef("https://e.org/a.jpg", "image")])  # type: ignore[arg-type]


def test_migration_0012_goes_down_and_up_keeping_the_mentions(database_url, config):
    engine = make_engine(database_url)
    migrate(engine)
    with engine.begin() as conn:
        values = store.mention_values(_mention("1"), source="x", directory=ChannelDirectory(config))
        mention_id = conn.execute(
            MentionRow.__table__.insert().values(values).returning(MentionRow.id)
        ).scalar_one()
        # Raw SQL, so the server defaults (not the ORM's) fill in state, alt and findings.
        conn.execute(
            sa.text("INSERT INTO media (mention_id, position, url, kind) VALUES (:m, 0, :url, 'image')"),
            {"m": mention_id, "url": "https://e.org/a.jpg"},
        )
        state, findings, alt = conn.execute(sa.text("SELECT state, findings, alt FROM media")).one()
    assert (state, alt) == ("pending", "") and findings in ("[]", [])
    command.downgrade(alembic_config(engine), "0011")
    assert "media" not in sa.inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM mentions")).scalar() == 1
    migrate(engine)
    inspector = sa.inspect(engine)
    assert "media" in inspector.get_table_names()
    assert {i["name"] for i in inspector.get_indexes("media")} >= {"ix_media_state"}
    (fk,) = inspector.get_foreign_keys("media")
    assert (fk["referred_table"], fk["options"].get("ondelete")) == ("mentions", "CASCADE")
    engine.dispose()
