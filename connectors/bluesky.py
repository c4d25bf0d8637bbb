"""Bluesky through the `atproto` client: post search for the configured terms, and the feeds of
IOM3's official account and the registered ASV accounts.

Signs in with an app password (never the account password) from the environment. Search and
feeds come newest first, so each stream's cursor (the newest `indexedAt` it stored) moves only
when all its pages are stored; a crash mid-stream re-reads them and the store drops duplicates.
Reach is each author's followersCount (app.bsky.actor.getProfiles, 25 at a time). For the audit,
a registered account's profile is app.bsky.actor.getProfile (displayName, description, avatar).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from pydantic import Field

from connectors.base import (
    Batch,
    Connector,
    Cursor,
    FatalError,
    NotConfigured,
    PlatformSettings,
    RateLimited,
    SkipStream,
)
from connectors.http import TransientHTTPError, platform_token, provenance, with_retries
from connectors.media import Candidate, media_refs, objects
from connectors.profile import make_profile
from monitor.models import MediaRef, Mention, Profile
from monitor.optional import require
from monitor.platforms import default_token_env
from monitor.secrets import MissingSecret, read_secret

atproto = require("atproto", "the Bluesky connector")  # names the extra to install when absent
from atproto import Client  # noqa: E402
from atproto_client import exceptions as at_errors  # noqa: E402
from atproto_client.request import Request  # noqa: E402

CLIENT = f"atproto {getattr(atproto, '__version__', '?')}"
T = TypeVar("T")
# Embed views (https://docs.bsky.app/docs/advanced-guides/posts): a post's own pictures are its
# images or its video's still, alone or beside a quoted post (recordWithMedia).
IMAGES_VIEW = "app.bsky.embed.images#view"
VIDEO_VIEW = "app.bsky.embed.video#view"
RECORD_WITH_MEDIA_VIEW = "app.bsky.embed.recordWithMedia#view"


class Settings(PlatformSettings):
    token_env: str = Field(default=default_token_env("bluesky", 1), pattern=r"^[A-Z][A-Z0-9_]*$")
    # The NAME of the variable holding the handle the app password belongs to (iom3.bsky.social).
    login_env: str = Field(default=default_token_env("bluesky", 0), pattern=r"^[A-Z][A-Z0-9_]*$")
    base_url: str = "https://bsky.social/xrpc"
    search: bool = True
    account_feeds: bool = True


class BlueskyConnector(Connector):
    name = "bluesky"
    Settings = Settings
    settings: Settings

    def token_envs(self) -> list[str]:
        return [self.settings.login_env, self.settings.token_env]

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        self.client, self.reach = self._signed_in(), {}
        state: dict[str, Any] = dict(cursor or {})
        official = [h.lower() for h in self.watch.official_handles("bluesky")]
        self.official = set(official)
        if self.settings.search:
            terms = list(
                dict.fromkeys([*self.watch.terms, *self.watch.hashtags, *(f"@{h}" for h in official)])
            )
            for term in terms:
                yield from self._stream(state, f"search:{term}", self._search_page(term))
        if self.settings.account_feeds:
            for handle in [*official, *self.watch.registered("bluesky")]:
                yield from self._stream(state, f"feed:{handle}", self._feed_page(handle))

    def _signed_in(self) -> Any:
        password = platform_token(self.settings, "Bluesky")
        try:
            login = read_secret(self.settings.login_env, purpose="the Bluesky connector")
        except MissingSecret as exc:
            raise NotConfigured(
                "Bluesky: no login handle",
                fix=f"set the environment variable {self.settings.login_env} to the account's handle",
            ) from exc
        client = Client(
            base_url=self.settings.base_url, request=Request(timeout=self.settings.timeout_seconds)
        )
        self._call(lambda: client.login(login.reveal(), password.reveal(), fetch_bsky_profile=False))
        return client

    def profile_refusal(self, handle: str) -> str | None:
        return None  # every Bluesky profile is public

    def read_profile(self, handle: str) -> Profile:
        """A registered account's display name, description and avatar (getProfile)."""
        # One sign-in for all of a run's profiles: createSession has a tight rate limit of its own.
        if getattr(self, "client", None) is None:
            self.client = self._signed_in()
        view = self._call(lambda: self.client.app.bsky.actor.get_profile({"actor": handle}))
        found = view.model_dump(mode="json", by_alias=True, exclude_none=True)
        return make_profile(
            "bluesky",
            handle,
            name=found.get("displayName"),
            bio=found.get("description"),
            avatar=found.get("avatar"),
            url=f"https://bsky.app/profile/{found.get('handle') or handle}",
            fetched_at=self.clock(),
        )

    # --- streams: newest first, cursor moved at the end ----------------------------------
    def _search_page(self, term: str) -> Callable[[str | None, str | None], tuple[list, str | None, str]]:
        def page(cursor: str | None, since: str | None) -> tuple[list, str | None, str]:
            params = {"q": term, "sort": "latest", "limit": self.settings.page_size, "cursor": cursor}
            if since:
                params["since"] = since
            response = self._call(lambda: self.client.app.bsky.feed.search_posts(params))
            return list(response.posts), response.cursor, f"app.bsky.feed.searchPosts?q={term}"

        return page

    def _feed_page(self, handle: str) -> Callable[[str | None, str | None], tuple[list, str | None, str]]:
        def page(cursor: str | None, since: str | None) -> tuple[list, str | None, str]:
            params = {"actor": handle, "limit": self.settings.page_size, "cursor": cursor}
            response = self._call(lambda: self.client.app.bsky.feed.get_author_feed(params))
            # Reposts of other people's posts are the account's too: they show what it endorses.
            return [item.post for item in response.feed], response.cursor, f"getAuthorFeed?actor={handle}"

        return page

    def _stream(self, state: dict[str, Any], key: str, page: Callable) -> Iterator[Batch]:
        since = state.get(key)
        newest, cursor = since, None
        for _ in range(self.settings.max_pages):
            try:
                posts, cursor, what = page(cursor, since)
            except SkipStream as skip:
                yield Batch([], dict(state), [f"Bluesky {key}: {skip}"])
                return
            fresh = [p for p in posts if since is None or str(p.indexed_at) > since]
            self._fill_reach({p.author.did for p in fresh})
            mentions, skipped = self.normalize_all(fresh, f"{self.settings.base_url}/{what}")
            for post in fresh:
                newest = max(newest or "", str(post.indexed_at))
            yield Batch(mentions, dict(state), skipped)
            if not cursor or len(fresh) < len(posts):
                break  # the rest is what an earlier run stored
        if newest != since:
            state[key] = newest
            yield Batch([], dict(state))

    def _fill_reach(self, dids: set[str]) -> None:
        missing = sorted(d for d in dids if d not in self.reach)
        for start in range(0, len(missing), 25):  # getProfiles takes 25 actors at a time
            chunk = missing[start : start + 25]
            try:
                profiles = self._call(
                    lambda chunk=chunk: self.client.app.bsky.actor.get_profiles({"actors": chunk})
                )
            except SkipStream:
                continue  # reach is a nicety; the posts are stored without it
            for profile in profiles.profiles:
                self.reach[profile.did] = profile.followers_count

    def _call(self, call: Callable[[], T]) -> T:
        def once() -> T:
            try:
                return call()
            except at_errors.RateLimitExceededError as exc:
                raise RateLimited("Bluesky rate limit reached (429)", resume_at=exc.reset_at) from None
            except at_errors.UnauthorizedError:
                raise FatalError(
                    "Bluesky refused the login (401/403)",
                    fix=f"create a new app password (Settings > Privacy and security > App passwords) "
                    f"and set it in {self.settings.token_env}; check the handle in {self.settings.login_env}",
                ) from None
            except at_errors.BadRequestError as exc:
                raise SkipStream(f"400 {_detail(exc)}") from None
            except (at_errors.NetworkError, at_errors.InvokeTimeoutError) as exc:
                raise TransientHTTPError(f"Bluesky network error: {type(exc).__name__}") from None
            except at_errors.RequestException as exc:
                status = exc.response.status_code if exc.response else "?"
                raise TransientHTTPError(f"Bluesky server error {status}") from None
            except (ValueError, at_errors.ModelError) as exc:
                # A body cut short or not shaped as the lexicon says: retried, then reported.
                raise TransientHTTPError(
                    f"Bluesky: the response was not readable ({type(exc).__name__})",
                    fix="usually a connection cut short; the next run reads the same page again",
                ) from None

        return with_retries(once, self.settings, sleep=self.sleep)

    # --- pure: post views to Mentions --------------------------------------------------
    def normalize_all(self, posts: list[Any], url: str) -> tuple[list[Mention], list[str]]:
        stamp = provenance(self.name, url, CLIENT)
        mentions, skipped = [], []
        for post in posts:
            raw = post.model_dump(mode="json", by_alias=True, exclude_none=True)
            try:
                mentions.append(self.normalize(raw, stamp))
            except (KeyError, TypeError, ValueError) as exc:
                skipped.append(
                    f"Bluesky post {raw.get('uri', '?')}: unreadable ({type(exc).__name__}: {exc})"
                )
        return mentions, skipped

    def normalize(self, post: dict[str, Any], stamp: dict[str, Any]) -> Mention:
        record, author = post["record"], post["author"]
        reply = record.get("reply") or {}
        handle = str(author["handle"])
        return Mention(
            platform="bluesky",
            platform_id=str(post["uri"]),
            author_handle=handle,
            author_name=author.get("displayName") or "",
            author_reach=self.reach.get(author["did"]),
            url=f"https://bsky.app/profile/{handle}/post/{post['uri'].rsplit('/', 1)[-1]}",
            text=str(record.get("text", "")),
            created_at=datetime.fromisoformat(str(record["createdAt"]).replace("Z", "+00:00")),
            thread_id=str((reply.get("root") or {}).get("uri") or post["uri"]),
            in_reply_to_id=(reply.get("parent") or {}).get("uri"),
            is_official=handle.lower() in getattr(self, "official", set()),
            lang=(record.get("langs") or [None])[0],
            raw={"post": post, "provenance": stamp},
            media=post_media(post),
        )


