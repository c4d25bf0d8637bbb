"""The images a post carries, as `MediaRef`s: the one step every connector shares to record them.

Each connector knows where its platform puts a post's pictures (X's `includes.media`, Instagram's
`media_url` and carousel children, Bluesky's image embeds...) and hands them here as
(url, kind, alt) candidates, in the post's order. A candidate that is no usable http(s) link is
dropped with a logged reason; it never fails the post or the batch. The same link twice in one
post is kept once.

What no connector captures: link-preview cards (Facebook `share`, Bluesky `external`, LinkedIn
`article`, Mastodon `card`). Their picture is the linked page's own image (often IOM3's own
article), not something the poster put up, so a logo in it says nothing about their use of it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from monitor.models import MediaRef

# Platforms allow 4 (X, Bluesky, Mastodon) to 20 (Instagram, LinkedIn) images a post; a Facebook
# album or a feed entry can list many more. The analysis pass fetches each one, so a post that
# lists hundreds (a hostile feed, say) is cut here, and the log says so.
MAX_PER_POST = 50
log = logging.getLogger(__name__)

Candidate = tuple[Any, str, Any]  # (url, kind, alt) as the platform gave them: not yet trusted


def media_refs(candidates: Iterable[Candidate], *, platform: str, post: str) -> tuple[MediaRef, ...]:
    """The valid images among `candidates`, in order, each link once; the rest logged and dropped."""
    refs: list[MediaRef] = []
    seen: set[str] = set()
    for url, kind, alt in candidates:
        try:
            # An alt text that is not text (a number, null) costs the alt text, not the image.
            ref = MediaRef(url=url, kind=kind, alt=alt if isinstance(alt, str) else "")
        except ValueError as exc:
            dropped(platform, post, str(exc))
            continue
        if ref.url in seen:
            continue
        seen.add(ref.url)
        refs.append(ref)
    if len(refs) > MAX_PER_POST:
        dropped(platform, post, f"kept the first {MAX_PER_POST} of its {len(refs)} images")
        refs = refs[:MAX_PER_POST]
    return tuple(refs)


def nested(value: Any, *keys: str) -> Any:
    """value[k1][k2]... while each step is an object, else None. Platforms' JSON is read through
    this so that an odd shape (a list where an object was documented) costs an image, never the
    post it is on."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def objects(value: Any) -> list[dict[str, Any]]:
    """The objects in a JSON list; anything else holds none."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def dropped(platform: str, post: str, reason: str) -> None:
    """Log an image of `post` that is not recorded, and why (repr: a post id may hold anything)."""
    log.info("connector=%s event=image_dropped post=%r reason=%s", platform, post, reason)
