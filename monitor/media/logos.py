"""Find IOM3's logo in an image with classic computer vision: ORB features, a ratio test, RANSAC.

No downloaded model: the reference logos in `config/logos/` are the whole of the knowledge. For
each reference, ORB keypoints are computed at several sizes of the logo (so a logo a tenth of a
photo's width still has features to match), on its grey rendering and on its one-colour
silhouette, each dark-on-light and light-on-dark. An image is described on three channels (grey,
and the per-pixel min and max of B, G, R, so a logo whose colour differs from the photo's but
whose luminance does not still has edges); its keypoints are matched to all references at once
(faiss, exact Hamming search), kept only if clearly better than the next-best *different* point
(Lowe's ratio test), and a RANSAC homography per logo version must explain enough of them. A
candidate is then checked whole: the image is warped back onto the reference and must correlate
with the silhouette where the logo has ink, which turns away a look-alike sharing a few letters.

Known limit, measured: a *transparent* logo laid straight on a textured photo is mostly missed.
ORB's binary tests around a letter's edge compare photo pixels with each other and with the ink,
so the same keypoint at the same angle gets a descriptor a median 104 of 256 bits away from the
one it has on a flat background (random would be 128); the keypoint's orientation is not the
cause. SIFT (grey) does no better on such an image and costs three times as much per image.
Small logos (10-20% of the width, blurred, JPEG 40-90) are the other gap; upscaling the image
before ORB did not help on the tuning seed.

`LogoDetector.detect(image)` returns `LogoFinding`s: which version, the quadrilateral it occupies
in the image's own pixel coordinates, the inlier count and a 0..1 confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image

from monitor.media.references import ReferenceLogo, load_reference_logos
from monitor.optional import require

cv2 = require("cv2", "logo detection")
faiss = require("faiss", "logo detection")

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class DetectorSettings:
    """The detector's knobs; the defaults were chosen on bench/logos.py's tuning seed."""

    max_side: int = 800  # images are scaled down to this before matching (speed, and phones' 4000 px)
    # Each image is described on these channels: grey loses a blue logo on a red saucer (same
    # luminance), the per-pixel min and max of B, G, R keep it.
    channels: tuple[Literal["gray", "min", "max"], ...] = ("gray", "min", "max")
    features: int = 700  # ORB keypoints kept per channel
    reference_features: int = 400  # ORB keypoints kept per reference rendering
    reference_widths: tuple[int, ...] = (480, 240, 120, 60)  # the logo is described at each of these widths
    ratio: float = 0.8  # Lowe's ratio test against the next-best distinct reference point
    distinct_px: float = 12.0  # two reference points closer than this (at full size) are the same point
    ransac_px: float = 5.0  # RANSAC reprojection tolerance, in matching pixels
    min_inliers: int = 12
    min_correlation: float = 0.5  # ink correlation with the silhouette; 0.45 let look-alikes by (seed 1)
    patch_size: int = 19  # ORB's descriptor patch, in pixels: small enough for a logo 60 px wide
    fast_threshold: int = 12
    levels: int = 4
    # Describe the logo's one-colour silhouette as well as its grey rendering (a recoloured logo
    # is one flat colour), and both light-on-dark too (a logo on a darker photo flips every test).
    describe_silhouette: bool = True
    match_inverted: bool = True


@dataclass(frozen=True)
class LogoFinding:
    """One logo found in one image."""

    version: str  # the label from config/logos/logos.toml
    status: Literal["current", "retired"]
    quad: Quad  # corners (top-left, top-right, bottom-right, bottom-left of the logo) in image pixels
    inliers: int  # feature matches the homography explains
    correlation: float  # how well the warped region matches the reference where it has ink
    confidence: float  # 0..1, from inliers and correlation together


def region_width(finding: LogoFinding) -> float:
    """The matched region's width in image pixels (mean of its top and bottom edges)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = finding.quad
    return (float(np.hypot(x1 - x0, y1 - y0)) + float(np.hypot(x2 - x3, y2 - y3))) / 2


