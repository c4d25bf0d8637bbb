"""Write the sample week's pictures into `images/`: the stand-in logos (config/logos/) on photos that
ship with matplotlib, as small JPEGs. The demo serves them from the reserved host
`media.sample.invalid` (monitor/sample_data/media_host.py); `build_sample.py` links them.

    python -m monitor.sample_data.build_images

Deterministic. Each picture is checked with the logo detector before it is written, so a picture
the demo relies on cannot silently stop showing (or start showing) a logo.
"""

from __future__ import annotations

import io
from pathlib import Path

from matplotlib import cbook
from PIL import Image, ImageDraw, ImageFont, ImageOps

from monitor.config import DEFAULT_CONFIG_DIR

OUT = Path(__file__).with_name("images")
LOGOS = DEFAULT_CONFIG_DIR / "logos"
QUALITY = 72


def _photo(name: str) -> Image.Image:
    with cbook.get_sample_data(name) as handle:
        return Image.open(io.BytesIO(handle.read())).convert("RGB")


def _steel_mill() -> Image.Image:
    """A photo-like landscape: matplotlib's shaded-relief elevation sample, coloured like dawn."""
    from matplotlib import colormaps
    from matplotlib.colors import LightSource

    with cbook.get_sample_data("jacksboro_fault_dem.npz") as dem:
        elevation = dem["elevation"].astype(float)
    shaded = LightSource(azdeg=100, altdeg=20).shade(elevation, cmap=colormaps["copper"], blend_mode="soft")
    picture = Image.fromarray((shaded[:, :, :3] * 255).astype("uint8"))
    return picture.resize((640, 470), Image.Resampling.LANCZOS)


