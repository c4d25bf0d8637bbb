"""`profile(handle)` on LinkedIn (requests), Bluesky (atproto over httpx) and Mastodon (Mastodon.py):
the real clients, HTTP replaced by recorded responses (issue #16)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import responses

from connectors.base import FatalError, ProfileNotReadable, RateLimited, SkipStream
from connectors.linkedin import LinkedInConnector
from connectors.linkedin import Settings as LinkedInSettings
from monitor.watch import WatchedAccount, WatchList

respx = pytest.importorskip("respx")
pytest.importorskip("atproto")
pytest.importorskip("mastodon")
from connectors.bluesky import BlueskyConnector  # noqa: E402
from connectors.bluesky import Settings as BlueskySettings  # noqa: E402
from connectors.mastodon import MastodonConnector  # noqa: E402
from connectors.mastodon import Settings as MastodonSettings  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LI = "https://api.linkedin.com/rest"
XRPC = "https://bsky.social/xrpc"
HOME = "https://mastodon.social"
NOW = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
WATCH = WatchList(
    official=(WatchedAccount("linkedin", "iom3", "official"),),
    accounts=(
        WatchedAccount("linkedin", "iom3-wood-technology-society", "asv_committee"),
        WatchedAccount("linkedin", "raj-patel-ceng", "asv_personal"),
        WatchedAccount("bluesky", "iom3ymc.bsky.social", "asv_committee"),
        WatchedAccount("mastodon", "iom3ymc", "asv_committee"),
    ),
)
ORGS = {"iom3": "urn:li:organization:1234567", "iom3-wood-technology-society": "urn:li:organization:7654321"}


def fx(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def secrets(monkeypatch):
    monkeypatch.setenv("IOM3_LINKEDIN_TOKEN", "fake-linkedin-token-for-tests")  # not real: tests only
    monkeypatch.setenv("IOM3_BLUESKY_HANDLE", "iom3.bsky.social")
    monkeypatch.setenv("IOM3_BLUESKY_APP_PASSWORD", "fake-app-password-for-tests")
    monkeypatch.setenv("IOM3_MASTODON_TOKEN", "fake-mastodon-token-for-tests")


def linkedin(**settings) -> LinkedInConnector:
    settings.setdefault("organizations", ORGS)
    return LinkedInConnector(LinkedInSettings(**settings), WATCH, sleep=[].append, clock=lambda: NOW)


# --- LinkedIn ----------------------------------------------------------------------------------
@responses.activate
def test_linkedin_member_profile_is_not_readable_and_nothing_is_asked():
    with pytest.raises(ProfileNotReadable, match="only to that member's own sign-in"):
        linkedin(profiles=True).profile("raj-patel-ceng")
    assert len(responses.calls) == 0


@responses.activate
def test_linkedin_page_profile_needs_the_manage_permission_so_is_off_by_default():
    connector = linkedin()
    assert "rw_organization_admin" in (connector.profile_refusal("iom3-wood-technology-society") or "")
    with pytest.raises(ProfileNotReadable, match="profiles = true"):
        connector.profile("iom3-wood-technology-society")
    assert len(responses.calls) == 0


@responses.activate
def test_linkedin_page_profile_when_the_token_may_read_it_is_name_and_description_without_logo():
    responses.get(f"{LI}/organizations/7654321", json=fx("linkedin/organization.json"))
    profile = linkedin(profiles=True).profile("IOM3-Wood-Technology-Society")
    assert profile.display_name == "IOM3 Wood Technology Society"
    assert profile.bio.startswith("The Wood Technology Society of IOM3")
    assert profile.url == "https://www.linkedin.com/company/iom3-wood-technology-society/"
    assert profile.avatar_url == ""  # logoV2 is an asset URN with no documented read-only link
    headers = responses.calls[0].request.headers
    assert (headers["LinkedIn-Version"], headers["X-Restli-Protocol-Version"]) == ("202511", "2.0.0")
    assert headers["Authorization"] == "Bearer fake-linkedin-token-for-tests"


@pytest.mark.parametrize(
    ("fixture", "status", "error", "said"),
    [
        ("linkedin/error_403.json", 403, SkipStream, "lacks rw_organization_admin"),
        ("linkedin/error_401.json", 401, FatalError, "IOM3_LINKEDIN_TOKEN"),
        ("linkedin/error_429.json", 429, RateLimited, "rate limit"),
    ],
)
@responses.activate
def test_linkedin_lookup_errors_name_their_fix(fixture, status, error, said):
    responses.get(f"{LI}/organizations/7654321", json=fx(fixture), status=status)
    with pytest.raises(error, match=said):
        linkedin(profiles=True).profile("iom3-wood-technology-society")


# --- Bluesky -----------------------------------------------------------------------------------
def test_bluesky_profiles_sign_in_once_and_read_get_profile():
    connector = BlueskyConnector(BlueskySettings(), WATCH, sleep=[].append, clock=lambda: NOW)
    with respx.mock(assert_all_called=True) as mock:
        login = mock.post(f"{XRPC}/com.atproto.server.createSession").respond(
            json=fx("bluesky/create_session.json")
        )
        profiles = mock.get(f"{XRPC}/app.bsky.actor.getProfile").respond(json=fx("bluesky/profile.json"))
        first = connector.profile("iom3ymc.bsky.social")
        connector.profile("iom3ymc.bsky.social")
    assert (login.call_count, profiles.call_count) == (1, 2)
    assert profiles.calls[0].request.url.params["actor"] == "iom3ymc.bsky.social"
    assert (first.display_name, first.url) == (
        "IoM3 Young Members",
        "https://bsky.app/profile/iom3ymc.bsky.social",
    )
    assert first.bio.startswith("Young Members Committee.") and "\n\n" in first.bio
    assert first.avatar_url.endswith("bafkreiymcavatar@jpeg")


def test_bluesky_unknown_actor_skips_that_account():
    connector = BlueskyConnector(BlueskySettings(), WATCH, sleep=[].append, clock=lambda: NOW)
    with respx.mock() as mock:
        mock.post(f"{XRPC}/com.atproto.server.createSession").respond(json=fx("bluesky/create_session.json"))
        mock.get(f"{XRPC}/app.bsky.actor.getProfile").mock(
            return_value=httpx.Response(400, json=fx("bluesky/error_profile_not_found.json"))
        )
        with pytest.raises(SkipStream, match="Profile not found"):
            connector.profile("gone.bsky.social")


# --- Mastodon ----------------------------------------------------------------------------------
def mastodon() -> MastodonConnector:
    return MastodonConnector(MastodonSettings(), WATCH, sleep=[].append, clock=lambda: NOW)


@responses.activate
def test_mastodon_profile_note_html_becomes_text_and_nothing_is_run():
    responses.get(f"{HOME}/api/v1/accounts/lookup", json=fx("mastodon/account_profile.json"))
    profile = mastodon().profile("iom3ymc")
    assert profile.display_name == "IOM3 Young Members"
    assert profile.bio == "Young Members Committee of @iom3 & friends.\n\nCareers events\nMentoring"
    assert (
        profile.avatar_url.endswith("/original/ymc.png") and profile.url == "https://mastodon.social/@iom3ymc"
    )
    assert responses.calls[0].request.url.endswith("acct=iom3ymc")


@responses.activate
def test_mastodon_unknown_account_skips_it_and_a_bad_token_is_fatal():
    responses.get(f"{HOME}/api/v1/accounts/lookup", json=fx("mastodon/error_404.json"), status=404)
    with pytest.raises(SkipStream, match="404"):
        mastodon().profile("gone")
    responses.replace(
        responses.GET, f"{HOME}/api/v1/accounts/lookup", json=fx("mastodon/error_401.json"), status=401
    )
    with pytest.raises(FatalError, match="IOM3_MASTODON_TOKEN"):
        mastodon().profile("iom3ymc")
