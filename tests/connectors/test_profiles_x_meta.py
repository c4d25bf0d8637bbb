"""`profile(handle)` on X (tweepy), Facebook and Instagram (facebook-sdk): the real clients, HTTP
replaced by recorded responses shaped as the platforms document them (issue #16)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from connectors.base import FatalError, ProfileNotReadable, RateLimited, SkipStream
from connectors.facebook import FacebookConnector
from connectors.facebook import Settings as FacebookSettings
from connectors.instagram import InstagramConnector
from connectors.instagram import Settings as InstagramSettings
from connectors.x import Settings as XSettings
from connectors.x import XConnector
from monitor.watch import WatchedAccount, WatchList

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
X_API = "https://api.twitter.com/2"
G = "https://graph.facebook.com/v24.0"
NOW = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
WATCH = WatchList(
    official=(
        WatchedAccount("x", "iom3", "official"),
        WatchedAccount("facebook", "iom3", "official"),
        WatchedAccount("instagram", "iomthree", "official"),
    ),
    accounts=(
        WatchedAccount("x", "IOM3Packaging", "asv_committee"),
        WatchedAccount("facebook", "SheffieldMetallurgicalAssoc", "asv_committee"),
        WatchedAccount("facebook", "helen.carter.materials", "asv_personal"),
        WatchedAccount("instagram", "iom3_wim", "asv_committee"),
        WatchedAccount("instagram", "iom3_scotland", "asv_committee"),
    ),
)


def fx(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def tokens(monkeypatch):
    monkeypatch.setenv("IOM3_X_BEARER_TOKEN", "fake-x-bearer-for-tests")  # not real tokens: tests only
    monkeypatch.setenv("IOM3_FACEBOOK_PAGE_TOKEN", "fake-graph-token-for-tests")
    monkeypatch.setenv("IOM3_INSTAGRAM_TOKEN", "fake-graph-token-for-tests")


def x(sleeps: list[float] | None = None) -> XConnector:
    return XConnector(
        XSettings(), WATCH, sleep=(sleeps if sleeps is not None else []).append, clock=lambda: NOW
    )


def facebook() -> FacebookConnector:
    pages = {"iom3": "104729584412", "SheffieldMetallurgicalAssoc": "200300400500"}
    return FacebookConnector(FacebookSettings(pages=pages), WATCH, sleep=[].append, clock=lambda: NOW)


def instagram() -> InstagramConnector:
    accounts = {"iomthree": "17841400000000001", "iom3_wim": "17841400000000002"}
    return InstagramConnector(InstagramSettings(accounts=accounts), WATCH, sleep=[].append, clock=lambda: NOW)


def query(call: responses.Call) -> dict[str, list[str]]:
    return parse_qs(urlparse(call.request.url).query)


# --- X ---------------------------------------------------------------------------------------
@responses.activate
def test_x_profile_reads_name_bio_and_the_original_size_picture():
    responses.get(f"{X_API}/users/by/username/IOM3Packaging", json=fx("x/user_profile.json"))
    profile = x().profile("IOM3Packaging")
    assert (profile.platform, profile.handle, profile.display_name) == (
        "x",
        "IOM3Packaging",
        "IoM3 Packaging",
    )
    assert profile.bio.endswith("DMs open <script>alert(1)</script>")  # verbatim: escaped where shown
    assert profile.avatar_url == "https://pbs.twimg.com/profile_images/1560000000000000009/AbCdEfGh.jpg"
    assert profile.url == "https://x.com/IOM3Packaging" and profile.fetched_at == NOW
    (call,) = responses.calls
    assert query(call)["user.fields"] == ["name,description,profile_image_url"]  # and nothing more
    assert call.request.headers["Authorization"] == "Bearer fake-x-bearer-for-tests"


@pytest.mark.parametrize(
    ("fixture", "said"),
    [
        ("x/user_not_found.json", "Could not find user with username: [SWales_IOM3]."),
        ("x/user_suspended.json", "User has been suspended: [DrHelenCarter]."),
    ],
)
@responses.activate
def test_x_answers_an_unknown_or_suspended_user_with_200_and_errors_and_that_account_is_skipped(
    fixture, said
):
    responses.get(f"{X_API}/users/by/username/gone", json=fx(fixture))
    with pytest.raises(SkipStream, match=said.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        x().profile("gone")


@responses.activate
def test_x_401_is_fatal_and_names_the_variable_429_waits_for_the_reset_5xx_is_retried():
    responses.get(f"{X_API}/users/by/username/a", json=fx("x/error_401.json"), status=401)
    with pytest.raises(FatalError, match="IOM3_X_BEARER_TOKEN"):
        x().profile("a")
    responses.get(
        f"{X_API}/users/by/username/b",
        json=fx("x/error_429.json"),
        status=429,
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1795400000"},
    )
    with pytest.raises(RateLimited) as limited:
        x().profile("b")
    assert limited.value.resume_at == datetime.fromtimestamp(1795400000, UTC)
    responses.get(f"{X_API}/users/by/username/c", status=503)
    responses.get(f"{X_API}/users/by/username/c", json=fx("x/user_profile.json"))
    sleeps: list[float] = []
    assert x(sleeps).profile("c").display_name == "IoM3 Packaging" and len(sleeps) == 1


@responses.activate
def test_x_refuses_a_handle_it_will_not_take_and_says_to_fix_the_registry():
    responses.get(
        f"{X_API}/users/by/username/bad%20handle",
        status=400,
        json={
            "errors": [{"message": "The `username` query parameter value [bad handle] does not match"}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
        },
    )
    with pytest.raises(SkipStream, match="config/accounts.toml"):
        x().profile("bad handle")


# --- Facebook ----------------------------------------------------------------------------------
@responses.activate
def test_facebook_page_profile_is_name_about_and_picture():
    responses.get(f"{G}/200300400500", json=fx("facebook/page_profile.json"))
    profile = facebook().profile("sheffieldmetallurgicalassoc")  # the registry's case need not match
    assert profile.display_name == "Sheffield Metallurgical and Engineering Association"
    assert profile.bio.startswith("Lectures and works visits")
    assert profile.avatar_url.startswith("https://scontent.xx.fbcdn.net/v/t39.30808-1/300400500")
    assert profile.url == "https://www.facebook.com/SheffieldMetallurgicalAssoc"
    assert query(responses.calls[0])["fields"] == ["name,about,link,picture.type(large)"]


@responses.activate
def test_facebook_silhouette_is_no_picture():
    page = fx("facebook/page_profile.json")
    page["picture"]["data"]["is_silhouette"] = True
    responses.get(f"{G}/200300400500", json=page)
    assert facebook().profile("SheffieldMetallurgicalAssoc").avatar_url == ""


@responses.activate
def test_facebook_personal_profile_is_not_readable_and_nothing_is_asked():
    with pytest.raises(ProfileNotReadable, match="never a person's own profile"):
        facebook().profile("helen.carter.materials")
    assert len(responses.calls) == 0


@responses.activate
def test_facebook_committee_page_without_an_id_names_the_setting_to_add():
    with pytest.raises(SkipStream, match=r"\[connectors.facebook.pages\]"):
        FacebookConnector(FacebookSettings(), WATCH, clock=lambda: NOW).profile("SheffieldMetallurgicalAssoc")
    assert len(responses.calls) == 0


@pytest.mark.parametrize(
    ("fixture", "status", "error", "said"),
    [
        ("facebook/error_190.json", 400, FatalError, "IOM3_FACEBOOK_PAGE_TOKEN"),
        ("facebook/error_4.json", 400, RateLimited, "rate limit"),
        ("facebook/error_100.json", 400, SkipStream, "not found or not readable"),
    ],
)
@responses.activate
def test_facebook_profile_errors_are_classified_like_every_graph_call(fixture, status, error, said):
    responses.get(f"{G}/200300400500", json=fx(fixture), status=status)
    with pytest.raises(error, match=said):
        facebook().profile("SheffieldMetallurgicalAssoc")


# --- Instagram ---------------------------------------------------------------------------------
@responses.activate
def test_instagram_managed_account_reads_its_own_ig_user_fields():
    responses.get(f"{G}/17841400000000002", json=fx("instagram/user_profile.json"))
    profile = instagram().profile("iom3_wim")
    assert (profile.display_name, profile.url) == (
        "IOM3 Women in Materials",
        "https://www.instagram.com/iom3_wim/",
    )
    assert "I.O.M.3" in profile.bio and profile.avatar_url.startswith("https://scontent.cdninstagram.com/")
    assert query(responses.calls[0])["fields"] == ["username,name,biography,profile_picture_url"]


@responses.activate
def test_instagram_other_professional_account_through_business_discovery_of_the_official_one():
    responses.get(f"{G}/17841400000000001", json=fx("instagram/business_discovery.json"))
    profile = instagram().profile("iom3_scotland")
    assert profile.display_name == "IOM3 Scotland" and profile.bio.startswith("Materials, minerals")
    assert query(responses.calls[0])["fields"] == [
        "business_discovery.username(iom3_scotland){username,name,biography,profile_picture_url}"
    ]


@responses.activate
def test_instagram_personal_account_is_not_readable_through_business_discovery():
    responses.get(f"{G}/17841400000000001", json=fx("instagram/error_110.json"), status=400)
    with pytest.raises(ProfileNotReadable, match="only business and creator accounts"):
        instagram().profile("jo.materials")


@responses.activate
def test_instagram_refuses_a_username_that_would_break_the_field_expansion():
    with pytest.raises(SkipStream, match="not an Instagram username"):
        instagram().profile("a){id}")
    assert len(responses.calls) == 0
