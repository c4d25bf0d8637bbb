"""News, blogs and alerts: RSS and Atom feeds read with `feedparser` (platform "web").

Feeds are those listed in `[connectors.web] feeds` (news searches, Google Alerts feeds) and the
registered accounts of platform "web" in accounts.toml (volunteers' blogs and sites, by feed URL).
An entry that mentions a search term or hashtag becomes a mention. Each feed remembers its ETag
and Last-Modified, so an unchanged feed costs one conditional request and no parsing (304), and
the newest entry time it stored. A feed that fails (gone, unreadable) is named and skipped; the
others are still read, and its own cursor stays where it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests
from pydantic import Field

from connectors.base import Batch, Connector, ConnectorSettings, Cursor, RateLimited, SkipStream
from connectors.http import TransientHTTPError, provenance, with_retries
from connectors.media import Candidate, media_refs, objects
from connectors.text import html_to_text
from monitor.models import MediaRef, Mention
from monitor.optional import require

feedparser = require("feedparser", "the web feeds connector")  # names the extra to install when absent

CLIENT = f"feedparser {feedparser.__version__}"


class Settings(ConnectorSettings):
    feeds: list[str] = Field(default_factory=list)  # RSS/Atom URLs besides the registered sites
    timeout_seconds: float = Field(default=30, gt=0, le=300)
    retries: int = Field(default=3, ge=1, le=10)
    user_agent: str = "IOM3-monitor/0.1 (+https://www.iom3.org)"


class FeedsConnector(Connector):
    name = "web"
    Settings = Settings
    settings: Settings

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        state: dict[str, Any] = {k: dict(v) for k, v in (cursor or {}).items()}
        words = [*self.watch.terms, *self.watch.hashtags]
        self.pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.settings.user_agent
        for url in dict.fromkeys([*self.settings.feeds, *self.watch.registered("web")]):
            try:
                mentions, feed_state = self._feed(url, state.get(url, {}))
            except (SkipStream, TransientHTTPError) as problem:
                yield Batch([], _copy(state), [f"web feed {_shown(url)}: {problem}"])
                continue
            state[url] = feed_state
            yield Batch(mentions, _copy(state))

    def _feed(self, url: str, feed_state: dict[str, Any]) -> tuple[list[Mention], dict[str, Any]]:
        headers = {}
        if etag := feed_state.get("etag"):
            headers["If-None-Match"] = etag
        if modified := feed_state.get("modified"):
            headers["If-Modified-Since"] = modified
        response = with_retries(lambda: self._get(url, headers), self.settings, sleep=self.sleep)  # type: ignore[arg-type]
        if response.status_code == 304:
            return [], feed_state  # unchanged: nothing parsed, nothing stored
        parsed = feedparser.parse(
            response.content, response_headers={k.lower(): v for k, v in response.headers.items()}
        )
        if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
            # A feed cut off in transit or not XML at all: say so rather than store half of it.
            raise TransientHTTPError(
                f"not a readable feed ({type(parsed.bozo_exception).__name__}: {parsed.bozo_exception})",
                fix="the next run reads it again; if it persists, check the URL in the config",
            )
        since = feed_state.get("newest", "")
        stamp = provenance(self.name, url, CLIENT)
        mentions, newest = [], since
        for entry in parsed.entries:
            mention = self.normalize(entry, parsed.feed, url, stamp)
            if _dated(entry):  # undated entries are always looked at; the store keeps one copy
                moment = mention.created_at.isoformat()
                if moment <= since:
                    continue
                newest = max(newest, moment)
            if self.pattern and self.pattern.search(f"{mention.text} {mention.url}"):
                mentions.append(mention)
        new_state = {
            "etag": response.headers.get("ETag") or feed_state.get("etag"),
            "modified": response.headers.get("Last-Modified") or feed_state.get("modified"),
            "newest": newest,
        }
        return mentions, {k: v for k, v in new_state.items() if v}

    def _get(self, url: str, headers: dict[str, str]) -> requests.Response:
        response = self.session.get(url, headers=headers, timeout=self.settings.timeout_seconds)
        status = response.status_code
        if status == 429:
            after = response.headers.get("Retry-After", "")
            resume = self.clock() + timedelta(seconds=int(after)) if after.isdigit() else None
            raise RateLimited(f"web feed {_shown(url)}: rate limited (429)", resume_at=resume)
        if status >= 500:
            raise TransientHTTPError(f"server error {status}")
        if status in (404, 410):
            raise SkipStream(f"{status}: gone; remove it from the config or fix the URL")
        if status >= 400:
            raise SkipStream(f"{status} {response.reason}")
        return response

    # --- pure: a feed entry to a Mention -----------------------------------------------
    def normalize(self, entry: Any, feed: Any, feed_url: str, stamp: dict[str, Any]) -> Mention:
        link = _real_link(entry.get("link") or "")
        moment = entry.get("published_parsed") or entry.get("updated_parsed")
        # An undated entry is dated when first read, so it is still stored (once: its id is its key).
        created = datetime(*moment[:6], tzinfo=UTC) if moment else self.clock()
        title = html_to_text(entry.get("title") or "")
        summary = html_to_text(entry.get("summary") or "")
        site = urlparse(link or feed.get("link") or feed_url).netloc or _shown(feed_url)
        platform_id = str(entry.get("id") or link or f"{feed_url}#{title}")
        return Mention(
            platform="web",
            platform_id=platform_id,
            author_handle=site,
            author_name=str(entry.get("author") or feed.get("title") or ""),
            url=link,
            text=f"{title}\n\n{summary}".strip(),
            created_at=created,
            lang=(feed.get("language") or None),
            raw={"entry": _plain(entry), "feed_url": feed_url, "provenance": stamp},
            media=entry_media(entry, post=platform_id),
        )


def entry_media(entry: Any, *, post: str) -> tuple[MediaRef, ...]:
    """An entry's images: Media RSS `media:content` images, `media:thumbnail`s (a video's still
    when the entry's content is a video), and `enclosure`s of an image/* type. feedparser folds
    `media:description` into the entry's summary, so no alt text is kept. A relative or data:
    URL is no link the analysis pass can fetch: dropped and logged (connectors/media.py)."""

    def items(key: str) -> list[dict[str, Any]]:
        return objects(entry.get(key))

    def is_image(item: dict[str, Any]) -> bool:
        return item.get("medium") == "image" or str(item.get("type", "")).startswith("image/")

    contents = items("media_content")
    has_video = any(
        c.get("medium") == "video" or str(c.get("type", "")).startswith("video/") for c in contents
    )
    candidates: list[Candidate] = [(c.get("url"), "image", "") for c in contents if is_image(c)]
    thumbnail_kind = "video_thumbnail" if has_video else "image"
    candidates += [(t.get("url"), thumbnail_kind, "") for t in items("media_thumbnail")]
    candidates += [(e.get("href"), "image", "") for e in items("enclosures") if is_image(e)]
    return media_refs(candidates, platform="web", post=post)


def _dated(entry: Any) -> bool:
    return bool(entry.get("published_parsed") or entry.get("updated_parsed"))


def _real_link(link: str) -> str:
    """Google Alerts links go through google.com/url?url=<the page>: keep the page."""
    parsed = urlparse(link)
    if parsed.netloc.endswith("google.com") and parsed.path == "/url":
        return parse_qs(parsed.query).get("url", [link])[0]
    return link


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if not k.endswith("_parsed")}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def _shown(url: str) -> str:
    # Alert feed URLs carry a private user id and key: name the host and path, never the query.
    parsed = urlparse(url)
    return f"{parsed.netloc}{parsed.path}"


def _copy(state: dict[str, Any]) -> dict[str, Any]:
    return {k: dict(v) for k, v in state.items()}
