"""The Bluesky connector: the real atproto client, HTTP (httpx) replaced by recorded responses."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from media_rows import stored_media
from sqlalchemy import select

from connectors.base import NotConfigured
from monitor.channels import ChannelDirectory
from monitor.pipeline import ingest
from monitor.schema import MentionRow
from monitor.store import load_cursor
from monitor.watch import WatchedAccount, WatchList

respx = pytest.importorskip("respx")
pytest.importorskip("atproto")

from connectors.bluesky import BlueskyConnector, Settings  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bluesky"
XRPC = "https://bsky.social/xrpc"
PASSWORD = "fake-app-password-for-tests"  # not a real app password: tests only
WATCH = WatchList(
    official=(WatchedAccount("bluesky", "iom3.bsky.social", "official"),),
    accounts=(WatchedAccount("bluesky", "iom3ymc.bsky.social", "asv_committee"),),
    terms=("IOM3",),
)


def fx(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def secrets(monkeypatch):
    monkeypatch.setenv("IOM3_BLUESKY_HANDLE", "iom3.bsky.social")
    monkeypatch.setenv("IOM3_BLUESKY_APP_PASSWORD", PASSWORD)


def bluesky(**settings) -> BlueskyConnector:
    return BlueskyConnector(Settings(**settings), WATCH, sleep=[].append)


def routes(mock, *, search_since=None) -> None:
    mock.post(f"{XRPC}/com.atproto.server.createSession").respond(json=fx("create_session.json"))
    search = mock.get(f"{XRPC}/app.bsky.feed.searchPosts")
    search.side_effect = lambda request: httpx.Response(
        200,
        json=fx(
            "search_page2.json"
            if request.url.params.get("cursor")
            else "search_empty.json"
            if request.url.params.get("q") == "@iom3.bsky.social"
            else "search_page1.json"
        ),
    )
    feeds = {"iom3.bsky.social": "feed_official.json", "iom3ymc.bsky.social": "feed_ymc.json"}
    mock.get(f"{XRPC}/app.bsky.feed.getAuthorFeed").mock(
        side_effect=lambda request: httpx.Response(200, json=fx(feeds[request.url.params["actor"]]))
    )
    mock.get(f"{XRPC}/app.bsky.actor.getProfiles").respond(json=fx("profiles.json"))


def test_search_and_feeds_normalised_and_stored_once(sessions, config):
    with respx.mock(assert_all_called=False) as mock:
        routes(mock)
        result = ingest(sessions, bluesky(), ChannelDirectory(config))
        login = json.loads(mock.calls[0].request.content)
    assert (result.status, result.stored) == ("ok", 4), result
    assert login == {"identifier": "iom3.bsky.social", "password": PASSWORD}
    with sessions() as session:
        rows = {r.platform_id.rsplit("/", 1)[-1]: r for r in session.scalars(select(MentionRow))}
        cursor = load_cursor(session, "bluesky")
    complaint, reply = rows["3lbq2aaaaaa2k"], rows["3lbq2cccccc2k"]
    assert complaint.author_reach == 15200 and complaint.author_handle == "alice.materials.bsky.social"
    assert complaint.url == "https://bsky.app/profile/alice.materials.bsky.social/post/3lbq2aaaaaa2k"
    assert complaint.created_at == datetime(2026, 11, 20, 9, 10, tzinfo=UTC)
    assert (reply.is_official, reply.thread_id, reply.in_reply_to_id) == (
        True,
        complaint.platform_id,
        complaint.platform_id,
    )
    assert "👏" in rows["3lbq2bbbbbb2k"].text
    assert "getAuthorFeed?actor=iom3ymc.bsky.social" in rows["3lbq2dddddd2k"].raw["provenance"]["request_url"]
    assert cursor["search:IOM3"] == "2026-11-20T09:30:01.000Z"
    assert cursor["feed:iom3ymc.bsky.social"] == "2026-11-19T12:00:00.900Z"
    assert PASSWORD not in json.dumps([r.raw for r in rows.values()])


def test_the_next_run_asks_since_the_cursor_and_stores_nothing_twice(sessions, config):
    with respx.mock(assert_all_called=False) as mock:
        routes(mock)
        ingest(sessions, bluesky(), ChannelDirectory(config))
        second = ingest(sessions, bluesky(), ChannelDirectory(config))
        searched = [c.request.url.params for c in mock.calls if "searchPosts" in str(c.request.url)]
    assert (second.status, second.stored) == ("ok", 0)
    second_run_iom3 = [p for p in searched if p.get("q") == "IOM3"][-1]
    assert second_run_iom3.get("since") == "2026-11-20T09:30:01.000Z"


def test_a_rate_limit_stops_the_run_until_the_reset(sessions, config):
    reset = 1795600000
    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"{XRPC}/com.atproto.server.createSession").respond(json=fx("create_session.json"))
        mock.get(f"{XRPC}/app.bsky.feed.searchPosts").respond(
            429,
            json=fx("error_429.json"),
            headers={"ratelimit-limit": "3000", "ratelimit-remaining": "0", "ratelimit-reset": str(reset)},
        )
        result = ingest(sessions, bluesky(), ChannelDirectory(config))
    assert result.status == "rate_limited"
    assert f"until {datetime.fromtimestamp(reset, UTC):%Y-%m-%d %H:%M} UTC" in result.error


def test_a_refused_app_password_is_fatal_and_says_what_to_do(sessions, config):
    with respx.mock() as mock:
        mock.post(f"{XRPC}/com.atproto.server.createSession").respond(401, json=fx("error_401.json"))
        result = ingest(sessions, bluesky(), ChannelDirectory(config))
    assert result.status == "failed" and "IOM3_BLUESKY_APP_PASSWORD" in result.error
    assert PASSWORD not in result.error


def test_without_a_handle_it_names_the_variable(monkeypatch):
    monkeypatch.delenv("IOM3_BLUESKY_HANDLE")
    with pytest.raises(NotConfigured, match="IOM3_BLUESKY_HANDLE"):
        list(bluesky().fetch(None))


# --- images (#16) ---------------------------------------------------------------------------
def _cdn(kind: str, did: str, cid: str) -> str:
    return f"https://cdn.bsky.app/img/{kind}/plain/{did}/{cid}@jpeg"


def _video(cid: str, name: str) -> str:
    return f"https://video.bsky.app/watch/did%3Aplc%3Abranchsouthaaaaaaaaaaaaa/{cid}/{name}"


def test_each_post_keeps_its_own_images_and_video_stills(sessions, config, caplog):
    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"{XRPC}/com.atproto.server.createSession").respond(json=fx("create_session.json"))
        mock.get(f"{XRPC}/app.bsky.feed.searchPosts").respond(json=fx("search_media.json"))
        mock.get(f"{XRPC}/app.bsky.actor.getProfiles").respond(json=fx("profiles.json"))
        only_search = WatchList(terms=("IOM3",))
        connector = BlueskyConnector(Settings(account_feeds=False), only_search, sleep=[].append)
        with caplog.at_level(logging.INFO, logger="connectors.media"):
            result = ingest(sessions, connector, ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 6), result
    branch = "did:plc:branchsouthaaaaaaaaaaaaa"
    at = f"at://{branch}/app.bsky.feed.post/"
    video = "bafkreibranchvideoaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    gif = "bafkreibranchgifaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    poster = "bafkreiownposteraaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    assert stored_media(sessions) == {
        # Beside a quoted post: its own image only, never the quoted post's.
        f"{at}3lbqmedia01k": [(_cdn("feed_fullsize", branch, poster), "image", "Home-made poster")],
        f"{at}3lbqmedia02k": [
            (
                _video(video, "thumbnail.jpg"),
                "video_thumbnail",
                "Our stand\r\nIOM3 banner <script>alert('x')</script>",
            )
        ],
        f"{at}3lbqmedia03k": [(_video(gif, "thumbnail.jpg"), "gif", "")],
        # 04: a video with no thumbnail yet (logged); 05 only quotes; 06 is a link card.
    }
    assert f"{at}3lbqmedia04k" in caplog.text
