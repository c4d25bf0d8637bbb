"""X (Twitter) API v2 through tweepy.Client: recent search, the official mention timeline, and
the posts of every registered ASV committee account.

Each stream resumes from the newest tweet id it has committed (`since_id`). X returns newest
first, so a stream's cursor moves only once all its pages are stored: a crash mid-stream
re-reads those pages next time (the store drops the duplicates) instead of skipping any.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import requests
from pydantic import Field

from connectors.base import Batch, Connector, Cursor, FatalError, PlatformSettings, RateLimited, SkipStream
from connectors.http import TransientHTTPError, platform_token, provenance, with_retries
from monitor.models import Mention
from monitor.platforms import default_token_env
from monitor.watch import WatchList

try:
    import tweepy
except ImportError as exc:  # pragma: no cover - tweepy is a dependency; this names it if absent
    raise ImportError("the X connector needs tweepy: pip install tweepy") from exc

TWEET_FIELDS = ["author_id", "created_at", "conversation_id", "referenced_tweets", "public_metrics", "lang"]
USER_FIELDS = ["username", "name", "public_metrics", "verified"]
EXPANSIONS = ["author_id", "referenced_tweets.id"]
CLIENT = f"tweepy {tweepy.__version__}"


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
        token = platform_token(self.settings, "X")
        # requests.Response, not tweepy's Response: we need the rate-limit headers and the
        # untouched JSON (kept as the raw payload). wait_on_rate_limit would sleep in a job.
        client = tweepy.Client(
            bearer_token=token.reveal(), return_type=requests.Response, wait_on_rate_limit=False
        )
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
        users = {u.get("id"): u for u in payload.get("includes", {}).get("users", []) if isinstance(u, dict)}
        stamp = provenance(self.name, url, CLIENT)
        mentions, skipped = [], []
        for item in payload.get("data", []) or []:
            try:
                mentions.append(self.normalize(item, users, official_id, stamp))
            except (KeyError, TypeError, ValueError) as exc:
                ident = item.get("id", "?") if isinstance(item, dict) else "?"
                skipped.append(f"X tweet {ident}: unreadable ({type(exc).__name__}: {exc})")
        for error in payload.get("errors", []) or []:
            skipped.append(f"X: {error.get('title', 'error')}: {error.get('detail', '')}".strip())
        return mentions, skipped

    def normalize(
        self, tweet: dict[str, Any], users: dict[str, Any], official_id: str | None, stamp: dict[str, Any]
    ) -> Mention:
        author = users.get(tweet["author_id"], {})
        username = author.get("username") or tweet["author_id"]
        replied_to = next(
            (r["id"] for r in tweet.get("referenced_tweets", []) if r.get("type") == "replied_to"), None
        )
        return Mention(
            platform="x",
            platform_id=str(tweet["id"]),
            author_handle=username,
            author_name=author.get("name", ""),
            author_reach=author.get("public_metrics", {}).get("followers_count"),
            url=f"https://x.com/{username}/status/{tweet['id']}",
            text=str(tweet["text"]),
            created_at=datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00")),
            thread_id=str(tweet.get("conversation_id") or tweet["id"]),
            in_reply_to_id=replied_to,
            is_official=official_id is not None and tweet["author_id"] == official_id,
            lang=tweet.get("lang"),
            raw={"tweet": tweet, "author": author, "provenance": stamp},
        )


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


def _reset(headers: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(headers["x-rate-limit-reset"]), UTC)
    except (KeyError, ValueError):
        return None
