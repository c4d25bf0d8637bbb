"""The `logo` decision, table-driven: who posted the image and which logo versions it shows (#16)."""

from __future__ import annotations

import pytest

from monitor.media.decide import FLAG, NOTHING, RETIRED, Poster, SeenLogo, decide, poster_of, seen_from_json

CURRENT = SeenLogo("current", "current", 0.9)
OLD = SeenLogo("retired-2010", "retired", 0.7)
OFFICIAL = Poster(official=True, registered=False, logo_approved=False)
UNREGISTERED = Poster(official=False, registered=False, logo_approved=False)
UNAPPROVED = Poster(official=False, registered=True, logo_approved=False)
APPROVED = Poster(official=False, registered=True, logo_approved=True)


@pytest.mark.parametrize(
    ("poster", "seen", "decision", "lead"),
    [
        (UNREGISTERED, [CURRENT], FLAG, "current"),
        (UNREGISTERED, [OLD], FLAG, "retired-2010"),  # any IOM3 version, retired or not
        (UNAPPROVED, [CURRENT], FLAG, "current"),
        (UNAPPROVED, [OLD, CURRENT], FLAG, "current"),  # the most confident finding leads
        (APPROVED, [OLD], RETIRED, "retired-2010"),
        (APPROVED, [CURRENT, OLD], RETIRED, "retired-2010"),  # the retired one is what matters
        (APPROVED, [CURRENT], NOTHING, None),
        (OFFICIAL, [CURRENT], NOTHING, None),
        (OFFICIAL, [OLD], NOTHING, None),  # IOM3's own channels are never flagged
        (UNREGISTERED, [], NOTHING, None),
        (UNAPPROVED, [], NOTHING, None),
    ],
)
def test_the_decision_table(poster, seen, decision, lead):
    verdict = decide(poster, seen)
    assert verdict.decision == decision
    assert (verdict.lead.version if verdict.lead else None) == lead
    assert verdict.why


def test_the_poster_comes_from_the_registry_whatever_the_handle_case():
    approvals = {("x", "iom3packaging"): True, ("facebook", "sheffieldmetallurgicalassoc"): False}
    assert poster_of(platform="x", handle="IOM3Packaging", official=False, approvals=approvals) == APPROVED
    assert (
        poster_of(
            platform="facebook", handle="SheffieldMetallurgicalAssoc", official=False, approvals=approvals
        )
        == UNAPPROVED
    )
    # The same handle on another platform is another account: not registered there.
    assert (
        poster_of(platform="instagram", handle="IOM3Packaging", official=False, approvals=approvals)
        == UNREGISTERED
    )


def test_stored_findings_read_back_as_seen_logos():
    stored = [
        {"version": "current", "status": "current", "confidence": 0.83, "quad": [[0, 0]], "inliers": 40}
    ]
    assert seen_from_json(stored) == [SeenLogo("current", "current", 0.83)]
