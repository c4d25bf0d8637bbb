"""A `Profile` from the fields a platform gave: the one step every connector's `profile` shares.

Platforms' JSON is hostile and sometimes oddly shaped: a field that is not text costs that field
(kept as ""), never the profile; a picture link that is no usable http(s) link is dropped with a
logged reason, as a post's image would be (connectors/media.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from connectors.media import media_refs
from monitor.models import MediaRef, Profile

# Bios run to a few hundred characters (X 160, Bluesky 256, Mastodon 500, LinkedIn 2,000); a
# longer "bio" is not one, and is cut rather than stored whole.
MAX_TEXT = 5000
T = TypeVar("T")


def configured(ids: Mapping[str, T], handle: str) -> T | None:
    """The id monitor.toml gives `handle` (a page id, an account id, a URN), whatever the case
    either is written in: the registry and a connector's table are edited by hand."""
    return next((value for name, value in ids.items() if name.lower() == handle.lower()), None)


def make_profile(
    platform: str, handle: str, *, name: Any, bio: Any, avatar: Any, url: Any, fetched_at: datetime
) -> Profile:
    """The profile of `handle` on `platform` from the platform's own values, made safe to keep."""
    pictures = media_refs(
        [(avatar, "image", "")] if avatar else [], platform=platform, post=f"@{handle} profile"
    )
    return Profile(
        platform=platform,
        handle=handle,
        display_name=_text(name),
        bio=_text(bio),
        avatar_url=pictures[0].url if pictures else "",
        url=_link(url),
        fetched_at=fetched_at,
    )


def _text(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def _link(value: Any) -> str:
    """An http(s) link as the profile's page, or "" (MediaRef's refusals: it is shown as a link)."""
    try:
        return MediaRef(value, "image").url if value else ""
    except ValueError:
        return ""
