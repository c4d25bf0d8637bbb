"""The replay connector: JSON Lines in, mentions out; bad lines named and skipped, good kept."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from connectors import connector_class, enabled_connectors
from connectors.base import FatalError
from connectors.replay import ReplayConnector, Settings, parse_line

GOOD = {
    "platform": "x",
    "platform_id": "1",
    "author_handle": "a",
    "text": "IOM3 rocks",
    "created_at": "2026-11-20T09:00:00+00:00",
}


def _line(**changes) -> str:
    record = {**GOOD, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not None})


def test_parses_a_record_and_keeps_extra_keys_in_raw():
    mention = parse_line(_line(note="why this post exists", author_reach=12))
    assert mention.created_at == datetime(2026, 11, 20, 9, tzinfo=UTC)
    assert mention.author_reach == 12
    assert mention.raw["note"] == "why this post exists"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        (_line(text=None), "missing text"),
        (_line(created_at="yesterday"), "created_at 'yesterday' is not ISO 8601"),
        (_line(created_at="2026-11-20T09:00:00"), "has no timezone"),
        (_line(platform="myspace"), "unknown platform 'myspace'"),
        (_line(author_reach="lots"), "author_reach 'lots' is not a whole number"),
    ],
)
def test_bad_lines_say_what_is_wrong(line, message):
    with pytest.raises(ValueError, match=message):
        parse_line(line)


def test_a_malformed_line_among_good_ones_is_skipped_and_named(tmp_path, config):
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join([_line(platform_id="1"), "{oops", "", _line(platform_id="3")]) + "\n")
    batches = list(ReplayConnector(Settings(path=str(path)), config.watch_list()).fetch(None))
    mentions = [m for b in batches for m in b.mentions]
    assert [m.platform_id for m in mentions] == ["1", "3"]
    assert [s for b in batches for s in b.skipped] == [
        "m.jsonl line 2: not valid JSON (Expecting property name enclosed in double quotes at column 2)"
    ]
    assert batches[-1].cursor == {"line": 4}


def test_batches_respect_batch_size_and_carry_their_cursor(tmp_path, config):
    path = tmp_path / "m.jsonl"
    path.write_text("".join(_line(platform_id=str(i)) + "\n" for i in range(7)))
    batches = list(
        ReplayConnector(Settings(path=str(path), batch_size=3), config.watch_list()).fetch({"line": 1})
    )
    assert [len(b.mentions) for b in batches] == [3, 3]
    assert [b.cursor for b in batches] == [{"line": 4}, {"line": 7}]


def test_nothing_new_yields_nothing(tmp_path, config):
    path = tmp_path / "m.jsonl"
    path.write_text(_line() + "\n")
    assert list(ReplayConnector(Settings(path=str(path)), config.watch_list()).fetch({"line": 1})) == []


def test_a_missing_file_is_fatal_and_says_what_to_do(tmp_path, config):
    connector = ReplayConnector(Settings(path=str(tmp_path / "nope.jsonl")), config.watch_list())
    with pytest.raises(FatalError, match=r"nope.jsonl.*set \[connectors.replay\] path"):
        list(connector.fetch(None))


def test_registry_names_the_known_connectors(config):
    assert connector_class("replay") is ReplayConnector
    with pytest.raises(
        LookupError,
        match="known connectors: bluesky, facebook, instagram, linkedin, mastodon, replay, web, x",
    ):
        connector_class("friendster")
    assert [c.name for c in enabled_connectors(config)] == [  # the sample replay is only for `demo`
        "x",
        "facebook",
        "instagram",
        "linkedin",
    ]


def test_an_invalid_utf8_byte_costs_its_line_and_the_cursor_moves_past_it(sessions, config, tmp_path):
    """Issue #12, point 3: one bad byte used to stop the connector for good, storing nothing."""
    from monitor.channels import ChannelDirectory
    from monitor.pipeline import ingest
    from monitor.schema import MentionRow
    from monitor.store import load_cursor

    path = tmp_path / "m.jsonl"
    bad = _line(platform_id="2").encode().replace(b"IOM3 rocks", b"IOM3 r\xe9ussit")
    path.write_bytes(
        _line(platform_id="1").encode() + b"\n" + bad + b"\n" + _line(platform_id="3").encode() + b"\n"
    )
    connector = ReplayConnector(Settings(path=str(path)), config.watch_list())
    directory = ChannelDirectory(config)
    first = ingest(sessions, connector, directory)
    assert (first.status, first.stored) == ("partial", 2)
    column = bad.index(b"\xe9") + 1
    assert first.skipped == [
        f"m.jsonl line 2: not UTF-8 (byte 0xe9 at column {column}); save the file as UTF-8"
    ]
    with sessions() as session:
        assert sorted(session.scalars(select(MentionRow.platform_id))) == ["1", "3"]
        assert load_cursor(session, "replay") == {"line": 3}
    again = ingest(sessions, connector, directory)  # the next run does not trip on it again
    assert (again.status, again.stored, again.skipped) == ("ok", 0, [])


