"""The `profiles` step (#16) on both databases: whose profiles are read (never a mere mentioner's),
at most once a day each, the latest kept; pictures as thumbnails with their logo findings;
retention; migration 0013 down and up."""

from __future__ import annotations

import io
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest
import responses
import sqlalchemy as sa
from alembic import command
from PIL import Image
from sqlalchemy import select
from tenacity import wait_none

from connectors.linkedin import LinkedInConnector
from connectors.linkedin import Settings as LinkedInSettings
from connectors.x import Settings as XSettings
from connectors.x import XConnector
from monitor.channels import ChannelDirectory
from monitor.config import RetentionSection
from monitor.media.avatars import AvatarReader, not_fetched
from monitor.media.fetch import FetchSettings
from monitor.media.references import LOGOS_DIR
from monitor.models import Mention
from monitor.retention import purge
from monitor.schema import ProfileRow
from monitor.services.profiles import ProfileTarget, profile_targets, refresh_profiles
from monitor.store import alembic_config, make_engine, migrate, save_batch

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "x"
USER = re.compile(r"https://api\.twitter\.com/2/users/by/username/(\w+)")
X_REGISTERED = {"iom3", "IOM3_YMC", "IOM3Packaging", "SWales_IOM3", "DrHelenCarter"}
NO_PICTURES = not_fetched("not fetched in this test")


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("IOM3_X_BEARER_TOKEN", "fake-x-bearer-for-tests")  # not a real token
    monkeypatch.setenv("IOM3_LINKEDIN_TOKEN", "fake-linkedin-token-for-tests")


def x(config, clock) -> XConnector:
    return XConnector(XSettings(), config.watch_list(), sleep=[].append, clock=clock)


def answer_every_user(
    mock: responses.RequestsMock, name: str = "{0} on X", picture: str | None = None
) -> None:
    """X's answer for whatever username is asked: so a wrong request would succeed quietly, and
    only the list of requests made can tell it (which is what the tests look at)."""

    def reply(request):  # noqa: ANN001, ANN202
        username = USER.match(request.url).group(1)
        user = {"id": "1", "username": username, "name": name.format(username), "description": ""}
        if picture and username == "IOM3_YMC":
            user["profile_image_url"] = picture
        return 200, {}, json.dumps({"data": user})

    mock.add_callback(responses.GET, USER, callback=reply)


def asked(mock: responses.RequestsMock) -> list[str]:
    return [urlparse(c.request.url).path.rsplit("/", 1)[-1] for c in mock.calls if USER.match(c.request.url)]


def rows(sessions) -> dict[tuple[str, str], ProfileRow]:
    with sessions() as session:
        return {(r.platform, r.handle_key): r for r in session.scalars(select(ProfileRow))}


def test_targets_are_the_official_channels_and_the_registry_and_nothing_else(config):
    targets = profile_targets(config)
    expected = [ProfileTarget(c.platform, c.handle, "official") for c in config.channels.official] + [
        ProfileTarget(a.platform, a.handle, str(a.kind)) for a in config.accounts.account
    ]
    assert targets == expected and len(targets) == 12


@responses.activate
def test_an_author_who_merely_mentions_iom3_is_never_profiled(sessions, config, clock):
    with sessions.begin() as session:
        save_batch(
            session,
            connector="x",
            cursor={},
            directory=ChannelDirectory(config),
            mentions=[
                Mention("x", str(n), who, "Great talk at IOM3 tonight", clock(), author_name=who)
                for n, who in enumerate(["jo_public", "IOM3_YMC", "MaterialsFan"])
            ],
        )
    answer_every_user(responses.mock)
    result = refresh_profiles(sessions, config, [x(config, clock)], clock=clock, avatars=NO_PICTURES)
    assert sorted(asked(responses.mock)) == sorted(X_REGISTERED)  # jo_public, MaterialsFan: never
    assert {t.handle for t, _, _ in result.read} == X_REGISTERED
    assert {key for key in rows(sessions)} == {("x", h.lower()) for h in X_REGISTERED}
    # The other platforms' accounts wait for a connector: nothing is asked of them.
    assert {t.platform for t in result.no_connector} == {"facebook", "instagram", "linkedin"}


