"""Instagram (professional accounts) through the Graph API (facebook-sdk): each account's media
and their comments with replies, and media the account is tagged in; and, for the audit, a
registered account's profile: the IG User fields of an account IOM3's token manages, or
Business Discovery for another business or creator account. A personal Instagram account has
no profile the Graph API shows (ProfileNotReadable).

Accounts are the official IOM3 account and registered committee accounts, listed by username
and Instagram user id in `[connectors.instagram.accounts]`. Media resume from the newest
`timestamp` committed; comments of media from the last `comment_window_days` are re-read every
run (the comments edge has no `since`) and the store drops what it already has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import Field

from connectors.base import Batch, SkipStream, copy_state
from connectors.graph import GraphSettings, MetaConnector, UsageWatch, parse_time, timestamp
from connectors.meta_media import IG_MEDIA_IMAGES, IG_PUBLIC_MEDIA_IMAGES, instagram_media
from connectors.profile import configured, make_profile
from monitor.models import Mention, Profile
from monitor.platforms import default_token_env

_MEDIA_BASICS = "id,caption,timestamp,permalink,username,comments_count"
MEDIA_FIELDS = f"{_MEDIA_BASICS},{IG_MEDIA_IMAGES}"  # the account's own media
# Media of other accounts (tags, @mentions): the same, less what Meta expands only for the owner.
OTHERS_MEDIA_FIELDS = f"{_MEDIA_BASICS},{IG_PUBLIC_MEDIA_IMAGES}"
COMMENT_FIELDS = "id,text,timestamp,username,like_count,replies{id,text,timestamp,username}"
MENTIONED_COMMENT_FIELDS = "id,text,timestamp,username,like_count,media{id,permalink}"
# IG User fields (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user),
# the same through Business Discovery (.../ig-user/business_discovery) for an account not managed.
PROFILE_FIELDS = "username,name,biography,profile_picture_url"
USERNAME = re.compile(r"[A-Za-z0-9._]{1,30}")  # Instagram's own rule for usernames


class Settings(GraphSettings):
    token_env: str = Field(default=default_token_env("instagram"), pattern=r"^[A-Z][A-Z0-9_]*$")
    # username -> Instagram professional account id (the Graph API "IG User" id)
    accounts: dict[str, str] = Field(default_factory=dict)


class InstagramConnector(MetaConnector):
    name = "instagram"
    Settings = Settings
    settings: Settings

    @property
    def official(self) -> set[str]:
        return {h.lower() for h in self.watch.official_handles("instagram")}

    def streams(self, graph: Any, watch: UsageWatch, state: dict[str, Any]) -> Iterator[Batch]:
        for handle, account_id in self.settings.accounts.items():
            yield from self._media(graph, watch, state, handle, account_id, "media")
            yield from self._media(graph, watch, state, handle, account_id, "tags")
            yield from self._comments(graph, watch, state, handle)

    def profile_refusal(self, handle: str) -> str | None:
        return None  # whether it is a professional account, only Business Discovery can say

    def read_profile(self, handle: str) -> Profile:
        """The account's own fields if IOM3's token manages it, else through Business Discovery."""
        accounts = self.settings.accounts
        if (own := configured(accounts, handle)) is not None:
            user = self._node(own, PROFILE_FIELDS)
        else:
            official = [configured(accounts, h) for h in self.watch.official_handles("instagram")]
            asker = next((i for i in [*official, *accounts.values()] if i is not None), None)
            if asker is None:
                raise SkipStream(
                    "Business Discovery asks through an IOM3 account: "
                    "list one in [connectors.instagram.accounts]"
                )
            if not USERNAME.fullmatch(handle):  # it goes inside the field expansion's brackets
                raise SkipStream(f"{handle!r} is not an Instagram username; check config/accounts.toml")
            answer = self._node(asker, f"business_discovery.username({handle}){{{PROFILE_FIELDS}}}")
            user = answer.get("business_discovery")
            if not isinstance(user, dict):
                raise SkipStream("Business Discovery answered without the account")
        return make_profile(
            "instagram",
            handle,
            name=user.get("name"),
            bio=user.get("biography"),
            avatar=user.get("profile_picture_url"),
            url=f"https://www.instagram.com/{user.get('username') or handle}/",
            fetched_at=self.clock(),
        )

    def _media(
        self, graph: Any, watch: UsageWatch, state: dict[str, Any], handle: str, account_id: str, edge: str
    ) -> Iterator[Batch]:
        recent = state.setdefault(f"recent:{handle}", {})
        # The account's own media may come without `username`: it is the account's. Media it is
        # tagged in belong to someone else: never given the account's name (that would mark a
        # stranger's post official), kept as "unknown" rather than lost.
        owner = handle if edge == "media" else "unknown"

        def read_page(data: list[Any], stamp: dict[str, Any]) -> tuple[list[Mention], list[str]]:
            mentions, skipped = self.read_all(
                data, "media", lambda item: self.normalize(item, stamp, media=None, owner=owner)
            )
            for m in mentions if edge == "media" else []:
                recent[m.platform_id] = [timestamp(m.created_at), m.url]
            return mentions, skipped

        yield from self.edge_stream(
            graph,
            watch,
            state,
            handle=handle,
            node_id=account_id,
            edge=edge,
            fields=MEDIA_FIELDS if edge == "media" else OTHERS_MEDIA_FIELDS,
            read_page=read_page,
            what=f"@{handle} {edge}",
        )

    def _comments(self, graph: Any, watch: UsageWatch, state: dict[str, Any], handle: str) -> Iterator[Batch]:
        recent: dict[str, list] = state.setdefault(f"recent:{handle}", {})
        self.within_window(recent, created=lambda value: value[0])
        for media_id, (_, permalink) in sorted(recent.items()):
            media = {"id": media_id, "permalink": permalink}

            def read_page(data: list[Any], stamp: dict[str, Any], media: dict = media) -> tuple[list, list]:
                # Replies come nested in their comment; flatten them into the same thread.
                nodes = [
                    (node, item["id"] if node is not item else media["id"])
                    for item in data
                    for node in [
                        item,
                        *((item.get("replies") or {}).get("data", []) if isinstance(item, dict) else []),
                    ]
                ]
                return self.read_all(
                    nodes, "comment", lambda pair: self.normalize(pair[0], stamp, media=media, parent=pair[1])
                )

            for batch in self.since_stream(
                graph,
                watch,
                {},
                key="",
                path=f"{media_id}/comments",
                params={"fields": COMMENT_FIELDS, "limit": self.settings.page_size},
                read_page=read_page,
                what=f"media {media_id} comments",
            ):
                if batch.mentions or batch.skipped:
                    yield Batch(batch.mentions, copy_state(state), batch.skipped)
        yield Batch([], copy_state(state))

    def by_id(self, queued: dict[str, Any]) -> tuple[str, dict[str, Any], Any]:
        """A `mentions` webhook's media or comment, read through the mentioned account (the only
        way the Graph API shows other people's media that @mention it)."""
        object_id, account = queued["object_id"], queued["account_id"]
        if queued["kind"] == "media":
            fields = f"mentioned_media.media_id({object_id}){{{OTHERS_MEDIA_FIELDS}}}"
            return (
                account,
                {"fields": fields},
                lambda answer, stamp: self.normalize(
                    answer["mentioned_media"], stamp, media=None, owner="unknown"
                ),
            )
        fields = f"mentioned_comment.comment_id({object_id}){{{MENTIONED_COMMENT_FIELDS}}}"

        def comment(answer: dict[str, Any], stamp: dict[str, Any]) -> Mention:
            found = answer["mentioned_comment"]
            media = found.get("media") or {"id": found["id"], "permalink": ""}
            return self.normalize(found, stamp, media={"permalink": "", **media}, parent=media["id"])

        return account, {"fields": fields}, comment

    def normalize(
        self,
        item: dict[str, Any],
        stamp: dict[str, Any],
        *,
        media: dict[str, Any] | None,
        parent: str | None = None,
        owner: str | None = None,
    ) -> Mention:
        """A media object (media=None) or a comment on `media`; `owner` fills a missing username."""
        username = str(item.get("username") or owner or item["username"])
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
            # A comment on Instagram is text only (the API gives comments no media).
            media=instagram_media(item, post=str(item["id"])) if media is None else (),
        )
