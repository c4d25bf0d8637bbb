"""Facebook Pages through the Graph API (facebook-sdk): each page's feed (its own posts and
visitors'), the posts it is tagged in, and the comments and replies on its recent posts; and,
for the audit, a configured page's profile (name, about, picture).

Pages are the official IOM3 page and the registered committee pages, listed by handle and page
id in `[connectors.facebook.pages]`. Each stream resumes from the newest `created_time` it has
committed (`since`, inclusive: the store drops the overlap).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field

from connectors.base import Batch, SkipStream, copy_state
from connectors.graph import GraphSettings, MetaConnector, UsageWatch, parse_time, timestamp
from connectors.media import Candidate, media_refs
from connectors.meta_media import FB_COMMENT_ATTACHMENT, FB_POST_ATTACHMENTS, facebook_media
from connectors.meta_webhooks import webhook_photos
from connectors.profile import configured, make_profile
from monitor.models import Mention, Profile
from monitor.platforms import default_token_env
from monitor.watch import WatchList

POST_FIELDS = f"id,message,created_time,from{{id,name}},permalink_url,parent_id,{FB_POST_ATTACHMENTS}"
COMMENT_FIELDS = f"id,message,created_time,from{{id,name}},parent{{id}},permalink_url,{FB_COMMENT_ATTACHMENT}"
# A Page's profile (https://developers.facebook.com/docs/graph-api/reference/page/): `picture`
# is a ProfilePictureSource {url, is_silhouette, height, width}; "large" is about 200 px.
PROFILE_FIELDS = "name,about,link,picture.type(large)"
PERSONAL_PROFILE = (
    "the Graph API reads Pages, never a person's own profile (that needs the person's own login)"
)


class Settings(GraphSettings):
    token_env: str = Field(default=default_token_env("facebook"), pattern=r"^[A-Z][A-Z0-9_]*$")
    # handle (as in channels.toml / accounts.toml) -> numeric page id
    pages: dict[str, str] = Field(default_factory=dict)


class FacebookConnector(MetaConnector):
    name = "facebook"
    Settings = Settings
    settings: Settings

    def __init__(self, settings: Settings, watch: WatchList, **kwargs: Any) -> None:
        super().__init__(settings, watch, **kwargs)
        self.handle_by_id = {page_id: handle for handle, page_id in settings.pages.items()}
        self.official_page_ids = self.official_ids("facebook", settings.pages)

    def streams(self, graph: Any, watch: UsageWatch, state: dict[str, Any]) -> Iterator[Batch]:
        self._first_seen: set[str] = set()
        for handle, page_id in self.settings.pages.items():
            for edge in ("feed", "tagged"):
                yield from self._posts(graph, watch, state, handle, page_id, edge)
            yield from self._comments(graph, watch, state, handle)

    def profile_refusal(self, handle: str) -> str | None:
        if (
            self.watch.kind_of("facebook", handle) == "asv_personal"
            and configured(self.settings.pages, handle) is None
        ):
            return PERSONAL_PROFILE
        return None

    def read_profile(self, handle: str) -> Profile:
        """A configured page's name, about text and picture (a silhouette counts as none)."""
        page_id = configured(self.settings.pages, handle)
        if page_id is None:
            raise SkipStream(
                f"no page id for {handle}: add it to [connectors.facebook.pages] in monitor.toml"
            )
        page = self._node(page_id, PROFILE_FIELDS)
        picture = (page.get("picture") or {}).get("data") if isinstance(page.get("picture"), dict) else None
        silhouette = not isinstance(picture, dict) or picture.get("is_silhouette") is True
        return make_profile(
            "facebook",
            handle,
            name=page.get("name"),
            bio=page.get("about"),
            avatar=None if silhouette else picture.get("url"),
            url=page.get("link") or f"https://www.facebook.com/{page_id}",
            fetched_at=self.clock(),
        )

    # --- streams ---------------------------------------------------------------------
    def _posts(
        self, graph: Any, watch: UsageWatch, state: dict[str, Any], handle: str, page_id: str, edge: str
    ) -> Iterator[Batch]:
        recent = state.setdefault(f"posts:{handle}", {})

        def read_page(data: list[Any], stamp: dict[str, Any]) -> tuple[list[Mention], list[str]]:
            mentions, skipped = self.read_all(data, "post", lambda i: self.normalize(i, stamp, kind="post"))
            for m in mentions if edge == "feed" else []:
                if m.platform_id not in recent:
                    self._first_seen.add(m.platform_id)
                recent[m.platform_id] = timestamp(m.created_at)
            return mentions, skipped

        yield from self.edge_stream(
            graph,
            watch,
            state,
            handle=handle,
            node_id=page_id,
            edge=edge,
            fields=POST_FIELDS,
            read_page=read_page,
            what=f"{handle} {edge}",
        )

    def _comments(self, graph: Any, watch: UsageWatch, state: dict[str, Any], handle: str) -> Iterator[Batch]:
        recent: dict[str, int] = state.setdefault(f"posts:{handle}", {})
        self.within_window(recent, created=lambda created: created)
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
            for batch in self.since_stream(
                graph,
                watch,
                {},
                key="",
                path=f"{post_id}/comments",
                params=params,
                read_page=lambda data, stamp, post_id=post_id: self.read_all(
                    data, "comment", lambda i: self.normalize(i, stamp, kind="comment", post_id=post_id)
                ),
                what=f"post {post_id} comments",
            ):
                for m in batch.mentions:
                    newest = max(newest or 0, timestamp(m.created_at))
                if batch.mentions or batch.skipped:
                    yield Batch(batch.mentions, copy_state(state), batch.skipped)
        if newest != since:
            state[key] = newest
        yield Batch([], copy_state(state))

    def by_id(self, queued: dict[str, Any]) -> tuple[str, dict[str, Any], Any]:
        """A `feed` webhook's post or comment, read by its own id (with the change's photo
        links in reserve, should the object read show none)."""
        value = queued.get("value") or {}
        photos = webhook_photos(value)
        if queued["kind"] == "post":
            return (
                queued["object_id"],
                {"fields": POST_FIELDS},
                lambda i, stamp: self.normalize(i, stamp, kind="post", fallback=photos),
            )
        post_id = value.get("post_id")
        return (
            queued["object_id"],
            {"fields": COMMENT_FIELDS},
            lambda i, stamp: self.normalize(i, stamp, kind="comment", post_id=post_id, fallback=photos),
        )

    # --- pure: Graph API objects to Mentions --------------------------------------------
    def normalize(
        self,
        item: dict[str, Any],
        stamp: dict[str, Any],
        *,
        kind: str,
        post_id: str | None = None,
        fallback: list[Candidate] | None = None,
    ) -> Mention:
        """A post or comment; `fallback` holds the images a webhook named, used if it shows none."""
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
            media=facebook_media(item, post=str(item["id"]))
            or media_refs(fallback or [], platform="facebook", post=str(item["id"])),
        )
