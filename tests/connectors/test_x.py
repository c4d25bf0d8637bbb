"""The X connector: the real tweepy.Client, with only HTTP replaced by recorded responses."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from media_rows import stored_media
from responses import matchers
from sqlalchemy import select, update

from connectors.base import FatalError, NotConfigured, RateLimited
from connectors.x import Settings, XConnector
from monitor.channels import ChannelDirectory
from monitor.pipeline import ingest
from monitor.redact import configure_logging
from monitor.schema import MentionRow
from monitor.store import load_cursor

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "x"
API = "https://api.twitter.com/2"
TOKEN = "fake-x-bearer-for-tests%3Dtailpart"  # not a real token: tests only
OFFICIAL_ID = "17393541"


def fx(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("IOM3_X_BEARER_TOKEN", TOKEN)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def connector(config, sleeps, **settings) -> XConnector:
    return XConnector(Settings(**settings), config.watch_list(), sleep=sleeps.append)


def _users(mock: responses.RequestsMock) -> None:
    mock.get(f"{API}/users/by", json=fx("users_by.json"))


def _search_pages(mock: responses.RequestsMock, since_id: str | None = None) -> None:
    first = {"max_results": "100"} | ({"since_id": since_id} if since_id else {})
    mock.get(
        f"{API}/tweets/search/recent",
        json=fx("search_page2.json"),
        match=[
            matchers.query_param_matcher(
                {"next_token": fx("search_page1.json")["meta"]["next_token"]}, strict_match=False
            )
        ],
    )
    mock.get(
        f"{API}/tweets/search/recent",
        json=fx("search_page1.json"),
        match=[matchers.query_param_matcher(first, strict_match=False)],
    )


def _everything(mock: responses.RequestsMock) -> None:
    _users(mock)
    _search_pages(mock)
    mock.get(f"{API}/users/{OFFICIAL_ID}/mentions", json=fx("mentions_page1.json"))
    mock.get(f"{API}/users/1624000000000000001/tweets", json=fx("timeline_IOM3_YMC.json"))
    mock.get(f"{API}/users/1560000000000000002/tweets", json=fx("error_403.json"), status=403)


@responses.activate
def test_every_stream_paginated_normalised_and_stored(sessions, config, token, sleeps):
    _everything(responses.mock)
    result = ingest(sessions, connector(config, sleeps), ChannelDirectory(config))
    assert result.status == "partial", result
    assert (result.fetched, result.stored) == (7, 7)
    skipped = "\n".join(result.skipped)
    assert "X tweet 1859231000000000006: unreadable (KeyError: 'created_at')" in skipped
    # A referenced post that is gone is routine: kept with the page's provenance, not a problem.
    assert "Could not find tweet with referenced_tweets.id" not in skipped
    assert "X @SWales_IOM3: account not found" in skipped
    assert "X timeline:IOM3Packaging: 403 Sorry, you are not authorized" in skipped

    with sessions() as session:
        rows = {r.platform_id: r for r in session.scalars(select(MentionRow))}
        cursor = load_cursor(session, "x")
    assert cursor == {
        "search": "1859231000000000030",
        "mentions": "1859231000000000050",
        "timeline:IOM3_YMC": "1859231000000000060",
    }

    reply = rows["1859231000000000030"]
    assert (reply.is_official, reply.channel_kind, reply.thread_id) == (
        True,
        "official",
        "1859231000000000010",
    )
    assert reply.in_reply_to_id == "1859231000000000010"
    complaint = rows["1859231000000000010"]
    assert (complaint.author_handle, complaint.author_reach, complaint.is_official) == (
        "metallurgy_mo",
        1240,
        False,
    )
    assert complaint.url == "https://x.com/metallurgy_mo/status/1859231000000000010"
    assert complaint.created_at == datetime(2026, 11, 20, 9, 15, 42, tzinfo=UTC)
    assert "🎉🎉" in rows["1859231000000000020"].text and "👩🏽‍🔬" in rows["1859231000000000020"].text
    assert len(rows["1859231000000000008"].text) > 3000
    assert rows["1859231000000000060"].channel_kind == "asv_committee"
    api_errors = rows["1859231000000000004"].raw["provenance"]["api_errors"]
    assert api_errors == [
        "X: Not Found Error: Could not find tweet with referenced_tweets.id: [1859000000000000001]."
    ]
    raw = rows["1859231000000000010"].raw
    assert raw["tweet"]["public_metrics"]["impression_count"] == 340
    assert raw["provenance"]["client"].startswith("tweepy ")
    assert raw["provenance"]["request_url"].startswith(f"{API}/tweets/search/recent?")


@responses.activate
def test_resumes_from_since_id(sessions, config, token, sleeps):
    _users(responses.mock)
    responses.get(
        f"{API}/tweets/search/recent",
        json=fx("empty.json"),
        match=[matchers.query_param_matcher({"since_id": "1859231000000000030"}, strict_match=False)],
    )
    responses.get(
        f"{API}/users/{OFFICIAL_ID}/mentions",
        json=fx("empty.json"),
        match=[matchers.query_param_matcher({"since_id": "1859231000000000050"}, strict_match=False)],
    )
    cursor = {"search": "1859231000000000030", "mentions": "1859231000000000050"}
    batches = list(connector(config, sleeps, committee_timelines=False).fetch(cursor))
    assert [m for b in batches for m in b.mentions] == []
    assert batches[-1].cursor == cursor


def test_the_query_covers_terms_hashtags_and_the_official_handle(config):
    query = XConnector(Settings(), config.watch_list()).query()
    assert query.startswith(
        '(IOM3 OR IoM3 OR "I.M3" OR "IOM 3" OR "Institute of Materials, Minerals and Mining"'
    )
    assert "#IOM3" in query and "@iom3" in query and query.endswith(") -is:retweet")
    assert len(query) <= 512  # the recent search limit for most access levels


@responses.activate
def test_429_stops_the_run_until_the_reset_then_the_next_run_succeeds(sessions, config, token, sleeps):
    reset = 1795600000
    _users(responses.mock)
    responses.get(
        f"{API}/tweets/search/recent",
        json=fx("error_429.json"),
        status=429,
        headers={
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        },
    )
    x = connector(config, sleeps, mentions=False, committee_timelines=False)
    first = ingest(sessions, x, ChannelDirectory(config))
    assert first.status == "rate_limited"
    assert f"until {datetime.fromtimestamp(reset, UTC):%Y-%m-%d %H:%M} UTC" in first.error
    assert sleeps == []  # no sleeping inside the job: the next run resumes
    assert len(responses.calls) == 1  # one search call, no hammering

    responses.reset()
    _users(responses.mock)
    _search_pages(responses.mock)
    second = ingest(sessions, x, ChannelDirectory(config))
    assert (second.status, second.stored) == ("partial", 5)


@responses.activate
def test_remaining_zero_stops_after_the_page_it_got(sessions, config, token, sleeps):
    _users(responses.mock)
    responses.get(
        f"{API}/tweets/search/recent",
        json=fx("search_page1.json"),
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1795600000"},
    )
    x = connector(config, sleeps, mentions=False, committee_timelines=False)
    result = ingest(sessions, x, ChannelDirectory(config))
    assert (result.status, result.stored) == ("rate_limited", 3)
    with sessions() as session:
        # The stream was not finished, so its cursor did not move: the rest is read next time.
        assert load_cursor(session, "x") in (None, {})


@responses.activate
def test_server_errors_are_retried_with_capped_backoff(config, token, sleeps):
    _users(responses.mock)
    responses.get(f"{API}/tweets/search/recent", status=503, body="Service Unavailable")
    responses.get(f"{API}/tweets/search/recent", status=500, json={"title": "Internal"})
    responses.get(f"{API}/tweets/search/recent", json=fx("search_page2.json"))
    batches = list(connector(config, sleeps, mentions=False, committee_timelines=False).fetch(None))
    assert len([m for b in batches for m in b.mentions]) == 2
    assert len(sleeps) == 2 and all(0 < s <= 31 for s in sleeps)


@responses.activate
def test_persistent_server_errors_give_up_with_a_clear_error(sessions, config, token, sleeps):
    _users(responses.mock)
    responses.get(f"{API}/tweets/search/recent", status=502, body="<html>Bad gateway</html>")
    result = ingest(
        sessions,
        connector(config, sleeps, mentions=False, committee_timelines=False, retries=3),
        ChannelDirectory(config),
    )
    assert (result.status, result.error) == ("failed", "X server error 502")
    assert len(sleeps) == 2


@responses.activate
def test_a_revoked_token_is_fatal_and_says_what_to_do(sessions, config, token, sleeps):
    responses.get(f"{API}/users/by", json=fx("error_401.json"), status=401)
    result = ingest(sessions, connector(config, sleeps), ChannelDirectory(config))
    assert result.status == "failed"
    assert result.error == (
        "X refused the bearer token (401 Unauthorized); renew the X bearer token and set "
        "it in IOM3_X_BEARER_TOKEN"
    )


def test_without_a_token_it_names_the_variable(config, monkeypatch, sleeps):
    monkeypatch.delenv("IOM3_X_BEARER_TOKEN", raising=False)
    with pytest.raises(NotConfigured, match="set the environment variable IOM3_X_BEARER_TOKEN"):
        list(connector(config, sleeps).fetch(None))


@pytest.fixture
def debug_log():
    """The monitor's own logging at DEBUG into a buffer; the root logger restored afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("tweepy").level)
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.getLogger("tweepy").setLevel(saved[2])


