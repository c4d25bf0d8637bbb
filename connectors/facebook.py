"""Facebook Pages through the Graph API (facebook-sdk): each page's feed (its own posts and
visitors'), the posts it is tagged in, and the comments and replies on its recent posts.

Pages are the official IOM3 page and the registered committee pages, listed by handle and page
id in `[connectors.facebook.pages]`. Each stream resumes from the newest `created_time` it has
committed (`since`, inclusive: the store drops the overlap).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from pydantic import Field

from connectors.base import Batch, Connector, Cursor, SkipStream, copy_state
from connectors.graph import (
    CLIENT,
    GraphSettings,
    UsageWatch,
    graph_client,
    pages,
    parse_time,
    timestamp,
)
from connectors.http import platform_token, provenance
from monitor.models import Mention
from monitor.watch import WatchList

POST_FIELDS = "id,message,created_time,from{id,name},permalink_url,parent_id"
COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id},permalink_url"


class Settings(GraphSettings):
    token_env: str = Field(default="IOM3_FACEBOOK_PAGE_TOKEN", pattern=r"^[A-Z][A-Z0-9_]*$")
    # handle (as in channels.toml / accounts.toml) -> numeric page id
    pages: dict[str, str] = Field(default_factory=dict)


class FacebookConnector(Connector):
    name = "facebook"
    Settings = Settings

    def __init__(self, settings: Settings, watch: WatchList, **kwargs: Any) -> None:
        super().__init__(settings, watch, **kwargs)
        self.handle_by_id = {platform_id: handle for handle, platform_id in settings.pages.items()}
        self.official_page_ids = self.official_ids("facebook", settings.pages)

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        token = platform_token(self.settings, "Facebook")
        graph, watch = graph_client(token.reveal(), self.settings)
        self._first_seen: set[str] = set()
        state: dict[str, Any] = copy_state(cursor or {})
        for handle, page_id in self.settings.pages.items():
            for edge in ("feed", "tagged"):
                yield from self._posts(graph, watch, state, handle, page_id, edge)
            yield from self._comments(graph, watch, state, handle)

    # --- streams ---------------------------------------------------------------------
    def _posts(
        self, graph: Any, watch: UsageWatch, state: dict[str, Any], handle: str, page_id: str, edge: str
    ) -> Iterator[Batch]:
        key = f"{edge}:{handle}"
        params: dict[str, Any] = {"fields": POST_FIELDS, "limit": self.settings.page_size}
        if since := state.get(key):
            params["since"] = since
        newest = since
        recent = state.setdefault(f"posts:{handle}", {})
        try:
            for data, url in self._pages(graph, watch, f"{page_id}/{edge}", params):
                mentions, skipped = self.normalize_many(data, url, kind="post")
                for m in mentions:
                    newest = max(newest or 0, timestamp(m.created_at))
                    if edge == "feed":
                        if m.platform_id not in recent:
                            self._first_seen.add(m.platform_id)
                        recent[m.platform_id] = timestamp(m.created_at)
                yield Batch(mentions, copy_state(state), skipped)
        except SkipStream as skip:
            yield Batch([], copy_state(state), [f"Facebook {handle} {edge}: {skip}"])
            return
        if newest != since:
            state[key] = newest
            yield Batch([], copy_state(state))

    def _comments(self, graph: Any, watch: UsageWatch, state: dict[str, Any], handle: str) -> Iterator[Batch]:
        recent: dict[str, int] = state.setdefault(f"posts:{handle}", {})
        horizon = timestamp(self.clock() - timedelta(days=self.settings.comment_window_days))
        for post_id in [p for p, created in recent.items() if created < horizon]:
            del recent[post_id]  # old enough that new comments no longer matter to the monitor
        key = f"comments:{handle}"
        since = state.get(key)
        newest = since
        for post_id in sorted(recent):
            params: dict[str, Any] = {
                "fields": COMMENT_FIELDS,
                "filter": "stream",
                "limit": self.settings.page_size,
            }
            # A post seen for the first time gets all its comments, however old.
            if since and post_id not in self._first_seen:
                params["since"] = since
            try:
                for data, url in self._pages(graph, watch, f"{post_id}/comments", params):
                    mentions, skipped = self.normalize_many(data, url, kind="comment", post_id=post_id)
                    for m in mentions:
                        newest = max(newest or 0, timestamp(m.created_at))
                    yield Batch(mentions, copy_state(state), skipped)
            except SkipStream as skip:
                yield Batch([], copy_state(state), [f"Facebook post {post_id} comments: {skip}"])
        if newest != since:
            state[key] = newest
        yield Batch([], copy_state(state))

    def _pages(
        self, graph: Any, watch: UsageWatch, path: str, params: dict[str, Any]
    ) -> Iterator[tuple[list, str]]:
        return pages(
            graph, watch, path, params, self.settings, platform="Facebook", sleep=self.sleep, clock=self.clock
        )

    # --- pure: Graph API objects to Mentions --------------------------------------------
    def normalize_many(
        self, data: list[Any], url: str, *, kind: str, post_id: str | None = None
    ) -> tuple[list[Mention], list[str]]:
        stamp = provenance(self.name, url, CLIENT)
        mentions, skipped = [], []
        for item in data:
            try:
                mentions.append(self.normalize(item, stamp, kind=kind, post_id=post_id))
            except (KeyError, TypeError, ValueError) as exc:
                ident = item.get("id", "?") if isinstance(item, dict) else "?"
                skipped.append(f"Facebook {kind} {ident}: unreadable ({type(exc).__name__}: {exc})")
        return mentions, skipped

    def normalize(
        self, item: dict[str, Any], stamp: dict[str, Any], *, kind: str, post_id: str | None
    ) -> Mention:
        author = item.get("from") or {}
        author_id = str(author.get("id", ""))
        thread = post_id or item.get("parent_id") or item["id"]
        in_reply_to = (item.get("parent") or {}).get("id") or post_id
        return Mention(
            platform="facebook",
            platform_id=str(item["id"]),
            # Users have no public handle on Facebook; known pages get the handle the config uses.
            author_handle=self.handle_by_id.get(author_id) or author_id or "unknown",
            author_name=author.get("name", ""),
            url=item.get("permalink_url") or f"https://www.facebook.com/{item['id']}",
            text=str(item.get("message", "")),
            created_at=parse_time(item["created_time"]),
            thread_id=str(thread),
            in_reply_to_id=in_reply_to,
            is_official=author_id in self.official_page_ids,
            raw={kind: item, "provenance": stamp},
        )
