"""LinkedIn organization pages through the versioned REST API (requests): each page's posts,
the comments on its recent posts, and posts that mention it.

Pages are the official IOM3 page and registered committee pages, by handle and organization URN
in `[connectors.linkedin.organizations]`. Every request carries the headers the versioned API
requires: `LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0`.

A post names its images by URN (`content.media.id`, `content.multiImage.images[].id`); the
Images API turns them into links (`downloadUrl`), 20 URNs to a BATCH_GET, for the new posts of
each page only. Those links expire (`downloadUrlExpiresAt`, hours to days): the analysis pass
should fetch them soon after the run.

Profiles, for the audit, as far as the documented API lets a read-only monitor: a member's
profile (an ASV personal account) is given only to that member's own sign-in, so it is never
readable here. A page's name and description come from the Organization Lookup API, which
LinkedIn documents as needing `rw_organization_admin`, a permission to manage the page; that
is off unless `profiles = true` says the token has it. Even then its logo (`logoV2`) is a
digital-media-asset URN the versioned API documents no read-only way to turn into a link, so the
logo check does not run on LinkedIn.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests
from pydantic import Field

from connectors.base import (
    Batch,
    Connector,
    Cursor,
    FatalError,
    PlatformSettings,
    RateLimited,
    SkipStream,
    copy_state,
)
from connectors.http import TransientHTTPError, platform_token, provenance, with_retries
from connectors.media import Candidate, dropped, media_refs, nested, objects
from connectors.profile import configured, make_profile
from monitor.models import MediaRef, Mention, Profile
from monitor.platforms import default_token_env
from monitor.watch import WatchList

API = "https://api.linkedin.com/rest"
POST_URN_PREFIXES = ("urn:li:share:", "urn:li:ugcPost:")
IMAGE_URN = "urn:li:image:"
IMAGE_BATCH = 20  # URNs per Images API call: keeps the URL short, and one call per page of posts
CLIENT = f"requests {requests.__version__}"
MEMBER_PROFILE = (
    "LinkedIn gives a member's profile only to that member's own sign-in; no permission a "
    "read-only monitor can hold reads another member's name, headline or photo"
)
LOOKUP_PERMISSION = (
    "the Organization Lookup API needs rw_organization_admin, a permission to manage the page, "
    "which this read-only monitor does not ask for; grant it and set profiles = true under "
    "[connectors.linkedin] to read page names and descriptions"
)


class Settings(PlatformSettings):
    token_env: str = Field(default=default_token_env("linkedin"), pattern=r"^[A-Z][A-Z0-9_]*$")
    # LinkedIn sunsets each monthly version after a year: move this forward at least yearly.
    api_version: str = Field(default="202511", pattern=r"^20\d\d(0[1-9]|1[0-2])$")
    # handle (as in channels.toml / accounts.toml) -> urn:li:organization:<id>
    organizations: dict[str, str] = Field(default_factory=dict)
    page_size: int = Field(default=50, ge=1, le=100)
    mentions: bool = True
    comment_window_days: int = Field(default=7, ge=1, le=90)
    # Read page profiles (name, description) for the audit: only if the token holds
    # rw_organization_admin, which LinkedIn requires for the Organization Lookup API.
    profiles: bool = False


class LinkedInConnector(Connector):
    name = "linkedin"
    Settings = Settings

    def __init__(self, settings: Settings, watch: WatchList, **kwargs: Any) -> None:
        super().__init__(settings, watch, **kwargs)
        self.handle_by_urn = {platform_id: handle for handle, platform_id in settings.organizations.items()}
        self.official_urns = self.official_ids("linkedin", settings.organizations)

    def fetch(self, cursor: Cursor | None) -> Iterator[Batch]:
        self._open()
        state = copy_state(cursor or {})
        for handle, urn in self.settings.organizations.items():
            yield from self._posts(state, handle, urn)
            yield from self._comments(state, handle)
            if self.settings.mentions:
                yield from self._mentions(state, handle, urn)

    def _open(self) -> None:
        token = platform_token(self.settings, "LinkedIn")
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token.reveal()}",
                "LinkedIn-Version": self.settings.api_version,
                "X-Restli-Protocol-Version": "2.0.0",
            }
        )

    def profile_refusal(self, handle: str) -> str | None:
        if configured(self.settings.organizations, handle) is None:
            # A handle with no organization URN is a member (or a page not yet configured).
            return MEMBER_PROFILE if self.watch.kind_of("linkedin", handle) == "asv_personal" else None
        return None if self.settings.profiles else LOOKUP_PERMISSION

    def read_profile(self, handle: str) -> Profile:
        """A configured page's name and description (Organization Lookup); no logo (see above)."""
        urn = configured(self.settings.organizations, handle)
        if urn is None:
            raise SkipStream(
                f"no URN for {handle}: add it to [connectors.linkedin.organizations] in monitor.toml"
            )
        self._open()
        page = self._get(
            f"{API}/organizations/{quote(urn.rsplit(':', 1)[-1], safe='')}",
            forbidden="403: the token lacks rw_organization_admin, or its member is not an "
            "administrator of this page",
        )
        vanity = page.get("vanityName")
        return make_profile(
            "linkedin",
            handle,
            name=page.get("localizedName"),
            bio=page.get("localizedDescription"),
            avatar=None,
            url=f"https://www.linkedin.com/company/{quote(vanity)}/"
            if isinstance(vanity, str) and vanity
            else "",
            fetched_at=self.clock(),
        )

    # --- streams ---------------------------------------------------------------------
    def _posts(self, state: dict[str, Any], handle: str, urn: str) -> Iterator[Batch]:
        key, since = f"posts:{handle}", state.get(f"posts:{handle}", 0)
        newest = since
        recent = state.setdefault(f"recent:{handle}", {})
        count = self.settings.page_size
        try:
            for page in range(self.settings.max_pages):
                url = (
                    f"{API}/posts?author={quote(urn, safe='')}&q=author&sortBy=CREATED"
                    f"&count={count}&start={page * count}"
                )
                elements = self._get(url).get("elements", [])
                mentions, skipped = self._normalize_all(elements, url, "post")
                fresh = [m for m in mentions if _ms(m.created_at) > since]
                fresh, problems = self._with_images(fresh)  # only the new posts cost a lookup
                skipped.extend(problems)
                for m in fresh:
                    newest = max(newest, _ms(m.created_at))
                    recent[m.platform_id] = _ms(m.created_at)
                yield Batch(fresh, copy_state(state), skipped)
                # Newest first: once a page reaches what we had, the rest is older still.
                if len(elements) < count or len(fresh) < len(mentions):
                    break
        except SkipStream as skip:
            yield Batch([], copy_state(state), [f"LinkedIn {handle} posts: {skip}"])
            return
        if newest != since:
            state[key] = newest
            yield Batch([], copy_state(state))

    def _comments(self, state: dict[str, Any], handle: str) -> Iterator[Batch]:
        recent: dict[str, int] = state.setdefault(f"recent:{handle}", {})
        horizon = _ms(self.clock() - timedelta(days=self.settings.comment_window_days))
        for post in [p for p, created in recent.items() if created < horizon]:
            del recent[post]
        count = self.settings.page_size
        for post in sorted(recent):
            try:
                for page in range(self.settings.max_pages):
                    url = (
                        f"{API}/socialActions/{quote(post, safe='')}/comments"
                        f"?count={count}&start={page * count}"
                    )
                    elements = self._get(url).get("elements", [])
                    mentions, skipped = self._normalize_all(elements, url, "comment", post=post)
                    yield Batch(mentions, copy_state(state), skipped)
                    if len(elements) < count:
                        break
            except SkipStream as skip:
                yield Batch([], copy_state(state), [f"LinkedIn post {post} comments: {skip}"])
        yield Batch([], copy_state(state))

    def _mentions(self, state: dict[str, Any], handle: str, urn: str) -> Iterator[Batch]:
        key = f"mentions:{handle}"
        end = _ms(self.clock())
        start = state.get(key) or _ms(self.clock() - timedelta(days=self.settings.comment_window_days))
        url = (
            f"{API}/organizationalEntityNotifications?q=criteria&actions=List(SHARE_MENTION)"
            f"&organizationalEntity={quote(urn, safe='')}&timeRange=(start:{start},end:{end})"
            f"&count={self.settings.page_size}"
        )
        try:
            notifications = self._get(url).get("elements", [])
        except SkipStream as skip:
            yield Batch([], copy_state(state), [f"LinkedIn {handle} mentions: {skip}"])
            return
        mentions, skipped = [], []
        for note in notifications:
            try:
                post_urn = self._mentioning_post(note)
                post_url = f"{API}/posts/{quote(post_urn, safe='')}"
                found, bad = self._normalize_all([self._get(post_url)], post_url, "post")
            except SkipStream as skip:
                skipped.append(f"LinkedIn mention: {skip}")
                continue
            mentions.extend(found)
            skipped.extend(bad)
        mentions, problems = self._with_images(mentions)
        state[key] = end
        yield Batch(mentions, copy_state(state), skipped + problems)

    def _mentioning_post(self, note: Any) -> str:
        """The share or ugcPost URN a SHARE_MENTION notification points at.

        The Posts API reads share and ugcPost URNs only. A notification may name the post as an
        activity (urn:li:activity:...); the Activities API resolves an activity to its
        `domainEntity`, the share or ugcPost underneath. Anything else is skipped, named.
        """
        if not isinstance(note, dict):
            raise SkipStream(f"notification is not an object: {note!r:.200}")
        urns = [u for u in (note.get("generatedActivity"), note.get("sourcePost")) if isinstance(u, str)]
        if post := next((u for u in urns if u.startswith(POST_URN_PREFIXES)), None):
            return post
        activity = next((u for u in urns if u.startswith("urn:li:activity:")), None)
        if activity is None:
            raise SkipStream(f"notification names no share, ugcPost or activity: {note!r:.200}")
        url = f"{API}/activities?ids=List({quote(activity, safe='')})"
        entity = ((self._get(url).get("results") or {}).get(activity) or {}).get("domainEntity")
        if not isinstance(entity, str) or not entity.startswith(POST_URN_PREFIXES):
            raise SkipStream(
                f"activity {activity} resolves to {entity or 'nothing'} (deleted, or its author does "
                "not share it), not a post the Posts API can read"
            )
        return entity

    def _with_images(self, mentions: list[Mention]) -> tuple[list[Mention], list[str]]:
        """`mentions` with their images: every image URN they name resolved to its downloadUrl
        by the Images API (BATCH_GET, IMAGE_BATCH at a time). A lookup LinkedIn refuses costs
        those images, never the posts: they are stored without them and the run says why."""
        wanted = sorted({urn for m in mentions for urn, _ in post_images(m.raw["post"])})
        links: dict[str, str] = {}
        problems: list[str] = []
        for start in range(0, len(wanted), IMAGE_BATCH):
            chunk = wanted[start : start + IMAGE_BATCH]
            url = f"{API}/images?ids=List({','.join(quote(urn, safe='') for urn in chunk)})"
            try:
                results = self._get(url).get("results") or {}
            except SkipStream as skip:
                problems.append(
                    f"LinkedIn images ({len(chunk)}): {skip}; their posts are stored without them"
                )
                continue
            for urn, image in results.items() if isinstance(results, dict) else []:
                # Empty while the image is processing or after it failed (Images API `status`).
                if isinstance(image, dict) and image.get("downloadUrl"):
                    links[str(urn)] = image["downloadUrl"]
        return [replace(m, media=post_media(m.raw["post"], links)) for m in mentions], problems

    # --- HTTP --------------------------------------------------------------------------
    def _get(self, url: str, *, forbidden: str = "") -> dict[str, Any]:
        def once() -> dict[str, Any]:
            response = self.session.get(url, timeout=self.settings.timeout_seconds)
            return self._check(response, forbidden=forbidden)

        return with_retries(once, self.settings, sleep=self.sleep)

    def _check(self, response: requests.Response, *, forbidden: str = "") -> dict[str, Any]:
        status = response.status_code
        if status == 401:
            raise FatalError(
                "LinkedIn refused the access token (401)",
                fix=f"LinkedIn tokens expire after 60 days: renew it and set it in {self.settings.token_env}",
            )
        if status == 429:
            raise RateLimited("LinkedIn rate limit reached (429)", resume_at=self._reset(response))
        if status == 403:
            raise SkipStream(
                forbidden
                or "403: the token lacks r_organization_social, or its member is not an "
                "administrator of this page"
            )
        if status == 404:
            raise SkipStream("404: not found (deleted, or a wrong URN in config/monitor.toml)")
        if status >= 500:
            raise TransientHTTPError(f"LinkedIn server error {status}")
        if status >= 400:
            raise SkipStream(f"{status}: {_message(response)}")
        try:
            payload = response.json()
        except ValueError:
            raise TransientHTTPError("LinkedIn: response was not JSON") from None
        if not isinstance(payload, dict):
            raise TransientHTTPError(f"LinkedIn: expected a JSON object, got {type(payload).__name__}")
        return payload

    def _reset(self, response: requests.Response) -> datetime:
        now = self.clock()
        if (after := response.headers.get("Retry-After", "")).isdigit():
            return now + timedelta(seconds=int(after))
        # LinkedIn's quotas are daily and reset at midnight UTC.
        return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)

    # --- pure: REST objects to Mentions ------------------------------------------------
    def _normalize_all(
        self, elements: list[Any], url: str, kind: str, post: str | None = None
    ) -> tuple[list[Mention], list[str]]:
        stamp = provenance(self.name, url, CLIENT)
        mentions, skipped = [], []
        for element in elements:
            try:
                mentions.append(
                    self.normalize_post(element, stamp)
                    if kind == "post"
                    else self.normalize_comment(element, stamp, post or "")
                )
            except (KeyError, TypeError, ValueError) as exc:
                ident = element.get("id", "?") if isinstance(element, dict) else "?"
                skipped.append(f"LinkedIn {kind} {ident}: unreadable ({type(exc).__name__}: {exc})")
        return mentions, skipped

    def normalize_post(self, post: dict[str, Any], stamp: dict[str, Any]) -> Mention:
        author = str(post["author"])
        return Mention(
            platform="linkedin",
            platform_id=str(post["id"]),
            author_handle=self.handle_by_urn.get(author, author),
            url=f"https://www.linkedin.com/feed/update/{post['id']}/",
            text=str(post.get("commentary", "")),
            created_at=_from_ms(post.get("publishedAt") or post["createdAt"]),
            thread_id=str(post["id"]),
            is_official=author in self.official_urns,
            raw={"post": post, "provenance": stamp},
        )

    def normalize_comment(self, comment: dict[str, Any], stamp: dict[str, Any], post: str) -> Mention:
        actor = str(comment["actor"])
        urn = comment.get("commentUrn") or comment.get("$URN") or f"{post}#comment-{comment['id']}"
        return Mention(
            platform="linkedin",
            platform_id=str(urn),
            author_handle=self.handle_by_urn.get(actor, actor),
            url=f"https://www.linkedin.com/feed/update/{post}/",
            text=str(comment["message"]["text"]),
            created_at=_from_ms(comment["created"]["time"]),
            thread_id=post,
            in_reply_to_id=comment.get("parentComment") or post,
            is_official=actor in self.official_urns,
            raw={"comment": comment, "provenance": stamp},
        )