@responses.activate
def test_tweepy_debug_lines_are_held_back_and_redacted_if_let_through(config, token, sleeps, debug_log):
    _everything(responses.mock)
    assert logging.getLogger("tweepy").getEffectiveLevel() == logging.INFO  # whole requests stay out
    logging.getLogger("tweepy").setLevel(logging.DEBUG)  # an operator digging deeper lets them in
    list(connector(config, sleeps).fetch(None))
    logged = debug_log.getvalue()
    assert "Making API request: GET https://api.twitter.com/2/users/by" in logged
    assert "'Authorization': '[redacted]'" in logged
    assert TOKEN not in logged and "tailpart" not in logged


def test_rate_limited_is_retriable_and_carries_the_reset():
    exc = RateLimited("X", resume_at=datetime(2026, 11, 25, 7, 15, tzinfo=UTC))
    assert exc.retriable and "until 2026-11-25 07:15 UTC" in str(exc)
    assert not FatalError("x").retriable


# --- fidelity: every word of a post, once -----------------------------------------------
def _search_only(mock: responses.RequestsMock, page: str) -> None:
    _users(mock)
    mock.get(f"{API}/tweets/search/recent", json=fx(page))


@responses.activate
def test_67_retweets_are_stored_with_67_full_texts(sessions, config, token, sleeps):
    page = fx("timeline_retweets.json")
    assert sum(t["text"].endswith("…") for t in page["data"]) > 50  # the API cuts them
    _search_only(responses.mock, "timeline_retweets.json")
    x = connector(config, sleeps, mentions=False, committee_timelines=False, include_retweets=True)
    result = ingest(sessions, x, ChannelDirectory(config))
    assert (result.status, result.stored) == ("ok", 67), result
    with sessions() as session:
        rows = list(session.scalars(select(MentionRow)))
    authors = {u["id"]: u["username"] for u in page["includes"]["users"]}
    expected = {t["id"]: f"RT @{authors[t['author_id']]}: {t['text']}" for t in page["includes"]["tweets"]}
    by_original = {r.raw["retweeted"]["id"]: r.text for r in rows}
    assert by_original == expected
    assert all(not r.text.endswith("…") for r in rows)


