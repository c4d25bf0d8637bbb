"""Every category as a table: (text, context, category, the words that must be the evidence)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from monitor.config import CATEGORIES, RegulatedPeriod, load_config
from monitor.scoring import Context, Scorer, assess, default_scorer

FLAGGED = [
    (
        "@iom3 my CPD certificate never arrived and I'm ignored on email. Poor service.",
        {},
        "complaint",
        {"never arrived", "ignored", "Poor service"},
    ),
    (
        "Boycott the IOM3 awards, this sponsorship is a scandal",
        {"author_reach": 90_000},
        "crisis",
        {"Boycott", "scandal"},
    ),
    (
        "Alan Pryce, treasurer of the branch, is a fraud who stole the raffle money",
        {},
        "defamation",
        {"fraud", "stole", "treasurer"},
    ),
    (
        "@DrJones I'm a reporter at the BBC, could you comment for a story on IOM3?",
        {},
        "press",
        {"reporter", "BBC", "could you comment", "for a story"},
    ),
    (
        "Girls can't do engineering, go back to the kitchen",
        {},
        "discrimination",
        {"Girls can't", "go back to the kitchen"},
    ),
    (
        "@tom_ymc you pathetic idiot, shut up and get lost",
        {},
        "harassment",
        {"pathetic", "idiot", "shut up", "get lost"},
    ),
    (
        "I don't want to be here anymore after the IOM3 schools final",
        {},
        "safeguarding",
        {"don't want to be here anymore"},
    ),
    (
        "You're clever for 15, DM me and we can meet up without telling your parents",
        {},
        "safeguarding",
        {"DM me", "meet up", "without telling your parents"},
    ),
    (
        "I volunteer on an IOM3 panel and I have evidence reports were falsified",
        {},
        "disclosure",
        {"I volunteer on", "I have evidence", "falsified"},
    ),
    (
        "Heard at council: the merger is embargoed until Monday",
        {},
        "confidentiality",
        {"Heard at council", "merger", "embargoed"},
    ),
    (
        "As a committee we say: vote Green at the by-election",
        {},
        "political",
        {"vote Green", "by-election", "we say vote"} - {"we say vote"},
    ),
    ("Looking forward to the IoM3 lecture", {}, "brand_name", {"IoM3"}),
    ("Thanks to the I.M3 for the prize", {}, "brand_name", {"I.M3"}),
    (
        "Proud of the IOM3 schools programme. Join IOM3 today!",
        {"channel_kind": "asv_personal"},
        "disclaimer",
        {"Proud", "Join", "IOM3"},
    ),
    (
        "New profile picture with the IOM3 logo",
        {"channel_kind": "public", "logo_approved": False},
        "logo",
        {"profile picture with the IOM3", "logo"},
    ),
    ("Stunning mill at dawn (found on Google) #IOM3", {}, "copyright", {"found on Google"}),
]


@pytest.mark.parametrize(
    ("text", "context", "category", "evidence"),
    FLAGGED,
    ids=[f"{c}-{i}" for i, (_, _, c, _) in enumerate(FLAGGED)],
)
def test_each_category_flags_with_its_words_as_evidence(text, context, category, evidence):
    assessment = assess(text, **context)
    flag = assessment.flag(category)
    assert flag is not None, assessment.scores
    terms = {e.text for e in flag.evidence if e.kind == "term"}
    assert evidence <= terms, terms
    for e in flag.evidence:
        if e.kind == "term":
            assert text[e.start : e.end] == e.text  # spans point at the words in the post
    assert any(e.kind == "figure" and e.text.startswith("sentiment") for e in flag.evidence)
    assert flag.clause == load_config().lexicons.category(category).clause


NOT_FLAGGED = [
    ("No complaints at all, a superbly run IOM3 conference", {}, "complaint"),
    ("Not disappointed in the slightest with the webinar, worth every minute", {}, "complaint"),
    ("Sorry the portal is broken, we're fixing it now", {"channel_kind": "official"}, "complaint"),
    ("Not a scam, just a very good student rate", {}, "defamation"),
    ("They called us a scam in the comments, which is nonsense", {}, "defamation"),
    ("Campaigners claim the firm 'lied to regulators'; it denies wrongdoing", {}, "defamation"),
    (
        "For the record, I don't think anyone on the IOM3 council is corrupt, just badly advised",
        {},
        "defamation",
    ),
    ("I was asked by a journalist and passed it to the Communications team", {}, "press"),
    ("Killing it at the IOM3 quiz tonight, team Dislocations forever", {}, "harassment"),
    ("Our Year 10 pupils loved the IOM3 bridge challenge", {}, "safeguarding"),
    ("Embargo lifted: IOM3's new president announced today!", {}, "confidentiality"),
    ("Skilled labour shortages are the theme of the IOM3 mining lecture", {}, "political"),
    ("Details at https://www.iom3.org/events, mail events@iom3.org, tag @iom3 and #iom3", {}, "brand_name"),
    ("Great IOM3 lecture tonight", {}, "brand_name"),
    ("Join me at the IOM3 lecture. Views are my own.", {"channel_kind": "asv_personal"}, "disclaimer"),
    ("Proud of the IOM3 schools programme. Join IOM3 today!", {"channel_kind": "public"}, "disclaimer"),
    ("New banner with the IOM3 logo", {"channel_kind": "asv_committee", "logo_approved": True}, "logo"),
    ("Design a logo for your company: a branding workshop", {}, "logo"),
    ("Photo credit: IOM3 / Chris Wood, used with permission", {}, "copyright"),
    ("Not my image, credit to the owner", {}, "confidentiality"),
]


@pytest.mark.parametrize(
    ("text", "context", "category"), NOT_FLAGGED, ids=[f"{c}-{i}" for i, (_, _, c) in enumerate(NOT_FLAGGED)]
)
def test_hard_negatives_are_not_flagged(text, context, category):
    assessment = assess(text, **context)
    assert assessment.flag(category) is None, (category, assessment.scores[category])


def test_scores_cover_every_category_and_sentiment():
    assessment = assess("A perfectly ordinary post about the IOM3 lecture")
    assert set(assessment.scores) == {*CATEGORIES, "sentiment"}
    assert all(0.0 <= assessment.scores[c] <= 1.0 for c in CATEGORIES)
    assert -1.0 <= assessment.scores["sentiment"] <= 1.0
    assert assessment.flags == ()


def test_case_punctuation_hashtags_emoji_and_stretched_words():
    assessment = assess("SOOOO DISAPPOINTEDDDD!!! still waiting... #NoReply 😡😡")
    flag = assessment.flag("complaint")
    assert flag is not None
    terms = {e.text for e in flag.evidence if e.kind == "term"}
    assert {"DISAPPOINTEDDDD", "still waiting", "NoReply"} <= terms
    assert assess("#BoycottIOM3 now, it's a #scandal", author_reach=50_000).flag("crisis") is not None


def test_a_phrase_does_not_run_across_punctuation():
    assert (
        assess("Not my image, credit to the owner").flag("copyright") is not None
    )  # "image, credit" is no credit


def test_reported_words_are_evidence_but_weigh_less():
    said = assess("Brackley plc are corrupt and their chair is a liar").scores["defamation"]
    reported = assess("Brackley plc are 'corrupt' and their chair 'a liar', the campaigners claim").scores[
        "defamation"
    ]
    assert reported < said and reported < 0.5 <= said


def test_regulated_period_makes_political_stricter():
    config = load_config()
    period = RegulatedPeriod(name="general election", start=date(2029, 3, 1), end=date(2029, 5, 2))
    scorer = Scorer(config.lexicons, config.monitor.scoring.model_copy(update={"regulated_period": [period]}))
    text = "Interesting to see what the Conservatives say about steel"
    outside = scorer.assess(text, Context(created_at=datetime(2029, 6, 1, tzinfo=UTC)))
    inside = scorer.assess(text, Context(created_at=datetime(2029, 4, 1, tzinfo=UTC)))
    assert outside.flag("political") is None
    flag = inside.flag("political")
    assert flag is not None and any(e.text == "regulated period: general election" for e in flag.evidence)


def test_context_matters_reach_and_iom3_threads():
    low = assess("Returning my medal over this", author_reach=200).scores["crisis"]
    high = assess("Returning my medal over this", author_reach=200_000).scores["crisis"]
    assert high > low
    plain = assess("Still waiting for my refund").scores["complaint"]
    in_thread = assess("Still waiting for my refund", in_iom3_thread=True).scores["complaint"]
    assert in_thread > plain


def test_same_input_same_output_and_a_version_that_names_the_words():
    assert assess("Unacceptable, still waiting") == assess("Unacceptable, still waiting")
    config = load_config()
    edited = config.lexicons.model_copy(
        update={"complaint": config.lexicons.complaint.model_copy(update={"threshold": 0.9})}
    )
    assert Scorer(edited, config.monitor.scoring).version != default_scorer().version
    # The version starts with the shipped model's own hash: retraining changes it.
    assert default_scorer().version.startswith("m" + default_scorer().detectors.digest[:8] + "-")


HASHTAGS = [
    ("#BuildThatWall", ["build", "that", "wall"]),
    ("#refugeesNOTwelcome", ["refugees", "not", "welcome"]),
    ("#BoycottIOM3", ["boycott", "iom3"]),
    ("#BBCNews", ["bbc", "news"]),
    ("#NoReply", ["no", "reply"]),
]


@pytest.mark.parametrize(("tag", "words"), HASHTAGS)
def test_hashtags_are_read_as_their_words(tag, words):
    from monitor.scoring.text import tokenize

    tokens = tokenize(f"so this {tag} again")
    assert tokens.norms[2:-1] == words
    assert [f"so this {tag} again"[a:b].lower() for a, b in tokens.spans[2:-1]] == words


def test_word_forms_of_a_cue_all_count():
    for text in ("the portal crashed again", "the portal keeps crashing", "the portal crashes"):
        assert assess(text).scores["complaint"] > assess("the portal again").scores["complaint"], text


def test_a_very_negative_reply_under_an_iom3_post_is_a_complaint():
    text = "This is the worst, most pathetic excuse I have ever read. Disgusting and shameful."
    assert assess(text, in_iom3_thread=True).flag("complaint") is not None
    assert assess("What a lovely lecture, thank you all", in_iom3_thread=True).flag("complaint") is None


def test_a_learned_flag_names_the_words_that_weighed_most():
    text = "@iom3 been on hold 2 hours and still no refund, fix your booking site"
    flag = assess(text).flag("complaint")
    assert flag is not None
    learned = [e for e in flag.evidence if e.kind == "term"]
    assert learned and all(text[e.start : e.end] == e.text for e in learned)
    assert any(e.kind == "figure" and e.text == "learned detector score" for e in flag.evidence)


def test_a_batch_is_judged_exactly_as_one_post_at_a_time():
    scorer = default_scorer()
    texts = [row[0] for row in FLAGGED + NOT_FLAGGED] + ["", "!!!", "#refugeesNOTwelcome", "ok ok ok"]
    contexts = [Context(**row[1]) for row in FLAGGED + NOT_FLAGGED] + [Context()] * 4
    one_by_one = [scorer.assess(t, c) for t, c in zip(texts, contexts, strict=True)]
    assert scorer.assess_many(texts, contexts) == one_by_one
    assert scorer.assess_many([], []) == []


def test_words_a_negator_governs_are_read_as_negated():
    from monitor.scoring.text import words

    assert words("No complaints at all, a superb conference") == [
        "no", "¬complaints", "¬at", "¬all", ",", "a", "superb", "conference"
    ]  # fmt: skip
    assert words("I wasn't disappointed. Awful queue though")[:3] == ["i", "wasn't", "¬disappointed"]
    assert "awful" in words("I wasn't disappointed. Awful queue though")  # the full stop ends it
