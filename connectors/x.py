"""X (Twitter) API v2 through tweepy.Client: recent search, the official mention timeline, and
the posts of every registered ASV committee account; and, for the audit, a registered account's
profile (GET /2/users/by/username/:username: name, description, profile_image_url).

Each stream resumes from the newest tweet id it has committed (`since_id`). X returns newest
first, so a stream's cursor moves only once all its pages are stored: a crash mid-stream
re-reads those pages next time (the store drops the duplicates) instead of skipping any.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import requests
from pydantic import Field

from connectors.base import Batch, Connector, Cursor, FatalError, PlatformSettings, RateLimited, SkipStream
from connectors.http import TransientHTTPError, platform_token, provenance, with_retries
from connectors.media import Candidate, dropped, media_refs, nested
from connectors.profile import make_profile
from monitor.models import MediaRef, Mention, Profile
from monitor.platforms import default_token_env
from monitor.watch import WatchList

try:
    import tweepy
except ImportError as exc:  # pragma: no cover - tweepy is a dependency; this names it if absent
    raise ImportError("the X connector needs tweepy: pip install tweepy") from exc

TWEET_FIELDS = [
    "author_id",
    "created_at",
    "conversation_id",
    "referenced_tweets",
    "public_metrics",
    "lang",
    "note_tweet",  # the whole text of a post longer than 280 characters (`text` is cut)
    "edit_history_tweet_ids",
    "attachments",  # media_keys: the post's images, found in includes.media
]
USER_FIELDS = ["username", "name", "public_metrics", "verified"]
# What the profile checks read, and no more: the website (`url`) and the rest are not asked for.
PROFILE_FIELDS = ["name", "description", "profile_image_url"]
MEDIA_FIELDS = ["url", "preview_image_url", "type", "alt_text", "width", "height"]
# referenced_tweets.id brings retweeted and quoted posts into includes.tweets (a retweet's own
# `text` is cut at 140 characters); .author_id brings their authors into includes.users.
# attachments.media_keys brings each post's images into includes.media, and
# referenced_tweets.id.attachments.media_keys those of a retweeted original.
EXPANSIONS = [
    "author_id",
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
    "attachments.media_keys",
    "referenced_tweets.id.attachments.media_keys",
]
# Partial errors about these expanded objects (a quoted post deleted, a mentioned user
# suspended, a photo removed) are routine: recorded, but they do not make a healthy run "partial".
EXPANSION_PARAMETERS = (
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
    "author_id",
    "entities.",
    "attachments.media_keys",
)
# Where X puts the picture of each media type: a photo's own `url`; a video's or an animated
# GIF's still in `preview_image_url` (X gives no video file URL to keep, and we want none).
MEDIA_IMAGE = {
    "photo": ("url", "image"),
    "video": ("preview_image_url", "video_thumbnail"),
    "animated_gif": ("preview_image_url", "gif"),
}
CLIENT = f"tweepy {tweepy.__version__}"
log = logging.getLogger(__name__)


class Settings(PlatformSettings):
    token_env: str = Field(default=default_token_env("x"), pattern=r"^[A-Z][A-Z0-9_]*$")
    # Empty: built from channels.toml (terms, hashtags and @ the official handle).
    query: str = ""
    include_retweets: bool = False
    search: bool = True
    mentions: bool = True
    committee_timelines: bool = True


class XConnector(Connector):
    name = "x"
    Settings = Settings

    def __init__(self, settings: Settings, watch: WatchList, **kwargs: Any) -> None:
        super().__init__(settings, watch, **kwargs)
        self.official = next(iter(watch.official_handles("x")), None)
        self.committees = watch.registered("x", "asv_committee")

    # --- the contract -------------------------------------------------------------------
    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        client = self._client()
        state: dict[str, Any] = dict(cursor or {})
        users = (
            self._lookup_users(client)
            if (self.settings.mentions or self.settings.committee_timelines)
            else {}
        )

        streams: list[tuple[str, Any, dict[str, Any], str]] = []
        if self.settings.search:
            streams.append(("search", client.search_recent_tweets, {"query": self.query()}, "next_token"))
        if self.settings.mentions and self.official:
            if (uid := users.get(self.official.lower())) is not None:
                streams.append(("mentions", client.get_users_mentions, {"id": uid}, "pagination_token"))
            else:
                yield Batch(
                    [],
                    dict(state),
                    [
                        f"X @{self.official} (the official account in config/channels.toml): not found, "
                        "so its mentions are not being read; if it was renamed, put the new handle in "
                        "config/channels.toml; if it is suspended, ask X support"
                    ],
                )
        if self.settings.committee_timelines:
            for handle in self.committees:
                uid = users.get(handle.lower())
                if uid is None:
                    yield Batch(
                        [],
                        dict(state),
                        [
                            f"X @{handle}: account not found (renamed, suspended "
                            "or deleted?); update config/accounts.toml"
                        ],
                    )
                    continue
                streams.append(
                    (f"timeline:{handle}", client.get_users_tweets, {"id": uid}, "pagination_token")
                )
        official_id = users.get((self.official or "").lower())
        for key, method, params, page_param in streams:
            yield from self._stream(key, method, params, page_param, state, official_id)

    def profile_refusal(self, handle: str) -> str | None:
        return None  # every X account's profile is public, a protected one's too

    def read_profile(self, handle: str) -> Profile:
        """A registered account's name, bio and picture (the original size, not the 48 px one)."""
        client = self._client()
        params = {"username": handle, "user_fields": PROFILE_FIELDS}
        try:
            response = with_retries(
                partial(self._call, client.get_user, params), self.settings, sleep=self.sleep
            )
        except tweepy.BadRequest as exc:  # a handle X will not take: fix the registry
            raise SkipStream(f"400 {_api_message(exc)}; check the handle in config/accounts.toml") from None
        payload = _json(response, f"@{handle} profile")
        user = payload.get("data")
        if not isinstance(user, dict):
            # X answers 200 with only `errors` for an unknown or suspended user.
            problems = [
                e.get("detail") or e.get("title") for e in payload.get("errors") or [] if isinstance(e, dict)
            ]
            raise SkipStream("; ".join(map(str, problems)) or "X answered with no user")
        return make_profile(
            "x",
            handle,
            name=user.get("name"),
            bio=user.get("description"),
            avatar=_original_size(user.get("profile_image_url")),
            url=f"https://x.com/{user.get('username') or handle}",
            fetched_at=self.clock(),
        )

    def _client(self) -> Any:
        token = platform_token(self.settings, "X")
        # requests.Response, not tweepy's Response: we need the rate-limit headers and the
        # untouched JSON (kept as the raw payload). wait_on_rate_limit would sleep in a job.
        return tweepy.Client(
            bearer_token=token.reveal(), return_type=requests.Response, wait_on_rate_limit=False
        )

    def query(self) -> str:
        if self.settings.query:
            return self.settings.query
        terms = [f'"{t}"' if not t.isalnum() else t for t in self.watch.terms] + list(self.watch.hashtags)
        if self.official:
            terms.append(f"@{self.official}")
        query = "(" + " OR ".join(terms) + ")"
        return query if self.settings.include_retweets else query + " -is:retweet"

    # --- one stream: pages newest first, cursor moved at its end -----------------------
    def _stream(
        self,
        key: str,
        method: Any,
        params: dict[str, Any],
        page_param: str,
        state: dict[str, Any],
        official_id: str | None,
    ) -> Iterator[Batch]:
        since_id = state.get(key)
        newest = since_id
        page_token = None
        for _ in range(self.settings.max_pages):
            call_params = {
                **params,
                "max_results": max(self.settings.page_size, 10 if key == "search" else 5),
                "tweet_fields": TWEET_FIELDS,
                "user_fields": USER_FIELDS,
                "media_fields": MEDIA_FIELDS,
                "expansions": EXPANSIONS,
            }
            if since_id:
                call_params["since_id"] = since_id
            if page_token:
                call_params[page_param] = page_token
            try:
                response = with_retries(
                    partial(self._call, method, call_params), self.settings, sleep=self.sleep
                )
            except SkipStream as skip:
                yield Batch([], dict(state), [f"X {key}: {skip}"])
                return
            payload = _json(response, key)
            mentions, skipped = self.normalize_page(payload, response.url, official_id)
            meta = payload.get("meta", {})
            if meta.get("newest_id") and (newest is None or int(meta["newest_id"]) > int(newest)):
                newest = meta["newest_id"]
            yield Batch(mentions, dict(state), skipped)
            page_token = meta.get("next_token")
            if response.headers.get("x-rate-limit-remaining") == "0" and page_token:
                raise RateLimited(f"X {key}: rate limit used up", resume_at=_reset(response.headers))
            if not page_token:
                break
        if newest != since_id:
            state[key] = newest
            yield Batch([], dict(state))

    def _call(self, method: Any, params: dict[str, Any]) -> Any:
        try:
            return method(**params)
        except tweepy.TooManyRequests as exc:
            reset = datetime.fromtimestamp(exc.reset_time, UTC) if exc.reset_time else None
            raise RateLimited("X rate limit reached (429)", resume_at=reset) from None
        except tweepy.Unauthorized:
            raise FatalError(
                "X refused the bearer token (401 Unauthorized)",
                fix=f"renew the X bearer token and set it in {self.settings.token_env}",
            ) from None
        except (tweepy.Forbidden, tweepy.NotFound) as exc:
            raise SkipStream(f"{exc.response.status_code} {_api_message(exc)}") from None
        except tweepy.TwitterServerError as exc:
            raise TransientHTTPError(f"X server error {exc.response.status_code}") from None

    def _lookup_users(self, client: Any) -> dict[str, str]:
        """username (lower case) -> user id, for the official account and the committees."""
        names = [n for n in [self.official, *self.committees] if n]
        found: dict[str, str] = {}
        for start in range(0, len(names), 100):  # the endpoint takes 100 usernames at a time
            chunk = names[start : start + 100]
            try:
                response = with_retries(
                    lambda chunk=chunk: self._call(
                        client.get_users, {"usernames": chunk, "user_fields": USER_FIELDS}
                    ),
                    self.settings,
                    sleep=self.sleep,
                )
            except SkipStream:
                continue
            for user in _json(response, "users lookup").get("data", []):
                found[str(user["username"]).lower()] = str(user["id"])
        return found

    # --- pure: a page of API JSON to Mentions ------------------------------------------
    def normalize_page(
        self, payload: dict[str, Any], url: str, official_id: str | None
    ) -> tuple[list[Mention], list[str]]:
        includes = payload.get("includes", {})
        users = {u.get("id"): u for u in includes.get("users", []) if isinstance(u, dict)}
        tweets = {t.get("id"): t for t in includes.get("tweets", []) if isinstance(t, dict)}
        media = {m.get("media_key"): m for m in includes.get("media", []) if isinstance(m, dict)}
        stamp = provenance(self.name, url, CLIENT)
        mentions, skipped = [], []
        for item in collapse_edits(payload.get("data", []) or []):
            try:
                mentions.append(self.normalize(item, users, official_id, stamp, tweets, media))
            except (KeyError, TypeError, ValueError) as exc:
                ident = item.get("id", "?") if isinstance(item, dict) else "?"
                skipped.append(f"X tweet {ident}: unreadable ({type(exc).__name__}: {exc})")
        for error in payload.get("errors", []) or []:
            line = f"X: {error.get('title', 'error')}: {error.get('detail', '')}".strip()
            if str(error.get("parameter", "")).startswith(EXPANSION_PARAMETERS):
                log.info("connector=x event=expansion_error detail=%s", line)
                stamp.setdefault("api_errors", []).append(line)  # kept with the page's provenance
            else:
                skipped.append(line)
        return mentions, skipped

    def normalize(
        self,
        tweet: dict[str, Any],
        users: dict[str, Any],
        official_id: str | None,
        stamp: dict[str, Any],
        tweets: dict[str, Any] | None = None,
        media: dict[str, Any] | None = None,
    ) -> Mention:
        author = users.get(tweet["author_id"], {})
        username = author.get("username") or tweet["author_id"]
        refs = {r.get("type"): r.get("id") for r in tweet.get("referenced_tweets", []) if isinstance(r, dict)}
        text, referenced = full_text(tweet, refs, tweets or {}, users)
        # An edited post is one mention under its first id (edit_history_tweet_ids[0]), so the
        # store keeps one copy; its url points at the version read.
        history = [str(i) for i in tweet.get("edit_history_tweet_ids") or []]
        # A retweet shows the original's images, so they are read from the original. A quote
        # tweet's own images are its own; the quoted post's images belong to the quoted post
        # (stored as its own mention when it mentions IOM3), never to the one quoting it.
        pictured = referenced.get("retweeted") or tweet
        return Mention(
            platform="x",
            platform_id=history[0] if history else str(tweet["id"]),
            # Each edit is a new post id, greater than the last: a later edit read on a later run
            # replaces the stored words (ids zero-padded so that they sort as text).
            version=f"{int(tweet['id']):020d}",
            author_handle=username,
            author_name=author.get("name", ""),
            author_reach=author.get("public_metrics", {}).get("followers_count"),
            url=f"https://x.com/{username}/status/{tweet['id']}",
            text=text,
            created_at=datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00")),
            thread_id=str(tweet.get("conversation_id") or tweet["id"]),
            in_reply_to_id=refs.get("replied_to"),
            is_official=official_id is not None and tweet["author_id"] == official_id,
            lang=tweet.get("lang"),
            raw={"tweet": tweet, "author": author, **referenced, "provenance": stamp},
            media=tweet_media(pictured, media or {}, post=str(tweet["id"])),
        )