@responses.activate
def test_an_826_character_note_tweet_is_stored_whole(sessions, config, token, sleeps):
    _search_only(responses.mock, "search_note_quote_edit.json")
    x = connector(config, sleeps, mentions=False, committee_timelines=False)
    ingest(sessions, x, ChannelDirectory(config))
    with sessions() as session:
        note = session.scalars(
            select(MentionRow).where(MentionRow.platform_id == "1859400000000000010")
        ).one()
    assert len(note.text) == 826 and note.text.startswith("IOM3 members: a long note")
    search_call = next(c for c in responses.calls if "/tweets/search/recent" in c.request.url)
    assert "note_tweet" in search_call.request.url and "edit_history_tweet_ids" in search_call.request.url


@responses.activate
def test_a_quoted_post_is_kept_and_scored_as_context(sessions, config, token, sleeps):
    from monitor.scoring import Scorer

    _search_only(responses.mock, "search_note_quote_edit.json")
    ingest(
        sessions,
        connector(config, sleeps, mentions=False, committee_timelines=False),
        ChannelDirectory(config),
    )
    with sessions() as session:
        quote = session.scalars(
            select(MentionRow).where(MentionRow.platform_id == "1859400000000000020")
        ).one()
    own, _, quoted = quote.text.partition("\n\n[quoting @quoted_q]: ")
    assert own == "This, from a member of @iom3 staff. Has anyone checked?"
    assert quoted.startswith("The IOM3 treasurer is a fraud and a liar")
    assert quote.raw["quoted"]["id"] == "1859000000000000777"
    scorer = Scorer(config.lexicons, config.monitor.scoring)
    assert scorer.assess(quote.text).flag("defamation") is not None  # the quote carries the accusation
    assert scorer.assess(own).flag("defamation") is None  # the quoting words alone would not


