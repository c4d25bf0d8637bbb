"""The logo detector's first stage: ORB keypoints on colour-blind channels, matched and Hough-voted.

`describe_reference` describes one reference logo at several widths; `describe_image` describes a
photo on the channels in the settings, keeping the strongest corners of every region of the photo
as well as the strongest overall; `pose_votes` turns matches into votes for where the logo would
be (its centre, size and turn), so that a handful of right matches stand out from hundreds of
wrong ones without a strict ratio test throwing most of them away.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from monitor.optional import require

if TYPE_CHECKING:
    from monitor.media.logos import DetectorSettings

cv2 = require("cv2", "logo detection")


@dataclass
class Keypoints:
    """Keypoints as arrays: position (x, y), orientation in degrees, size in pixels, ORB descriptor."""

    points: np.ndarray = field(repr=False)
    angles: np.ndarray = field(repr=False)
    sizes: np.ndarray = field(repr=False)
    descriptors: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return len(self.points)

    @classmethod
    def stack(cls, parts: list[Keypoints]) -> Keypoints:
        """All of `parts` as one set (an empty set when there are none)."""
        if not parts:
            empty = np.zeros((0, 2), np.float32)
            return cls(empty, empty[:, 0], empty[:, 0], np.zeros((0, 32), np.uint8))
        return cls(
            np.vstack([p.points for p in parts]),
            np.concatenate([p.angles for p in parts]),
            np.concatenate([p.sizes for p in parts]),
            np.vstack([p.descriptors for p in parts]),
        )


def orb(settings: DetectorSettings, features: int, levels: int | None = None) -> cv2.ORB:
    """An ORB with the detector's patch, pyramid (or `levels` of it) and corner threshold."""
    return cv2.ORB_create(
        nfeatures=features,
        scaleFactor=1.2,
        nlevels=settings.levels if levels is None else levels,
        edgeThreshold=settings.patch_size,
        patchSize=settings.patch_size,
        fastThreshold=settings.fast_threshold,
    )


CHANNEL_NAMES = ("gray", "min", "max", "sat", "rg", "yb")


def channels(bgr: np.ndarray, names: Iterable[str]) -> dict[str, np.ndarray]:
    """The named 8-bit channels of a BGR image, splitting it into B, G, R once for all of them.

    "min" and "max" are the per-pixel darkest and brightest of B, G, R (grey loses a blue logo on
    a red saucer of the same luminance; these keep it); "sat" is max - min, how coloured a pixel
    is, on which a coloured logo over a grey texture (gravel, brick, a page) stands alone.
    """
    wanted = set(names)
    unknown = sorted(wanted - set(CHANNEL_NAMES))
    if unknown:
        raise ValueError(f"unknown channel {unknown[0]!r}; use gray, min, max, sat, rg or yb")
    out: dict[str, np.ndarray] = {}
    if "gray" in wanted:
        out["gray"] = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    if wanted - {"gray"}:
        blue, green, red = cv2.split(bgr)
        darkest = cv2.min(cv2.min(blue, green), red)  # ~15 times faster than numpy's min(axis=2)
        brightest = cv2.max(cv2.max(blue, green), red)
        out.update(min=darkest, max=brightest, sat=cv2.subtract(brightest, darkest))
        if "rg" in wanted:
            out["rg"] = cv2.addWeighted(red, 0.5, green, -0.5, 128)
        if "yb" in wanted:
            out["yb"] = cv2.addWeighted(cv2.addWeighted(red, 0.25, green, 0.25, 0), 1.0, blue, -0.5, 128)
    return {name: out[name] for name in wanted}


def channel(bgr: np.ndarray, name: str) -> np.ndarray:
    """One 8-bit channel of a BGR image (see `channels`)."""
    return channels(bgr, [name])[name]


