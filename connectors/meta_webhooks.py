"""Meta webhooks (Instagram `mentions`, Facebook page `feed`): verify, then turn into ids to fetch.

`handle` is a plain function of (method, query, headers, raw body) so that any server can mount
it: today the small WSGI server in monitor/webhooks.py, later the triage web app. It never
fetches or stores; it says which objects to fetch by id (`QueuedObject`) and `enqueue` keeps them
until the Instagram or Facebook connector's next run reads them, once each.

Meta signs each delivery with X-Hub-Signature-256: `sha256=` + HMAC-SHA256 of the raw body with
the app secret. The check is on the exact bytes received, in constant time (hmac.compare_digest),
before the body is parsed; a bad or missing signature is 403 and nothing is queued.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

SIGNATURE_HEADER = "X-Hub-Signature-256"


@dataclass(frozen=True, slots=True)
class QueuedObject:
    """One object a webhook says to fetch: an IG media or comment, a Facebook post or comment."""

    platform: str  # instagram | facebook
    kind: str  # media | comment | post
    object_id: str
    account_id: str  # the IG user or page the notification is for (entry.id)
    payload: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


def signature_ok(raw_body: bytes, header: str | None, app_secret: bytes) -> bool:
    """True if `header` is the HMAC-SHA256 of exactly these bytes under the app secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(app_secret, raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


def objects_to_fetch(payload: Any) -> list[QueuedObject]:
    """The objects an Instagram `mentions` or Facebook `feed` notification names (others ignored)."""
    if not isinstance(payload, dict):
        return []
    platform = {"instagram": "instagram", "page": "facebook"}.get(str(payload.get("object")))
    found: list[QueuedObject] = []
    for entry in payload.get("entry") or []:
        if platform is None or not isinstance(entry, dict):
            continue
        account = str(entry.get("id", ""))
        for change in entry.get("changes") or []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            if platform == "instagram" and change.get("field") == "mentions":
                # Only ids: no image is in an Instagram mention; fetching the media gives them.
                if value.get("comment_id"):
                    found.append(QueuedObject(platform, "comment", str(value["comment_id"]), account, value))
                elif value.get("media_id"):
                    found.append(QueuedObject(platform, "media", str(value["media_id"]), account, value))
            elif platform == "facebook" and change.get("field") == "feed" and value.get("verb") != "remove":
                # The value is kept as the queue entry's payload: its photo links (webhook_photos)
                # stand in if the fetched post or comment shows none.
                if value.get("item") == "comment" and value.get("comment_id"):
                    found.append(QueuedObject(platform, "comment", str(value["comment_id"]), account, value))
                elif value.get("post_id"):
                    found.append(QueuedObject(platform, "post", str(value["post_id"]), account, value))
    return found


def handle(
    method: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    raw_body: bytes,
    *,
    app_secret: bytes,
    verify_token: str,
    enqueue: Callable[[list[QueuedObject]], int],
) -> Reply:
    """One webhook request: the subscription challenge (GET) or a signed delivery (POST)."""
    if method == "GET":
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode(), verify_token.encode()
        ):
            return Reply(200, query.get("hub.challenge", ""))
        return Reply(403, "verification token does not match")
    if method != "POST":
        return Reply(405, "GET or POST only")
    header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), None)
    if not signature_ok(raw_body, header, app_secret):
        return Reply(403, "bad signature")
    try:
        payload = json.loads(raw_body)
    except ValueError:
        return Reply(400, "body is not JSON")
    enqueue(objects_to_fetch(payload))
    # Meta retries anything but a 200 for hours: answer at once, the fetching happens later.
    return Reply(200, "EVENT_RECEIVED")


def webhook_photos(value: dict[str, Any]) -> list[tuple[Any, str, str]]:
    """The photo links a Page `feed` webhook change carries, for when the post itself has none.

    Meta's feed change documents `link` and `photo_id` for `item` "photo", `photos` for a status
    with several, and `photo` for a comment with one. A `video` change's `link` is the video
    file, not a picture. Instagram's `mentions` change carries only ids (media_id, comment_id):
    no images are in it; they come from fetching the media. (url, kind, alt) candidates for
    connectors/media.py, which checks each link.
    """
    if value.get("item") == "photo":
        return [(value.get("link"), "image", "")]
    photos = value.get("photos") if isinstance(value.get("photos"), list) else []
    if value.get("item") == "comment" and value.get("photo"):
        photos = [value["photo"]]
    return [(photo, "image", "") for photo in photos]