@responses.activate
def test_each_profile_is_read_at_most_once_a_day_and_replaced_when_read_again(sessions, config, clock):
    answer_every_user(responses.mock, name="{0} first")
    refresh_profiles(sessions, config, [x(config, clock)], clock=clock, avatars=NO_PICTURES)
    clock.advance(hours=12)  # 19:00 in London, the same day
    again = refresh_profiles(sessions, config, [x(config, clock)], clock=clock, avatars=NO_PICTURES)
    assert len(asked(responses.mock)) == 5 and len(again.checked_today) == 5 and not again.read
    clock.advance(days=1)
    responses.mock.reset()
    answer_every_user(responses.mock, name="{0} renamed")
    refresh_profiles(sessions, config, [x(config, clock)], clock=clock, avatars=NO_PICTURES)
    assert len(asked(responses.mock)) == 5
    stored = rows(sessions)
    assert len(stored) == 5  # one row per account, replaced
    ymc = stored[("x", "iom3_ymc")]
    assert (ymc.display_name, ymc.fetched_at, ymc.checked_at) == ("IOM3_YMC renamed", clock(), clock())


@responses.activate
def test_a_rate_limit_stops_that_platform_and_its_accounts_wait_for_the_next_run(sessions, config, clock):
    responses.get(
        "https://api.twitter.com/2/users/by/username/iom3",
        status=429,
        json={
            "title": "Too Many Requests",
            "detail": "Too Many Requests",
            "type": "about:blank",
            "status": 429,
        },
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1795400000"},
    )
    result = refresh_profiles(sessions, config, [x(config, clock)], clock=clock, avatars=NO_PICTURES)
    assert len(responses.calls) == 1 and len(result.waiting) == 5
    assert "rate limit" in result.waiting[0][1] and rows(sessions) == {}  # nothing marked as checked
    responses.mock.reset()
    answer_every_user(responses.mock)
    later = refresh_profiles(sessions, config, [x(config, clock)], clock=clock, avatars=NO_PICTURES)
    assert len(later.read) == 5


@responses.activate
def test_an_account_gone_since_keeps_its_last_profile_and_says_why(sessions, config, clock):
    answer_every_user(responses.mock)
    refresh_profiles(sessions, config, [x(config, clock)], clock=clock, avatars=NO_PICTURES)
    clock.advance(days=1)
    responses.mock.reset()
    responses.get(
        "https://api.twitter.com/2/users/by/username/SWales_IOM3",
        json=json.loads((FIXTURES / "user_not_found.json").read_text()),
    )
    answer_every_user(responses.mock)
    result = refresh_profiles(sessions, config, [x(config, clock)], clock=clock, avatars=NO_PICTURES)
    ((target, why),) = result.failed
    assert target.handle == "SWales_IOM3" and "Could not find user" in why
    row = rows(sessions)[("x", "swales_iom3")]
    assert row.display_name == "SWales_IOM3 on X" and "Could not find user" in row.problem and row.readable


def test_a_profile_the_platform_never_gives_is_stored_as_not_readable_without_asking(sessions, config, clock):
    linkedin = LinkedInConnector(
        LinkedInSettings.model_validate(config.monitor.connectors["linkedin"]),
        config.watch_list(),
        clock=clock,
    )
    with responses.RequestsMock() as mock:  # any request would fail the test
        result = refresh_profiles(sessions, config, [linkedin], clock=clock, avatars=NO_PICTURES)
        assert len(mock.calls) == 0
    reasons = {t.handle: why for t, why in result.unreadable}
    assert "only to that member's own sign-in" in reasons["raj-patel-ceng"]
    assert "rw_organization_admin" in reasons["iom3-wood-technology-society"]
    raj = rows(sessions)[("linkedin", "raj-patel-ceng")]
    assert (raj.readable, raj.display_name, raj.fetched_at) == (False, "", None)