def _logo_card(file: str, width: int) -> Image.Image:
    """The logo at `width` px on a white card with a margin (as printed on a flyer)."""
    logo = Image.open(LOGOS / file).convert("RGBA")
    height = round(logo.height * width / logo.width)
    logo = logo.resize((width, height), Image.Resampling.LANCZOS)
    margin = width // 12
    card = Image.new("RGB", (width + 2 * margin, height + 2 * margin), "white")
    card.paste(logo, (margin, margin), logo)
    return card


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def flyer(logo_file: str, title: str, lines: list[str], photo: Image.Image, accent: str) -> Image.Image:
    """An event flyer: logo on top, the photo, the title and the details."""
    page = Image.new("RGB", (720, 900), "#f4f1ea")
    card = _logo_card(logo_file, 380)
    page.paste(card, ((page.width - card.width) // 2, 24))
    picture = ImageOps.fit(photo, (640, 360))
    top = 24 + card.height + 20
    page.paste(picture, (40, top))
    draw = ImageDraw.Draw(page)
    draw.rectangle((40, top + 370, 680, top + 376), fill=accent)
    draw.text((40, top + 390), title, fill="#1a1a1a", font=_font(34))
    for index, line in enumerate(lines):
        draw.text((40, top + 440 + 30 * index), line, fill="#333333", font=_font(22))
    return page


def poster_on_photo(logo_file: str, photo: Image.Image, caption: str) -> Image.Image:
    """A photo with the logo card in its top left corner and a caption strip: a social media tile."""
    tile = ImageOps.fit(photo, (640, 640))
    card = _logo_card(logo_file, 300)
    tile.paste(card, (28, 28))
    draw = ImageDraw.Draw(tile)
    draw.rectangle((0, 560, 640, 640), fill="#1d2b53")
    draw.text((24, 582), caption, fill="white", font=_font(28))
    return tile


def avatar(logo_file: str | None, initials: str, colour: str) -> Image.Image:
    """A 400 px square profile picture: the logo on a white card, or the account's initials."""
    square = Image.new("RGB", (400, 400), colour)
    if logo_file:
        card = _logo_card(logo_file, 320)
        square.paste(card, ((400 - card.width) // 2, (400 - card.height) // 2))
    else:
        ImageDraw.Draw(square).text((200, 200), initials, fill="white", font=_font(150), anchor="mm")
    return square


def avatars() -> dict[str, Image.Image]:
    """The profile pictures of the demo's profiles (build_profiles.py links them)."""
    return {
        "avatar-iom3.jpg": avatar("standin-current.png", "", "#ffffff"),  # official: its own logo
        "avatar-ymc.jpg": avatar("standin-current.png", "", "#1d2b53"),  # approved: nothing to raise
        # Not approved for the logo, with the logo as its picture: a profile finding for Marketing.
        "avatar-swales.jpg": avatar("standin-current.png", "", "#0f7f7a"),
        "avatar-packaging.jpg": avatar(None, "PS", "#7a3e9d"),
        "avatar-helen.jpg": avatar(None, "HC", "#9d3e3e"),
        "avatar-smea.jpg": avatar(None, "SM", "#3e6b9d"),
        "avatar-wim.jpg": avatar(None, "WiM", "#b0306a"),
    }


def pictures() -> dict[str, tuple[Image.Image, int]]:
    """file name -> (picture, JPEG quality)."""
    hopper = _photo("grace_hopper.jpg")
    pack = _photo("Minduka_Present_Blue_Pack.png")
    mill = _steel_mill()
    return {
        # An unapproved committee's event flyer with the current logo: flagged to Marketing.
        "sheffield-flyer.jpg": (
            flyer(
                "standin-current.png",
                "Steel recycling evening",
                ["Thursday 3 December, 18:30", "Kelham Island Museum, Sheffield", "All welcome, free entry"],
                mill,
                "#0f7f7a",
            ),
            QUALITY,
        ),
        # An approved committee still using the retired logo: the gentler finding.
        "packaging-awards.jpg": (
            poster_on_photo("standin-retired.png", pack, "Packaging Awards night: entries open"),
            QUALITY,
        ),
        # An approved committee with the current logo: nothing to raise.
        "wim-breakfast.jpg": (
            poster_on_photo("standin-current.png", hopper, "Women in Materials breakfast"),
            QUALITY,
        ),
        # An unregistered IOM3-branded account's new profile picture: flagged to Marketing.
        "students-profile.jpg": (
            poster_on_photo(
                "standin-current.png", hopper.transpose(Image.Transpose.FLIP_LEFT_RIGHT), "IOM3 Students"
            ),
            QUALITY,
        ),
        # A photo with no logo, posted by two accounts: the same picture, recompressed and resized
        # (a weak copyright cue in the audit, never an email).
        "steel-mill-dawn.jpg": (mill, QUALITY),
        "steel-mill-dawn-repost.jpg": (mill.resize((480, 352), Image.Resampling.LANCZOS), 55),
        **{name: (picture, QUALITY) for name, picture in avatars().items()},
    }


# What the detector must see in each picture: the demo's story depends on it.
EXPECTED = {
    "sheffield-flyer.jpg": {"current"},
    "packaging-awards.jpg": {"retired-2010"},
    "wim-breakfast.jpg": {"current"},
    "students-profile.jpg": {"current"},
    "steel-mill-dawn.jpg": set(),
    "steel-mill-dawn-repost.jpg": set(),
    "avatar-iom3.jpg": {"current"},
    "avatar-ymc.jpg": {"current"},
    "avatar-swales.jpg": {"current"},
    "avatar-packaging.jpg": set(),
    "avatar-helen.jpg": set(),
    "avatar-smea.jpg": set(),
    "avatar-wim.jpg": set(),
}


def main() -> None:
    from monitor.media.logos import LogoDetector

    detector = LogoDetector()
    OUT.mkdir(exist_ok=True)
    total = 0
    for name, (picture, quality) in pictures().items():
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=quality, optimize=True)
        data = out.getvalue()
        seen = {f.version for f in detector.detect(data)}
        if seen != EXPECTED[name]:
            raise SystemExit(
                f"{name}: the detector sees {sorted(seen) or 'no logo'}, expected {sorted(EXPECTED[name])}"
            )
        (OUT / name).write_bytes(data)
        total += len(data)
        print(f"{name}: {len(data):,} bytes, logos {sorted(seen) or 'none'}")
    print(f"wrote {len(EXPECTED)} pictures, {total:,} bytes in all, to {OUT}")


if __name__ == "__main__":
    main()
