"""What a day's profile checks cost (issue #16): the picture work per account, and the audit's
checks over many registered accounts.

    python bench/profiles.py [--avatars 30] [--accounts 2000]

Per picture: what the `profiles` step does after the platform has sent it (decode with Pillow,
thumbnail, SHA-256 and perceptual hash, LogoDetector.detect), timed on 480 px squares like the
pictures platforms serve, half of them carrying the stand-in logo. The network is left out: it
is the platform's, not ours. Then the audit's profile checks (`account_findings`, pure) over
`--accounts` stored profiles, every kind of finding among them.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from monitor.config import RegisteredAccount, load_config  # noqa: E402
from monitor.media.logos import LogoDetector  # noqa: E402
from monitor.media.phash import perceptual_hash  # noqa: E402
from monitor.media.references import LOGOS_DIR  # noqa: E402
from monitor.media.thumbs import open_image, thumbnail_png  # noqa: E402
from monitor.reports.profiles import account_findings  # noqa: E402
from monitor.schema import ProfileRow  # noqa: E402
from monitor.scoring.lexicon import Lexicon  # noqa: E402

READ = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)


def avatar(n: int) -> bytes:
    picture = Image.new("RGB", (480, 480), (255 - n % 40, 250, 240 + n % 15))
    if n % 2 == 0:
        logo = Image.open(LOGOS_DIR / "standin-current.png").convert("RGBA")
        logo.thumbnail((260 + (n * 7) % 140, 400))
        picture.paste(logo, ((480 - logo.width) // 2, (480 - logo.height) // 2), logo)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return out.getvalue()


def pictures(count: int) -> None:
    started = time.perf_counter()
    detector = LogoDetector()
    print(f"logo detector built (once a run): {time.perf_counter() - started:.2f} s")
    times: dict[bool, list[float]] = {True: [], False: []}
    found = 0
    for n in range(count):
        body = avatar(n)
        started = time.perf_counter()
        image = open_image(body)
        thumbnail_png(image)
        hashlib.sha256(body).hexdigest()
        perceptual_hash(image)
        found += bool(detector.detect(image))
        times[n % 2 == 0].append(time.perf_counter() - started)
    # Reported apart: a picture with a logo has many corners to match, a plain one almost none.
    for with_logo, label in ((True, "with the logo"), (False, "without")):
        taken = sorted(times[with_logo])
        if not taken:
            continue
        p95 = taken[min(len(taken) - 1, round(0.95 * len(taken)) - 1)]
        print(
            f"per picture {label} (480 px, decode + thumbnail + hashes + logo check): median "
            f"{statistics.median(taken) * 1000:.0f} ms, 95th percentile {p95 * 1000:.0f} ms "
            f"({len(taken)} pictures)"
        )
    print(f"logo found in {found} of the {len(times[True])} pictures that carry one")


def checks(count: int) -> None:
    config = load_config()
    lexicon = Lexicon(config.lexicons)
    names = ["IoM3 Packaging", "IOM3 Young Members", "South Wales Materials", "IOM3 YMC"]
    bios = ["IOM3 trustee, proud to support it", "Views are my own", "An I.M3 committee", ""]
    cases = []
    for n in range(count):
        kind = "asv_personal" if n % 3 == 0 else "asv_committee"
        account = RegisteredAccount(
            platform="x", handle=f"acct{n}", kind=kind, committee="Young Members Committee", admins=["A B"]
        )
        row = ProfileRow(
            platform="x",
            handle=account.handle,
            handle_key=account.handle,
            kind=kind,
            readable=True,
            problem="",
            checked_at=READ,
            fetched_at=READ,
            display_name=names[n % 4],
            bio=bios[n % 4],
            url="",
            logo_findings=[{"version": "current", "status": "current", "confidence": 0.8}]
            if n % 5 == 0
            else [],
        )
        cases.append((row, account))
    started = time.perf_counter()
    found = sum(len(account_findings(row, account, config.lexicons, lexicon)) for row, account in cases)
    took = time.perf_counter() - started
    print(
        f"audit profile checks: {count} accounts in {took * 1000:.0f} ms "
        f"({took / count * 1e6:.0f} us an account, {found} findings)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--avatars", type=int, default=30)
    parser.add_argument("--accounts", type=int, default=2000)
    args = parser.parse_args()
    pictures(args.avatars)
    checks(args.accounts)


if __name__ == "__main__":
    main()
