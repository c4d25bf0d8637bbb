"""Meta's images (Graph API): which fields to ask for, and where a post's pictures are in them.

The Facebook and Instagram connectors ask for these fields on every request that reads a post,
a comment or a media object (their own edges, tags, and objects a webhook named), so the images
come with the post in the same call and are named here once.

Facebook: a post's `attachments` and a comment's `attachment` are Story Attachments
(https://developers.facebook.com/docs/graph-api/reference/story-attachment/): `type`, `media`
(`image{src,width,height}`, and `source` for a video file) and, for an album, `subattachments`.
A video attachment's `media.image.src` is its still. Facebook gives no alt text there.

Instagram: an IG Media has `media_type` IMAGE, VIDEO or CAROUSEL_ALBUM, `media_url` (omitted when
Meta flags the media for copyright), `thumbnail_url` for a video's still, and `children` for a
carousel (https://developers.facebook.com/docs/instagram-platform/reference/instagram-media).
"""

from __future__ import annotations

from typing import Any

from connectors.media import Candidate, dropped, media_refs, nested, objects
from monitor.models import MediaRef

_ATTACHMENT = "media,type,url"
# Posts (feed, tagged, and by id): an album's photos are its subattachments.
FB_POST_ATTACHMENTS = f"attachments{{{_ATTACHMENT},subattachments{{{_ATTACHMENT}}}}}"
# Comments carry one attachment (a photo, a GIF, a sticker, a link), under the singular name.
FB_COMMENT_ATTACHMENT = f"attachment{{{_ATTACHMENT}}}"

# Instagram, the account's own media: a video's still (thumbnail_url) as well.
IG_MEDIA_IMAGES = "media_type,media_url,thumbnail_url,children{media_type,media_url,thumbnail_url}"
# Media IOM3 does not own (its `tags` edge, `mentioned_media`): only the fields the reference
# marks public, which field expansion returns on anyone's media; thumbnail_url is not one.
IG_PUBLIC_MEDIA_IMAGES = "media_type,media_url,children{media_type,media_url}"

_FB_IMAGE_TYPES = {"photo", "cover_photo", "profile_media"}


def _fb_kind(attachment_type: str) -> str | None:
    """The kind of picture an attachment of this type shows; None when it is not the post's own.

    `share` (a link's preview card), `event`, `map`, `sticker` and the like show someone else's
    picture, not one the poster put up: see connectors/media.py.
    """
    if attachment_type in _FB_IMAGE_TYPES:
        return "image"
    if attachment_type.startswith("video"):  # video_inline, video_autoplay, video_direct_response
        return "video_thumbnail"
    if attachment_type.startswith("animated_image"):  # animated_image_share, _video, _autoplay
        return "gif"
    return None


def facebook_media(item: dict[str, Any], *, post: str) -> tuple[MediaRef, ...]:
    """The images of a Facebook post (`attachments.data`) or comment (`attachment`), in order."""
    attachments = objects(nested(item, "attachments", "data")) + objects([item.get("attachment")])
    candidates: list[Candidate] = []
    for attachment in attachments:
        album = nested(attachment, "subattachments", "data")
        for part in objects(album) if isinstance(album, list) else [attachment]:
            kind = _fb_kind(str(part.get("type", "")))
            if kind is not None:
                candidates.append((nested(part, "media", "image", "src"), kind, ""))
    return media_refs(candidates, platform="facebook", post=post)


def instagram_media(item: dict[str, Any], *, post: str) -> tuple[MediaRef, ...]:
    """The images of an IG Media: a photo, a video's still, or each picture of a carousel."""
    nodes = [item]
    if item.get("media_type") == "CAROUSEL_ALBUM":
        nodes = objects(nested(item, "children", "data"))
    candidates: list[Candidate] = []
    for node in nodes:
        media_type = node.get("media_type")
        if media_type == "IMAGE":
            candidates.append((node.get("media_url"), "image", ""))
        elif media_type == "VIDEO":
            # media_url is the video file: only the still is an image. Media not IOM3's own
            # (tags, mentions) come without thumbnail_url, which Meta does not expand for them.
            if node.get("thumbnail_url"):
                candidates.append((node["thumbnail_url"], "video_thumbnail", ""))
            else:
                dropped("instagram", post, "a video with no thumbnail_url (not IOM3's own media)")
    return media_refs(candidates, platform="instagram", post=post)
