"""The Profile record and the one step that builds it from a platform's fields: hostile or oddly
shaped values cost a field, never the profile; a bad value in a file is named with its line."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from connectors.profile import configured, make_profile
from monitor.models import Profile
from monitor.services.profiles import load_sample_profiles

NOW = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)


def test_odd_shapes_cost_the_field_and_a_bad_picture_link_is_dropped():
    profile = make_profile(
        "x",
        "IOM3_YMC",
        name=["not", "text"],
        bio="x" * 6000,
        avatar="javascript:alert(1)",
        url="https://x.com/IOM3_YMC\r\nSet-Cookie: a=b",
        fetched_at=NOW,
    )
    assert (profile.display_name, len(profile.bio), profile.avatar_url, profile.url) == ("", 5000, "", "")


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"platform": "myspace"}, "unknown platform 'myspace'"),
        ({"handle": ""}, "needs a handle"),
        ({"bio": None}, "bio must be text, not NoneType"),
        ({"avatar_url": "file:///etc/passwd"}, "is not http(s)"),
        ({"fetched_at": datetime(2026, 11, 23, 6, 30)}, "has no timezone"),  # noqa: DTZ001
    ],
)
def test_a_profile_refuses_what_it_cannot_keep_and_says_which_field(fields, said):
    values = {
        "platform": "x",
        "handle": "IOM3_YMC",
        "display_name": "IOM3 Young Members",
        "bio": "",
        "avatar_url": "",
        "url": "https://x.com/IOM3_YMC",
        "fetched_at": NOW,
    }
    with pytest.raises(ValueError, match=said.replace("(", r"\(").replace(")", r"\)")):
        Profile(**(values | fields))


def test_configured_ids_match_whatever_the_case():
    assert (
        configured({"SheffieldMetallurgicalAssoc": "200300400500"}, "sheffieldmetallurgicalassoc")
        == "200300400500"
    )
    assert configured({"iom3": "1"}, "iom3_ymc") is None


def test_a_bad_line_in_a_profiles_file_is_named_with_its_number(tmp_path):
    path = tmp_path / "profiles.jsonl"
    path.write_text(
        '{"platform": "x", "handle": "iom3", "display_name": "IOM3"}\n\n'
        '{"platform": "x", "handle": "IOM3_YMC", "avatar_url": "ftp://example.org/a.png"}\n',
        encoding="utf-8",
    )
    with pytest.raises(
        ValueError, match=r"profiles.jsonl line 3: ValueError: image url 'ftp://example.org/a.png'"
    ):
        load_sample_profiles(path, NOW)
    path.write_text('{"platform": "x", "handle": "iom3"}\n["not", "an", "object"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="profiles.jsonl line 2: TypeError"):
        load_sample_profiles(path, NOW)


def test_the_bundled_profiles_file_loads_and_is_what_its_script_writes():
    from monitor.sample_data import build_profiles
    from monitor.services.profiles import SAMPLE_PROFILES

    loaded = load_sample_profiles(SAMPLE_PROFILES, NOW)
    assert len(loaded) == len(build_profiles.PROFILES) == 9
    written = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in build_profiles.PROFILES)
    assert SAMPLE_PROFILES.read_text(encoding="utf-8") == written  # run the script after editing it
