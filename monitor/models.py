"""Records that move through the monitor: what a connector yields and what scoring returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from monitor.platforms import PLATFORMS
from monitor.vocabulary import ChannelKind

__all__ = ["PLATFORMS", "ChannelKind", "MediaRef", "Mention", "Profile", "Evidence", "Flag", "Assessment"]

# What a post's image is: a photo, the still a platform gives for a video, or an animated GIF's
# still (where the platform says it is one). The analysis pass fetches each URL once.
MEDIA_KINDS = ("image", "video_thumbnail", "gif")
MAX_MEDIA_URL = 4096  # platform CDN links run to a few hundred characters; more is not a link


@dataclass(frozen=True, slots=True)
class MediaRef:
    """One image a post carries, as the platform links it: the URL, what it is, its alt text.

    Only the link is captured here; the analysis pass (monitor/media/) fetches it later and keeps
    a hash and a small thumbnail, never the original. `alt` is the platform's alt text or
    description, verbatim: it is post content (hostile), escaped wherever it is shown.
    """

    url: str
    kind: str
    alt: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.url, str) or not self.url:
            raise ValueError(f"image url {self.url!r:.120} is not a link; give an http(s) URL")
        if len(self.url) > MAX_MEDIA_URL:
            raise ValueError(f"image url of {len(self.url)} characters is too long (at most {MAX_MEDIA_URL})")
        # Whitespace or control characters in a URL (a CR/LF smuggled in, say) make it no URL at all.
        if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in self.url):
            raise ValueError(f"image url {self.url!r:.120} holds whitespace or control characters")
        parts = urlsplit(self.url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"image url {self.url!r:.120} is not http(s); only web links are kept "
                "(data:, file:, javascript: and relative links are refused)"
            )
        if self.kind not in MEDIA_KINDS:
            raise ValueError(f"image kind {self.kind!r} is not one of {', '.join(MEDIA_KINDS)}")
        if not isinstance(self.alt, str):
            raise ValueError(f"image alt text must be text, not {type(self.alt).__name__}")


@dataclass(frozen=True, slots=True)
class Mention:
    """One post or comment that mentions IOM3, normalised across platforms.

    `created_at` is always timezone-aware. `raw` is the platform's own payload, kept for audit.
    """

    platform: str
    platform_id: str
    author_handle: str
    text: str
    created_at: datetime
    author_name: str = ""
    author_reach: int | None = None
    url: str = ""
    thread_id: str | None = None
    in_reply_to_id: str | None = None
    is_official: bool = False
    lang: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    # The images the post carries, in the post's order (connectors/media.py builds them).
    media: tuple[MediaRef, ...] = ()
    # Which edit of the post this is, where the platform makes edits reach us: a later edit's
    # version sorts after an earlier one's as text (X: the version's own id, zero-padded). A
    # stored mention is replaced by a later version of itself; None never replaces anything.
    version: str | None = None

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(
                f"unknown platform {self.platform!r} for mention {self.platform_id!r}; "
                f"use one of {', '.join(PLATFORMS)}"
            )
        if not self.platform_id:
            raise ValueError("a mention needs a non-empty platform_id")
        if self.created_at.tzinfo is None:
            raise ValueError(
                f"created_at of {self.platform}:{self.platform_id} has no timezone; "
                "connectors must give aware datetimes (UTC if the platform does not say)"
            )
        if self.version is not None and not 0 < len(self.version) <= 40:
            raise ValueError(f"version of {self.platform}:{self.platform_id} must be 1 to 40 characters")
        if not isinstance(self.media, tuple) or not all(isinstance(m, MediaRef) for m in self.media):
            raise ValueError(
                f"media of {self.platform}:{self.platform_id} must be a tuple of MediaRef, "
                f"not {type(self.media).__name__}"
            )


@dataclass(frozen=True, slots=True)
class Profile:
    """A registered account's public profile, as its platform shows it (issue #16).

    Read only for IOM3's official channels and the accounts in config/accounts.toml, never for
    someone who merely mentions IOM3. `display_name` and `bio` are the account holder's own words,
    verbatim (hostile: escaped wherever shown). `avatar_url` is the profile picture's link ("" when
    there is none); `url` is the account's page on the platform. `fetched_at` is timezone-aware.
    """

    platform: str
    handle: str
    display_name: str
    bio: str
    avatar_url: str
    url: str
    fetched_at: datetime

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(f"unknown platform {self.platform!r} for profile {self.handle!r}")
        if not isinstance(self.handle, str) or not self.handle:
            raise ValueError(f"a {self.platform} profile needs a handle, not {self.handle!r}")
        for name in ("display_name", "bio", "avatar_url", "url"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(
                    f"{self.platform} @{self.handle}: {name} must be text, "
                    f"not {type(getattr(self, name)).__name__}"
                )
        if self.avatar_url:
            MediaRef(self.avatar_url, "image")  # the same refusals as a post's image link
        if self.fetched_at.tzinfo is None:
            raise ValueError(f"fetched_at of {self.platform} @{self.handle} has no timezone")


class Evidence(NamedTuple):
    """Why a category scored what it did: a matched span of the text, or a named figure.

    A NamedTuple rather than a dataclass: the scorer makes several for every flag, and tuples
    cost a fraction of a frozen dataclass to build.
    """

    kind: str  # "term" or "reported" for a matched span; "figure" or "context" for the rest
    text: str
    start: int | None = None
    end: int | None = None
    value: float | None = None


class Flag(NamedTuple):
    category: str
    score: float
    clause: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Assessment:
    """What scoring says of one text. Same input, same output."""

    scorer_version: str
    sentiment: float
    scores: dict[str, float]
    flags: tuple[Flag, ...] = ()

    def flag(self, category: str) -> Flag | None:
        return next((f for f in self.flags if f.category == category), None)


def flags_to_json(flags: tuple[Flag, ...]) -> list[dict[str, Any]]:
    """Flags as plain JSON for the store (and for `--json` output); empty evidence fields omitted."""
    return [
        {
            "category": f.category,
            "score": f.score,
            "clause": f.clause,
            "evidence": [{k: v for k, v in e._asdict().items() if v is not None} for e in f.evidence],
        }
        for f in flags
    ]


def flags_from_json(data: list[dict[str, Any]]) -> tuple[Flag, ...]:
    return tuple(
        Flag(
            category=f["category"],
            score=f["score"],
            clause=f["clause"],
            evidence=tuple(Evidence(**e) for e in f.get("evidence", ())),
        )
        for f in data
    )
