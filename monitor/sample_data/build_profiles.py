"""Write `profiles.jsonl`: the public profiles the demo's `profiles` step reads instead of the
platforms (the demo has no network).

One line per official channel or registered account (config/accounts.toml as shipped), in the
shape the connectors' `profile()` gives: platform, handle, display_name, bio, avatar_url, url;
plus a `note` naming what the line is there to show. Profile pictures are on the demo's picture
host (media_host.py), drawn by build_images.py. No LinkedIn line: LinkedIn gives a member's
profile to no one but the member, and a page's only to a token that may manage it, so the demo
shows those as "not readable", as a real run would. Deterministic: run it again and the file is
byte-for-byte the same.

    python -m monitor.sample_data.build_profiles
"""

from __future__ import annotations

import json
from pathlib import Path

from monitor.sample_data.media_host import SAMPLE_BASE

OUT = Path(__file__).with_name("profiles.jsonl")


def _picture(name: str) -> str:
    """A profile picture the demo serves from the bundled images (build_images.py draws them)."""
    return f"{SAMPLE_BASE}avatar-{name}.jpg"


def _x(handle: str, picture: str) -> dict[str, str]:
    return {"avatar_url": _picture(picture), "url": f"https://x.com/{handle}"}


PROFILES = [
    {
        "platform": "x",
        "handle": "iom3",
        "display_name": "IOM3",
        "bio": "The Institute of Materials, Minerals & Mining: the professional body for the materials "
        "cycle. #MaterialsWorld",
        **_x("iom3", "iom3"),
        "note": "official channel: nothing to find",
    },
    {
        "platform": "x",
        "handle": "IOM3_YMC",
        "display_name": "IOM3 Young Members",
        "bio": "The Young Members Committee of IOM3: careers events, mentoring and the Young Persons' "
        "Lecture Competition.",
        **_x("IOM3_YMC", "ymc"),
        "note": "committee account as the policy wants it: nothing to find",
    },
    {
        "platform": "x",
        "handle": "IOM3Packaging",
        "display_name": "IoM3 Packaging",
        "bio": "News, webinars and awards from the Packaging Society.",
        **_x("IOM3Packaging", "packaging"),
        "note": "Presentation: the committee's display name misspells IOM3 as IoM3",
    },
    {
        "platform": "x",
        "handle": "SWales_IOM3",
        "display_name": "South Wales Materials",
        "bio": "Talks, works visits and the annual dinner for materials people in South Wales.",
        **_x("SWales_IOM3", "swales"),
        "note": "Presentation, coaching: the name does not say it is an IOM3 group; logos: its "
        "picture is the IOM3 logo, which it is not approved to use",
    },
    {
        "platform": "x",
        "handle": "DrHelenCarter",
        "display_name": "Dr Helen Carter",
        "bio": "Materials scientist. IOM3 trustee, proud to support the next generation of engineers.",
        **_x("DrHelenCarter", "helen"),
        "note": "Personal accounts: promotes IOM3 in the bio with no 'views are my own' disclaimer",
    },
    {
        "platform": "facebook",
        "handle": "iom3",
        "display_name": "Institute of Materials, Minerals and Mining (IOM3)",
        "bio": "The professional body for the materials, minerals and mining community.",
        "avatar_url": _picture("iom3"),
        "url": "https://www.facebook.com/iom3",
        "note": "official channel: nothing to find",
    },
    {
        "platform": "facebook",
        "handle": "SheffieldMetallurgicalAssoc",
        "display_name": "Sheffield Metallurgical and Engineering Association",
        "bio": "Lectures and works visits for metallurgists and engineers in Sheffield since 1898.",
        "avatar_url": _picture("smea"),
        "url": "https://www.facebook.com/SheffieldMetallurgicalAssoc",
        "note": "Presentation, coaching: a local society's historic name that does not say IOM3",
    },
    {
        "platform": "instagram",
        "handle": "iomthree",
        "display_name": "IOM3",
        "bio": "Institute of Materials, Minerals & Mining. Materials shape our world.",
        "avatar_url": _picture("iom3"),
        "url": "https://www.instagram.com/iomthree/",
        "note": "official channel: nothing to find",
    },
    {
        "platform": "instagram",
        "handle": "iom3_wim",
        "display_name": "IOM3 Women in Materials",
        "bio": "Women in Materials at I.O.M.3: events, mentoring and role models.",
        "avatar_url": _picture("wim"),
        "url": "https://www.instagram.com/iom3_wim/",
        "note": "Presentation: the bio writes IOM3 as I.O.M.3",
    },
]


def main() -> None:
    with OUT.open("w", encoding="utf-8") as fh:
        for profile in PROFILES:
            fh.write(json.dumps(profile, ensure_ascii=False) + "\n")
    print(f"wrote {len(PROFILES)} profiles to {OUT}")


if __name__ == "__main__":
    main()
