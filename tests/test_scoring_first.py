"""The first scorer: VADER plus complaint cues from config/lexicons.toml."""

from __future__ import annotations

import pytest

from monitor.models import ChannelKind
from monitor.scoring import Scorer, complaint_score
from monitor.scoring.lexicon import TermMatcher


@pytest.fixture(scope="module")
def scorer(config) -> Scorer:
    return Scorer(config.lexicons, config.monitor.scoring)


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        (
            "@iom3 my CPD certificate never arrived and I'm ignored on email. Really poor service.",
            {"never arrived", "ignored", "poor service"},
        ),
        ("Is the IOM3 website NOT WORKING again?? Can't log in to book", {"NOT WORKING", "Can't log in"}),
        (
            "Charged twice for the dinner and still no reply. Sort it out please",
            {"Charged twice", "no reply", "Sort it out"},
        ),
    ],
)
def test_complaints_are_flagged_with_their_words(scorer, text, evidence):
    assessment = scorer.assess(text, channel_kind=ChannelKind.PUBLIC)
    flag = assessment.flag("complaint")
    assert flag is not None, assessment
    assert flag.clause == "Complaint handling"
    terms = {e.text for e in flag.evidence if e.kind == "term"}
    assert terms == evidence
    for e in flag.evidence:
        if e.kind == "term":
            assert text[e.start : e.end] == e.text
    assert any(e.kind == "figure" and e.value == assessment.sentiment for e in flag.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "Brilliant webinar from IOM3 on additive manufacturing, slides are worth a look",
        "No complaints at all about the IOM3 webinar, best one I've attended this year",
        "Anyone else on the IOM3 Sheffield steel walk on Sunday?",
        "The fracture surface was broken beautifully in the demo, loved it",  # cue in a happy post
    ],
)
def test_praise_and_chatter_are_not_complaints(scorer, text):
    assessment = scorer.assess(text, channel_kind="public")
    assert assessment.flags == (), assessment


def test_iom3s_own_posts_are_never_complaints(scorer):
    text = "Sorry your certificate never arrived and the portal is not working; we'll fix it today."
    assert scorer.assess(text, channel_kind="public").flag("complaint") is not None
    assert scorer.assess(text, channel_kind=ChannelKind.OFFICIAL).flags == ()


def test_same_input_same_output(scorer):
    text = "Unacceptable, still waiting for a refund"
    assert scorer.assess(text) == scorer.assess(text)
    assert scorer.assess(text).scorer_version == "first-1"


def test_complaint_score_rises_with_cues_and_negative_tone():
    assert complaint_score(0, 0.0, 0.45, asks=False) == 0.0
    one_neutral = complaint_score(1, 0.0, 0.45, asks=False)
    assert (
        complaint_score(1, -0.6, 0.45, asks=False) > one_neutral > complaint_score(1, 0.8, 0.45, asks=False)
    )
    assert complaint_score(2, 0.0, 0.45, asks=False) > one_neutral
    assert 0.0 <= complaint_score(9, -1.0, 0.9, asks=True) <= 1.0


def test_term_matcher_matches_whole_words_and_flexible_spaces():
    matcher = TermMatcher(["no reply", "rip off"])
    assert [e.text for e in matcher.find("NO   reply yet; what a rip off!")] == ["NO   reply", "rip off"]
    assert matcher.find("noreply@iom3.org and a ripoffs list") == []