def tweet_media(tweet: dict[str, Any], media: dict[str, Any], *, post: str) -> tuple[MediaRef, ...]:
    """The images of `tweet`, from its attachments.media_keys looked up in includes.media.

    A key with no includes entry is media X no longer serves (deleted, or withheld): skipped and
    logged; X names it in the page's `errors`, which the page's provenance keeps.
    """
    candidates: list[Candidate] = []
    keys = nested(tweet, "attachments", "media_keys")
    for key in keys if isinstance(keys, list) else []:
        item = media.get(key) if isinstance(key, str) else None
        if item is None:
            dropped("x", post, f"media {key!r:.60} is not in includes.media (deleted or withheld)")
            continue
        field, kind = MEDIA_IMAGE.get(str(item.get("type")), (None, None))
        if field is None or kind is None:
            dropped("x", post, f"media {key!r} is of type {item.get('type')!r}, which has no image")
            continue
        candidates.append((item.get(field), kind, item.get("alt_text") or ""))
    return media_refs(candidates, platform="x", post=post)


def full_text(
    tweet: dict[str, Any], refs: dict[str, Any], tweets: dict[str, Any], users: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Every word of a post: a long post's note_tweet, a retweet's original in full, and a quote
    tweet's quoted post appended after a marker so it is scored as the context it is."""
    text = _whole(tweet)
    referenced: dict[str, Any] = {}
    if (original := tweets.get(refs.get("retweeted"))) is not None:
        referenced["retweeted"] = original
        who = users.get(original.get("author_id"), {}).get("username")
        # `RT @user: ` then the original's own words, as X shows it (the API cuts it at 140).
        prefix = f"RT @{who}: " if who else text.partition(": ")[0] + ": "
        text = prefix + _whole(original)
    if (quoted := tweets.get(refs.get("quoted"))) is not None:
        referenced["quoted"] = quoted
        who = users.get(quoted.get("author_id"), {}).get("username") or quoted.get("author_id", "?")
        text = f"{text}\n\n[quoting @{who}]: {_whole(quoted)}"
    return text, referenced


def _whole(tweet: dict[str, Any]) -> str:
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str) and note["text"]:
        return note["text"]
    return str(tweet["text"])


