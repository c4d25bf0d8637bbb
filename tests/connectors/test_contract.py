"""One contract, every connector (STYLE.md 15): the same tests run on each platform's real client
library against its recorded pages, on SQLite and PostgreSQL.

- each post is stored once, however many runs read it;
- the stored cursor marks the newest stored mention of its stream;
- a rate limit stops the run, loses nothing, and the next run resumes;
- a malformed body (a JSON or XML page cut off with status 200) is a clear error and loses nothing;
- the token never reaches a log line, even at DEBUG;
- each post's images are stored with it, in the post's order, once however many runs read it (#16).
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import responses
from media_rows import stored_media
from sqlalchemy import func, select

from connectors.base import Connector
from monitor.channels import ChannelDirectory
from monitor.pipeline import ingest
from monitor.redact import configure_logging
from monitor.schema import MediaRow, MentionRow
from monitor.store import load_cursor
from monitor.watch import WatchedAccount, WatchList

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
RESET = 1795600000


def fx(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text())


@dataclass
class Case:
    name: str
    env: dict[str, str]  # the secrets it reads
    make: Callable[[Any], Connector]
    serve: Callable[[str], Any]  # kind -> context manager registering that kind's responses
    cursor_marks_newest: Callable[[dict[str, Any], list[MentionRow]], bool]
    # platform_id -> the (url, kind) of each image its recorded page gives, in the post's order.
    images: dict[str, list[tuple[str, str]]]
    truncated_kind: str = "failed"  # what a cut-off body does to the run ("partial" for feeds)

    @property
    def secrets(self) -> list[str]:
        return [
            value for name, value in self.env.items() if not name.endswith("_HANDLE")
        ]  # a handle is public


@contextmanager
def _requests_mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


# --- X -----------------------------------------------------------------------------------
X_API = "https://api.twitter.com/2"


@contextmanager
def _x(kind: str) -> Iterator[None]:
    with _requests_mock() as mock:
        mock.get(f"{X_API}/users/by", json=fx("x/users_by.json"))
        url = f"{X_API}/tweets/search/recent"
        if kind == "rate_limit":
            headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(RESET)}
            mock.get(url, json=fx("x/error_429.json"), status=429, headers=headers)
        elif kind == "malformed":
            mock.get(url, body='{"data": [{"id": "18592310000', content_type="application/json")
        else:
            token = fx("x/search_page1.json")["meta"]["next_token"]
            page2 = responses.matchers.query_param_matcher({"next_token": token}, strict_match=False)
            mock.get(url, json=fx("x/search_page2.json"), match=[page2])
            mock.get(url, json=fx("x/search_page1.json"))
        yield


def _x_make(config: Any) -> Connector:
    from connectors.x import Settings, XConnector

    settings = Settings(mentions=False, committee_timelines=False, retries=2)
    return XConnector(settings, config.watch_list(), sleep=[].append)


# --- Facebook ----------------------------------------------------------------------------
G = "https://graph.facebook.com/v24.0"
PAGE = "104729584412"


@contextmanager
def _facebook(kind: str) -> Iterator[None]:
    with _requests_mock() as mock:
        feed = f"{G}/{PAGE}/feed"
        if kind == "rate_limit":
            mock.get(feed, json=fx("facebook/error_4.json"), status=400)
        elif kind == "malformed":
            mock.get(feed, body='{"data": [{"id": "1047295', content_type="application/json")
        else:
            after = responses.matchers.query_param_matcher({"after": "QVFIUmM4TkJxYUp"}, strict_match=False)
            mock.get(feed, json=fx("facebook/feed_page2.json"), match=[after])
            mock.get(feed, json=fx("facebook/feed_page1.json"))
            mock.get(f"{G}/{PAGE}/tagged", json=fx("facebook/empty.json"))
            mock.get(re.compile(rf"{G}/{PAGE}_\d+/comments"), json=fx("facebook/empty.json"))
        yield


def _facebook_make(config: Any) -> Connector:
    from connectors.facebook import FacebookConnector, Settings

    settings = Settings(pages={"iom3": PAGE}, retries=2)
    return FacebookConnector(settings, config.watch_list(), sleep=[].append, clock=lambda: NOW)


def _facebook_cursor(cursor: dict[str, Any], rows: list[MentionRow]) -> bool:
    return cursor["feed:iom3"] == max(int(r.created_at.timestamp()) for r in rows)


# --- Instagram ---------------------------------------------------------------------------
IG = "17841400000000001"


@contextmanager
def _instagram(kind: str) -> Iterator[None]:
    with _requests_mock() as mock:
        media = f"{G}/{IG}/media"
        if kind == "rate_limit":
            mock.get(media, json=fx("facebook/error_32.json"), status=400)
        elif kind == "malformed":
            mock.get(media, body='{"data": [{"id": "1790000', content_type="application/json")
        else:
            after = responses.matchers.query_param_matcher({"after": "QVFIUmZAmYl"}, strict_match=False)
            mock.get(media, json=fx("instagram/media_page2.json"), match=[after])
            mock.get(media, json=fx("instagram/media_page1.json"))
            mock.get(f"{G}/{IG}/tags", json=fx("instagram/empty.json"))
            mock.get(re.compile(rf"{G}/\d+/comments"), json=fx("instagram/empty.json"))
        yield


def _instagram_make(config: Any) -> Connector:
    from connectors.instagram import InstagramConnector, Settings

    settings = Settings(accounts={"iomthree": IG}, retries=2)
    return InstagramConnector(settings, config.watch_list(), sleep=[].append, clock=lambda: NOW)


def _instagram_cursor(cursor: dict[str, Any], rows: list[MentionRow]) -> bool:
    return cursor["media:iomthree"] == max(int(r.created_at.timestamp()) for r in rows)


# --- LinkedIn ----------------------------------------------------------------------------
LI = "https://api.linkedin.com/rest"


@contextmanager
def _linkedin(kind: str) -> Iterator[None]:
    with _requests_mock() as mock:
        posts = re.compile(rf"{re.escape(LI)}/posts\?author=.*&start=(\d+)$")
        if kind == "rate_limit":
            mock.get(posts, json=fx("linkedin/error_429.json"), status=429, headers={"Retry-After": "600"})
        elif kind == "malformed":
            mock.get(posts, body='{"elements": [{"id": "urn:li:sh', content_type="application/json")
        else:
            mock.get(
                re.compile(rf"{re.escape(LI)}/posts\?author=.*&start=2$"),
                json=fx("linkedin/posts_page2.json"),
            )
            mock.get(
                re.compile(rf"{re.escape(LI)}/posts\?author=.*&start=0$"),
                json=fx("linkedin/posts_page1.json"),
            )
            mock.get(
                re.compile(rf"{re.escape(LI)}/socialActions/.*"), json=fx("linkedin/comments_empty.json")
            )
            mock.get(
                re.compile(rf"{re.escape(LI)}/images\?ids=List\("), json=fx("linkedin/images_page1.json")
            )
        yield


def _linkedin_make(config: Any) -> Connector:
    from connectors.linkedin import LinkedInConnector, Settings

    settings = Settings(
        organizations={"iom3": "urn:li:organization:1234567"}, page_size=2, mentions=False, retries=2
    )
    return LinkedInConnector(settings, config.watch_list(), sleep=[].append, clock=lambda: NOW)


def _linkedin_cursor(cursor: dict[str, Any], rows: list[MentionRow]) -> bool:
    return cursor["posts:iom3"] == max(int(r.created_at.timestamp() * 1000) for r in rows)


# --- Bluesky ------------------------------------------------------------------------------
XRPC = "https://bsky.social/xrpc"
BSKY_WATCH = WatchList(official=(WatchedAccount("bluesky", "iom3.bsky.social", "official"),), terms=("IOM3",))


@contextmanager
def _bluesky(kind: str) -> Iterator[None]:
    respx = pytest.importorskip("respx")
    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"{XRPC}/com.atproto.server.createSession").respond(json=fx("bluesky/create_session.json"))
        search = mock.get(f"{XRPC}/app.bsky.feed.searchPosts")
        if kind == "rate_limit":
            headers = {"ratelimit-remaining": "0", "ratelimit-reset": str(RESET)}
            search.respond(429, json=fx("bluesky/error_429.json"), headers=headers)
        elif kind == "malformed":
            search.respond(
                200,
                content=b'{"posts": [{"uri": "at://did:plc:',
                headers={"content-type": "application/json"},
            )
        else:
            search.mock(
                side_effect=lambda r: httpx.Response(
                    200,
                    json=fx(
                        "bluesky/search_page2.json"
                        if r.url.params.get("cursor")
                        else "bluesky/search_page1.json"
                        if r.url.params["q"] == "IOM3"
                        else "bluesky/search_empty.json"
                    ),
                )
            )
            mock.get(f"{XRPC}/app.bsky.feed.getAuthorFeed").respond(json=fx("bluesky/feed_official.json"))
            mock.get(f"{XRPC}/app.bsky.actor.getProfiles").respond(json=fx("bluesky/profiles.json"))
        yield


def _bluesky_make(config: Any) -> Connector:
    from connectors.bluesky import BlueskyConnector, Settings

    return BlueskyConnector(Settings(retries=2), BSKY_WATCH, sleep=[].append)


def _bluesky_cursor(cursor: dict[str, Any], rows: list[MentionRow]) -> bool:
    return cursor["search:IOM3"] == max(r.raw["post"]["indexedAt"] for r in rows)


# --- Mastodon -----------------------------------------------------------------------------
HOME = "https://mastodon.social"
MASTO_WATCH = WatchList(hashtags=("#IOM3",))


@contextmanager
def _mastodon(kind: str) -> Iterator[None]:
    pytest.importorskip("mastodon")
    with _requests_mock() as mock:
        mock.get(f"{HOME}/api/v1/instance/", json=fx("mastodon/instance_v1.json"))
        mock.get(f"{HOME}/api/v2/instance/", json=fx("mastodon/instance_v2.json"))
        tag = f"{HOME}/api/v1/timelines/tag/IOM3"
        if kind == "rate_limit":
            headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-11-20T12:05:00.000Z"}
            mock.get(tag, json=fx("mastodon/error_429.json"), status=429, headers=headers)
        elif kind == "malformed":
            mock.get(tag, body='[{"id": "1135000000', content_type="application/json")
        else:
            mock.get(tag, json=fx("mastodon/tag_iom3.json"))
        yield


def _mastodon_make(config: Any) -> Connector:
    from connectors.mastodon import MastodonConnector, Settings

    settings = Settings(search=False, account_statuses=False, retries=2)
    return MastodonConnector(settings, MASTO_WATCH, sleep=[].append)


def _mastodon_cursor(cursor: dict[str, Any], rows: list[MentionRow]) -> bool:
    newest = max((r.raw["status"]["id"] for r in rows), key=lambda i: (len(i), i))
    return cursor["tag:mastodon.social:IOM3"] == newest


# --- web feeds ----------------------------------------------------------------------------
FEED = "https://www.google.com/alerts/feeds/00000000000000000000/1111111111111111111"
BLOG = "https://metallurgist.example.org/feed/"  # a volunteer's blog: its entries carry images


@contextmanager
def _web(kind: str) -> Iterator[None]:
    pytest.importorskip("feedparser")
    with _requests_mock() as mock:
        if kind == "rate_limit":
            mock.get(FEED, status=429, headers={"Retry-After": "300"})
        elif kind == "malformed":
            mock.get(
                FEED, body=(FIXTURES / "web/truncated.xml").read_bytes(), content_type="application/atom+xml"
            )
            blog = (FIXTURES / "web/volunteer_blog.xml").read_bytes()
            mock.get(BLOG, body=blog[: len(blog) // 2], content_type="application/rss+xml")
        else:
            mock.get(
                FEED,
                body=(FIXTURES / "web/google_alert.xml").read_bytes(),
                content_type="application/atom+xml",
            )
            mock.get(
                BLOG,
                body=(FIXTURES / "web/volunteer_blog.xml").read_bytes(),
                content_type="application/rss+xml",
            )
        yield


def _web_make(config: Any) -> Connector:
    from connectors.feeds import FeedsConnector, Settings

    watch = WatchList(terms=("IOM3", "Institute of Materials, Minerals and Mining"))
    return FeedsConnector(Settings(feeds=[FEED, BLOG], retries=2), watch, sleep=[].append, clock=lambda: NOW)


def _web_cursor(cursor: dict[str, Any], rows: list[MentionRow]) -> bool:
    """Each feed's cursor marks the newest entry stored from that feed."""
    return all(
        cursor[feed]["newest"]
        == max(r.created_at for r in rows if r.raw["feed_url"] == feed).astimezone(UTC).isoformat()
        for feed in (FEED, BLOG)
    )