# --- images (#16) ---------------------------------------------------------------------------
def test_a_lines_media_become_its_images_in_order():
    mention = parse_line(
        _line(
            media=[
                {"url": "https://example.org/a.jpg", "alt": "the stand\r\n<script>x</script>"},
                {"url": "https://example.org/b.jpg", "kind": "video_thumbnail"},
                {"url": "https://example.org/c.gif", "kind": "gif", "alt": ""},
            ]
        )
    )
    assert [(m.url, m.kind, m.alt) for m in mention.media] == [
        ("https://example.org/a.jpg", "image", "the stand\r\n<script>x</script>"),
        ("https://example.org/b.jpg", "video_thumbnail", ""),
        ("https://example.org/c.gif", "gif", ""),
    ]
    assert parse_line(_line()).media == ()


@pytest.mark.parametrize(
    ("media", "reason"),
    [
        ("https://example.org/a.jpg", "media is str, not a list of {url, kind, alt} objects"),
        (
            ["https://example.org/a.jpg"],
            "media item 'https://example.org/a.jpg' is not an {url, kind, alt} object",
        ),
        ([{"url": "ftp://example.org/a.jpg"}], "image url 'ftp://example.org/a.jpg' is not http(s)"),
        ([{"url": "https://example.org/a.jpg", "kind": "photo"}], "image kind 'photo' is not one of image"),
        ([{"alt": "no link"}], "image url None is not a link"),
    ],
)
def test_a_bad_image_is_dropped_with_its_reason_and_the_post_kept(media, reason, caplog):
    with caplog.at_level(logging.INFO, logger="connectors.media"):
        mention = parse_line(_line(media=media))
    assert (mention.platform_id, mention.media) == ("1", ())
    assert "connector=replay event=image_dropped post='1'" in caplog.text and reason in caplog.text


def test_replayed_images_are_stored_once_with_their_mention(sessions, config, tmp_path):
    from media_rows import stored_media

    from monitor.channels import ChannelDirectory
    from monitor.pipeline import ingest
    from monitor.schema import ConnectorCursor

    path = tmp_path / "m.jsonl"
    images = [{"url": f"https://example.org/{n}.jpg"} for n in "ab"]
    path.write_text(_line(platform_id="1", media=images) + "\n" + _line(platform_id="2") + "\n")
    directory = ChannelDirectory(config)
    first = ingest(sessions, ReplayConnector(Settings(path=str(path)), config.watch_list()), directory)
    assert (first.status, first.stored) == ("ok", 2)
    with sessions.begin() as session:  # forget the cursor: both posts come again, as duplicates
        session.execute(ConnectorCursor.__table__.delete())
    again = ingest(sessions, ReplayConnector(Settings(path=str(path)), config.watch_list()), directory)
    assert (again.stored, again.duplicates) == (0, 2)
    assert stored_media(sessions) == {
        "1": [("https://example.org/a.jpg", "image", ""), ("https://example.org/b.jpg", "image", "")]
    }
