"""The Mastodon connector: the real Mastodon.py, HTTP replaced by recorded responses."""

from __future__ import annotations

import json
import re
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

pytest.importorskip("mastodon")
from connectors.mastodon import MastodonConnector, Settings  # noqa: E402
from connectors.text import html_to_text  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mastodon"
HOME = "https://mastodon.social"
TOKEN = "fake-mastodon-token-for-tests"  # not a real token: tests only
WATCH = WatchList(
    accounts=(WatchedAccount("mastodon", "iom3ymc", "asv_committee"),),
    terms=("IOM3",),
    hashtags=("#IOM3",),
)


def fx(name: str):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("IOM3_MASTODON_TOKEN", TOKEN)


def mastodon(**settings) -> MastodonConnector:
    return MastodonConnector(Settings(**settings), WATCH, sleep=[].append)


def _instance(mock) -> None:
    # Mastodon.py asks the instance's version (once) before search parameters it gates on it.
    mock.get(f"{HOME}/api/v1/instance/", json=fx("instance_v1.json"))
    mock.get(f"{HOME}/api/v2/instance/", json=fx("instance_v2.json"))


def _routes(mock) -> None:
    _instance(mock)
    mock.get(f"{HOME}/api/v2/search", json=fx("search_iom3.json"))
    mock.get(f"{HOME}/api/v1/timelines/tag/IOM3", json=fx("tag_iom3.json"))
    mock.get(f"{HOME}/api/v1/accounts/lookup", json=fx("account_lookup.json"))
    mock.get(re.compile(rf"{HOME}/api/v1/accounts/\d+/statuses"), json=fx("account_statuses.json"))


@responses.activate
def test_search_hashtags_and_accounts_stored_once_as_text(sessions, config):
    _routes(responses.mock)
    result = ingest(sessions, mastodon(), ChannelDirectory(config))
    assert (result.status, result.fetched, result.stored) == ("ok", 4, 3), result  # one seen twice
    with sessions() as session:
        rows = {r.platform_id.rsplit("/", 1)[-1]: r for r in session.scalars(select(MentionRow))}
        cursor = load_cursor(session, "mastodon")
    carol = rows["113500000000000030"]
    assert (
        carol.text == "Has anyone else had no reply from #IOM3 about exam results?\nThree weeks & counting."
    )
    assert "alert" not in carol.text and "<" not in carol.text
    assert (carol.author_handle, carol.author_reach) == ("carol@scholar.social", 2400)
    assert carol.created_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert rows["113500000000000020"].text.startswith("long post about metals\n\nLovely #iom3")
    assert cursor == {
        "search:IOM3": "113500000000000030",
        "tag:mastodon.social:IOM3": "113500000000000030",
        "account:iom3ymc": "113500000000000010",
    }
    for call in responses.calls:
        assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"


@responses.activate
def test_the_next_run_asks_only_for_newer_statuses(sessions, config):
    _routes(responses.mock)
    ingest(sessions, mastodon(), ChannelDirectory(config))
    responses.calls.reset()
    second = ingest(sessions, mastodon(), ChannelDirectory(config))
    assert second.stored == 0
    tag_call = next(c for c in responses.calls if "/timelines/tag/" in c.request.url)
    assert "since_id=113500000000000030" in tag_call.request.url


@responses.activate
def test_a_rate_limit_stops_the_run_until_the_reset(sessions, config):
    _instance(responses.mock)
    responses.get(
        f"{HOME}/api/v2/search",
        json=fx("error_429.json"),
        status=429,
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2026-11-20T10:05:00.000Z",
        },
    )
    result = ingest(sessions, mastodon(), ChannelDirectory(config))
    assert result.status == "rate_limited"
    assert "until 2026-11-20 10:05 UTC" in result.error


@responses.activate
def test_a_revoked_token_is_fatal_and_names_the_variable(sessions, config):
    _instance(responses.mock)
    responses.get(f"{HOME}/api/v2/search", json=fx("error_401.json"), status=401)
    result = ingest(sessions, mastodon(), ChannelDirectory(config))
    assert result.status == "failed" and "IOM3_MASTODON_TOKEN" in result.error and TOKEN not in result.error


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a &lt;b&gt; &amp; c</p>", "a <b> & c"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ('<p>x<img src="javascript:alert(1)" onerror="alert(2)">y</p>', "xy"),
        ("<style>p{}</style><p>kept</p>", "kept"),
    ],
)
def test_html_becomes_plain_text_safely(html, text):
    assert html_to_text(html) == text


# --- images (#16) ---------------------------------------------------------------------------
FILES = "https://files.mastodon.social/cache/media_attachments/files/113/500/000"


@responses.activate
def test_each_status_keeps_its_images_a_reblog_the_originals(sessions, config):
    _instance(responses.mock)
    responses.get(f"{HOME}/api/v1/timelines/tag/IOM3", json=fx("tag_iom3.json"))
    responses.get(f"{HOME}/api/v1/accounts/lookup", json=fx("account_lookup.json"))
    responses.get(re.compile(rf"{HOME}/api/v1/accounts/\d+/statuses"), json=fx("account_statuses_media.json"))
    result = ingest(sessions, mastodon(search=False), ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 4), result
    assert stored_media(sessions) == {
        "https://scholar.social/users/carol/statuses/113500000000000030": [
            (f"{FILES}/001/original/carol_exam_portal.png", "image", "Exam portal page: 'results pending'")
        ],
        # A gifv's url is an MP4: its still is the preview.
        "https://mastodon.social/users/dan/statuses/113500000000000020": [
            (f"{FILES}/002/small/dan_applause_gif.png", "gif", "")
        ],
        # A reblog: the reblogged status's images, with their descriptions as alt text.
        "https://mastodon.social/users/iom3ymc/statuses/113500000000000050": [
            (
                f"{FILES}/010/original/stand_banner.png",
                "image",
                "Stand\r\nwith IOM3 banner <script>alert('x')</script>",
            ),
            (f"{FILES}/011/original/stand_wide.png", "image", ""),
        ],
        # A video's still; its audio and the remote file the instance has not fetched have none.
        "https://mastodon.social/users/iom3ymc/statuses/113500000000000040": [
            (f"{FILES}/012/small/quiz_highlights.png", "video_thumbnail", "Quiz night")
        ],
    }


@responses.activate
def test_a_boost_is_stored_with_the_words_it_spread(sessions, config):
    """A boost's own `content` is empty; what it spread is the reblogged status, credited."""
    _instance(responses.mock)
    responses.get(f"{HOME}/api/v1/accounts/lookup", json=fx("account_lookup.json"))
    responses.get(re.compile(rf"{HOME}/api/v1/accounts/\d+/statuses"), json=fx("account_statuses_media.json"))
    result = ingest(sessions, mastodon(search=False, hashtags=False), ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 2), result
    with sessions() as session:
        boost = session.scalars(
            select(MentionRow).where(MentionRow.platform_id.endswith("/113500000000000050"))
        ).one()
    original = fx("account_statuses_media.json")[0]["reblog"]
    assert boost.text == f"boosted @{original['account']['acct']}: Our #iom3 branch stand"
    assert boost.author_handle == "iom3ymc"  # the booster, whose account it is
