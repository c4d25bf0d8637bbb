"""Draw the stand-in logos in this folder: NOT IOM3's marks, shapes that behave like them.

    python config/logos/make_standin.py

IOM3's real logo files are IOM3's to supply (see README.md beside this script). Until they are
dropped in, the detector, its tests and `bench/logos.py` run on these drawings: a current and a
retired version, each a distinctive emblem beside a wordmark, so that ORB feature matching has
the corners and letter shapes a real logo gives it. Every file says "STAND-IN" on its face.

`draw_lookalike()` draws a different mark with similar letters (ION3 beside another emblem); the
benchmark pastes it into photos to count false alarms. It is never a reference logo.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
NAVY = (27, 42, 92, 255)
TEAL = (0, 128, 128, 255)
MAROON = (120, 20, 40, 255)
GOLD = (190, 140, 20, 255)
CLEAR = (255, 255, 255, 0)


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size)


def _label(draw: ImageDraw.ImageDraw, xy: tuple[int, int], colour: tuple[int, ...]) -> None:
    draw.text(xy, "STAND-IN  -  NOT AN IOM3 MARK", font=_font("DejaVuSans.ttf", 15), fill=colour)


def draw_current() -> Image.Image:
    """The stand-in for the current logo: a lattice emblem (a crystal, for materials) + IOM3."""
    image = Image.new("RGBA", (640, 220), CLEAR)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((10, 10, 200, 200), radius=28, outline=NAVY, width=9)
    # Atoms of different sizes at irregular places, so no rotation of the emblem looks like another.
    atoms = [(52, 58, 17), (148, 50, 11), (105, 105, 23), (55, 158, 9), (160, 150, 15), (96, 170, 6)]
    for (x1, y1, _), (x2, y2, _) in zip(atoms, atoms[1:], strict=False):
        draw.line((x1, y1, x2, y2), fill=TEAL, width=6)
    draw.line((52, 58, 55, 158), fill=TEAL, width=6)
    for x, y, r in atoms:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=NAVY)
    draw.polygon([(170, 90), (190, 120), (150, 118)], fill=TEAL)
    draw.text((222, 12), "IOM3", font=_font("DejaVuSans-Bold.ttf", 128), fill=NAVY)
    draw.rectangle((226, 160, 620, 168), fill=TEAL)
    _label(draw, (228, 180), NAVY)
    return image


def draw_retired() -> Image.Image:
    """The stand-in for a retired logo: a chevron shield + IOM3 in a serif face."""
    image = Image.new("RGBA", (640, 220), CLEAR)
    draw = ImageDraw.Draw(image)
    shield = [(20, 15), (190, 15), (190, 120), (105, 205), (20, 120)]
    draw.polygon(shield, outline=MAROON, fill=None, width=10)
    for i, y in enumerate((55, 95)):
        draw.line((35, y + 30, 105, y - 5 + 10 * i, 175, y + 30), fill=GOLD, width=12, joint="curve")
    cx, cy = 105, 150
    for k in range(5):
        angle = math.radians(90 + 72 * k)
        draw.ellipse(
            (
                cx + 22 * math.cos(angle) - 6,
                cy - 22 * math.sin(angle) - 6,
                cx + 22 * math.cos(angle) + 6,
                cy - 22 * math.sin(angle) + 6,
            ),
            fill=MAROON,
        )
    draw.text((215, 8), "IOM3", font=_font("DejaVuSerif-Bold.ttf", 124), fill=MAROON)
    for x in range(222, 620, 36):
        draw.rectangle((x, 160, x + 20, 168), fill=GOLD)
    _label(draw, (228, 182), MAROON)
    return image


def draw_lookalike() -> Image.Image:
    """A look-alike mark for the benchmark's false-alarm count: ION3 beside a gear, not IOM3's."""
    image = Image.new("RGBA", (640, 220), CLEAR)
    draw = ImageDraw.Draw(image)
    cx, cy = 105, 110
    teeth = []
    for k in range(24):
        radius = 92 if k % 2 == 0 else 70
        angle = math.radians(15 * k)
        teeth.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(teeth, fill=NAVY)
    draw.ellipse((cx - 35, cy - 35, cx + 35, cy + 35), fill=CLEAR)
    draw.text((222, 12), "ION3", font=_font("DejaVuSans-Bold.ttf", 128), fill=NAVY)
    draw.rectangle((226, 160, 620, 168), fill=TEAL)
    return image


def main() -> None:
    draw_current().save(HERE / "standin-current.png")
    draw_retired().save(HERE / "standin-retired.png")
    print(f"wrote {HERE / 'standin-current.png'} and {HERE / 'standin-retired.png'}")


if __name__ == "__main__":
    main()