# --- the images each case's recorded pages give (the per-platform tests check alt text too) --
TWIMG = "https://pbs.twimg.com"
FBCDN = "https://scontent.xx.fbcdn.net/v/t39.30808-6/"
FB_TAIL = "?_nc_cat=104&ccb=1-7&_nc_sid=127cfc&_nc_ohc=Qx1a2b3c&_nc_ht=scontent.xx&oh=00_AfBc1&oe=6745A1B2"
IGCDN = "https://scontent.cdninstagram.com/v/t51.29350-15/"
IG_TAIL = (
    "?stp=dst-jpg_e35&_nc_ht=scontent.cdninstagram.com&_nc_cat=108&_nc_ohc=Ab1Cd2&edm=AL-3X8kEAAAA"
    "&oh=00_AfH5&oe=6745A1B2"
)
LICDN = (
    "https://media.licdn.com/dms/image/v2/{}/feedshare-shrink_2048_1536/feedshare-shrink_2048_1536/0/"
    "1795249700000?e=1795680000&v=beta&t=Q8w3Yt0mK1rZ9xVbN2cH7jLpA4sD6fG0hJ1kL2mN3oP"
)
BSKY = (
    "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:aliceaaaaaaaaaaaaaaaaaaa/"
    "bafkreirenewalscreenshot{}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@jpeg"
)
MASTO = "https://files.mastodon.social/cache/media_attachments/files/113/500/000"
WP = "https://metallurgist.example.org/wp-content/uploads/2026/11"
IMAGES = {
    "x": {
        "1859231000000000020": [
            (f"{TWIMG}/media/GcIom3CEcert01.jpg", "image"),
            (f"{TWIMG}/ext_tw_video_thumb/1859231000000000202/pu/img/Xq3vQ0ceRtiFy.jpg", "video_thumbnail"),
        ]
    },
    "facebook": {
        "104729584412_880001": [(f"{FBCDN}468001122_880001_renewals_n.jpg{FB_TAIL}", "image")],
        "104729584412_880210": [
            (f"{FBCDN}468002001_schools_day_1_n.jpg{FB_TAIL}", "image"),
            (f"{FBCDN}468002002_schools_day_2_n.jpg{FB_TAIL}", "image"),
            (f"{FBCDN}468002003_schools_day_video_still_n.jpg{FB_TAIL}", "video_thumbnail"),
            (f"{FBCDN}468002004_schools_day_4_n.jpg{FB_TAIL}", "image"),
        ],
    },
    "instagram": {
        "17900000000000131": [
            (f"{IGCDN}437001_student_conf_1_n.jpg{IG_TAIL}", "image"),
            (f"{IGCDN}437002_student_conf_clip_still_n.jpg{IG_TAIL}", "video_thumbnail"),
            (f"{IGCDN}437003_student_conf_3_n.jpg{IG_TAIL}", "image"),
        ],
        "17900000000000099": [(f"{IGCDN}436001_materials_world_dec_n.jpg{IG_TAIL}", "image")],
    },
    "linkedin": {
        "urn:li:share:7260000000000000003": [
            (LICDN.format("D4E22AQFellows01"), "image"),
            (LICDN.format("D4E22AQFellows02"), "image"),
        ],
        "urn:li:share:7260000000000000002": [(LICDN.format("D4E10AQReport001"), "image")],
    },
    "bluesky": {
        "at://did:plc:aliceaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3lbq2aaaaaa2k": [
            (BSKY.format(1), "image"),
            (BSKY.format(2), "image"),
        ]
    },
    "mastodon": {
        "https://scholar.social/users/carol/statuses/113500000000000030": [
            (f"{MASTO}/001/original/carol_exam_portal.png", "image")
        ],
        "https://mastodon.social/users/dan/statuses/113500000000000020": [
            (f"{MASTO}/002/small/dan_applause_gif.png", "gif")
        ],
    },
    "web": {
        "https://metallurgist.example.org/2026/11/why-i-volunteer": [
            (f"{WP}/ymc-committee.jpg", "image"),
            (f"{WP}/ymc-badge.png", "image"),
        ]
    },
}