@dataclass
class _Reference:
    logo: ReferenceLogo
    size: tuple[int, int]  # width, height of the reference file
    silhouette_small: np.ndarray  # the reference's ink as black on white, at verification size
    ink_mask: np.ndarray  # where the reference has ink (dilated), at verification size
    points: np.ndarray = field(repr=False)  # keypoints in full-size reference coordinates
    descriptors: np.ndarray = field(repr=False)


VERIFY_WIDTH = 192


def _on_white(rgba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The reference as grey ink on white, and its alpha (an opaque file is all ink-able)."""
    if rgba.ndim == 2:
        return rgba, np.full(rgba.shape, 255, np.uint8)
    if rgba.shape[2] == 3:
        return cv2.cvtColor(rgba, cv2.COLOR_BGR2GRAY), np.full(rgba.shape[:2], 255, np.uint8)
    alpha = rgba[:, :, 3].astype(np.float32) / 255
    gray = cv2.cvtColor(rgba[:, :, :3], cv2.COLOR_BGR2GRAY).astype(np.float32)
    return (gray * alpha + 255 * (1 - alpha)).astype(np.uint8), rgba[:, :, 3]


def _orb(settings: DetectorSettings, features: int) -> cv2.ORB:
    return cv2.ORB_create(
        nfeatures=features,
        scaleFactor=1.2,
        nlevels=settings.levels,
        edgeThreshold=settings.patch_size,
        patchSize=settings.patch_size,
        fastThreshold=settings.fast_threshold,
    )


def _prepare(logo: ReferenceLogo, settings: DetectorSettings) -> _Reference:
    rgba = cv2.imread(str(logo.path), cv2.IMREAD_UNCHANGED)
    if rgba is None:
        raise ValueError(f"{logo.path} is not an image OpenCV can read; save the logo as PNG")
    gray, alpha = _on_white(rgba)
    silhouette = 255 - alpha if rgba.ndim == 3 and rgba.shape[2] == 4 else gray
    height, width = gray.shape
    orb = _orb(settings, settings.reference_features)
    renderings = [gray, silhouette] if settings.describe_silhouette else [gray]
    points, descriptors = [], []
    for rendering in renderings:
        for target in settings.reference_widths:
            scale = min(1.0, target / width)
            resized = cv2.resize(rendering, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            # ORB ignores corners within a patch of the border; a white margin keeps the logo's own
            # edges (the whole of a small rendering would otherwise fall inside that border).
            pad = settings.patch_size + 2
            padded = cv2.copyMakeBorder(resized, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
            for flipped in (False, True) if settings.match_inverted else (False,):
                # Light-on-dark is detected afresh: ORB's orientation turns round with the contrast.
                keypoints, desc = orb.detectAndCompute(255 - padded if flipped else padded, None)
                if desc is None:
                    continue
                points.append((np.array([kp.pt for kp in keypoints], np.float32) - pad) / scale)
                descriptors.append(desc)
    if not descriptors:
        raise ValueError(f"{logo.path} has no corners to match; is it blank?")
    small_h = round(height * VERIFY_WIDTH / width)
    silhouette_small = cv2.resize(silhouette, (VERIFY_WIDTH, small_h), interpolation=cv2.INTER_AREA)
    ink = (cv2.resize(255 - gray, (VERIFY_WIDTH, small_h), interpolation=cv2.INTER_AREA) > 40).astype(
        np.uint8
    )
    ink_mask = cv2.dilate(ink, np.ones((5, 5), np.uint8)) > 0
    return _Reference(
        logo, (width, height), silhouette_small, ink_mask, np.vstack(points), np.vstack(descriptors)
    )


def _to_bgr(image: np.ndarray | bytes | Image.Image) -> np.ndarray:
    if isinstance(image, Image.Image):
        return cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)
    if isinstance(image, bytes | bytearray | memoryview):
        decoded = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            raise ValueError("the bytes are not an image OpenCV can decode")
        return decoded
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


def _channel(bgr: np.ndarray, name: str) -> np.ndarray:
    if name == "gray":
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    blue, green, red = cv2.split(bgr)
    pick = cv2.min if name == "min" else cv2.max  # ~15 times faster than numpy's min(axis=2)
    return pick(pick(blue, green), red)


def _plausible(quad: np.ndarray, image_shape: tuple[int, int]) -> bool:
    """A real logo maps to a convex, not-too-skewed, not-tiny quadrilateral."""
    if not cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)):
        return False
    sides = np.hypot(*(np.roll(quad, -1, axis=0) - quad).T)
    if sides.min() < 8 or max(sides[0], sides[2]) / max(min(sides[0], sides[2]), 1e-6) > 2.5:
        return False
    if max(sides[1], sides[3]) / max(min(sides[1], sides[3]), 1e-6) > 2.5:
        return False
    area = cv2.contourArea(quad.astype(np.float32))
    return area < 4 * image_shape[0] * image_shape[1]


def _overlap(a: Quad, b: Quad) -> float:
    """Intersection over union of two convex quadrilaterals."""
    qa, qb = np.array(a, np.float32), np.array(b, np.float32)
    inter, _ = cv2.intersectConvexConvex(qa, qb)
    union = cv2.contourArea(qa) + cv2.contourArea(qb) - inter
    return inter / union if union > 0 else 0.0


def _one_per_region(findings: list[LogoFinding]) -> list[LogoFinding]:
    """Best first; where two versions claim the same region (they share letters), the better one."""
    kept: list[LogoFinding] = []
    for finding in sorted(findings, key=lambda f: -f.confidence):
        if all(_overlap(finding.quad, other.quad) < 0.3 for other in kept):
            kept.append(finding)
    return kept


class LogoDetector:
    """Finds the reference logos in images; build once (it describes every reference), then reuse."""

    def __init__(
        self, references: Sequence[ReferenceLogo] | None = None, settings: DetectorSettings | None = None
    ) -> None:
        self.settings = settings or DetectorSettings()
        logos = list(references) if references is not None else load_reference_logos()
        self._refs = [_prepare(logo, self.settings) for logo in logos]
        self._descriptors = np.vstack([ref.descriptors for ref in self._refs])
        self._points = np.vstack([ref.points for ref in self._refs])
        self._owner = np.concatenate([np.full(len(ref.points), i) for i, ref in enumerate(self._refs)])
        if len(self._descriptors) < 4:  # the ratio test looks at the 4 nearest reference points
            names = ", ".join(str(ref.logo.path) for ref in self._refs)
            raise ValueError(f"{names}: fewer than 4 corners to match in all; use a larger, sharper PNG")
        # faiss compares binary descriptors with the CPU's popcount, about six times faster than
        # cv2.batchDistance in the OpenCV wheel (built for SSE3 only): that is what pays for
        # describing three channels against silhouette and inverted references.
        self._index = faiss.IndexBinaryFlat(self._descriptors.shape[1] * 8)
        self._index.add(self._descriptors)
        self._orb = _orb(self.settings, self.settings.features)

    @classmethod
    def from_folder(cls, logos_dir: Path | str, settings: DetectorSettings | None = None) -> LogoDetector:
        """A detector on the logos listed in `logos_dir/logos.toml`."""
        return cls(load_reference_logos(logos_dir), settings)

    def detect(self, image: np.ndarray | bytes | Image.Image) -> list[LogoFinding]:
        """Every reference logo found in `image` (BGR/BGRA/grey array, encoded bytes or a Pillow
        image), best first.

        At most one finding per logo version. Raises ValueError for bytes that are not an image.
        """
        bgr_full = _to_bgr(image)
        scale = min(1.0, self.settings.max_side / max(bgr_full.shape[:2]))
        bgr = (
            bgr_full
            if scale == 1.0
            else cv2.resize(bgr_full, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        )
        points, descriptors = [], []
        for name in self.settings.channels:
            keypoints, desc = self._orb.detectAndCompute(_channel(bgr, name), None)
            if desc is not None:
                points.append(np.array([kp.pt for kp in keypoints], np.float32).reshape(-1, 2))
                descriptors.append(desc)
        if sum(len(d) for d in descriptors) < self.settings.min_inliers:
            return []
        query_pts, ref_idx = self._ratio_matches(np.vstack(points), np.vstack(descriptors))
        findings = []
        for owner, ref in enumerate(self._refs):
            chosen = self._owner[ref_idx] == owner
            if chosen.sum() < self.settings.min_inliers:
                continue
            finding = self._verify(ref, self._points[ref_idx[chosen]], query_pts[chosen], bgr, scale)
            if finding is not None:
                findings.append(finding)
        return _one_per_region(findings)

    def _ratio_matches(self, points: np.ndarray, descriptors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Query points and the reference point each matched, after the distinct-point ratio test.

        The same corner is described at several reference widths, so the runner-up to a match is
        often that corner again; the ratio is taken against the best match that is elsewhere.
        """
        distance, nearest = self._index.search(np.ascontiguousarray(descriptors), 4)
        best = nearest[:, 0]
        best_pt, best_owner = self._points[best], self._owner[best]
        runners = nearest[:, 1:]
        distinct = (self._owner[runners] != best_owner[:, None]) | (
            np.abs(self._points[runners] - best_pt[:, None, :]).max(axis=2) > self.settings.distinct_px
        )
        first_distinct = 1 + distinct.argmax(axis=1)
        runner_distance = distance[np.arange(len(distance)), first_distinct]
        # No distinct runner-up among the 4: every near match is the same point, an unambiguous match.
        keep = ~distinct.any(axis=1) | (distance[:, 0] < self.settings.ratio * runner_distance)
        return points[keep], best[keep].astype(np.int64)

    def _verify(
        self, ref: _Reference, ref_pts: np.ndarray, query_pts: np.ndarray, bgr: np.ndarray, scale: float
    ) -> LogoFinding | None:
        homography, mask = cv2.findHomography(ref_pts, query_pts, cv2.RANSAC, self.settings.ransac_px)
        if homography is None:
            return None
        inliers = int(mask.sum())
        if inliers < self.settings.min_inliers:
            return None
        width, height = ref.size
        corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
        quad = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), homography).reshape(4, 2)
        if not _plausible(quad, bgr.shape[:2]):
            return None
        correlation = self._correlation(ref, homography, bgr)
        if correlation < self.settings.min_correlation:
            return None
        confidence = min(1.0, inliers / 40) * 0.5 + min(1.0, correlation) * 0.5
        full_quad = quad / scale
        return LogoFinding(
            version=ref.logo.version,
            status=ref.logo.status,
            quad=tuple((float(x), float(y)) for x, y in full_quad),  # type: ignore[arg-type]
            inliers=inliers,
            correlation=round(correlation, 3),
            confidence=round(confidence, 3),
        )

    @staticmethod
    def _correlation(ref: _Reference, homography: np.ndarray, bgr: np.ndarray) -> float:
        """|Pearson correlation| of the region warped onto the reference and the reference's ink.

        Taken on each colour channel, best kept: a recoloured logo has contrast in at least one.
        Absolute, so a logo printed light-on-dark (inverted) still counts.
        """
        small_h, small_w = ref.silhouette_small.shape
        to_small = np.diag([small_w / ref.size[0], small_h / ref.size[1], 1.0])
        warp = to_small @ np.linalg.inv(homography)
        patch = cv2.warpPerspective(
            bgr, warp, (small_w, small_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        a = patch[ref.ink_mask].astype(np.float32)
        b = ref.silhouette_small[ref.ink_mask].astype(np.float32)
        a -= a.mean(axis=0)
        b -= b.mean()
        denom = np.sqrt((a * a).sum(axis=0) * (b * b).sum())
        best = np.abs(b @ a) / np.maximum(denom, 1e-9)
        return float(best.max())