def collapse_edits(items: list[Any]) -> list[Any]:
    """One item per edit chain, the newest version, with the older versions kept on it.

    Versions of one post share edit_history_tweet_ids[0]; ids grow with time, so the newest is
    the largest. The older versions ride along under `edit_versions` in the raw payload.
    """
    chains: dict[str, list[dict[str, Any]]] = {}
    order: list[Any] = []
    for item in items:
        history = item.get("edit_history_tweet_ids") if isinstance(item, dict) else None
        if not history:
            order.append(item)
            continue
        root = str(history[0])
        if root not in chains:
            chains[root] = []
            order.append(root)
        chains[root].append(item)
    collapsed = []
    for entry in order:
        if not isinstance(entry, str):
            collapsed.append(entry)
            continue
        versions = sorted(chains[entry], key=lambda t: int(t["id"]))
        newest = versions[-1]
        if len(versions) > 1:
            newest = {**newest, "edit_versions": [{"id": v["id"], "text": _whole(v)} for v in versions[:-1]]}
        collapsed.append(newest)
    return collapsed


def _json(response: Any, what: str) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        raise TransientHTTPError(f"X {what}: response was not JSON") from None
    if not isinstance(payload, dict):
        raise TransientHTTPError(f"X {what}: expected a JSON object, got {type(payload).__name__}")
    return payload


def _api_message(exc: Any) -> str:
    messages = getattr(exc, "api_messages", None) or []
    return "; ".join(messages) or exc.response.reason


def _original_size(link: Any) -> Any:
    """X gives the 48 px "_normal" picture; without the suffix the same link is the original
    (https://developer.x.com/en/docs/accounts-and-users/user-profile-images-and-banners), which
    the logo check needs. Only a small thumbnail of it is ever kept."""
    if isinstance(link, str) and "/profile_images/" in link:
        return re.sub(r"_normal(\.\w+)$", r"\1", link)
    return link


def _reset(headers: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(headers["x-rate-limit-reset"]), UTC)
    except (KeyError, ValueError):
        return None