CASES = [
    Case(
        "x",
        {"IOM3_X_BEARER_TOKEN": "fake-x-contract-token"},
        _x_make,
        _x,
        lambda cursor, rows: cursor["search"] == max((r.platform_id for r in rows), key=int),
        IMAGES["x"],
    ),
    Case(
        "facebook",
        {"IOM3_FACEBOOK_PAGE_TOKEN": "fake-fb-contract-token"},
        _facebook_make,
        _facebook,
        _facebook_cursor,
        IMAGES["facebook"],
    ),
    Case(
        "instagram",
        {"IOM3_INSTAGRAM_TOKEN": "fake-ig-contract-token"},
        _instagram_make,
        _instagram,
        _instagram_cursor,
        IMAGES["instagram"],
    ),
    Case(
        "linkedin",
        {"IOM3_LINKEDIN_TOKEN": "fake-li-contract-token"},
        _linkedin_make,
        _linkedin,
        _linkedin_cursor,
        IMAGES["linkedin"],
    ),
    Case(
        "bluesky",
        {"IOM3_BLUESKY_HANDLE": "iom3.bsky.social", "IOM3_BLUESKY_APP_PASSWORD": "fake-bsky-contract-pw"},
        _bluesky_make,
        _bluesky,
        _bluesky_cursor,
        IMAGES["bluesky"],
    ),
    Case(
        "mastodon",
        {"IOM3_MASTODON_TOKEN": "fake-masto-contract-token"},
        _mastodon_make,
        _mastodon,
        _mastodon_cursor,
        IMAGES["mastodon"],
    ),
    Case("web", {}, _web_make, _web, _web_cursor, IMAGES["web"], truncated_kind="partial"),
]


