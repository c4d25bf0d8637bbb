"""The LinkedIn connector: requests against the versioned REST API, HTTP replaced by fixtures."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
import responses
from sqlalchemy import select

from connectors.base import NotConfigured
from connectors.linkedin import LinkedInConnector, Settings
from monitor.channels import ChannelDirectory
from monitor.pipeline import ingest
from monitor.schema import MentionRow
from monitor.store import load_cursor

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "linkedin"
API = "https://api.linkedin.com/rest"
TOKEN = "fake-linkedin-token-for-tests"  # not a real token: tests only
ORG = "urn:li:organization:1234567"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
POSTS = re.compile(rf"{re.escape(API)}/posts\?author=")
P2 = "urn:li:share:7260000000000000002"
IMAGES = re.compile(rf"{re.escape(API)}/images\?ids=List\(")


def fx(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("IOM3_LINKEDIN_TOKEN", TOKEN)


def linkedin(config, sleeps=None, **settings) -> LinkedInConnector:
    settings.setdefault("organizations", {"iom3": ORG})
    settings.setdefault("page_size", 2)
    return LinkedInConnector(
        Settings(**settings),
        config.watch_list(),
        sleep=(sleeps if sleeps is not None else []).append,
        clock=lambda: NOW,
    )


def _all(mock) -> None:
    mock.get(re.compile(rf"{re.escape(API)}/posts\?author=.*&start=2$"), json=fx("posts_page2.json"))
    mock.get(re.compile(rf"{re.escape(API)}/posts\?author=.*&start=0$"), json=fx("posts_page1.json"))
    mock.get(
        f"{API}/socialActions/{quote(P2, safe='')}/comments?count=2&start=0", json=fx("comments_share2.json")
    )
    mock.get(re.compile(rf"{re.escape(API)}/socialActions/.*/comments"), json=fx("comments_empty.json"))
    mock.get(
        re.compile(rf"{re.escape(API)}/organizationalEntityNotifications\?"), json=fx("notifications.json")
    )
    mock.get(
        f"{API}/posts/{quote('urn:li:share:7261111111111111111', safe='')}", json=fx("mentioning_post.json")
    )
    mock.get(IMAGES, json=fx("images_page1.json"))


@responses.activate
def test_posts_comments_and_mentions_normalised_and_stored(sessions, config):
    _all(responses.mock)
    result = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert (result.status, result.stored) == ("partial", 6), result
    assert sorted(result.skipped) == [
        "LinkedIn comment 7263000000000000014: unreadable (KeyError: 'created')",
        "LinkedIn post urn:li:share:7260000000000000001: unreadable (KeyError: 'createdAt')",
    ]
    with sessions() as session:
        rows = {r.platform_id: r for r in session.scalars(select(MentionRow))}
        cursor = load_cursor(session, "linkedin")
    report = rows[P2]
    assert (report.author_handle, report.is_official, report.channel_kind) == ("iom3", True, "official")
    assert report.url == f"https://www.linkedin.com/feed/update/{P2}/"
    comment = rows["urn:li:comment:(urn:li:activity:7260000000000000002,7263000000000000011)"]
    assert (comment.thread_id, comment.in_reply_to_id, comment.is_official) == (P2, P2, False)
    reply = rows["urn:li:comment:(urn:li:activity:7260000000000000002,7263000000000000012)"]
    assert (reply.is_official, reply.in_reply_to_id) == (True, comment.platform_id)
    long = rows["urn:li:comment:(urn:li:activity:7260000000000000002,7263000000000000013)"]
    assert "👏" in long.text and "–" in long.text and len(long.text) > 4000
    mention = rows["urn:li:share:7261111111111111111"]
    assert (mention.author_handle, mention.channel_kind) == ("urn:li:person:Mn4Op5Qr6S", "public")
    assert cursor["posts:iom3"] == fx("posts_page1.json")["elements"][0]["createdAt"]
    assert cursor["mentions:iom3"] == int(NOW.timestamp() * 1000)

    for call in responses.calls:
        assert call.request.headers["LinkedIn-Version"] == "202511"
        assert call.request.headers["X-Restli-Protocol-Version"] == "2.0.0"
        assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in json.dumps(report.raw)


@responses.activate
def test_resume_stops_paging_at_what_was_already_stored(config):
    newest = fx("posts_page1.json")["elements"][0]["createdAt"]
    responses.get(POSTS, json=fx("posts_page1.json"))
    batches = list(linkedin(config, mentions=False).fetch({"posts:iom3": newest, "recent:iom3": {}}))
    assert [m for b in batches for m in b.mentions] == []
    assert len(responses.calls) == 1  # the first page already reached the cursor


@responses.activate
def test_429_stops_until_midnight_utc_and_the_next_run_succeeds(sessions, config):
    responses.get(POSTS, json=fx("error_429.json"), status=429)
    first = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert first.status == "rate_limited" and "until 2026-11-23 00:00 UTC" in first.error
    responses.reset()
    _all(responses.mock)
    assert ingest(sessions, linkedin(config), ChannelDirectory(config)).stored == 6


@responses.activate
def test_retry_after_is_honoured(config):
    responses.get(POSTS, json=fx("error_429.json"), status=429, headers={"Retry-After": "120"})
    with pytest.raises(Exception, match="until 2026-11-22 12:02 UTC"):
        list(linkedin(config).fetch(None))


@responses.activate
def test_server_errors_retry_then_succeed(config):
    sleeps: list[float] = []
    responses.get(POSTS, status=504, body="Gateway Timeout")
    responses.get(POSTS, json=fx("posts_page2.json"))
    batches = list(linkedin(config, sleeps, mentions=False).fetch(None))
    assert len(sleeps) == 1
    assert any(b.skipped for b in batches)  # page 2's malformed post, reported


@responses.activate
def test_revoked_token_is_fatal_and_says_what_to_do(sessions, config):
    responses.get(POSTS, json=fx("error_401.json"), status=401)
    result = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert result.status == "failed"
    assert result.error == (
        "LinkedIn refused the access token (401); LinkedIn tokens expire after 60 days: "
        "renew it and set it in IOM3_LINKEDIN_TOKEN"
    )


@responses.activate
def test_a_page_without_permission_is_skipped_and_the_others_read(sessions, config):
    wood = "urn:li:organization:7654321"
    responses.get(
        re.compile(rf"{re.escape(API)}/posts\?author={quote(wood, safe='')}"),
        json=fx("error_403.json"),
        status=403,
    )
    _all(responses.mock)
    orgs = {"iom3-wood-technology-society": wood, "iom3": ORG}
    result = ingest(sessions, linkedin(config, organizations=orgs, mentions=False), ChannelDirectory(config))
    assert result.stored == 5
    assert any(
        s.startswith(
            "LinkedIn iom3-wood-technology-society posts: 403: the token lacks r_organization_social"
        )
        for s in result.skipped
    )


def test_without_a_token_it_names_the_variable(config, monkeypatch):
    monkeypatch.delenv("IOM3_LINKEDIN_TOKEN")
    with pytest.raises(NotConfigured, match="IOM3_LINKEDIN_TOKEN"):
        list(linkedin(config).fetch(None))


# --- a mention notification names its post by share, ugcPost or activity URN -------------
ACTIVITY = "urn:li:activity:7261111111111111199"
UGC = "urn:li:ugcPost:7261111111111111122"
NOTIFICATIONS = re.compile(rf"{re.escape(API)}/organizationalEntityNotifications")


def _mention_only(mock, notification: dict) -> None:
    page = fx("notifications.json")
    page["elements"] = [{**page["elements"][0], **notification}]
    mock.get(NOTIFICATIONS, json=page)
    mock.get(POSTS, json={"paging": {"start": 0, "count": 2, "links": []}, "elements": []})


def _post(urn: str) -> dict:
    return {**fx("mentioning_post.json"), "id": urn}


@pytest.mark.parametrize(
    ("notification", "post_urn"),
    [
        ({"generatedActivity": "urn:li:share:7261111111111111111"}, "urn:li:share:7261111111111111111"),
        ({"generatedActivity": UGC, "sourcePost": UGC}, UGC),
        ({"generatedActivity": ACTIVITY, "sourcePost": UGC}, UGC),  # the post URN is used as it is
    ],
    ids=["share", "ugcPost", "activity-beside-a-post"],
)
@responses.activate
def test_a_post_urn_is_read_from_the_posts_api(sessions, config, notification, post_urn):
    _mention_only(responses.mock, notification)
    responses.get(f"{API}/posts/{quote(post_urn, safe='')}", json=_post(post_urn))
    result = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 1), result
    assert not any("/rest/posts/urn%3Ali%3Aactivity" in c.request.url for c in responses.calls)


@responses.activate
def test_an_activity_urn_is_resolved_to_its_post_first(sessions, config):
    _mention_only(responses.mock, {"generatedActivity": ACTIVITY, "sourcePost": None})
    share = "urn:li:share:7261111111111111188"
    responses.get(
        f"{API}/activities?ids=List({quote(ACTIVITY, safe='')})",
        json={"results": {ACTIVITY: {"domainEntity": share}}, "statuses": {ACTIVITY: 200}, "errors": {}},
    )
    responses.get(f"{API}/posts/{quote(share, safe='')}", json=_post(share))
    result = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 1), result
    with sessions() as session:
        (row,) = session.scalars(select(MentionRow))
    assert row.platform_id == share


@responses.activate
def test_an_activity_that_resolves_to_no_post_is_named_not_lost_silently(sessions, config):
    _mention_only(responses.mock, {"generatedActivity": ACTIVITY, "sourcePost": None})
    responses.get(
        f"{API}/activities?ids=List({quote(ACTIVITY, safe='')})",
        json={"results": {ACTIVITY: {}}, "statuses": {ACTIVITY: 200}, "errors": {}},
    )
    result = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert result.status == "partial"
    assert result.skipped == [
        f"LinkedIn mention: activity {ACTIVITY} resolves to nothing (deleted, or its author does not "
        "share it), not a post the Posts API can read"
    ]


@responses.activate
def test_a_notification_without_a_post_urn_is_named(sessions, config):
    _mention_only(responses.mock, {"generatedActivity": None, "sourcePost": None})
    result = ingest(sessions, linkedin(config), ChannelDirectory(config))
    assert result.status == "partial"
    assert result.skipped[0].startswith("LinkedIn mention: notification names no share, ugcPost or activity")