def post_media(post: dict[str, Any]) -> tuple[MediaRef, ...]:
    """A post view's images: each `fullsize` of an images embed (with its alt), or a video's
    `thumbnail` (a GIF is a video with presentation "gif"). A quoted post (record embed) keeps
    its images to itself; a link card (external) is the linked page's picture: neither is taken."""
    embed = post.get("embed") if isinstance(post.get("embed"), dict) else {}
    if embed.get("$type") == RECORD_WITH_MEDIA_VIEW:
        embed = embed.get("media") if isinstance(embed.get("media"), dict) else {}
    candidates: list[Candidate] = []
    if embed.get("$type") == IMAGES_VIEW:
        candidates = [
            (image.get("fullsize"), "image", image.get("alt")) for image in objects(embed.get("images"))
        ]
    elif embed.get("$type") == VIDEO_VIEW:
        kind = "gif" if embed.get("presentation") == "gif" else "video_thumbnail"
        candidates = [(embed.get("thumbnail"), kind, embed.get("alt"))]
    return media_refs(candidates, platform="bluesky", post=str(post.get("uri", "?")))


def _detail(exc: Any) -> str:
    content = getattr(exc.response, "content", None)
    return f"{getattr(content, 'error', '')}: {getattr(content, 'message', '')}".strip(": ") or "bad request"
