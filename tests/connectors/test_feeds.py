"""The web feeds connector: feedparser on bodies fetched with requests, HTTP replaced by fixtures."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses
from media_rows import stored_media
from sqlalchemy import select

from monitor.channels import ChannelDirectory
from monitor.pipeline import ingest
from monitor.schema import MentionRow
from monitor.store import load_cursor
from monitor.watch import WatchedAccount, WatchList

pytest.importorskip("feedparser")
from connectors.feeds import FeedsConnector, Settings  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "web"
ALERT = "https://www.google.com/alerts/feeds/00000000000000000000/1111111111111111111"
BLOG = "https://metallurgist.example.org/feed/"
WATCH = WatchList(
    accounts=(WatchedAccount("web", BLOG, "asv_personal"),),
    terms=("IOM3", "Institute of Materials, Minerals and Mining"),
)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def feeds(**settings) -> FeedsConnector:
    settings.setdefault("feeds", [ALERT])
    return FeedsConnector(Settings(**settings), WATCH, sleep=[].append, clock=lambda: NOW)


def _serve(mock) -> None:
    mock.get(
        ALERT, body=body("google_alert.xml"), content_type="application/atom+xml", headers={"ETag": '"a1"'}
    )
    mock.get(
        BLOG,
        body=body("volunteer_blog.xml"),
        content_type="application/rss+xml",
        headers={"Last-Modified": "Thu, 19 Nov 2026 18:00:00 GMT"},
    )


@responses.activate
def test_entries_that_mention_iom3_become_mentions(sessions, config):
    _serve(responses.mock)
    result = ingest(sessions, feeds(), ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 3), result
    with sessions() as session:
        rows = {r.url: r for r in session.scalars(select(MentionRow))}
        cursor = load_cursor(session, "web")
    news = rows["https://www.example-news.co.uk/education/iom3-exam-delays"]  # the page, not google.com
    assert news.platform == "web" and news.author_handle == "www.example-news.co.uk"
    assert news.text.startswith("Engineering body IOM3 faces questions over exam delays\n\nCandidates say")
    assert "<b>" not in news.text and "&amp;" not in news.text
    assert news.created_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    blog = rows["https://metallurgist.example.org/2026/11/why-i-volunteer"]
    assert (blog.author_name, blog.author_handle) == ("Sam Smith", "metallurgist.example.org")
    assert "https://metallurgist.example.org/2026/11/heat-treatment" not in rows  # no IOM3 in it
    assert cursor[ALERT] == {"etag": '"a1"', "newest": "2026-11-20T09:00:00+00:00"}
    assert cursor[BLOG]["modified"] == "Thu, 19 Nov 2026 18:00:00 GMT"


@responses.activate
def test_an_unchanged_feed_costs_one_conditional_request(sessions, config):
    _serve(responses.mock)
    ingest(sessions, feeds(), ChannelDirectory(config))
    responses.reset()
    responses.get(ALERT, status=304)
    responses.get(BLOG, status=304)
    second = ingest(sessions, feeds(), ChannelDirectory(config))
    assert (second.status, second.stored) == ("ok", 0)
    alert_call, blog_call = responses.calls
    assert alert_call.request.headers["If-None-Match"] == '"a1"'
    assert blog_call.request.headers["If-Modified-Since"] == "Thu, 19 Nov 2026 18:00:00 GMT"


@responses.activate
def test_a_truncated_feed_is_named_and_loses_nothing(sessions, config):
    responses.get(ALERT, body=body("truncated.xml"), content_type="application/atom+xml")
    responses.get(BLOG, body=body("volunteer_blog.xml"), content_type="application/rss+xml")
    result = ingest(sessions, feeds(retries=2), ChannelDirectory(config))
    assert result.status == "partial" and result.stored == 1  # the blog is still read
    (problem,) = result.skipped
    assert problem.startswith(
        "web feed www.google.com/alerts/feeds/00000000000000000000/1111111111111111111: "
    )
    assert "not a readable feed" in problem
    with sessions() as session:
        assert ALERT not in (load_cursor(session, "web") or {})  # read again next run, whole


@responses.activate
def test_a_gone_feed_says_how_to_fix_it(sessions, config):
    responses.get(ALERT, status=410)
    responses.get(BLOG, status=404)
    result = ingest(sessions, feeds(), ChannelDirectory(config))
    assert result.status == "partial" and len(result.skipped) == 2
    assert all("gone; remove it from the config or fix the URL" in s for s in result.skipped)


# --- images (#16) ---------------------------------------------------------------------------
NEWS = "https://news.materials.example/feed/"


@responses.activate
def test_media_rss_and_image_enclosures_are_each_entrys_images(sessions, config, caplog):
    _serve(responses.mock)
    responses.get(NEWS, body=body("news_media_rss.xml"), content_type="application/rss+xml")
    with caplog.at_level(logging.INFO, logger="connectors.media"):
        result = ingest(sessions, feeds(feeds=[ALERT, NEWS]), ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 4), result
    uploads = "https://metallurgist.example.org/wp-content/uploads/2026/11"
    assert stored_media(sessions) == {
        # media:content and media:thumbnail name the same picture: kept once; then the enclosure.
        "https://metallurgist.example.org/2026/11/why-i-volunteer": [
            (f"{uploads}/ymc-committee.jpg", "image", ""),
            (f"{uploads}/ymc-badge.png", "image", ""),
        ],
        # A video's file is not a picture, its thumbnail is; a relative and a data: URL are no
        # links to fetch (dropped, logged); an audio enclosure has no picture.
        "mtn-2026-11-0042": [
            ("https://cdn.materials.example/images/2026/11/iom3-awards-winners.jpg", "image", ""),
            ("https://cdn.materials.example/video/iom3-awards-2026-still.jpg", "video_thumbnail", ""),
        ],
    }
    assert "image url '/images/2026/11/iom3-awards-stage.jpg' is not http(s)" in caplog.text
    assert "image url 'data:image/gif;base64" in caplog.text
