"""Cues read in who posted (lexicons.toml `read = "author"`): a newsroom's invitation to talk is
a press approach; the same words from anyone else are not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.channels import ChannelDirectory
from monitor.models import Mention
from monitor.pipeline import score_pending
from monitor.schema import AssessmentRow
from monitor.scoring import Scorer, assess
from monitor.scoring.lexicon import Lexicon
from monitor.store import save_batch

INVITATION = (
    "Interesting: @iom3 partners with Kestrel weeks after the inquiry report. Anyone at IOM3 want to talk?"
)


@pytest.mark.parametrize(
    ("author", "newsroom"),
    [
        ("GuardianEnv_Jess Jess Holloway", "guardian"),  # camelCase and _ split the handle
        ("tom-reeve-theengineer Tom Reeve", "the engineer"),  # a phrase run together in a handle
        ("sam_p Sam Patel, BBC reporter", "bbc"),  # the display name is read too
    ],
)
def test_an_invitation_from_a_newsroom_is_a_press_approach_with_the_author_as_evidence(author, newsroom):
    flag = assess(INVITATION, platform="x", channel_kind="public", author=author).flag("press")
    assert flag is not None and flag.score >= 0.5
    shown = [e.text for e in flag.evidence]
    assert f"the author's handle or name: {newsroom}" in shown and "want to talk" in shown
    assert all(e.start is None for e in flag.evidence if e.kind == "context")  # not a span of the post


@pytest.mark.parametrize("author", ["metals_mike Mike Jones", "", "GoodTimesBakery Good Times"])
def test_the_same_words_from_anyone_else_are_not(author):
    assert assess(INVITATION, platform="x", channel_kind="public", author=author).flag("press") is None


def test_a_newsroom_posting_without_an_invitation_or_enquiry_is_not_an_approach():
    post = "IOM3 names the winners of its 2026 awards tonight"
    assert assess(post, platform="x", channel_kind="public", author="BBCNews BBC News").scores["press"] == 0.0


def test_iom3s_own_channel_is_never_the_press():
    own = assess(
        INVITATION, platform="x", channel_kind="official", author="IOM3Editor Materials World editor"
    )
    assert own.flag("press") is None


def test_author_cues_are_not_read_in_the_post(config):
    """A newsroom named in the post is the `outlet` group's business, not the author's."""
    lexicon = Lexicon(config.lexicons)
    assert lexicon.author_hits("", {"press"}) == []
    assert lexicon.author_hits("GuardianEnv_Jess", {"complaint"}) == []  # only the categories asked
    hits = assess("Anyone at IOM3 want to talk? Asking for the guardian", platform="x", author="")
    assert all(not e.text.startswith("the author's") for f in hits.flags for e in f.evidence)


def test_the_pipeline_gives_the_scorer_the_handle_and_the_display_name(sessions, config):
    mention = Mention(
        platform="x",
        platform_id="1858000000001876803",
        author_handle="jess_h",
        author_name="Jess Holloway (Guardian)",
        text=INVITATION,
        created_at=datetime(2026, 11, 20, 8, 56, tzinfo=UTC),
    )
    with sessions.begin() as session:
        save_batch(
            session, connector="t", mentions=[mention], cursor=None, directory=ChannelDirectory(config)
        )
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring))
    with sessions() as session:
        flags = session.query(AssessmentRow.flags).scalar()
    assert [f["category"] for f in flags] == ["press"]