def post_images(post: dict[str, Any]) -> list[tuple[str, str]]:
    """(image URN, alt text) of a post's own images, in order: `content.media` for one image,
    `content.multiImage.images` for several (Posts API). A `content.media` video
    (urn:li:video) has its still only in the Videos API, which wants write permissions
    (w_organization_social) this read-only monitor never asks for: not captured. An
    `article`'s thumbnail is the linked page's picture (connectors/media.py): not captured."""
    images = objects([nested(post, "content", "media")]) + objects(
        nested(post, "content", "multiImage", "images")
    )
    return [
        (image["id"], image.get("altText") or "")
        for image in images
        if isinstance(image.get("id"), str) and image["id"].startswith(IMAGE_URN)
    ]


def post_media(post: dict[str, Any], links: dict[str, str]) -> tuple[MediaRef, ...]:
    """The post's images as MediaRefs, each URN looked up in `links` (URN -> downloadUrl)."""
    post_id = str(post.get("id", "?"))
    candidates: list[Candidate] = []
    for urn, alt in post_images(post):
        if urn not in links:
            dropped(
                "linkedin", post_id, f"image {urn}: no downloadUrl (deleted, processing, or not readable)"
            )
            continue
        candidates.append((links[urn], "image", alt))
    return media_refs(candidates, platform="linkedin", post=post_id)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _from_ms(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, UTC)


def _message(response: requests.Response) -> str:
    try:
        return str(response.json().get("message", response.reason))
    except ValueError:
        return str(response.reason)
