"""Fair "possibly unofficial": presenting as IOM3 against naming it to describe or criticise it."""

from __future__ import annotations

import pytest

from monitor.reports.lookalike import Verdict, is_critic, judge, presents_as_iom3

FIND_OUT, RENAME_OR_CLOSE, NOT_LISTED, CRITIC = (
    Verdict.FIND_OUT,
    Verdict.RENAME_OR_CLOSE,
    Verdict.NOT_LISTED,
    Verdict.CRITIC,
)


@pytest.mark.parametrize(
    ("handle", "name", "expected"),
    [
        # Presents itself as IOM3 and says it is official: not ours, ask to rename or close.
        ("IOM3_Scotland_Official", "IOM3 Scotland (Official)", RENAME_OR_CLOSE),
        ("iom3_uk", "IOM3", RENAME_OR_CLOSE),  # the bare brand is a claim to be IOM3 itself
        ("theIOM3", "", RENAME_OR_CLOSE),
        ("i0m3_official", "", RENAME_OR_CLOSE),  # a zero for the O
        ("iom_3_official", "", RENAME_OR_CLOSE),
        ("imm_news", "Institute of Materials, Minerals and Mining", RENAME_OR_CLOSE),
        # Presents as an IOM3 group: may be volunteers who should register; find out first.
        ("iom3students", "IOM3 Students", FIND_OUT),
        ("SWales_IOM3", "IOM3 South Wales", FIND_OUT),
        ("IOM3YoungMembers", "IOM3 Young Members", FIND_OUT),  # plural: a committee, not a person
        ("iom3youngmembers", "", FIND_OUT),  # "member" inside a glued word is not a person
        ("scot_materials", "IOM3 Scotland", FIND_OUT),  # the name alone is enough
        ("IoM3_Leeds", "", FIND_OUT),  # a misspelt brand presents as the brand
        ("scot_mm", "I.O.M.3 Scotland", FIND_OUT),
        ("news_from_iom3", "News from IOM3", FIND_OUT),  # speaks as IOM3, not about it
        # Names IOM3 to describe a person, to watch or criticise, or to deny a link: never listed.
        ("concerned.volunteer.iom3", "A concerned volunteer", NOT_LISTED),  # the demo's whistleblower
        ("concernedvolunteeriom3", "", NOT_LISTED),  # glued, the critical word is still found
        ("insider_ioms", "Chris", NOT_LISTED),
        ("iom3watch", "IOM3 Watch", NOT_LISTED),
        ("IOM3_Watch", "", NOT_LISTED),
        ("jane_k", "ex-IOM3 member", NOT_LISTED),
        ("exIOM3", "", NOT_LISTED),
        ("matsci_jo", "Jo, not affiliated with IOM3", NOT_LISTED),
        ("jo_smith", "Jo Smith | volunteering with IOM3", NOT_LISTED),
        ("dr_ade", "Ade, IOM3 Fellow and mentor", NOT_LISTED),
        ("iom3fans", "Unofficial IOM3 fan page", NOT_LISTED),
        ("iom3truth", "The truth about IOM3", NOT_LISTED),
        ("friends_of_iom3", "Friends of the IOM3", NOT_LISTED),
        ("boycott_iom3", "", NOT_LISTED),
        # Carries neither the name nor the logo.
        ("labcoat.lucy", "Lucy", NOT_LISTED),
        ("radio_m3", "Radio on the M3", NOT_LISTED),
    ],
)
def test_who_presents_as_iom3(handle, name, expected):
    judgement = judge(handle, name)
    assert judgement.verdict == expected, judgement
    assert judgement.listed == (expected in (FIND_OUT, RENAME_OR_CLOSE))


def test_the_evidence_is_the_handle_or_name_that_presents_as_iom3():
    shown = presents_as_iom3("IOM3_Scotland_Official", "IOM3 Scotland (Official)")
    assert shown.evidence == ('handle "@IOM3_Scotland_Official"', 'name "IOM3 Scotland (Official)"')
    assert presents_as_iom3("@scot_materials", "IOM3 Scotland").evidence == ('name "IOM3 Scotland"',)
    # Why one is not listed is said in words a reader can check.
    assert '"concerned"' in presents_as_iom3("concerned.volunteer.iom3", "A concerned volunteer").reason


@pytest.mark.parametrize(
    ("logo", "expected", "evidence"),
    [
        (None, NOT_LISTED, ()),  # unknown: profile pictures are not read yet
        (False, NOT_LISTED, ()),
        (True, FIND_OUT, ("the IOM3 logo in its avatar",)),
    ],
)
def test_the_logo_in_the_avatar_presents_as_iom3_once_it_is_known(logo, expected, evidence):
    judgement = judge("materials_group_ne", "Materials Group North East", avatar_has_logo=logo)
    assert judgement.verdict == expected and judgement.presentation.evidence == evidence


def test_a_critic_with_the_logo_in_its_avatar_is_still_not_listed():
    assert judge("iom3watch", "IOM3 Watch", avatar_has_logo=True).verdict == NOT_LISTED


@pytest.mark.parametrize(
    ("handle", "name"),
    [("IOM3_Scotland_Official", "IOM3 Scotland (Official)"), ("iom3students", "IOM3 Students")],
)
def test_a_critic_is_never_brand_misuse_and_never_asked_to_close(handle, name):
    judgement = judge(handle, name, critic=True)
    assert judgement.verdict == CRITIC and not judgement.listed
    assert "not brand misuse" in judgement.reason


@pytest.mark.parametrize(
    ("raised", "sentiments", "expected"),
    [
        (["disclosure"], [0.6], True),
        (["complaint"], [], True),
        (["defamation", "brand_name"], [0.2], True),
        (["crisis"], [0.9, 0.9], True),
        (["brand_name", "logo"], [0.5, 0.3], False),  # misspelling IOM3 is no criticism
        ([], [-0.6, 0.4], True),  # half its posts negative
        ([], [-0.6, 0.4, 0.5], False),
        ([], [-0.05], True),  # at the negative threshold counts
        ([], [], False),
    ],
)
def test_who_counts_as_a_critic(raised, sentiments, expected):
    assert is_critic(raised, sentiments, negative_at=-0.05) is expected
