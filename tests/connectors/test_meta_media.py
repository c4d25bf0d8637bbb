"""Images of Facebook and Instagram posts (#16): the real facebook-sdk GraphAPI against recorded
Graph API responses; each post's pictures are stored exactly as Meta links them, in order."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from media_rows import stored_media
from responses import matchers

from connectors.facebook import FacebookConnector
from connectors.facebook import Settings as FacebookSettings
from connectors.instagram import InstagramConnector
from connectors.instagram import Settings as InstagramSettings
from connectors.meta_webhooks import objects_to_fetch
from monitor.channels import ChannelDirectory
from monitor.pipeline import ingest
from monitor.webhooks import enqueue

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
G = "https://graph.facebook.com/v24.0"
PAGE = "104729584412"
IG_ACCOUNT = "17841400000000001"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FB = "https://scontent.xx.fbcdn.net/v/t39.30808-6/"
FB_TAIL = "?_nc_cat=104&ccb=1-7&_nc_sid=127cfc&_nc_ohc=Qx1a2b3c&_nc_ht=scontent.xx&oh=00_AfBc1&oe=6745A1B2"
IG = "https://scontent.cdninstagram.com/v/t51.29350-15/"
IG_TAIL = (
    "?stp=dst-jpg_e35&_nc_ht=scontent.cdninstagram.com&_nc_cat=108&_nc_ohc=Ab1Cd2&edm=AL-3X8kEAAAA"
    "&oh=00_AfH5&oe=6745A1B2"
)


def fx(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def fb(name: str) -> str:
    return f"{FB}{name}{FB_TAIL}"


def ig(name: str) -> str:
    return f"{IG}{name}{IG_TAIL}"


@pytest.fixture(autouse=True)
def tokens(monkeypatch):
    monkeypatch.setenv("IOM3_FACEBOOK_PAGE_TOKEN", "fake-graph-token-media")
    monkeypatch.setenv("IOM3_INSTAGRAM_TOKEN", "fake-graph-token-media")


def facebook(config) -> FacebookConnector:
    settings = FacebookSettings(pages={"iom3": PAGE})
    return FacebookConnector(settings, config.watch_list(), sleep=[].append, clock=lambda: NOW)


def instagram(config) -> InstagramConnector:
    settings = InstagramSettings(accounts={"iomthree": IG_ACCOUNT})
    return InstagramConnector(settings, config.watch_list(), sleep=[].append, clock=lambda: NOW)


def _fields(call_url: str) -> str:
    return parse_qs(urlparse(call_url).query)["fields"][0]


@responses.activate
def test_facebook_photos_albums_video_stills_and_comment_photos(sessions, config, caplog):
    after = matchers.query_param_matcher({"after": "QVFIUmM4TkJxYUp"}, strict_match=False)
    responses.get(f"{G}/{PAGE}/feed", json=fx("facebook/feed_page2.json"), match=[after])
    responses.get(f"{G}/{PAGE}/feed", json=fx("facebook/feed_page1.json"))
    responses.get(f"{G}/{PAGE}/tagged", json=fx("facebook/feed_media.json"))
    responses.get(f"{G}/{PAGE}_880001/comments", json=fx("facebook/comments_880001.json"))
    responses.get(re.compile(rf"{G}/{PAGE}_\d+/comments"), json=fx("facebook/empty.json"))
    with caplog.at_level(logging.INFO, logger="connectors.media"):
        result = ingest(sessions, facebook(config), ChannelDirectory(config))
    assert result.stored == 10, result  # 880199, with no created_time, is the one unreadable post

    assert stored_media(sessions) == {
        "104729584412_880001": [(fb("468001122_880001_renewals_n.jpg"), "image", "")],
        # An album: each of its photos and its video's still, in the album's order (not the cover).
        "104729584412_880210": [
            (fb("468002001_schools_day_1_n.jpg"), "image", ""),
            (fb("468002002_schools_day_2_n.jpg"), "image", ""),
            (fb("468002003_schools_day_video_still_n.jpg"), "video_thumbnail", ""),
            (fb("468002004_schools_day_4_n.jpg"), "image", ""),
        ],
        "104729584412_880300": [(fb("468003001_awards_still_n.jpg"), "video_thumbnail", "")],
        # 880301 shares a link: its preview card is the linked page's picture, not the poster's.
        "104729584412_880302": [("https://media.giphy.com/media/tXL4FHPSnVJ0A/giphy.gif", "gif", "")],
        "104729584412_880303": [(fb("468004001_lab_tour_n.jpg"), "image", "")],  # one photo since removed
        # A comment's photo; another comment's sticker is Facebook's own art, not kept.
        "880001_990001": [
            (
                "https://scontent.xx.fbcdn.net/v/t39.30808-6/468005001_payment_error_n.jpg?_nc_cat=101&ccb=1-7"
                "&_nc_sid=dd6889&_nc_ohc=Zz9y8x&_nc_ht=scontent.xx&oh=00_AfF3&oe=6745E5F6",
                "image",
                "",
            )
        ],
    }
    assert "104729584412_880303" in caplog.text and "image url None is not a link" in caplog.text
    feed = next(c for c in responses.calls if f"/{PAGE}/feed" in c.request.url)
    assert _fields(feed.request.url).endswith(",attachments{media,type,url,subattachments{media,type,url}}")
    comments = next(c for c in responses.calls if "/comments" in c.request.url)
    assert _fields(comments.request.url).endswith(",attachment{media,type,url}")


@responses.activate
def test_instagram_carousel_children_video_stills_and_copyright_withheld_media(sessions, config, caplog):
    after = matchers.query_param_matcher({"after": "QVFIUmZAmYl"}, strict_match=False)
    responses.get(f"{G}/{IG_ACCOUNT}/media", json=fx("instagram/media_video_copyright.json"), match=[after])
    responses.get(f"{G}/{IG_ACCOUNT}/media", json=fx("instagram/media_page1.json"))
    responses.get(f"{G}/{IG_ACCOUNT}/tags", json=fx("instagram/tags.json"))
    responses.get(re.compile(rf"{G}/\d+/comments"), json=fx("instagram/empty.json"))
    with caplog.at_level(logging.INFO, logger="connectors.media"):
        result = ingest(sessions, instagram(config), ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 4), result

    assert stored_media(sessions) == {
        # A carousel: each child, a video child by its still.
        "17900000000000131": [
            (ig("437001_student_conf_1_n.jpg"), "image", ""),
            (ig("437002_student_conf_clip_still_n.jpg"), "video_thumbnail", ""),
            (ig("437003_student_conf_3_n.jpg"), "image", ""),
        ],
        "17900000000000201": [(ig("439001_graduate_reel_cover_n.jpg"), "video_thumbnail", "")],
        # 17900000000000202: media_url withheld (copyright): the post is kept, with no image.
        "17900000000000777": [(ig("438001_wim_meme_n.jpg"), "image", "")],  # tagged, someone else's
    }
    assert "17900000000000202" in caplog.text
    own = next(c for c in responses.calls if f"/{IG_ACCOUNT}/media" in c.request.url)
    assert _fields(own.request.url).endswith(
        "media_type,media_url,thumbnail_url,children{media_type,media_url,thumbnail_url}"
    )
    tags = next(c for c in responses.calls if f"/{IG_ACCOUNT}/tags" in c.request.url)
    assert "thumbnail_url" not in _fields(tags.request.url)  # not expanded on others' media


@responses.activate
def test_a_mentioned_instagram_media_brings_its_image(sessions, config):
    enqueue(sessions, objects_to_fetch(fx("meta_webhooks/instagram_mentions.json")))

    def wants(prefix: str):
        def match(request) -> tuple[bool, str]:
            return _fields(request.url).startswith(prefix), prefix

        return match

    responses.get(
        f"{G}/{IG_ACCOUNT}", json=fx("meta_webhooks/mentioned_media.json"), match=[wants("mentioned_media")]
    )
    responses.get(
        f"{G}/{IG_ACCOUNT}",
        json=fx("meta_webhooks/mentioned_comment.json"),
        match=[wants("mentioned_comment")],
    )
    responses.get(f"{G}/{IG_ACCOUNT}/media", json={"data": []})
    responses.get(f"{G}/{IG_ACCOUNT}/tags", json={"data": []})
    result = ingest(sessions, instagram(config), ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 2), result
    # The mention webhook carried ids only; the image came with the media fetched by id.
    assert stored_media(sessions) == {
        "17900000000000555": [(ig("440001_circular_plastics_talk_n.jpg"), "image", "")]
    }


@responses.activate
def test_a_page_feed_webhook_photo_stands_in_only_when_the_post_shows_none(sessions, config):
    delivery = json.loads((FIXTURES / "meta_webhooks/page_feed_photos.json").read_bytes())
    enqueue(sessions, objects_to_fetch(delivery))
    responses.get(f"{G}/{PAGE}_990002", json=fx("meta_webhooks/post_990002.json"))
    responses.get(f"{G}/990001_990101", json=fx("meta_webhooks/comment_990101.json"))
    responses.get(f"{G}/{PAGE}_990003", json=fx("meta_webhooks/post_990003.json"))
    responses.get(f"{G}/{PAGE}/feed", json={"data": []})
    responses.get(f"{G}/{PAGE}/tagged", json={"data": []})
    result = ingest(sessions, facebook(config), ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 3), result
    assert stored_media(sessions) == {
        # The post read by id shows no attachment yet: the webhook's photo link stands in.
        "104729584412_990002": [
            (
                "https://scontent.xx.fbcdn.net/v/t39.30808-6/468006001_visitor_photo_n.jpg?_nc_cat=103&ccb=1-7"
                "&_nc_sid=127cfc&oh=00_AfK8&oe=6746A1B2",
                "image",
                "",
            )
        ],
        # The comment read by id has its attachment: that, not the webhook's smaller copy.
        "990001_990101": [
            (
                "https://scontent.xx.fbcdn.net/v/t39.30808-6/468006101_comment_full_n.jpg?_nc_cat=105&ccb=1-7"
                "&oh=00_AfN2&oe=6746D4E5",
                "image",
                "",
            )
        ],
        # A video change's link is the video file; the still comes from the post itself.
        "104729584412_990003": [
            (
                "https://scontent.xx.fbcdn.net/v/t15.5256-10/468006201_still_n.jpg?_nc_cat=111&ccb=1-7"
                "&oh=00_AfO3&oe=6746E5F6",
                "video_thumbnail",
                "",
            )
        ],
    }
