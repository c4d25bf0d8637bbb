"""Mastodon through `Mastodon.py`: search and hashtag timelines on the home instance, public
hashtag timelines on other instances, and the statuses of the official and registered accounts.

The home instance (`api_base_url`) is where IOM3's token belongs: its search sees every post the
instance has federated. Other instances' hashtag timelines are public and need no token. Each
stream resumes from the newest status id it stored (`since_id`); pages come newest first, so a
stream's cursor moves only when all its pages are stored. Status HTML becomes plain text with
the standard library's parser: tags dropped, entities decoded, nothing executed or fetched. For
the audit, a registered account's profile is its Account (GET /api/v1/accounts/lookup):
display_name, the `note` (HTML, made text the same way) and avatar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import requests
from pydantic import Field

from connectors.base import Batch, Connector, Cursor, FatalError, PlatformSettings, RateLimited, SkipStream
from connectors.http import TransientHTTPError, platform_token, provenance, with_retries
from connectors.media import Candidate, media_refs, objects
from connectors.profile import make_profile
from connectors.text import html_to_text
from monitor.models import MediaRef, Mention, Profile
from monitor.optional import require
from monitor.platforms import default_token_env

mastodon_lib = require("mastodon", "the Mastodon connector")  # names the extra to install when absent
from mastodon import Mastodon  # noqa: E402

CLIENT = f"Mastodon.py {getattr(mastodon_lib, '__version__', '?')}"
T = TypeVar("T")
# MediaAttachment (https://docs.joinmastodon.org/entities/MediaAttachment/): an image's `url` is
# the picture; a gifv's or a video's `url` is an MP4, so their still is `preview_url`. Audio and
# "unknown" (remote media the instance has not fetched) have no picture of their own.
ATTACHMENT_IMAGE = {
    "image": ("url", "image"),
    "gifv": ("preview_url", "gif"),
    "video": ("preview_url", "video_thumbnail"),
}


class Settings(PlatformSettings):
    token_env: str = Field(default=default_token_env("mastodon"), pattern=r"^[A-Z][A-Z0-9_]*$")
    api_base_url: str = Field(default="https://mastodon.social", pattern=r"^https://[^/\s]+$")
    # More instances whose public hashtag timelines are read (no token needed there).
    hashtag_instances: list[str] = Field(default_factory=list)
    page_size: int = Field(default=40, ge=1, le=40)  # Mastodon's own maximum
    search: bool = True
    hashtags: bool = True
    account_statuses: bool = True


class MastodonConnector(Connector):
    name = "mastodon"
    Settings = Settings
    settings: Settings

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        token = platform_token(self.settings, "Mastodon")
        home = self._client(self.settings.api_base_url, token.reveal())
        state: dict[str, Any] = dict(cursor or {})
        self.official = {h.lower().lstrip("@") for h in self.watch.official_handles("mastodon")}
        if self.settings.search:
            for term in self.watch.terms:
                yield from self._stream(state, f"search:{term}", home, self._search(home, term))
        if self.settings.hashtags:
            for instance in [self.settings.api_base_url, *self.settings.hashtag_instances]:
                api = home if instance == self.settings.api_base_url else self._client(instance, None)
                for tag in (h.lstrip("#") for h in self.watch.hashtags):
                    key = f"tag:{instance.removeprefix('https://')}:{tag}"
                    yield from self._stream(state, key, api, partial_timeline(api.timeline_hashtag, tag))
        if self.settings.account_statuses:
            for handle in [*self.watch.official_handles("mastodon"), *self.watch.registered("mastodon")]:
                try:
                    account = self._call(lambda handle=handle: home.account_lookup(handle.lstrip("@")))
                except SkipStream as skip:
                    yield Batch([], dict(state), [f"Mastodon @{handle}: {skip}; check config/accounts.toml"])
                    continue
                method = partial_timeline(home.account_statuses, account["id"])
                yield from self._stream(state, f"account:{handle}", home, method)

    def profile_refusal(self, handle: str) -> str | None:
        return None  # an account's profile is public wherever its posts are

    def read_profile(self, handle: str) -> Profile:
        """A registered account's display name, note (as text) and avatar, looked up at home."""
        home = self._client(self.settings.api_base_url, platform_token(self.settings, "Mastodon").reveal())
        account = _plain(self._call(lambda: home.account_lookup(handle.lstrip("@"))))
        return make_profile(
            "mastodon",
            handle,
            name=account.get("display_name"),
            bio=html_to_text(account["note"]) if isinstance(account.get("note"), str) else "",
            avatar=account.get("avatar"),
            url=account.get("url"),
            fetched_at=self.clock(),
        )

    def _client(self, base_url: str, token: str | None) -> Any:
        # ratelimit_method="throw": a scheduled job must not sleep (see connectors/base.py). The
        # error it throws carries no reset time, so a response hook keeps the last one seen.
        session = requests.Session()
        session.hooks["response"].append(self._remember_reset)
        return Mastodon(
            access_token=token,
            api_base_url=base_url,
            ratelimit_method="throw",
            request_timeout=self.settings.timeout_seconds,
            version_check_mode="none",
            session=session,
        )

    def _remember_reset(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if value := response.headers.get("X-RateLimit-Reset"):
            try:
                self.reset_at: datetime | None = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                self.reset_at = None

    def _search(self, api: Any, term: str) -> Callable[..., list[Any]]:
        def page(**kwargs: Any) -> list[Any]:
            found = api.search_v2(term, result_type="statuses", resolve=False, **kwargs)
            return list(found["statuses"])

        return page

    # --- one stream: pages newest first, cursor moved at its end -----------------------
    def _stream(
        self, state: dict[str, Any], key: str, api: Any, page: Callable[..., list[Any]]
    ) -> Iterator[Batch]:
        since_id = state.get(key)
        newest, max_id = since_id, None
        for _ in range(self.settings.max_pages):
            kwargs = {"limit": self.settings.page_size, "max_id": max_id}
            if since_id:
                kwargs["min_id" if key.startswith("search:") else "since_id"] = since_id
            try:
                statuses = self._call(lambda kwargs=kwargs: page(**kwargs))
            except SkipStream as skip:
                yield Batch([], dict(state), [f"Mastodon {key}: {skip}"])
                return
            mentions, skipped = self.normalize_all(statuses, f"{api.api_base_url} {key}")
            for status in statuses:
                if newest is None or _later(str(status["id"]), newest):
                    newest = str(status["id"])
            yield Batch(mentions, dict(state), skipped)
            if len(statuses) < self.settings.page_size:
                break
            max_id = min((str(s["id"]) for s in statuses), key=_id_key)
        if newest != since_id:
            state[key] = newest
            yield Batch([], dict(state))

    def _call(self, call: Callable[[], T]) -> T:
        def once() -> T:
            try:
                return call()
            except mastodon_lib.MastodonRatelimitError:
                resume = getattr(self, "reset_at", None)
                raise RateLimited("Mastodon rate limit reached (429)", resume_at=resume) from None
            except mastodon_lib.MastodonUnauthorizedError:
                raise FatalError(
                    "Mastodon refused the access token (401)",
                    fix=f"create a new token (Preferences > Development, scopes read:search read:statuses "
                    f"read:accounts) and set it in {self.settings.token_env}",
                ) from None
            except mastodon_lib.MastodonNotFoundError:
                raise SkipStream("404: not found (renamed, moved or deleted?)") from None
            except (mastodon_lib.MastodonServerError, mastodon_lib.MastodonNetworkError) as exc:
                raise TransientHTTPError(f"Mastodon server or network error ({type(exc).__name__})") from None
            except mastodon_lib.MastodonAPIError as exc:
                if "Could not parse response as JSON" in str(exc):
                    raise TransientHTTPError(
                        "Mastodon: the response was not readable JSON",
                        fix="usually a connection cut short; the next run reads the same page again",
                    ) from None
                raise SkipStream(
                    f"{exc.args[1] if len(exc.args) > 1 else ''} {exc.args[-1]}".strip()
                ) from None

        return with_retries(once, self.settings, sleep=self.sleep)

    # --- pure: statuses to Mentions ----------------------------------------------------
    def normalize_all(self, statuses: list[Any], url: str) -> tuple[list[Mention], list[str]]:
        stamp = provenance(self.name, url, CLIENT)
        mentions, skipped = [], []
        for status in statuses:
            try:
                mentions.append(self.normalize(_plain(status), stamp))
            except (KeyError, TypeError, ValueError) as exc:
                ident = status.get("id", "?") if isinstance(status, dict) else "?"
                skipped.append(f"Mastodon status {ident}: unreadable ({type(exc).__name__}: {exc})")
        return mentions, skipped

    def normalize(self, status: dict[str, Any], stamp: dict[str, Any]) -> Mention:
        account = status["account"]
        created = datetime.fromisoformat(str(status["created_at"]).replace("Z", "+00:00"))
        acct = str(account["acct"])
        return Mention(
            platform="mastodon",
            platform_id=str(status.get("uri") or status["url"]),  # the same post on every instance
            author_handle=acct,
            author_name=account.get("display_name") or "",
            author_reach=account.get("followers_count"),
            url=str(status.get("url") or status.get("uri") or ""),
            text=status_text(status),
            created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
            thread_id=str(status.get("in_reply_to_id") or status["id"]),
            in_reply_to_id=status.get("in_reply_to_id"),
            is_official=acct.lower() in self.official,
            lang=status.get("language"),
            raw={"status": status, "provenance": stamp},
            media=status_media(status),
        )


def status_text(status: dict[str, Any]) -> str:
    """A status's words as text; for a boost, the original's words, credited to their author.

    A boost (reblog) has empty `content` of its own: what the booster spread is the original.
    """
    original = status.get("reblog")
    if isinstance(original, dict):
        return f"boosted @{original['account']['acct']}: {status_text(original)}"
    text = html_to_text(status.get("content") or "")
    if status.get("spoiler_text"):
        text = f"{status['spoiler_text']}\n\n{text}"  # the content warning is words too
    return text


def status_media(status: dict[str, Any]) -> tuple[MediaRef, ...]:
    """A status's images with their descriptions (alt text); a reblog's are its original's."""
    shown = status["reblog"] if isinstance(status.get("reblog"), dict) else status
    candidates: list[Candidate] = []
    for attachment in objects(shown.get("media_attachments")):
        field, kind = ATTACHMENT_IMAGE.get(str(attachment.get("type")), ("", ""))
        if field:
            candidates.append((attachment.get(field), kind, attachment.get("description")))
    return media_refs(candidates, platform="mastodon", post=str(status.get("uri") or status.get("id")))


def partial_timeline(method: Callable[..., Any], target: Any) -> Callable[..., list[Any]]:
    return lambda **kwargs: list(method(target, **kwargs))


def _plain(value: Any) -> Any:
    """Mastodon.py's attribute-dicts and datetimes as plain JSON values (for the raw payload)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _id_key(status_id: str) -> tuple[int, str]:
    return (len(status_id), status_id)  # Mastodon ids are decimal strings that grow with time


def _later(a: str, b: str) -> bool:
    return _id_key(a) > _id_key(b)