def _arrays(
    keypoints: list, descriptors: np.ndarray | None, scale: float = 1.0, pad: float = 0.0
) -> Keypoints:
    if descriptors is None or not keypoints:
        return Keypoints.stack([])
    return Keypoints(
        (cv2.KeyPoint_convert(keypoints) - pad) / scale,
        np.array([kp.angle for kp in keypoints], np.float32),
        np.array([kp.size for kp in keypoints], np.float32) / scale,
        descriptors,
    )


def describe_reference(renderings: list[np.ndarray], settings: DetectorSettings) -> Keypoints:
    """Keypoints of a reference logo's renderings (dark ink on white, full size) at each width in
    the settings, light-on-dark too, in full-size reference coordinates.

    The narrow widths (up to `blur_widths_upto`) are described once more blurred: a small logo in
    a photo is softened by the camera, resizing and JPEG, and ORB's tests across a letter a few
    pixels tall come out differently on a soft edge than on the sharp rendering.
    """
    detector = orb(settings, settings.reference_features)
    width = renderings[0].shape[1]
    found = []
    for rendering in renderings:
        for target in settings.reference_widths:
            scale = min(1.0, target / width)
            resized = cv2.resize(rendering, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            # ORB ignores corners within a patch of the border; a white margin keeps the logo's own
            # edges (the whole of a small rendering would otherwise fall inside that border).
            pad = settings.patch_size + 2
            padded = cv2.copyMakeBorder(resized, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
            versions = [padded]
            if settings.reference_blur > 0 and target <= settings.blur_widths_upto:
                versions.append(cv2.GaussianBlur(padded, (0, 0), settings.reference_blur))
            if settings.match_inverted:
                # Light-on-dark is detected afresh: ORB's orientation turns round with the contrast.
                versions = [image for version in versions for image in (version, 255 - version)]
            for image in versions:
                keypoints, desc = detector.detectAndCompute(image, None)
                found.append(_arrays(keypoints, desc, scale, pad))
    return Keypoints.stack(found)


def spread_corners(keypoints: list, shape: tuple[int, int], settings: DetectorSettings) -> list:
    """The strongest `features` corners, plus the strongest few of every cell of a grid.

    ORB keeps the corners with the highest Harris score in the whole image, so a busy region (a
    horse's jagged outline, gravel) can take them all and leave none on a faint logo beside it.
    """
    if not keypoints:
        return keypoints
    grid = settings.grid
    points = cv2.KeyPoint_convert(keypoints)
    response = np.array([kp.response for kp in keypoints], np.float32)
    rows = np.minimum((points[:, 1] * grid / shape[0]).astype(int), grid - 1)
    cols = np.minimum((points[:, 0] * grid / shape[1]).astype(int), grid - 1)
    cell = rows * grid + cols
    order = np.lexsort((-response, cell))  # by cell, strongest first within each
    sorted_cells = cell[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_cells, sorted_cells, side="left")
    keep = np.zeros(len(keypoints), bool)
    keep[order[rank < settings.per_cell]] = True
    keep[np.argsort(-response)[: settings.features]] = True
    return [keypoints[i] for i in np.flatnonzero(keep)]


class ImageDescriber:
    """Describes photos: corners found generously, spread over the image, then ORB descriptors.

    Besides the pyramid on each of `channels`, the `fine_channels` are described once more
    enlarged `fine_upscale` times, on one level. A logo 40-80 px wide has letters ~6-12 px tall,
    smaller than ORB's 19-px patch, so most tests of a descriptor compare photo pixels; enlarged,
    the patch covers little more than a letter and matches the reference's at twice the width.
    On seed 1 this pass found 9 more of the 135 logos 10-20% of the width (0.652 -> 0.719).
    """

    def __init__(self, settings: DetectorSettings) -> None:
        self.settings = settings
        self._finder = orb(settings, settings.detect_features)
        self._describer = orb(settings, settings.features)
        # One level: the enlarged image's coarser levels would repeat the ordinary pyramid.
        self._fine_finder = orb(settings, settings.detect_features, levels=1)
        self._fine_describer = orb(settings, settings.features, levels=1)

    def __call__(self, bgr: np.ndarray) -> Keypoints:
        """Keypoints of `bgr` on every channel in the settings, in its pixel coordinates."""
        settings = self.settings
        planes = channels(bgr, (*settings.channels, *settings.fine_channels))
        found = [self._describe(planes[name], self._finder, self._describer) for name in settings.channels]
        for name in settings.fine_channels:
            factor = settings.fine_upscale
            enlarged = cv2.resize(planes[name], None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR)
            found.append(self._describe(enlarged, self._fine_finder, self._fine_describer, factor))
        return Keypoints.stack(found)

    def _describe(
        self, image: np.ndarray, finder: cv2.ORB, describer: cv2.ORB, scale: float = 1.0
    ) -> Keypoints:
        keypoints = spread_corners(finder.detect(image, None), image.shape, self.settings)
        keypoints, desc = describer.compute(image, keypoints)
        return _arrays(keypoints, desc, scale)


# Bit layout of a vote's bin key: owner | scale | angle | x | y (then the voter's cell below it).
_POS_BITS, _ANGLE_BITS, _SCALE_BITS, _VOTER_BITS = 10, 4, 6, 24
_POS_LIMIT = 1 << (_POS_BITS - 1)


def _cell_width(ref_width: np.ndarray, scale_code: np.ndarray, settings: DetectorSettings) -> np.ndarray:
    """The side of a Hough bin's square of centres, in image pixels: `position_bin` of the logo's
    width at the bin's scale (`scale_code` as packed in the bin key)."""
    scale = np.exp2((scale_code - (1 << (_SCALE_BITS - 1)) + 0.5) * settings.scale_bin)
    return ref_width * scale * settings.position_bin


def _surprise(
    bins: np.ndarray,
    counts: np.ndarray,
    ref_sizes: np.ndarray,
    image_shape: tuple[int, ...],
    settings: DetectorSettings,
) -> np.ndarray:
    """How far each bin's count stands above chance, as a Poisson z-score: (n - mu) / sqrt(mu + 1).

    mu is what the bin would get if the votes of its logo, size and turn fell evenly over the
    image. A bin's square of centres is a quarter of the logo's width at its size, so a bin for
    a logo half the image wide covers ~100 times the area of one for a logo a tenth as wide, and
    gathers ~100 times the chance votes: counted raw, such a bin of noise outranked a small
    logo's eight agreeing corners and took its place among the candidates.
    """
    pose = bins >> (2 * _POS_BITS)  # owner | scale | angle, without the position
    poses, which = np.unique(pose, return_inverse=True)
    votes = np.bincount(which, weights=counts)
    scale_code = (poses >> _ANGLE_BITS) & ((1 << _SCALE_BITS) - 1)
    cell = _cell_width(ref_sizes[poses >> (_ANGLE_BITS + _SCALE_BITS), 0], scale_code, settings)
    cells = np.maximum(1.0, image_shape[0] * image_shape[1] / (cell * cell))
    expected = (votes / cells)[which]
    return (counts - expected) / np.sqrt(expected + 1)


def pose_votes(
    query: Keypoints,
    query_idx: np.ndarray,
    ref_idx: np.ndarray,
    reference: Keypoints,
    owner: np.ndarray,
    ref_sizes: np.ndarray,
    image_shape: tuple[int, ...],
    settings: DetectorSettings,
) -> list[np.ndarray]:
    """Groups of matches that agree on where a logo is, most surprising first (indices into the
    matches): ranked by how far their votes stand above the chance votes of their bin (`_surprise`).

    Each match (a query keypoint, a reference keypoint) says how large the logo is (the ratio of
    the keypoints' sizes), how it is turned (the difference of their orientations) and so where
    its centre lies. Votes go to the two nearest bins in each of the four dimensions (Lowe's
    Hough clustering); one corner seen on several channels votes once per bin.
    """
    if len(query_idx) == 0:
        return []
    ref_w = ref_sizes[owner[ref_idx], 0]
    scale = query.sizes[query_idx] / reference.sizes[ref_idx]
    plausible = (scale * ref_w >= settings.min_width_px) & (scale * ref_w <= 4 * settings.max_side)
    match = np.flatnonzero(plausible)
    qi, rj, scale, ref_w = query_idx[match], ref_idx[match], scale[match], ref_w[match]
    turn = np.deg2rad(query.angles[qi] - reference.angles[rj])
    offset = ref_sizes[owner[rj]] / 2 - reference.points[rj]  # from the keypoint to the logo's centre
    cos, sin = np.cos(turn), np.sin(turn)
    centre_x = query.points[qi, 0] + scale * (cos * offset[:, 0] - sin * offset[:, 1])
    centre_y = query.points[qi, 1] + scale * (sin * offset[:, 0] + cos * offset[:, 1])
    n_angles = round(360 / settings.angle_bin)
    scale_pos = np.log2(scale) / settings.scale_bin
    angle_pos = (np.rad2deg(turn) % 360) / settings.angle_bin
    scale_lo = np.floor(scale_pos - 0.5).astype(np.int64)
    angle_lo = np.floor(angle_pos - 0.5).astype(np.int64)
    # One vote per 3-px cell of the query image: a corner found on several channels votes once.
    voter = (query.points[qi] / 3).astype(np.int64)
    voter = (voter[:, 0] << _VOTER_BITS // 2) | voter[:, 1]
    keys, voters, members = [], [], []
    for ds in (0, 1):
        scale_bin = scale_lo + ds + (1 << (_SCALE_BITS - 1))
        cell = _cell_width(ref_w, scale_bin, settings)
        x_lo = np.floor(centre_x / cell - 0.5).astype(np.int64) + _POS_LIMIT
        y_lo = np.floor(centre_y / cell - 0.5).astype(np.int64) + _POS_LIMIT
        # A bin outside the packed ranges (a centre far off the image) is dropped.
        scale_fits = (scale_bin >= 0) & (scale_bin < 1 << _SCALE_BITS)
        places = []
        for dx in (0, 1):
            for dy in (0, 1):
                x_bin, y_bin = x_lo + dx, y_lo + dy
                fits = (x_bin >= 0) & (x_bin < 2 * _POS_LIMIT) & (y_bin >= 0) & (y_bin < 2 * _POS_LIMIT)
                places.append((fits & scale_fits, (x_bin << _POS_BITS) | y_bin))
        owner_scale = (owner[rj] << _SCALE_BITS) | scale_bin
        for da in (0, 1):
            pose = ((owner_scale << _ANGLE_BITS) | (angle_lo + da) % n_angles) << (2 * _POS_BITS)
            for fits, place in places:
                keys.append((pose | place)[fits])
                voters.append(voter[fits])
                members.append(match[fits])
    key = np.concatenate(keys)
    member = np.concatenate(members)
    votes = np.unique((key << _VOTER_BITS) | np.concatenate(voters)) >> _VOTER_BITS
    # `votes` is sorted already: count its runs instead of sorting it again.
    starts = np.flatnonzero(np.diff(votes, prepend=-1))
    bins, counts = votes[starts], np.diff(starts, append=len(votes))
    surprise = _surprise(bins, counts, ref_sizes, image_shape, settings)
    order = np.argsort(-surprise, kind="stable")
    order = order[counts[order] >= settings.min_votes][: settings.max_candidates * 3]
    if len(order) == 0:
        return []
    # Each chosen bin's distinct members, sorted: one unique over (rank of the bin, member) pairs
    # rather than one per bin (a np.unique call costs more than the few dozen members it sorts).
    rank = np.full(len(bins), -1, np.int64)
    rank[order] = np.arange(len(order))
    vote_rank = rank[np.searchsorted(bins, key)]
    wanted = vote_rank >= 0
    pairs = np.unique((vote_rank[wanted] << 32) | member[wanted])
    split = np.searchsorted(pairs >> 32, np.arange(1, len(order)))
    return np.split(pairs & 0xFFFFFFFF, split)
