"""The logo detector's second stage: fit where a candidate logo lies, then check it whole.

`fit_pose` turns a group of agreeing matches into a homography (a similarity first, with few
RANSAC draws, then a perspective fit on every match of that logo near it). `Templates` checks the
region: warped back onto the reference, high-passed (so a photo's shading, a box's edge or a
face beside the logo count for little), it must correlate with the logo's silhouette as a whole
and in each third, which turns away a look-alike that shares the wordmark but not the emblem.
`Templates.refine` first polishes a pose that is nearly right: corners on texture place a logo a
few pixels off, and a few pixels are most of a thin stroke's correlation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from monitor.optional import require

if TYPE_CHECKING:
    from monitor.media.logos import DetectorSettings

cv2 = require("cv2", "logo detection")

# The silhouette is first shrunk to the width the logo has in the image (its detail blurred as
# the photo's is), then both are compared at VERIFY_WIDTH.
SOURCE_WIDTHS = (32, 48, 64, 96, 128)
VERIFY_WIDTH = 128


def quad_width(quad: np.ndarray) -> float:
    """Mean length of a quadrilateral's top and bottom edges."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
    return (float(np.hypot(x1 - x0, y1 - y0)) + float(np.hypot(x2 - x3, y2 - y3))) / 2


def corners(size: tuple[int, int], homography: np.ndarray) -> np.ndarray:
    """The reference's corners (top-left, top-right, bottom-right, bottom-left) mapped by `homography`."""
    width, height = size
    box = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(box, homography).reshape(4, 2)


def plausible_shape(quad: np.ndarray) -> bool:
    """A real logo maps to a convex, not-too-skewed, not-tiny quadrilateral."""
    if not cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)):
        return False
    sides = np.hypot(*(np.roll(quad, -1, axis=0) - quad).T)
    if sides.min() < 8 or max(sides[0], sides[2]) / max(min(sides[0], sides[2]), 1e-6) > 2.5:
        return False
    return max(sides[1], sides[3]) / max(min(sides[1], sides[3]), 1e-6) <= 2.5


def plausible(quad: np.ndarray, image_shape: tuple[int, int]) -> bool:
    """A plausible shape (`plausible_shape`), and not many times the image's size."""
    area = cv2.contourArea(quad.astype(np.float32))
    return plausible_shape(quad) and area < 4 * image_shape[0] * image_shape[1]


def _distinct(points: np.ndarray) -> int:
    """How many distinct 2-px cells `points` fall in (a corner seen on three channels counts once)."""
    if len(points) == 0:
        return 0
    cells = (points / 2).astype(np.int64)
    return len(np.unique((cells[:, 0] << 20) | cells[:, 1]))


@dataclass(frozen=True)
class Pose:
    homography: np.ndarray  # reference pixels -> matching-image pixels
    inliers: int


