"""Instagram (professional accounts) through the Graph API (facebook-sdk): each account's media
and their comments with replies, and media the account is tagged in.

Accounts are the official IOM3 account and registered committee accounts, listed by username
and Instagram user id in `[connectors.instagram.accounts]`. Media resume from the newest
`timestamp` committed; comments of media from the last `comment_window_days` are re-read every
run (the comments edge has no `since`) and the store drops what it already has.
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

MEDIA_FIELDS = "id,caption,timestamp,permalink,username,media_type,comments_count"
COMMENT_FIELDS = "id,text,timestamp,username,like_count,replies{id,text,timestamp,username}"


class Settings(GraphSettings):
    token_env: str = Field(default="IOM3_INSTAGRAM_TOKEN", pattern=r"^[A-Z][A-Z0-9_]*$")
    # username -> Instagram professional account id (the Graph API "IG User" id)
    accounts: dict[str, str] = Field(default_factory=dict)


class InstagramConnector(Connector):
    name = "instagram"
    Settings = Settings

    def __init__(self, settings: Settings, watch: WatchList, **kwargs: Any) -> None:
        super().__init__(settings, watch, **kwargs)
        self.official = {h.lower() for h in watch.official_handles("instagram")}

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        token = platform_token(self.settings, "Instagram")
        graph, watch = graph_client(token.reveal(), self.settings)
        state: dict[str, Any] = copy_state(cursor or {})
        for handle, account_id in self.settings.accounts.items():
            yield from self._media(graph, watch, state, handle, f"{account_id}/media", f"media:{handle}")
            yield from self._media(graph, watch, state, handle, f"{account_id}/tags", f"tags:{handle}")
            yield from self._comments(graph, watch, state, handle)

    def _media(
        self, graph: Any, watch: UsageWatch, state: dict[str, Any], handle: str, path: str, key: str
    ) -> Iterator[Batch]:
        params: dict[str, Any] = {"fields": MEDIA_FIELDS, "limit": self.settings.page_size}
        if since := state.get(key):
            params["since"] = since
        newest = since
        recent = state.setdefault(f"recent:{handle}", {})
        try:
            for data, url in self._pages(graph, watch, path, params):
                mentions, skipped = [], []
                for item in data:
                    try:
                        mention = self.normalize(item, provenance(self.name, url, CLIENT), media=None)
                    except (KeyError, TypeError, ValueError) as exc:
                        skipped.append(_unreadable("media", item, exc))
                        continue
                    mentions.append(mention)
                    newest = max(newest or 0, timestamp(mention.created_at))
                    if key.startswith("media:"):
                        recent[mention.platform_id] = [timestamp(mention.created_at), mention.url]
                yield Batch(mentions, copy_state(state), skipped)
        except SkipStream as skip:
            yield Batch([], copy_state(state), [f"Instagram @{handle} {key.split(':')[0]}: {skip}"])
            return
        if newest != since:
            state[key] = newest
            yield Batch([], copy_state(state))

    def _comments(self, graph: Any, watch: UsageWatch, state: dict[str, Any], handle: str) -> Iterator[Batch]:
        recent: dict[str, list] = state.setdefault(f"recent:{handle}", {})
        horizon = timestamp(self.clock() - timedelta(days=self.settings.comment_window_days))
        for media_id in [m for m, (created, _) in recent.items() if created < horizon]:
            del recent[media_id]
        for media_id, (_, permalink) in sorted(recent.items()):
            media = {"id": media_id, "permalink": permalink}
            params = {"fields": COMMENT_FIELDS, "limit": self.settings.page_size}
            try:
                for data, url in self._pages(graph, watch, f"{media_id}/comments", params):
                    stamp = provenance(self.name, url, CLIENT)
                    mentions, skipped = [], []
                    for item in data:
                        # Replies come nested in their comment; flatten them into the same thread.
                        for node in [
                            item,
                            *((item.get("replies") or {}).get("data", []) if isinstance(item, dict) else []),
                        ]:
                            try:
                                parent = item["id"] if node is not item else media_id
                                mentions.append(self.normalize(node, stamp, media=media, parent=parent))
                            except (KeyError, TypeError, ValueError) as exc:
                                skipped.append(_unreadable("comment", node, exc))
                    yield Batch(mentions, copy_state(state), skipped)
            except SkipStream as skip:
                yield Batch([], copy_state(state), [f"Instagram media {media_id} comments: {skip}"])
        yield Batch([], copy_state(state))

    def _pages(
        self, graph: Any, watch: UsageWatch, path: str, params: dict[str, Any]
    ) -> Iterator[tuple[list, str]]:
        return pages(
            graph,
            watch,
            path,
            params,
            self.settings,
            platform="Instagram",
            sleep=self.sleep,
            clock=self.clock,
        )

    def normalize(
        self,
        item: dict[str, Any],
        stamp: dict[str, Any],
        *,
        media: dict[str, Any] | None,
        parent: str | None = None,
    ) -> Mention:
        """A media object (media=None) or a comment on `media`."""
        username = str(item["username"])
        text = item.get("caption", "") if media is None else item["text"]
        return Mention(
            platform="instagram",
            platform_id=str(item["id"]),
            author_handle=username,
            url=(item.get("permalink") if media is None else media["permalink"]) or "",
            text=str(text or ""),
            created_at=parse_time(item["timestamp"]),
            thread_id=str(item["id"] if media is None else media["id"]),
            in_reply_to_id=parent,
            is_official=username.lower() in self.official,
            raw={"media" if media is None else "comment": item, "provenance": stamp},
        )


def _unreadable(kind: str, item: Any, exc: Exception) -> str:
    ident = item.get("id", "?") if isinstance(item, dict) else "?"
    return f"Instagram {kind} {ident}: unreadable ({type(exc).__name__}: {exc})"
