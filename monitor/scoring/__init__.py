"""Scoring: text and context in, an `Assessment` out. Pure: no database, no network.

This is the first scorer: VADER sentiment plus complaint cues from config/lexicons.toml.
"""

from __future__ import annotations

from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from monitor.config import LexiconsFile, ScoringSection
from monitor.models import Assessment, ChannelKind, Evidence, Flag
from monitor.scoring.lexicon import TermMatcher

SCORER_VERSION = "first-1"
CATEGORIES = ("complaint",)


@cache
def _vader() -> SentimentIntensityAnalyzer:
    # Loading VADER's lexicon takes ~50 ms; do it once per process.
    return SentimentIntensityAnalyzer()


class Scorer:
    """Compiled once from the configuration, then called for every mention."""

    version = SCORER_VERSION

    def __init__(self, lexicons: LexiconsFile, thresholds: ScoringSection) -> None:
        self._complaint = lexicons.complaint
        self._complaint_terms = TermMatcher(lexicons.complaint.terms)
        self._thresholds = thresholds
        self._vader = _vader()

    def assess(self, text: str, *, channel_kind: ChannelKind | str | None = None) -> Assessment:
        """Score `text`; IOM3's own posts are never complaints against IOM3."""
        sentiment = self._vader.polarity_scores(text)["compound"]
        cues = self._complaint_terms.find(text)
        complaint = 0.0
        if channel_kind != ChannelKind.OFFICIAL:
            complaint = complaint_score(
                len({c.text.lower() for c in cues}), sentiment, self._complaint.weight, asks="?" in text
            )
        flags: list[Flag] = []
        if complaint >= self._thresholds.complaint_threshold:
            figure = Evidence(kind="figure", text="VADER compound sentiment", value=sentiment)
            flags.append(Flag("complaint", complaint, self._complaint.clause, (*cues, figure)))
        return Assessment(
            scorer_version=self.version,
            sentiment=sentiment,
            scores={"complaint": complaint},
            flags=tuple(flags),
        )


def complaint_score(distinct_cues: int, sentiment: float, weight: float, *, asks: bool) -> float:
    """Cues add with diminishing returns; negative tone raises the score, positive lowers it.

    One cue in a clearly negative post crosses the default threshold of 0.5; a cue in a
    positive post ("no complaints, brilliant event") does not; negative tone with no cue stays
    under it, because criticism is not necessarily a complaint to IOM3.
    """
    if distinct_cues == 0 and sentiment > -0.5:
        return 0.0
    cue_part = 1.0 - (1.0 - weight) ** distinct_cues
    tone = 0.35 * -sentiment  # -0.35 .. +0.35
    question = 0.05 if asks and distinct_cues else 0.0
    return round(min(1.0, max(0.0, cue_part + tone + question)), 4)
