"""Perceptual hashes: the same picture posted by different accounts (a copyright cue).

A perceptual hash (imagehash's DCT `phash`, 64 bits) changes little when an image is resized,
recompressed or lightly edited, so two posts whose hashes differ in a few bits carry the same
picture even when their bytes differ.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from PIL import Image

from monitor.optional import require

imagehash = require("imagehash", "perceptual image hashes")

Key = TypeVar("Key", bound=Hashable)
SAME_IMAGE_BITS = 8  # at most this many of 64 bits apart counts as the same picture


def perceptual_hash(image: Image.Image) -> str:
    """The 64-bit DCT perceptual hash of `image`, as 16 hex digits (what is stored)."""
    return str(imagehash.phash(image))


def hash_distance(first: str, second: str) -> int:
    """How many bits two stored hashes differ in (0 = the same picture, 32 ~ unrelated)."""
    return imagehash.hex_to_hash(first) - imagehash.hex_to_hash(second)


def reused_images(hashes: Mapping[Key, str], max_bits: int = SAME_IMAGE_BITS) -> list[list[Key]]:
    """Groups of keys (e.g. (account, post id)) whose images are the same picture, largest first.

    Single-link grouping over pairs within `max_bits`; keys with no look-alike are left out.
    Quadratic in the number of images, which is fine for a month of one organisation's posts.
    """
    keys = list(hashes)
    decoded = [imagehash.hex_to_hash(hashes[key]) for key in keys]
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            if decoded[i] - decoded[j] <= max_bits:
                parent[root(i)] = root(j)
    groups: dict[int, list[Key]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(root(i), []).append(key)
    return sorted((g for g in groups.values() if len(g) > 1), key=len, reverse=True)
