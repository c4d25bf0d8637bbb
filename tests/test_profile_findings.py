"""The audit's profile checks (#16): a table of stored profiles and registry entries, the findings
each must give (clause and one concrete step), then the audit that carries them."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pandas as pd
import pytest

from monitor.channels import ChannelDirectory
from monitor.config import OfficialChannel, RegisteredAccount
from monitor.csv_safe import csv_bytes
from monitor.models import Mention
from monitor.reports.audit import build_audit, render_html
from monitor.reports.profiles import COMMITTEE_NAME_CLAUSE, account_findings
from monitor.schema import ProfileRow
from monitor.store import save_batch

READ = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
PACKAGING = RegisteredAccount(
    platform="x",
    handle="IOM3Packaging",
    committee="Packaging Society",
    admins=["Gareth Lewis"],
    logo_approved=True,
)
YMC = RegisteredAccount(
    platform="x", handle="IOM3_YMC", committee="Young Members Committee", admins=["Priya Shah", "Tom Okafor"]
)
WALES = RegisteredAccount(platform="x", handle="SWales_IOM3", committee="South Wales Local Society")
HELEN = RegisteredAccount(
    platform="x", handle="DrHelenCarter", kind="asv_personal", committee="Trustee", admins=["Dr Helen Carter"]
)
RAJ = RegisteredAccount(
    platform="linkedin", handle="raj-patel-ceng", kind="asv_personal", admins=["Raj Patel"]
)
OFFICIAL = OfficialChannel(platform="x", handle="iom3", name="IOM3")
CURRENT = [{"version": "current", "status": "current", "confidence": 0.81}]
RETIRED = [{"version": "retired-2010", "status": "retired", "confidence": 0.74}]


def profile(account, name: str = "", bio: str = "", logos=None, **fields) -> ProfileRow:  # noqa: ANN001
    values = {
        "platform": account.platform,
        "handle": account.handle,
        "handle_key": account.handle.lower(),
        "kind": "official" if isinstance(account, OfficialChannel) else str(account.kind),
        "readable": True,
        "problem": "",
        "checked_at": READ,
        "fetched_at": READ,
        "display_name": name,
        "bio": bio,
        "url": f"https://x.com/{account.handle}",
        "logo_findings": logos,
    }
    return ProfileRow(**(values | fields))


CASES = [
    # (account, name, bio, logos, [(finding, what the advice must say)])
    (PACKAGING, "IoM3 Packaging", "", None, [("profile name writes IOM3 as IoM3", "Ask Gareth Lewis")]),
    (
        PACKAGING,
        "IOM3 Packaging",
        "The I.M3 Packaging Society",
        None,
        [("profile bio writes IOM3 as I.M3", "bio on X")],
    ),
    (
        YMC,
        "IOM 3 Young Members",
        "",
        None,
        [("profile name writes IOM3 as IOM 3", "Priya Shah and Tom Okafor")],
    ),
    (YMC, "IOM3 YMC", "Follow @IoM3_YMC and #iom3", None, []),  # a handle or hashtag is no misspelling
    (PACKAGING, "IOM3 Packaging", "", CURRENT, []),  # approved for the logo
    (
        YMC,
        "IOM3 Young Members",
        "",
        CURRENT,
        [
            (
                "profile picture carries the IOM3 logo (current); the account is not approved to use it",
                "logo_approved",
            )
        ],
    ),
    (
        YMC,
        "IOM3 Young Members",
        "",
        RETIRED,
        [
            (
                "profile picture carries the IOM3 logo (retired-2010); the account is not approved to use it",
                "replace",
            )
        ],
    ),
    (
        PACKAGING,
        "IOM3 Packaging",
        "",
        RETIRED,
        [("profile picture carries a retired version of the IOM3 logo (retired-2010)", "current IOM3 logo")],
    ),
    (
        HELEN,
        "Dr Helen Carter",
        "IOM3 trustee, proud to support young engineers",
        None,
        [
            (
                'profile bio promotes IOM3 with no "views are my own" disclaimer',
                '"Views are my own, not IOM3\'s."',
            )
        ],
    ),
    (HELEN, "Dr Helen Carter", "IOM3 trustee. Views are my own.", None, []),
    (HELEN, "Dr Helen Carter", "Trustee @IOM3. Opinions are my own", None, []),
    (HELEN, "Dr Helen Carter", "Proud mum. Metallurgist.", None, []),  # promotes nothing of IOM3's
    (
        HELEN,
        "Dr Helen Carter",
        "Materials scientist",
        CURRENT,
        [("the account is not approved", "permission")],
    ),
    (
        WALES,
        "South Wales Materials",
        "",
        None,
        [
            (
                'coaching, low priority: the profile name "South Wales Materials" does not say that '
                "it is an IOM3 group",
                '"IOM3 South Wales Local Society"',
            )
        ],
    ),
    (
        PACKAGING,
        "IOM3 Events",
        "",
        None,
        [
            (
                'coaching, low priority: the profile name "IOM3 Events" does not say which group runs '
                "it (Packaging Society)",
                "which IOM3 group",
            )
        ],
    ),
    (
        OFFICIAL,
        "IoM3",
        "",
        RETIRED,
        [
            ("profile name writes IOM3 as IoM3", "Marketing and Communications team"),
            ("retired version", "current IOM3 logo"),
        ],
    ),
    (OFFICIAL, "IOM3", "", CURRENT, []),  # IOM3's own channel may carry its logo
]


@pytest.mark.parametrize(("account", "name", "bio", "logos", "expected"), CASES)
def test_profile_findings(config, account, name, bio, logos, expected):
    found = account_findings(profile(account, name, bio, logos), account, config.lexicons)
    assert len(found) == len(expected), [f.finding for f in found]
    for finding, (wanted, step) in zip(found, expected, strict=True):
        assert wanted in finding.finding and step in finding.advice, finding
        assert finding.account == f"{account.platform} @{account.handle}" and finding.clause


def test_each_check_names_its_clause(config):
    lexicons = config.lexicons
    clause = {
        "IoM3 Packaging": lexicons.brand_name.clause,
        "logo": lexicons.logo.clause,
        "disclaimer": lexicons.disclaimer.clause,
        "coaching": COMMITTEE_NAME_CLAUSE,
    }
    assert (
        account_findings(profile(PACKAGING, "IoM3 Packaging"), PACKAGING, lexicons)[0].clause
        == clause["IoM3 Packaging"]
    )
    assert (
        account_findings(profile(YMC, "IOM3 YMC", logos=CURRENT), YMC, lexicons)[0].clause == clause["logo"]
    )
    promoting = profile(HELEN, "Helen", "IOM3 trustee")
    assert account_findings(promoting, HELEN, lexicons)[0].clause == clause["disclaimer"]
    assert account_findings(profile(WALES, "Wales"), WALES, lexicons)[0].clause == clause["coaching"]
    assert "Presentation" in clause["coaching"].replace("presentation", "Presentation")


def test_a_profile_the_platform_does_not_give_is_said_to_be_not_readable_never_guessed(config):
    unreadable = profile(
        RAJ, readable=False, fetched_at=None, problem="LinkedIn gives a member's profile only to that member"
    )
    (finding,) = account_findings(unreadable, RAJ, config.lexicons)
    assert (
        finding.finding
        == "profile not readable on LinkedIn: LinkedIn gives a member's profile only to that member"
    )
    assert config.lexicons.disclaimer.clause in finding.clause and finding.clause.startswith("not checked: ")
    assert "by hand" in finding.advice and "disclaimer" in finding.advice
    official = profile(OFFICIAL, readable=False, fetched_at=None, problem="no")
    assert account_findings(official, OFFICIAL, config.lexicons) == []


def test_an_account_that_could_not_be_read_says_so_and_what_to_check(config):
    gone = profile(
        WALES, "South Wales Materials", problem="Could not find user with username: [SWales_IOM3]."
    )
    (finding,) = account_findings(gone, WALES, config.lexicons)  # the old profile is not judged
    assert finding.finding.startswith("profile could not be read on X: Could not find user")
    assert "config/accounts.toml" in finding.advice


def test_the_audit_carries_the_profile_findings_once_and_shows_them_safely(sessions, config):
    with sessions.begin() as session:
        session.add_all(
            [
                profile(PACKAGING, "IoM3 Packaging"),
                profile(
                    HELEN, "Dr Helen Carter", "=IOM3 trustee <script>alert(1)</script> proud to support it"
                ),
            ]
        )
        # The same misspelt name seen on a post: the audit's own check finds it too.
        save_batch(
            session,
            connector="t",
            cursor={},
            directory=ChannelDirectory(config),
            mentions=[
                Mention("x", "p1", "IOM3Packaging", "Gala tickets", READ, author_name="IoM3 Packaging")
            ],
        )
    with sessions() as session:
        audit = build_audit(
            session, config, since=datetime(2026, 11, 1, tzinfo=UTC), until=datetime(2026, 11, 24, tzinfo=UTC)
        )
    misspelt = [f for f in audit.findings if f.finding == "profile name writes IOM3 as IoM3"]
    assert [f.account for f in misspelt] == ["x @IOM3Packaging"]  # once, not once per check
    (disclaimer,) = [
        f
        for f in audit.findings
        if "disclaimer" in f.finding and f.account == "x @DrHelenCarter" and "profile" in f.finding
    ]
    html = render_html(audit, config)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    frame = pd.read_csv(io.BytesIO(csv_bytes(audit.findings_frame())), keep_default_na=False)
    (example,) = frame.loc[frame["finding"] == disclaimer.finding, "example"]
    assert example.startswith("'=IOM3 trustee")  # a spreadsheet shows it, never runs it
