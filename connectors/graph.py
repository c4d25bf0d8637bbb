"""Meta: what the Facebook and Instagram connectors share (facebook-sdk on the Graph API).

`MetaConnector` is the common half of both connectors: the token, the client, paging, every
error and malformed body classified, and unreadable items named rather than raised.

facebook-sdk 3.1 (its last release) refuses any Graph API version newer than 3.1 in its
constructor, but the version is only a path prefix to it afterwards. So we construct the client
with a version it accepts and then set `graph.version` to the configured current one: no fork,
no patch, and the HTTP requests go to the version Meta still serves.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlparse

import requests
from pydantic import Field

from connectors.base import (
    Batch,
    Connector,
    Cursor,
    FatalError,
    PlatformSettings,
    ProfileNotReadable,
    RateLimited,
    SkipStream,
    copy_state,
)
from connectors.http import TransientHTTPError, platform_token, provenance, with_retries
from monitor.models import Mention
from monitor.platforms import label

try:
    import facebook
except ImportError as exc:  # pragma: no cover - facebook-sdk is a dependency; this names it
    raise ImportError(
        "the Facebook and Instagram connectors need facebook-sdk: pip install facebook-sdk"
    ) from exc

CLIENT = f"facebook-sdk {getattr(facebook, '__version__', '3.1.0')}"
RATE_LIMIT_CODES = {4, 17, 32, 613} | set(range(80001, 80015))  # app, user, page, custom, BUC
TOKEN_CODES = {190, 102}
PERMISSION_CODES = {10} | set(range(200, 300))
TRANSIENT_CODES = {1, 2}
# Business Discovery's "Invalid user id" (subcode 2207013): no business or creator account of
# that username, which is what a personal Instagram account is to the Graph API.
NOT_PROFESSIONAL_CODE = 110


class GraphSettings(PlatformSettings):
    api_version: str = Field(default="v24.0", pattern=r"^v\d+\.\d+$")
    # Stop a run when Meta says this much of the hourly budget is used (X-App-Usage and
    # X-Business-Use-Case-Usage report percentages), before Meta starts refusing calls.
    usage_stop_percent: int = Field(default=90, ge=10, le=100)
    # Comments keep arriving on older posts; re-read comments of posts this many days old.
    comment_window_days: int = Field(default=7, ge=1, le=90)


@dataclass
class UsageWatch:
    """A requests response hook: remembers the last status and URL, and the usage headers."""

    stop_percent: int
    last_status: int = 0
    last_url: str = ""
    used_percent: float = 0.0
    regain_minutes: float | None = None
    seen: list[str] = field(default_factory=list)

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_status, self.last_url = response.status_code, response.url
        for header in ("X-App-Usage", "X-Business-Use-Case-Usage", "X-Page-Usage"):
            if value := response.headers.get(header):
                self._read(value)

    def _read(self, value: str) -> None:
        try:
            usage = json.loads(value)
        except ValueError:
            return
        # X-App-Usage is one object; X-Business-Use-Case-Usage maps business ids to lists of them.
        entries = [usage] if "call_count" in usage else [e for v in usage.values() for e in v]
        for entry in entries:
            figures = [entry.get(k, 0) for k in ("call_count", "total_cputime", "total_time")]
            self.used_percent = max(self.used_percent, *figures)
            if (regain := entry.get("estimated_time_to_regain_access")) is not None:
                self.regain_minutes = max(self.regain_minutes or 0, float(regain))

    @property
    def exhausted(self) -> bool:
        return self.used_percent >= self.stop_percent

    def resume_at(self, now: datetime) -> datetime:
        # Meta's windows are rolling hours; without an estimate, an hour is always enough.
        return now + timedelta(minutes=self.regain_minutes or 60)


def graph_client(token: str, settings: GraphSettings) -> tuple[Any, UsageWatch]:
    session = requests.Session()
    watch = UsageWatch(settings.usage_stop_percent)
    session.hooks["response"].append(watch.hook)
    graph = facebook.GraphAPI(
        access_token=token, timeout=settings.timeout_seconds, session=session, version="3.1"
    )
    graph.version = settings.api_version  # see the module docstring
    return graph, watch


def call(
    graph: Any,
    watch: UsageWatch,
    path: str,
    params: dict[str, Any],
    settings: GraphSettings,
    *,
    platform: str,
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    """One Graph API GET, with transient errors retried and the others classified."""

    def once() -> dict[str, Any]:
        try:
            result = graph.request(f"{graph.version}/{path}", dict(params))
        except facebook.GraphAPIError as exc:
            raise classify(exc, watch, platform=platform, env=settings.token_env) from None
        except (ValueError, KeyError) as exc:
            # facebook-sdk parses the body itself: a body cut off in transit (status 200, truncated
            # JSON) is a ValueError, a response with no Content-Type a KeyError. Like the X
            # connector, retry it, then fail the run with the cursor where it was.
            raise TransientHTTPError(
                f"{platform} {path}: the response (HTTP {watch.last_status or '?'}) was not readable "
                f"JSON ({type(exc).__name__}: {str(exc)[:80]})",
                fix="usually a connection cut short; the next run reads the same page again",
            ) from None
        if not isinstance(result, dict) or not isinstance(result.get("data", []), list):
            shape = type(result).__name__ if not isinstance(result, dict) else "'data' that is not a list"
            raise TransientHTTPError(
                f"{platform} {path}: unexpected response ({shape})",
                fix="the next run reads the same page again; if it persists, record the response (README)",
            )
        return result

    return with_retries(once, settings, sleep=sleep)


def classify(exc: Any, watch: UsageWatch, *, platform: str, env: str) -> Exception:
    """A GraphAPIError as the error the monitor acts on."""
    code = exc.code
    error = exc.result.get("error", {}) if isinstance(exc.result, dict) else {}
    message = f"{exc.message}" if isinstance(exc.message, str) else str(exc.message)
    if code in RATE_LIMIT_CODES:
        return RateLimited(
            f"{platform} rate limit (Graph API error {code})", resume_at=watch.resume_at(datetime.now(UTC))
        )
    if code in TOKEN_CODES:
        return FatalError(
            f"{platform} refused the access token (Graph API error {code}: {message})",
            fix=f"renew the {platform} page token and set it in {env}",
        )
    if code in PERMISSION_CODES:
        return SkipStream(
            f"permission missing (Graph API error {code}: {message}); grant the app the "
            "page permissions listed in the README, 'Connecting the platforms'"
        )
    if code == NOT_PROFESSIONAL_CODE:
        return ProfileNotReadable(
            f"the Graph API shows only business and creator accounts (error {code}: {message}); a "
            "personal account, or one renamed since it was registered"
        )
    if code == 100 or watch.last_status == 404:
        return SkipStream(
            f"not found or not readable (Graph API error {code}: {message}); deleted, "
            "private, or the id in config/monitor.toml is wrong"
        )
    if code in TRANSIENT_CODES or error.get("is_transient") or watch.last_status >= 500 or code is None:
        return TransientHTTPError(f"{platform} server error ({watch.last_status or 'no status'}: {message})")
    return SkipStream(f"Graph API error {code}: {message}")


def pages(
    graph: Any,
    watch: UsageWatch,
    path: str,
    params: dict[str, Any],
    settings: GraphSettings,
    *,
    platform: str,
    sleep: Callable[[float], None],
    clock: Callable[[], datetime],
) -> Iterator[tuple[list[Any], str]]:
    """Each page's `data` and the URL it came from, following paging.next.

    After a page that takes the usage headers past `usage_stop_percent`, stop with RateLimited:
    that page is still handed over (and stored), the rest waits for the next run.
    """
    args = dict(params)
    for _ in range(settings.max_pages):
        page = call(graph, watch, path, args, settings, platform=platform, sleep=sleep)
        yield page.get("data", []), watch.last_url
        if watch.exhausted:
            raise RateLimited(
                f"{platform}: {watch.used_percent:.0f}% of the hourly API budget used",
                resume_at=watch.resume_at(clock()),
            )
        next_url = page.get("paging", {}).get("next")
        if not next_url:
            return
        args = {k: v for k, v in parse_qsl(urlparse(next_url).query) if k != "access_token"}


def parse_time(value: str) -> datetime:
    """Graph API times look like 2026-11-20T09:00:00+0000."""
    return datetime.fromisoformat(value)


def timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


class MetaConnector(Connector):
    """The half of the Facebook and Instagram connectors that is the same: subclasses yield
    their streams from `streams` and turn Graph API items into Mentions."""

    settings: GraphSettings

    @property
    def label(self) -> str:
        return label(self.name)

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        graph, watch = self._graph()
        state = copy_state(cursor or {})
        # Objects a Meta webhook named since the last run (monitor/webhooks.py): fetched by id
        # first; the key is the pipeline's, never saved back in the cursor.
        for queued in state.pop("webhook_events", []):
            yield self._queued(graph, watch, state, queued)
        yield from self.streams(graph, watch, state)

    def _graph(self) -> tuple[Any, UsageWatch]:
        token = platform_token(self.settings, self.label)
        return graph_client(token.reveal(), self.settings)

    def _node(self, node_id: str, fields: str) -> dict[str, Any]:
        """One object's fields (a profile's): errors classified as for every other call."""
        graph, watch = self._graph()
        return call(
            graph, watch, node_id, {"fields": fields}, self.settings, platform=self.label, sleep=self.sleep
        )

    def _queued(self, graph: Any, watch: UsageWatch, state: dict[str, Any], queued: dict[str, Any]) -> Batch:
        path, params, normalize = self.by_id(queued)
        try:
            item = call(graph, watch, path, params, self.settings, platform=self.label, sleep=self.sleep)
        except SkipStream as skip:
            # Deleted or hidden since Meta told us: settled, with the reason named.
            problem = f"{self.label} {queued['kind']} {queued['object_id']} (from a webhook): {skip}"
            return Batch([], copy_state(state), [problem], acknowledged=[queued["queue_id"]])
        mentions, skipped = self.read_all([item], queued["kind"], lambda i: normalize(i, self.stamp(watch)))
        return Batch(mentions, copy_state(state), skipped, acknowledged=[queued["queue_id"]])

    def by_id(
        self, queued: dict[str, Any]
    ) -> tuple[str, dict[str, Any], Callable[[Any, dict[str, Any]], Mention]]:
        """Where to read one webhook-queued object, and how to turn the answer into a Mention."""
        raise SkipStream(f"{self.label} cannot fetch a queued {queued['kind']}")

    def stamp(self, watch: UsageWatch) -> dict[str, Any]:
        return provenance(self.name, watch.last_url, CLIENT)

    @abstractmethod
    def streams(self, graph: Any, watch: UsageWatch, state: dict[str, Any]) -> Iterator[Batch]:
        """Every stream of this platform, each batch carrying a copy of `state` (the cursor)."""

    def _pages(
        self, graph: Any, watch: UsageWatch, path: str, params: dict[str, Any]
    ) -> Iterator[tuple[list[Any], str]]:
        return pages(
            graph, watch, path, params, self.settings, platform=self.label, sleep=self.sleep, clock=self.clock
        )

    def edge_stream(
        self,
        graph: Any,
        watch: UsageWatch,
        state: dict[str, Any],
        *,
        handle: str,
        node_id: str,
        edge: str,
        fields: str,
        read_page: Callable[[list[Any], dict[str, Any]], tuple[list[Mention], list[str]]],
        what: str,
    ) -> Iterator[Batch]:
        """The pages of one account's `edge` (feed, tagged, media...) since that edge's cursor."""
        yield from self.since_stream(
            graph,
            watch,
            state,
            key=f"{edge}:{handle}",
            path=f"{node_id}/{edge}",
            params={"fields": fields, "limit": self.settings.page_size},
            read_page=read_page,
            what=what,
        )

    def since_stream(
        self,
        graph: Any,
        watch: UsageWatch,
        state: dict[str, Any],
        *,
        key: str,
        path: str,
        params: dict[str, Any],
        read_page: Callable[[list[Any], dict[str, Any]], tuple[list[Mention], list[str]]],
        what: str,
    ) -> Iterator[Batch]:
        """The pages of `path` since `state[key]`; the cursor moves to the newest once all are read.

        `since` is inclusive, so the newest item comes back next run and the store drops it.
        """
        since = state.get(key)
        if since:
            params = {**params, "since": since}
        newest = since
        try:
            for data, url in self._pages(graph, watch, path, params):
                mentions, skipped = read_page(data, provenance(self.name, url, CLIENT))
                for mention in mentions:
                    newest = max(newest or 0, timestamp(mention.created_at))
                yield Batch(mentions, copy_state(state), skipped)
        except SkipStream as skip:
            yield Batch([], copy_state(state), [f"{self.label} {what}: {skip}"])
            return
        if newest != since:
            state[key] = newest
            yield Batch([], copy_state(state))

    def within_window(self, recent: dict[str, Any], created: Callable[[Any], int]) -> None:
        """Forget posts older than comment_window_days: their new comments no longer matter."""
        horizon = timestamp(self.clock() - timedelta(days=self.settings.comment_window_days))
        for item_id in [i for i, value in recent.items() if created(value) < horizon]:
            del recent[item_id]

    def read_all(
        self, items: list[Any], kind: str, normalize: Callable[[Any], Mention]
    ) -> tuple[list[Mention], list[str]]:
        """Each item (or (item, extra) pair) through `normalize`; one that cannot be read is
        named in the skipped list, never fatal."""
        mentions, skipped = [], []
        for entry in items:
            try:
                mentions.append(normalize(entry))
            except (KeyError, TypeError, ValueError) as exc:
                item = entry[0] if isinstance(entry, tuple) else entry
                ident = item.get("id", "?") if isinstance(item, dict) else "?"
                skipped.append(f"{self.label} {kind} {ident}: unreadable ({type(exc).__name__}: {exc})")
        return mentions, skipped