@pytest.fixture(params=CASES, ids=[c.name for c in CASES])
def case(request, monkeypatch) -> Case:
    for name, value in request.param.env.items():
        monkeypatch.setenv(name, value)
    return request.param


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """The monitor's own log handler at DEBUG (what an operator running -v would see)."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("tweepy").level)
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.getLogger("tweepy").setLevel(saved[2])


def _run(sessions: Any, config: Any, case: Case, kind: str) -> Any:
    with ExitStack() as stack:
        stack.enter_context(case.serve(kind))
        return ingest(sessions, case.make(config), ChannelDirectory(config))


def _rows(sessions: Any, platform: str) -> list[MentionRow]:
    with sessions() as session:
        return list(session.scalars(select(MentionRow).where(MentionRow.platform == platform)))


def test_each_post_is_stored_once_and_the_cursor_marks_the_newest(sessions, config, case, log):
    first = _run(sessions, config, case, "pages")
    assert first.status in ("ok", "partial") and first.stored > 0, first
    again = _run(sessions, config, case, "pages")
    assert again.stored == 0, again
    rows = _rows(sessions, case.make(config).name if case.name != "web" else "web")
    assert len(rows) == first.stored
    assert len({r.platform_id for r in rows}) == len(rows)
    with sessions() as session:
        cursor = load_cursor(session, case.make(config).name)
    assert cursor and case.cursor_marks_newest(cursor, rows), cursor
    for secret in case.secrets:
        assert secret not in log.getvalue()


def test_a_rate_limit_stops_loses_nothing_and_the_next_run_resumes(sessions, config, case, log):
    limited = _run(sessions, config, case, "rate_limit")
    assert limited.status == "rate_limited" and limited.resume_at is not None, limited
    assert limited.stored == 0
    resumed = _run(sessions, config, case, "pages")
    assert resumed.status in ("ok", "partial") and resumed.stored > 0, resumed
    for secret in case.secrets:
        assert secret not in log.getvalue() and secret not in limited.error


def test_a_malformed_body_is_a_clear_error_and_loses_nothing(sessions, config, case, log):
    broken = _run(sessions, config, case, "malformed")
    assert broken.status == case.truncated_kind, broken
    message = broken.error or " ".join(broken.skipped)
    assert re.search(r"not (readable|JSON|a readable feed)", message), message
    with sessions() as session:
        assert load_cursor(session, case.make(config).name) in (None, {})
    fixed = _run(sessions, config, case, "pages")
    assert fixed.stored > 0  # everything the broken page held is read on the next run
    for secret in case.secrets:
        assert secret not in log.getvalue() and secret not in message


def test_each_posts_images_are_stored_once_with_it_in_order(sessions, config, case, log):
    first = _run(sessions, config, case, "pages")
    assert first.status in ("ok", "partial") and first.stored > 0, first
    stored = {pid: [(url, kind) for url, kind, _ in images] for pid, images in stored_media(sessions).items()}
    assert stored == case.images
    again = _run(sessions, config, case, "pages")  # every post read again: duplicates add no image
    assert again.stored == 0
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(MediaRow)) == sum(
            map(len, case.images.values())
        )
        pending = session.scalars(select(MediaRow.state).distinct()).all()
    assert pending == ["pending"]  # the analysis pass (monitor/media/) takes them from here