@responses.activate
def test_an_edit_pair_is_one_mention_the_newest_with_its_history(sessions, config, token, sleeps):
    _search_only(responses.mock, "search_note_quote_edit.json")
    result = ingest(
        sessions,
        connector(config, sleeps, mentions=False, committee_timelines=False),
        ChannelDirectory(config),
    )
    assert (result.fetched, result.stored) == (3, 3)  # four posts in the page, two of them one post
    with sessions() as session:
        edited = session.scalars(select(MentionRow).where(MentionRow.author_handle == "member_a")).one()
    assert edited.platform_id == "1859400000000000031"  # the chain's first id: one key per post
    assert edited.text.endswith("Absolute scandal")  # the newest words
    assert edited.url.endswith("/status/1859400000000000040")
    assert edited.raw["tweet"]["edit_versions"] == [
        {
            "id": "1859400000000000031",
            "text": "IOM3's council have been hiding the audit from members. Scandal",
        }
    ]


@responses.activate
def test_an_edit_read_on_a_later_run_replaces_the_words_and_is_scored_again(sessions, config, token, sleeps):
    """X gives an edit a new id; the first run stored the post before it was edited."""
    from monitor.pipeline import score_pending
    from monitor.schema import AssessmentRow
    from monitor.scoring import Scorer

    page = fx("search_note_quote_edit.json")
    before = dict(page, data=[t for t in page["data"] if t["id"] == "1859400000000000031"])
    before["data"] = [dict(before["data"][0], edit_history_tweet_ids=["1859400000000000031"])]
    before["meta"] = {"newest_id": "1859400000000000031", "result_count": 1}
    after = dict(page, data=[t for t in page["data"] if t["id"] == "1859400000000000040"])
    _users(responses.mock)
    search = responses.get(f"{API}/tweets/search/recent", json=before)
    x = connector(config, sleeps, mentions=False, committee_timelines=False)
    scorer = Scorer(config.lexicons, config.monitor.scoring)
    assert ingest(sessions, x, ChannelDirectory(config)).stored == 1
    assert score_pending(sessions, config, scorer) == 1
    search.body = json.dumps(after)
    result = ingest(sessions, x, ChannelDirectory(config))
    assert (result.stored, result.edited, result.duplicates) == (0, 1, 0)
    with sessions() as session:
        post = session.scalars(select(MentionRow).where(MentionRow.author_handle == "member_a")).one()
        assessed = session.scalars(select(AssessmentRow).where(AssessmentRow.mention_id == post.id)).all()
    assert post.platform_id == "1859400000000000031" and post.text.endswith("Absolute scandal")
    assert post.url.endswith("/status/1859400000000000040")
    assert post.raw["replaced_versions"] == [
        {"version": "01859400000000000031", "text": before["data"][0]["text"]}
    ]
    assert assessed == []  # the new words are scored on the next step, not the old score kept
    assert score_pending(sessions, config, scorer) == 1
    # The older version read late, or the same edit again, changes nothing.
    search.body = json.dumps(before)
    again = ingest(sessions, x, ChannelDirectory(config))
    assert (again.edited, again.duplicates) == (0, 1)
    with sessions() as session:
        assert session.get(MentionRow, post.id).text.endswith("Absolute scandal")