def avatar_png(with_logo: bool) -> bytes:
    """A 480 px square profile picture: the stand-in logo on white, or a plain colour."""
    picture = Image.new("RGB", (480, 480), (255, 255, 255) if with_logo else (40, 90, 160))
    if with_logo:
        logo = Image.open(LOGOS_DIR / "standin-current.png").convert("RGBA")
        logo.thumbnail((400, 400))
        picture.paste(logo, ((480 - logo.width) // 2, (480 - logo.height) // 2), logo)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


@responses.activate
def test_the_picture_is_kept_as_a_thumbnail_and_hashes_with_its_logo_findings(sessions, config, clock):
    small = "https://pbs.twimg.com/profile_images/1624000000000000009/ymc_normal.png"
    original = small.replace("_normal", "")
    body = avatar_png(with_logo=True)
    responses.get(original, body=body, content_type="image/png")
    answer_every_user(responses.mock, picture=small)
    reader = AvatarReader(fetch_settings=FetchSettings(wait=wait_none()))
    refresh_profiles(sessions, config, [x(config, clock)], clock=clock, avatars=reader)
    ymc = rows(sessions)[("x", "iom3_ymc")]
    assert (ymc.avatar_url, ymc.avatar_state, ymc.avatar_skip_reason) == (original, "analysed", None)
    assert [(f["version"], f["status"]) for f in ymc.logo_findings] == [("current", "current")]
    thumb = Image.open(io.BytesIO(ymc.avatar_thumbnail))
    assert thumb.format == "PNG" and max(thumb.size) == 320  # a thumbnail, never the original
    assert ymc.avatar_thumbnail != body and len(ymc.avatar_sha256) == 64 and len(ymc.avatar_phash) == 16
    others = [r for k, r in rows(sessions).items() if k != ("x", "iom3_ymc")]
    assert {(r.avatar_state, r.logo_findings) for r in others} == {("none", None)}


@responses.activate
def test_a_picture_without_a_logo_has_none_and_a_broken_link_is_skipped_with_its_reason():
    url = "https://pbs.twimg.com/profile_images/1/plain.png"
    responses.get(url, body=avatar_png(with_logo=False), content_type="image/png")
    responses.get("https://pbs.twimg.com/profile_images/2/gone.png", status=404)
    reader = AvatarReader(fetch_settings=FetchSettings(wait=wait_none()))
    plain = reader(url)
    assert (plain.state, plain.logos) == ("analysed", [])
    gone = reader("https://pbs.twimg.com/profile_images/2/gone.png")
    assert (gone.state, gone.reason, gone.thumbnail) == ("skipped", "http_4xx: HTTP 404", None)


def test_without_the_media_extra_the_picture_is_skipped_naming_the_command(monkeypatch):
    for module in ("monitor.media.fetch", "monitor.media.phash"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setitem(sys.modules, "imagehash", None)  # as if ImageHash were not installed
    result = AvatarReader()("https://pbs.twimg.com/profile_images/1/a.png")
    assert result.state == "skipped" and result.logos is None
    assert "pip install" in result.reason and "[media]" in result.reason


def seed(sessions, *keys: tuple[str, str, str]) -> None:
    now = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
    with sessions.begin() as session:
        session.add_all(
            ProfileRow(platform=p, handle=h, handle_key=h.lower(), kind=k, checked_at=now, display_name=h)
            for p, h, k in keys
        )


def test_the_profile_of_an_account_taken_off_the_registry_goes_at_the_next_purge(sessions, config):
    seed(
        sessions,
        ("x", "IOM3_YMC", "asv_committee"),  # registered
        ("x", "OldCommittee", "asv_committee"),  # removed from config/accounts.toml
        ("linkedin", "raj-patel-ceng", "asv_personal"),  # registered
        ("x", "iom3", "official"),
        ("x", "iom3_old", "official"),  # no longer in channels.toml
    )
    now = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
    assert purge(sessions, RetentionSection(), now).profiles_deleted == 1  # officials left as they are
    assert set(rows(sessions)) == {
        ("x", "iom3_ymc"),
        ("linkedin", "raj-patel-ceng"),
        ("x", "iom3"),
        ("x", "iom3_old"),
    }
    result = purge(sessions, RetentionSection(), now, official={("x", "iom3")})
    assert result.profiles_deleted == 1 and "profiles_deleted=1" in result.summary()
    assert set(rows(sessions)) == {("x", "iom3_ymc"), ("linkedin", "raj-patel-ceng"), ("x", "iom3")}
    assert purge(sessions, RetentionSection(), now, official={("x", "iom3")}).profiles_deleted == 0


def test_migration_0014_goes_down_and_up(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    insert = sa.text(
        "INSERT INTO profiles (platform, handle, handle_key, kind, checked_at) "
        "VALUES ('x', 'IOM3_YMC', 'iom3_ymc', 'asv_committee', :at)"
    )
    at = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(insert, {"at": at})
        # Raw SQL: the server defaults (not the ORM's) fill in the rest.
        readable, problem, state, name, logos = conn.execute(
            sa.text("SELECT readable, problem, avatar_state, display_name, logo_findings FROM profiles")
        ).one()
    assert (bool(readable), problem, state, name, logos) == (True, "", "none", "", None)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:  # one row per account
        conn.execute(insert, {"at": at})
    command.downgrade(alembic_config(engine), "0013")
    assert "profiles" not in sa.inspect(engine).get_table_names()
    migrate(engine)
    inspector = sa.inspect(engine)
    assert "profiles" in inspector.get_table_names()
    assert {tuple(u["column_names"]) for u in inspector.get_unique_constraints("profiles")} == {
        ("platform", "handle_key")
    }
    engine.dispose()


@responses.activate
def test_the_service_reads_profiles_daily_at_profiles_time_and_purges_with_the_official_list(
    sessions, config, clock
):
    from apscheduler.schedulers.background import BackgroundScheduler

    from alerts.transports.maildir import MaildirTransport
    from monitor.daemon.scheduler import Monitor

    scheduler = BackgroundScheduler(timezone=config.timezone)
    monitor = Monitor(
        config,
        sessions,
        [x(config, clock)],
        MaildirTransport(Path("/tmp/unused")),
        scheduler=scheduler,
        clock=clock,
    )
    monitor.add_jobs()
    trigger = scheduler.get_job("profiles").trigger
    fire = trigger.get_next_fire_time(None, clock()).astimezone(config.timezone)
    assert (fire.hour, fire.minute) == (6, 30) and config.monitor.schedule.profiles_time == "06:30"
    answer_every_user(responses.mock)
    monitor.profiles()
    monitor.profiles()  # the same day: nothing asked again
    assert sorted(asked(responses.mock)) == sorted(X_REGISTERED)
    seed(sessions, ("x", "iom3_old", "official"))
    monitor.purge()
    assert ("x", "iom3_old") not in rows(sessions) and ("x", "iom3") in rows(sessions)


def test_demo_reads_the_bundled_profiles_and_its_audit_shows_profile_findings(
    demo_db, config, config_dir, tmp_path, cli
):
    toml = config_dir / "monitor.toml"
    toml.write_text(toml.read_text().replace('folder = "var/audits"', f'folder = "{tmp_path / "audits"}"'))
    code, out, _ = cli("--config", str(config_dir), "--database", demo_db, "audit", "--until", "2026-11-23")
    assert code == 0
    findings = pd.read_csv(tmp_path / "audits" / "2026-11-23" / "findings.csv", keep_default_na=False)
    found = set(zip(findings["account"], findings["finding"], strict=True))
    assert ("x @IOM3Packaging", "profile name writes IOM3 as IoM3") in found  # a misspelt committee name
    assert ("x @DrHelenCarter", 'profile bio promotes IOM3 with no "views are my own" disclaimer') in found
    assert any(
        a == "linkedin @raj-patel-ceng" and f.startswith("profile not readable on LinkedIn") for a, f in found
    )
    engine = sa.create_engine(demo_db)
    with engine.connect() as conn:  # the demo read the registry's and the channels' profiles only
        stored = set(conn.execute(sa.text("SELECT platform, handle_key FROM profiles")))
    engine.dispose()
    config_keys = {(t.platform, t.handle.lower()) for t in profile_targets(config)}
    assert stored == config_keys


@responses.activate
def test_a_profile_holding_nul_and_line_breaks_is_stored_on_both_backends(sessions, config, clock):
    answer_every_user(responses.mock, name="IOM3\u0000 Young\r\nMembers {0}")  # PostgreSQL refuses NUL
    refresh_profiles(sessions, config, [x(config, clock)], clock=clock, avatars=NO_PICTURES)
    ymc = rows(sessions)[("x", "iom3_ymc")]
    assert ymc.display_name == "IOM3\ufffd Young\r\nMembers IOM3_YMC"
