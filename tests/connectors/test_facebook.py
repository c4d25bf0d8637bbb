"""Facebook and Instagram connectors: the real facebook-sdk GraphAPI, HTTP replaced by fixtures."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers
from sqlalchemy import select

from connectors.base import NotConfigured, RateLimited
from connectors.facebook import FacebookConnector
from connectors.facebook import Settings as FacebookSettings
from connectors.instagram import InstagramConnector
from connectors.instagram import Settings as InstagramSettings
from monitor.channels import ChannelDirectory
from monitor.pipeline import ingest
from monitor.schema import MentionRow
from monitor.store import load_cursor

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
G = "https://graph.facebook.com/v24.0"
TOKEN = "fake-graph-token-for-tests"  # not a real token: tests only
PAGES = {"iom3": "104729584412", "SheffieldMetallurgicalAssoc": "200300400500"}
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def fx(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def tokens(monkeypatch):
    monkeypatch.setenv("IOM3_FACEBOOK_PAGE_TOKEN", TOKEN)
    monkeypatch.setenv("IOM3_INSTAGRAM_TOKEN", TOKEN)


def facebook(config, sleeps=None, **settings) -> FacebookConnector:
    settings.setdefault("pages", PAGES)
    return FacebookConnector(
        FacebookSettings(**settings),
        config.watch_list(),
        sleep=(sleeps if sleeps is not None else []).append,
        clock=lambda: NOW,
    )


def _official_page(mock, *, feed_headers=None) -> None:
    after = {"after": "QVFIUmM4TkJxYUp"}
    mock.get(
        f"{G}/104729584412/feed",
        json=fx("facebook/feed_page2.json"),
        match=[matchers.query_param_matcher(after, strict_match=False)],
    )
    mock.get(f"{G}/104729584412/feed", json=fx("facebook/feed_page1.json"), headers=feed_headers or {})
    mock.get(f"{G}/104729584412/tagged", json=fx("facebook/tagged.json"))
    mock.get(f"{G}/104729584412_880001/comments", json=fx("facebook/comments_880001.json"))
    mock.get(re.compile(rf"{G}/104729584412_\d+/comments"), json=fx("facebook/empty.json"))


@responses.activate
def test_facebook_feed_tagged_and_comments_normalised_and_stored(sessions, config):
    _official_page(responses.mock)
    responses.get(f"{G}/200300400500/feed", json=fx("facebook/error_100.json"), status=400)
    responses.get(f"{G}/200300400500/tagged", json=fx("facebook/error_10.json"), status=403)

    result = ingest(sessions, facebook(config), ChannelDirectory(config))
    assert (result.status, result.stored) == ("partial", 7), result
    skipped = "\n".join(result.skipped)
    assert "Facebook post 104729584412_880199: unreadable (KeyError: 'created_time')" in skipped
    assert (
        "Facebook SheffieldMetallurgicalAssoc feed: not found or not readable (Graph API error 100" in skipped
    )
    assert "Facebook SheffieldMetallurgicalAssoc tagged: permission missing (Graph API error 10" in skipped

    with sessions() as session:
        rows = {r.platform_id: r for r in session.scalars(select(MentionRow))}
        cursor = load_cursor(session, "facebook")
    post = rows["104729584412_880001"]
    assert (post.is_official, post.channel_kind, post.author_handle) == (True, "official", "iom3")
    complaint = rows["880001_990001"]
    assert (complaint.thread_id, complaint.in_reply_to_id) == ("104729584412_880001", "104729584412_880001")
    assert complaint.author_name == "Linda Howarth" and len(complaint.text) > 3000
    reply = rows["880001_990002"]
    assert (reply.is_official, reply.in_reply_to_id, reply.thread_id) == (
        True,
        "880001_990001",
        "104729584412_880001",
    )
    assert "😤" in rows["880001_990003"].text and "Ça" in rows["880001_990003"].text
    assert rows["104729584412_880150"].text == ""  # a photo post with no message is still a post
    tagged = rows["200300400500_12345"]
    assert (tagged.author_handle, tagged.channel_kind) == ("SheffieldMetallurgicalAssoc", "asv_committee")
    provenance = complaint.raw["provenance"]
    assert provenance["request_url"].startswith(f"{G}/104729584412_880001/comments?")
    assert "access_token=[redacted]" in provenance["request_url"] and TOKEN not in json.dumps(complaint.raw)

    assert cursor["feed:iom3"] == int(datetime(2026, 11, 16, 9, tzinfo=UTC).timestamp())
    assert cursor["comments:iom3"] == int(datetime(2026, 11, 16, 13, 40, tzinfo=UTC).timestamp())
    assert set(cursor["posts:iom3"]) == {"104729584412_880001", "104729584412_880210", "104729584412_880150"}
    # facebook-sdk only accepts versions up to 3.1; every request went to the configured one.
    assert all(call.request.url.startswith(f"{G}/") for call in responses.calls)


@responses.activate
def test_facebook_resumes_with_since_and_rereads_recent_comments(config):
    since_feed = int(datetime(2026, 11, 16, 9, tzinfo=UTC).timestamp())
    since_comments = int(datetime(2026, 11, 16, 13, 40, tzinfo=UTC).timestamp())
    old_post = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    responses.get(
        f"{G}/104729584412/feed",
        json=fx("facebook/empty.json"),
        match=[matchers.query_param_matcher({"since": str(since_feed)}, strict_match=False)],
    )
    responses.get(f"{G}/104729584412/tagged", json=fx("facebook/empty.json"))
    responses.get(
        f"{G}/104729584412_880001/comments",
        json=fx("facebook/empty.json"),
        match=[
            matchers.query_param_matcher(
                {"since": str(since_comments), "filter": "stream"}, strict_match=False
            )
        ],
    )
    cursor = {
        "feed:iom3": since_feed,
        "comments:iom3": since_comments,
        "posts:iom3": {"104729584412_880001": since_feed, "104729584412_870000": old_post},
    }
    batches = list(facebook(config, pages={"iom3": "104729584412"}).fetch(cursor))
    assert [m for b in batches for m in b.mentions] == []
    # The post older than the comment window was dropped from the watch list, and not asked for.
    assert batches[-1].cursor["posts:iom3"] == {"104729584412_880001": since_feed}
    assert not any("870000" in call.request.url for call in responses.calls)


@responses.activate
@pytest.mark.parametrize("fixture", ["facebook/error_4.json", "facebook/error_32.json"])
def test_facebook_rate_limit_codes_stop_the_run(sessions, config, fixture):
    responses.get(f"{G}/104729584412/feed", json=fx(fixture), status=400)
    result = ingest(sessions, facebook(config, pages={"iom3": "104729584412"}), ChannelDirectory(config))
    assert result.status == "rate_limited"
    assert re.search(
        r"Facebook rate limit \(Graph API error (4|32)\) until \d{4}-\d\d-\d\d \d\d:\d\d UTC", result.error
    )
    assert len(responses.calls) == 1


@responses.activate
def test_facebook_usage_headers_stop_before_meta_refuses(sessions, config):
    usage = {
        "X-Business-Use-Case-Usage": json.dumps(
            {
                "104729584412": [
                    {
                        "type": "pages",
                        "call_count": 96,
                        "total_cputime": 20,
                        "total_time": 25,
                        "estimated_time_to_regain_access": 12,
                    }
                ]
            }
        )
    }
    _official_page(responses.mock, feed_headers=usage)
    result = ingest(sessions, facebook(config, pages={"iom3": "104729584412"}), ChannelDirectory(config))
    assert (
        result.status == "rate_limited"
        and "96% of the hourly API budget used until 2026-11-20 12:12 UTC" in result.error
    )
    assert result.stored == 2  # the page that reported the usage was kept
    assert len(responses.calls) == 1


@responses.activate
def test_facebook_transient_errors_are_retried(config):
    sleeps: list[float] = []
    responses.get(f"{G}/104729584412/feed", json=fx("facebook/error_2.json"), status=500)
    responses.get(
        f"{G}/104729584412/feed", status=502, body="<html>502 Bad Gateway</html>", content_type="text/html"
    )
    responses.get(f"{G}/104729584412/feed", json=fx("facebook/feed_page2.json"))
    responses.get(f"{G}/104729584412/tagged", json=fx("facebook/empty.json"))
    responses.get(re.compile(rf"{G}/104729584412_\d+/comments"), json=fx("facebook/empty.json"))
    batches = list(facebook(config, sleeps, pages={"iom3": "104729584412"}).fetch(None))
    assert len([m for b in batches for m in b.mentions]) == 1
    assert len(sleeps) == 2


@responses.activate
def test_facebook_expired_token_is_fatal_and_says_what_to_do(sessions, config):
    responses.get(f"{G}/104729584412/feed", json=fx("facebook/error_190.json"), status=400)
    result = ingest(sessions, facebook(config, pages={"iom3": "104729584412"}), ChannelDirectory(config))
    assert result.status == "failed"
    assert result.error.startswith("Facebook refused the access token (Graph API error 190: Error validating")
    assert result.error.endswith("renew the Facebook page token and set it in IOM3_FACEBOOK_PAGE_TOKEN")


@responses.activate
def test_a_dead_network_is_reported_without_the_token(sessions, config):
    url_with_token = f"{G}/104729584412/feed?access_token={TOKEN}"
    responses.get(
        f"{G}/104729584412/feed",
        body=requests.ConnectionError(f"Max retries exceeded with url: {url_with_token}"),
    )
    result = ingest(
        sessions, facebook(config, pages={"iom3": "104729584412"}, retries=2), ChannelDirectory(config)
    )
    assert result.status == "failed"
    assert result.error == (
        "network error after 2 tries: ConnectionError; check this machine's connection; "
        "the next run tries again"
    )
    assert TOKEN not in result.error


def test_facebook_without_a_token_names_the_variable(config, monkeypatch):
    monkeypatch.delenv("IOM3_FACEBOOK_PAGE_TOKEN")
    with pytest.raises(NotConfigured, match="IOM3_FACEBOOK_PAGE_TOKEN"):
        list(facebook(config).fetch(None))


# --- Instagram --------------------------------------------------------------------------
IG_ACCOUNT = "17841400000000001"


def instagram(config, **settings) -> InstagramConnector:
    settings.setdefault("accounts", {"iomthree": IG_ACCOUNT})
    return InstagramConnector(
        InstagramSettings(**settings), config.watch_list(), sleep=[].append, clock=lambda: NOW
    )


@responses.activate
def test_instagram_media_comments_replies_and_tags(sessions, config):
    responses.get(
        f"{G}/{IG_ACCOUNT}/media",
        json=fx("instagram/media_page2.json"),
        match=[matchers.query_param_matcher({"after": "QVFIUmZAmYl"}, strict_match=False)],
    )
    responses.get(f"{G}/{IG_ACCOUNT}/media", json=fx("instagram/media_page1.json"))
    responses.get(f"{G}/{IG_ACCOUNT}/tags", json=fx("instagram/tags.json"))
    responses.get(f"{G}/17900000000000131/comments", json=fx("instagram/comments_17900000000000131.json"))
    responses.get(f"{G}/17900000000000099/comments", json=fx("instagram/empty.json"))
    result = ingest(sessions, instagram(config), ChannelDirectory(config))
    assert (result.status, result.stored) == ("partial", 6), result
    assert result.skipped == ["Instagram comment 17858893269000004: unreadable (KeyError: 'username')"]
    with sessions() as session:
        rows = {r.platform_id: r for r in session.scalars(select(MentionRow))}
        cursor = load_cursor(session, "instagram")
    complaint, reply = rows["17858893269000001"], rows["17858893269000002"]
    assert (complaint.thread_id, complaint.in_reply_to_id, complaint.is_official) == (
        "17900000000000131",
        "17900000000000131",
        False,
    )
    assert (reply.thread_id, reply.in_reply_to_id, reply.is_official) == (
        "17900000000000131",
        "17858893269000001",
        True,
    )
    assert complaint.url == "https://www.instagram.com/p/C0aBcDeFgHi/"
    assert rows["17858893269000003"].text == "😍😍😍 best day"
    assert rows["17900000000000777"].author_handle == "real_engineer_77"
    assert cursor["media:iomthree"] == int(datetime(2026, 11, 17, 12, tzinfo=UTC).timestamp())


@responses.activate
def test_instagram_private_or_deleted_account_is_skipped_not_fatal(sessions, config):
    responses.get(f"{G}/{IG_ACCOUNT}/media", json=fx("facebook/error_100.json"), status=400)
    responses.get(f"{G}/{IG_ACCOUNT}/tags", json=fx("instagram/empty.json"))
    result = ingest(sessions, instagram(config), ChannelDirectory(config))
    assert result.status == "partial"
    assert result.skipped[0].startswith("Instagram @iomthree media: not found or not readable")


@responses.activate
def test_instagram_expired_token_is_fatal(sessions, config):
    responses.get(f"{G}/{IG_ACCOUNT}/media", json=fx("facebook/error_190.json"), status=400)
    result = ingest(sessions, instagram(config), ChannelDirectory(config))
    assert result.status == "failed" and result.error.endswith("set it in IOM3_INSTAGRAM_TOKEN")


def test_rate_limited_carries_resume_time():
    assert RateLimited("x", resume_at=NOW).resume_at == NOW


# --- malformed bodies and missing fields ---------------------------------------------------
TRUNCATED = '{"data": [{"id": "104729584412_880001", "message": "IOM3 ev'


@responses.activate
def test_a_truncated_body_with_status_200_is_retried_then_read(config):
    sleeps: list[float] = []
    responses.get(f"{G}/104729584412/feed", body=TRUNCATED, content_type="application/json")
    responses.get(f"{G}/104729584412/feed", json=fx("facebook/feed_page2.json"))
    responses.get(f"{G}/104729584412/tagged", json=fx("facebook/empty.json"))
    responses.get(re.compile(rf"{G}/104729584412_\d+/comments"), json=fx("facebook/empty.json"))
    batches = list(facebook(config, sleeps, pages={"iom3": "104729584412"}).fetch(None))
    assert len([m for b in batches for m in b.mentions]) == 1
    assert len(sleeps) == 1  # one retry, like any transient error


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (TRUNCATED, "application/json", "was not readable JSON (JSONDecodeError"),
        ('{"data": {"id": "1"}}', "application/json", "unexpected response ('data' that is not a list)"),
        ("[1, 2]", "application/json", "unexpected response (list)"),
    ],
    ids=["truncated", "data-not-a-list", "not-an-object"],
)
@responses.activate
def test_a_malformed_body_that_persists_fails_clearly_and_loses_nothing(
    sessions, config, body, content_type, expected
):
    responses.get(f"{G}/104729584412/feed", body=body, content_type=content_type)
    x = facebook(config, pages={"iom3": "104729584412"}, retries=2)
    result = ingest(sessions, x, ChannelDirectory(config))
    assert result.status == "failed" and expected in result.error, result.error
    assert result.error.startswith("Facebook 104729584412/feed: ")
    assert TOKEN not in result.error
    with sessions() as session:
        assert session.scalars(select(MentionRow)).all() == []
        assert load_cursor(session, "facebook") in (None, {})


@responses.activate
def test_instagram_own_media_without_username_take_the_configured_account(sessions, config):
    media = fx("instagram/media_page2.json")
    for item in media["data"]:
        item.pop("username", None)
    tags = fx("instagram/tags.json")
    for item in tags["data"]:
        item.pop("username", None)
    responses.get(f"{G}/{IG_ACCOUNT}/media", json=media)
    responses.get(f"{G}/{IG_ACCOUNT}/tags", json=tags)
    responses.get(re.compile(rf"{G}/\d+/comments"), json=fx("instagram/empty.json"))
    result = ingest(sessions, instagram(config), ChannelDirectory(config))
    assert result.skipped == []
    with sessions() as session:
        rows = {r.platform_id: r for r in session.scalars(select(MentionRow))}
    tagged = rows.pop(tags["data"][0]["id"])
    assert (tagged.author_handle, tagged.is_official) == ("unknown", False)  # someone else's post
    assert rows and {r.author_handle for r in rows.values()} == {"iomthree"}
    assert all(r.is_official for r in rows.values())  # its own media, so its comments are read too
    assert any("/comments" in c.request.url for c in responses.calls)