@responses.activate
def test_an_edit_that_changes_the_pictures_replaces_the_stored_ones_to_be_checked_again(
    sessions, config, token, sleeps
):
    """X lets an author add or swap a photo while editing: the new picture is the one to check."""
    from monitor.schema import MediaRow

    page = fx("search_note_quote_edit.json")
    first = next(t for t in page["data"] if t["id"] == "1859400000000000031")
    photo = {"media_key": "3_1859400000000000901", "type": "photo", "width": 1200, "height": 800}

    def version(tweet_id: str, text: str, picture: str | None) -> dict:
        tweet = dict(first, id=tweet_id, text=text, edit_history_tweet_ids=["1859400000000000031", tweet_id])
        includes = dict(page["includes"])
        if picture:
            tweet["attachments"] = {"media_keys": [photo["media_key"]]}
            includes["media"] = [dict(photo, url=f"https://pbs.twimg.com/media/{picture}.jpg")]
        return dict(page, data=[tweet], includes=includes, meta={"newest_id": tweet_id, "result_count": 1})

    def images() -> list[tuple[str, str]]:
        with sessions() as session:
            rows = session.scalars(select(MediaRow).order_by(MediaRow.position)).all()
            return [(row.url, row.state) for row in rows]

    _users(responses.mock)
    search = responses.get(
        f"{API}/tweets/search/recent", json=version("1859400000000000031", "Our stand", None)
    )
    x = connector(config, sleeps, mentions=False, committee_timelines=False)
    assert ingest(sessions, x, ChannelDirectory(config)).stored == 1
    assert images() == []
    search.body = json.dumps(version("1859400000000000040", "Our stand, with a flyer", "Flyer01"))
    assert ingest(sessions, x, ChannelDirectory(config)).edited == 1
    assert images() == [("https://pbs.twimg.com/media/Flyer01.jpg", "pending")]
    with sessions() as session:
        session.execute(update(MediaRow).values(state="analysed"))
        session.commit()
    # The same words, another picture: still an edit, and only the new picture is kept.
    search.body = json.dumps(version("1859400000000000050", "Our stand, with a flyer", "Flyer02"))
    assert ingest(sessions, x, ChannelDirectory(config)).edited == 1
    assert images() == [("https://pbs.twimg.com/media/Flyer02.jpg", "pending")]
    with sessions() as session:
        post = session.scalars(select(MentionRow).where(MentionRow.author_handle == "member_a")).one()
    assert [v.get("images") for v in post.raw["replaced_versions"]] == [
        [],
        ["https://pbs.twimg.com/media/Flyer01.jpg"],
    ]
    # Read again, the same version changes nothing: the picture is not fetched a second time.
    assert ingest(sessions, x, ChannelDirectory(config)).edited == 0
    assert images() == [("https://pbs.twimg.com/media/Flyer02.jpg", "pending")]


@responses.activate
def test_an_expansion_error_about_another_user_is_recorded_not_partial(sessions, config, token, sleeps):
    _search_only(responses.mock, "search_note_quote_edit.json")
    result = ingest(
        sessions,
        connector(config, sleeps, mentions=False, committee_timelines=False),
        ChannelDirectory(config),
    )
    assert result.status == "ok" and result.skipped == []
    with sessions() as session:
        row = session.scalars(select(MentionRow).where(MentionRow.platform_id == "1859400000000000010")).one()
    assert row.raw["provenance"]["api_errors"] == ["X: Forbidden: User has been suspended: [4999]."]


