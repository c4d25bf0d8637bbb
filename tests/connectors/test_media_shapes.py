"""Every connector's image extraction on shapes its platform never documented (#16): a list where
an object belongs, a number for a list, an unhashable key. Each costs the image, never the post."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from connectors.linkedin import post_images, post_media
from connectors.media import MAX_PER_POST, media_refs
from connectors.meta_media import facebook_media, instagram_media
from connectors.x import tweet_media

for library in ("atproto", "mastodon", "feedparser"):  # the optional platforms' own clients
    pytest.importorskip(library)
from connectors.bluesky import post_media as bluesky_media  # noqa: E402
from connectors.feeds import entry_media  # noqa: E402
from connectors.mastodon import status_media  # noqa: E402

ODD = [None, 5, "text", [], [1, "a", None], {}, {"data": 5}, {"data": [1, [2]]}, [{"x": 1}]]


@pytest.mark.parametrize("odd", ODD)
def test_odd_shapes_hold_no_images_and_raise_nothing(odd: Any):
    assert tweet_media({"attachments": odd}, {}, post="1") == ()
    assert tweet_media({"attachments": {"media_keys": odd}}, {"k": odd}, post="1") == ()
    assert tweet_media({"attachments": {"media_keys": [["unhashable"]]}}, {}, post="1") == ()
    assert facebook_media({"attachments": odd, "attachment": odd}, post="1") == ()
    assert facebook_media({"attachments": {"data": [{"type": "photo", "media": odd}]}}, post="1") == ()
    assert (
        facebook_media({"attachments": {"data": [{"type": "album", "subattachments": odd}]}}, post="1") == ()
    )
    assert instagram_media({"media_type": "CAROUSEL_ALBUM", "children": odd}, post="1") == ()
    assert instagram_media({"media_type": odd, "media_url": odd}, post="1") == ()
    assert post_images({"content": odd}) == [] and post_media({"content": {"multiImage": odd}}, {}) == ()

    assert bluesky_media({"embed": odd}) == ()
    assert bluesky_media({"embed": {"$type": "app.bsky.embed.images#view", "images": odd}}) == ()
    assert bluesky_media({"embed": {"$type": "app.bsky.embed.recordWithMedia#view", "media": odd}}) == ()
    assert status_media({"media_attachments": odd, "reblog": odd}) == ()
    assert status_media({"media_attachments": [{"type": odd, "url": "https://e.org/a.png"}]}) == ()
    assert entry_media({"media_content": odd, "media_thumbnail": odd, "enclosures": odd}, post="1") == ()


def test_a_post_listing_hundreds_of_images_keeps_the_first_fifty(caplog):
    with caplog.at_level(logging.INFO, logger="connectors.media"):
        refs = media_refs(
            ((f"https://e.org/{n}.jpg", "image", "") for n in range(300)), platform="web", post="p"
        )
    assert len(refs) == MAX_PER_POST == 50 and refs[0].url == "https://e.org/0.jpg"
    assert "kept the first 50 of its 300 images" in caplog.text


def test_the_same_link_twice_is_one_image_and_an_odd_alt_costs_only_the_alt():
    refs = media_refs(
        [("https://e.org/a.jpg", "image", 7), ("https://e.org/a.jpg", "gif", "again")], platform="x", post="p"
    )
    assert [(r.url, r.kind, r.alt) for r in refs] == [("https://e.org/a.jpg", "image", "")]
