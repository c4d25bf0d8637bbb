"""Small thumbnails, and the logo findings drawn on one, as PNG bytes (what is kept of an image)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageOps

from monitor.media.logos import LogoFinding, cv2

THUMBNAIL_SIDE = 320
MAX_PIXELS = 40_000_000  # past this Pillow's decompression-bomb guard refuses to open an image


def open_image(data: bytes) -> Image.Image:
    """Decode `data` with Pillow, turned upright by its EXIF orientation, in RGB.

    Raises ValueError (naming the problem) for bytes that are not an image or are far too large.
    """
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError as exc:
        raise ValueError(f"too many pixels to open safely: {exc}") from None
    except (OSError, SyntaxError) as exc:  # Pillow's errors for truncated or unknown formats
        raise ValueError(f"not an image Pillow can decode: {exc}") from None
    return ImageOps.exif_transpose(image).convert("RGB")


def thumbnail_png(image: Image.Image, max_side: int = THUMBNAIL_SIDE) -> bytes:
    """`image` shrunk to fit `max_side` (never enlarged), as PNG bytes."""
    small = image.copy()
    small.thumbnail((max_side, max_side))
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def draw_findings(
    image: Image.Image | bytes, findings: Sequence[LogoFinding], max_side: int = THUMBNAIL_SIDE
) -> bytes:
    """A thumbnail of `image` with each finding's region outlined and labelled, as PNG bytes.

    The findings' quadrilaterals are in the full image's pixels (as `LogoDetector.detect` gives
    them on that image); they are scaled to the thumbnail here.
    """
    picture = open_image(image) if isinstance(image, bytes) else image.convert("RGB")
    scale = min(1.0, max_side / max(picture.size))
    small = (
        picture.resize(
            (max(1, round(picture.width * scale)), max(1, round(picture.height * scale))),
            Image.Resampling.LANCZOS,
        )
        if scale < 1.0
        else picture.copy()
    )
    canvas = cv2.cvtColor(np.asarray(small), cv2.COLOR_RGB2BGR)
    for finding in findings:
        colour = (0, 0, 230) if finding.status == "current" else (0, 140, 255)  # red, orange (BGR)
        corners = (np.array(finding.quad) * scale).round().astype(np.int32)
        cv2.polylines(canvas, [corners.reshape(-1, 1, 2)], True, colour, 2, cv2.LINE_AA)
        x, y = corners.min(axis=0)
        label = f"{finding.version} {finding.confidence:.2f}"
        (w, h), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, 0.4, 1)
        y_text = int(y) - 4 if y - h - 6 >= 0 else int(corners[:, 1].max()) + h + 4
        x_text = int(min(max(x, 0), max(canvas.shape[1] - w - 2, 0)))
        cv2.rectangle(canvas, (x_text - 1, y_text - h - 2), (x_text + w + 1, y_text + 2), colour, -1)
        cv2.putText(
            canvas, label, (x_text, y_text), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1, cv2.LINE_AA
        )
    ok, png = cv2.imencode(".png", canvas)
    if not ok:
        raise RuntimeError("OpenCV could not encode the thumbnail as PNG")
    return png.tobytes()