@responses.activate
def test_an_official_account_that_cannot_be_found_is_a_clear_problem(sessions, config, token, sleeps):
    users = fx("users_by.json")
    users["data"] = [u for u in users["data"] if u["username"] != "iom3"]
    responses.get(f"{API}/users/by", json=users)
    responses.get(f"{API}/tweets/search/recent", json=fx("empty.json"))
    result = ingest(sessions, connector(config, sleeps, committee_timelines=False), ChannelDirectory(config))
    assert result.status == "partial"
    (problem,) = result.skipped
    assert problem.startswith("X @iom3 (the official account in config/channels.toml): not found")
    assert "put the new handle in config/channels.toml" in problem
    assert not any("/mentions" in c.request.url for c in responses.calls)


# --- images (#16) ---------------------------------------------------------------------------
@responses.activate
def test_each_post_keeps_the_images_x_gives_for_it(sessions, config, token, sleeps, caplog):
    _search_only(responses.mock, "search_media.json")
    with caplog.at_level(logging.INFO, logger="connectors.media"):
        result = ingest(
            sessions,
            connector(config, sleeps, mentions=False, committee_timelines=False),
            ChannelDirectory(config),
        )
    # The deleted photo's partial error is routine: kept with the page, not a problem.
    assert (result.status, result.stored, result.skipped) == ("ok", 5, [])
    stand = [
        (
            "https://pbs.twimg.com/media/GcStand01AbCd.jpg",
            "image",
            "Branch stand\r\nwith banner <script>alert('x')</script>",
        ),
        ("https://pbs.twimg.com/media/GcStand02EfGh.png", "image", ""),
    ]
    assert stored_media(sessions) == {
        "1859500000000000010": stand,  # the third key's photo is gone: skipped, logged
        "1859500000000000020": stand,  # a retweet: the original's images
        # A quote tweet: its own image only, never the quoted post's.
        "1859500000000000030": [
            ("https://pbs.twimg.com/media/GcPosterOwnIjKl.jpg", "image", "A home-made lecture poster")
        ],
        "1859500000000000040": [("https://pbs.twimg.com/tweet_video_thumb/GcExamGifQrSt.jpg", "gif", "")],
        "1859500000000000050": [
            (
                "https://pbs.twimg.com/amplify_video_thumb/1859500000000000501/img/UvWxYz12.jpg",
                "video_thumbnail",
                "",
            )
        ],
    }
    assert "media '3_1859500000000000199' is not in includes.media" in caplog.text
    search = next(c for c in responses.calls if "/tweets/search/recent" in c.request.url)
    params = parse_qs(urlparse(search.request.url).query)
    assert params["media.fields"] == ["url,preview_image_url,type,alt_text,width,height"]
    expansions = params["expansions"][0].split(",")
    assert {"attachments.media_keys", "referenced_tweets.id.attachments.media_keys"} <= set(expansions)


@responses.activate
def test_a_photo_with_no_url_is_dropped_and_its_post_kept(sessions, config, token, sleeps, caplog):
    page = fx("search_media.json")
    page["includes"]["media"][0]["url"] = "javascript:alert(1)"
    del page["includes"]["media"][1]["url"]
    _users(responses.mock)
    responses.get(f"{API}/tweets/search/recent", json=page)
    with caplog.at_level(logging.INFO, logger="connectors.media"):
        result = ingest(
            sessions,
            connector(config, sleeps, mentions=False, committee_timelines=False),
            ChannelDirectory(config),
        )
    assert (result.status, result.stored) == ("ok", 5)
    assert "1859500000000000010" not in stored_media(sessions)
    assert "image url 'javascript:alert(1)' is not http(s)" in caplog.text
    assert "image url None is not a link" in caplog.text