def _transfer_error(homography: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    return np.linalg.norm(
        cv2.perspectiveTransform(src.reshape(-1, 1, 2), homography).reshape(-1, 2) - dst, axis=1
    )


def fit_pose(
    group_src: np.ndarray,
    group_dst: np.ndarray,
    all_src: np.ndarray,
    all_dst: np.ndarray,
    size: tuple[int, int],
    settings: DetectorSettings,
) -> Pose | None:
    """Where the reference lies, from one Hough group of matches and every match of its logo.

    A similarity (2-point RANSAC, cheap with a group that mostly agrees already) must explain
    `seed_inliers` distinct corners; then every match of the logo within `gate_frac` of the logo's
    width of where the similarity puts it is fitted with a homography (least squares, inliers
    re-chosen twice), which follows mild perspective; the pose's `inliers` are the distinct
    corners that homography explains. A homography that would warp the logo out of shape is not
    taken: with the inliers crowded into one band of the logo (the rest of it on texture), least
    squares can fold the far corners, and the pose before it places the logo better. Tolerances
    scale with the logo's width.
    """
    if len(group_src) < 3:
        return None
    spread_src = np.abs(group_src - group_src.mean(axis=0)).sum()
    spread_dst = np.abs(group_dst - group_dst.mean(axis=0)).sum()
    guess_width = spread_dst / max(spread_src, 1e-6) * size[0]
    tolerance = float(np.clip(settings.ransac_frac * guess_width, settings.ransac_min, settings.ransac_max))
    affine, mask = cv2.estimateAffinePartial2D(
        group_src,
        group_dst,
        method=cv2.RANSAC,
        ransacReprojThreshold=tolerance,
        maxIters=settings.ransac_iters,
        confidence=0.995,
        refineIters=5,
    )
    if affine is None or _distinct(group_dst[mask.ravel().astype(bool)]) < settings.seed_inliers:
        return None
    homography = np.vstack([affine, [0.0, 0.0, 1.0]])
    width = quad_width(corners(size, homography))
    if width < settings.min_width_px:
        return None
    tolerance = float(np.clip(settings.ransac_frac * width, settings.ransac_min, settings.ransac_max))
    near = _transfer_error(homography, all_src, all_dst) < max(3 * tolerance, settings.gate_frac * width)
    src, dst = all_src[near], all_dst[near]
    for _ in range(2):
        if len(src) < 5:
            break
        refined, _ = cv2.findHomography(src, dst, 0)
        if refined is None or not plausible_shape(corners(size, refined)):
            break
        good = _transfer_error(refined, all_src, all_dst) < tolerance
        if good.sum() < 5:
            break
        homography, src, dst = refined, all_src[good], all_dst[good]
    inliers = _distinct(all_dst[_transfer_error(homography, all_src, all_dst) < tolerance])
    return Pose(homography, inliers)


def _highpass(image: np.ndarray, sigma: float) -> np.ndarray:
    return image - cv2.GaussianBlur(image, (0, 0), sigma)


def verification_channels(bgr: np.ndarray) -> np.ndarray:
    """B, G, R and saturation (max - min), the channels a region is checked on."""
    blue, green, red = cv2.split(bgr)
    saturation = cv2.subtract(cv2.max(cv2.max(blue, green), red), cv2.min(cv2.min(blue, green), red))
    return cv2.merge([blue, green, red, saturation])


@dataclass(frozen=True)
class Scores:
    whole: float  # high-passed correlation with the silhouette over the whole logo
    worst_part: float  # the lowest of the same taken over each vertical slice

    def total(self, worst_weight: float) -> float:
        """The check's score: the whole logo's correlation plus the worst slice's, weighted."""
        return self.whole + worst_weight * self.worst_part


class Templates:
    """One reference's silhouette, prepared for checking regions at each apparent width.

    The whole logo and each slice are scored in one pass: a matrix whose first column is the
    whole template (centred over the logo) and whose next columns are each slice's template
    (centred over that slice, zero elsewhere) is multiplied with the patch's channels, and the
    patch's sums per slice give each region's spread. Four correlations per channel for the cost
    of one product.
    """

    def __init__(self, silhouette: np.ndarray, settings: DetectorSettings) -> None:
        self.size = (silhouette.shape[1], silhouette.shape[0])
        self.sigma = settings.highpass_sigma
        self.height = round(self.size[1] * VERIFY_WIDTH / self.size[0])
        edges = np.linspace(0, VERIFY_WIDTH, settings.parts + 1).round().astype(int)
        slices = list(zip(edges[:-1], edges[1:], strict=True))
        # Which slice each pixel (row-major, VERIFY_WIDTH columns) falls in, as an indicator matrix.
        column_slice = np.searchsorted(edges[1:], np.arange(VERIFY_WIDTH), side="right")
        pixel_slice = np.tile(column_slice, self.height)
        self._indicator = np.eye(settings.parts, dtype=np.float32)[pixel_slice]
        self._counts = self._indicator.sum(axis=0)[:, None]  # pixels per slice
        self._by_width: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for width in SOURCE_WIDTHS:
            small_h = max(1, round(self.size[1] * width / self.size[0]))
            small = cv2.resize(silhouette, (width, small_h), interpolation=cv2.INTER_AREA)
            view = cv2.resize(small, (VERIFY_WIDTH, self.height), interpolation=cv2.INTER_LINEAR)
            view = _highpass(view.astype(np.float32), self.sigma)
            columns = [view - view.mean()]
            for a, b in slices:
                part = np.zeros_like(view)
                part[:, a:b] = view[:, a:b] - view[:, a:b].mean()
                columns.append(part)
            matrix = np.stack([c.reshape(-1) for c in columns], axis=1)
            self._by_width[width] = (matrix, np.sqrt((matrix * matrix).sum(axis=0)))

    def _source_width(self, width: float) -> int:
        return ([w for w in SOURCE_WIDTHS if w <= width] or [SOURCE_WIDTHS[0]])[-1]

    def _to_view(self) -> np.ndarray:
        return np.diag([VERIFY_WIDTH / self.size[0], self.height / self.size[1], 1.0])

    def _patch(self, channels: np.ndarray, homography: np.ndarray) -> np.ndarray:
        """The region warped onto the reference's frame at VERIFY_WIDTH, as float channels."""
        patch = cv2.warpPerspective(
            channels,
            self._to_view() @ np.linalg.inv(homography),
            (VERIFY_WIDTH, self.height),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return patch.astype(np.float32)

    def refine(
        self, channels: np.ndarray, homography: np.ndarray, width: float, iterations: int
    ) -> np.ndarray | None:
        """`homography` moved so the region lines up with the silhouette, or None if it will not.

        ECC (cv2.findTransformECC, which maximises the correlation itself, so the logo's
        brightness and contrast do not matter) aligns one channel: the mix of B, G, R and
        saturation that best reproduces the silhouette where the region is now (least squares).
        A two-colour logo shows whole in no single channel, and the mix's signs line up
        light-on-dark ink too.
        """
        matrix, _ = self._by_width[self._source_width(width)]
        template = np.ascontiguousarray(matrix[:, 0].reshape(self.height, VERIFY_WIDTH))
        patch = _highpass(self._patch(channels, homography), self.sigma)
        pixels = patch.reshape(-1, patch.shape[-1])
        pixels = pixels - pixels.mean(axis=0)
        weights, *_ = np.linalg.lstsq(pixels, template.reshape(-1), rcond=None)
        image = np.ascontiguousarray((pixels @ weights).reshape(patch.shape[:2]).astype(np.float32))
        criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iterations, 1e-4)
        try:
            _, warp = cv2.findTransformECC(
                template, image, np.eye(3, dtype=np.float32), cv2.MOTION_HOMOGRAPHY, criteria, None, 1
            )
        except cv2.error:  # the region has no texture to align, or the search diverged
            return None
        to_view = self._to_view()
        # ECC's warp maps the template's pixels onto the patch's; the patch is the image seen
        # through homography^-1 and the view scaling, so compose back into image pixels.
        return homography @ np.linalg.inv(to_view) @ warp.astype(np.float64) @ to_view

    def score(self, channels: np.ndarray, homography: np.ndarray, width: float) -> Scores:
        """How well the region `homography` maps the reference onto matches the silhouette."""
        matrix, template_norms = self._by_width[self._source_width(width)]
        patch = _highpass(self._patch(channels, homography), self.sigma)
        pixels = patch.reshape(-1, patch.shape[-1])
        # Each template is centred over its own region, so the patch need not be: t . p = t . (p - mean).
        products = np.abs(matrix.T @ pixels)  # (1 + parts) x channels
        sums, squares = self._indicator.T @ pixels, self._indicator.T @ (pixels * pixels)
        part_spread = squares - sums * sums / self._counts
        whole_spread = squares.sum(axis=0) - sums.sum(axis=0) ** 2 / self._counts.sum()
        spread = np.sqrt(np.maximum(np.vstack([whole_spread, part_spread]), 0))
        values = (products / np.maximum(spread * template_norms[:, None], 1e-9)).max(axis=1)
        return Scores(float(values[0]), float(values[1:].min()))
