"""Scoring: text and context in, an `Assessment` out. Pure: no database, no network, no clock.

The stable entry point is `assess`:

    from monitor.scoring import assess
    a = assess("@iom3 still no reply to my complaint", platform="x", channel_kind="public")
    a.scores["complaint"]      # 0.0 .. 1.0, for every category in CATEGORIES
    a.scores["sentiment"]      # VADER compound, -1 .. 1
    a.flags                    # the categories at or over their threshold, with evidence

`assess` uses the project's config/lexicons.toml, compiled once. A `Scorer` built from another
configuration does the same with that one (the pipeline builds one per pass).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from monitor.config import CATEGORIES, Config, LexiconsFile, ScoringSection, load_config
from monitor.models import Assessment, ChannelKind, Evidence, Flag
from monitor.scoring.categories import SCORERS, Context, Cues
from monitor.scoring.lexicon import Hit, Lexicon
from monitor.scoring.text import tokenize

__all__ = ["CATEGORIES", "Context", "Scorer", "assess", "default_scorer"]

SCORER_GENERATION = "2"  # bump when the code's judgement changes; the lexicon hash covers the words


@cache
def _vader() -> SentimentIntensityAnalyzer:
    # Loading VADER's lexicon takes ~50 ms; do it once per process.
    return SentimentIntensityAnalyzer()


class Scorer:
    """Compiled once from the configuration, then called for every mention."""

    def __init__(self, lexicons: LexiconsFile, scoring: ScoringSection) -> None:
        self.lexicons = lexicons
        self.scoring = scoring
        self.lexicon = Lexicon(lexicons)
        self._vader = _vader()
        self._order = CATEGORIES
        self._weights = {
            name: {group: cue.weight for group, cue in lexicons.category(name).cues.items()}
            for name in CATEGORIES
        }
        # The version names the code and the exact words: re-scoring after a lexicon edit is
        # `run_monitor.py rescore`, which finds every assessment made under another version.
        digest = hashlib.sha256(
            (lexicons.model_dump_json() + scoring.model_dump_json()).encode()
        ).hexdigest()[:10]
        self.version = f"v{SCORER_GENERATION}-{digest}"

    def assess(self, text: str, context: Context | None = None, **context_fields: object) -> Assessment:
        """Score `text` in `context` (or build the context from keyword fields)."""
        ctx = context or Context(high_reach_followers=self.scoring.high_reach_followers, **context_fields)
        sentiment = self._vader.polarity_scores(text)["compound"]
        lexicon = self.lexicon
        tokens = tokenize(text)
        personal = ctx.channel_kind == ChannelKind.ASV_PERSONAL
        if lexicon.may_start_a_score(tokens, personal=personal):
            found = lexicon.match(text, tokens, personal=personal)
        else:
            found = lexicon.exact_hits(text)
        by_category: dict[str, dict[str, list[Hit]]] = {}
        started: set[str] = set()
        for hit in found:
            by_category.setdefault(hit.category, {}).setdefault(hit.group, []).append(hit)
            if (hit.category, hit.group) not in lexicon.modifiers:
                started.add(hit.category)
        # Every category but complaint needs a cue to score at all (complaint also reads a very
        # negative tone): start from zeros and score only what has started.
        scores: dict[str, float] = dict.fromkeys(CATEGORIES, 0.0)
        if sentiment <= -0.5:
            started.add("complaint")
        flags: list[Flag] = []
        regulated = self.regulated_period(ctx.created_at) if self.scoring.regulated_period else None
        for name in self._order:
            if name not in started:
                continue
            cues = Cues(by_category.get(name, {}), self._weights[name])
            score = SCORERS[name](cues, ctx, sentiment, text)
            scores[name] = score
            category = self.lexicons.category(name)
            threshold = category.threshold
            if regulated and category.stricter_threshold is not None:
                threshold = category.stricter_threshold
            if score > 0 and score >= threshold:
                flags.append(
                    Flag(name, score, category.clause, self._evidence(cues, ctx, sentiment, regulated))
                )
        scores["sentiment"] = sentiment
        return Assessment(scorer_version=self.version, sentiment=sentiment, scores=scores, flags=tuple(flags))

    def regulated_period(self, moment: datetime | None) -> str | None:
        if moment is None:
            return None
        day = moment.date()
        return next((p.name for p in self.scoring.regulated_period if p.start <= day <= p.end), None)

    def _evidence(
        self, cues: Cues, ctx: Context, sentiment: float, regulated: str | None
    ) -> tuple[Evidence, ...]:
        evidence = [
            Evidence(
                kind="term" if hit.factor == 1.0 else "reported",
                text=hit.term,
                start=hit.start,
                end=hit.end,
                value=hit.factor,
            )
            for group in cues.hits.values()
            for hit in group
        ]
        evidence.sort(key=lambda e: e.start or 0)
        evidence.append(Evidence(kind="figure", text="sentiment (VADER compound)", value=round(sentiment, 4)))
        if ctx.author_reach is not None:
            evidence.append(
                Evidence(kind="figure", text="author reach (followers)", value=float(ctx.author_reach))
            )
        if ctx.channel_kind:
            evidence.append(Evidence(kind="context", text=f"posted by: {ctx.channel_kind}"))
        if regulated:
            evidence.append(Evidence(kind="context", text=f"regulated period: {regulated}"))
        return tuple(evidence)


@cache
def default_scorer() -> Scorer:
    config: Config = load_config()
    return Scorer(config.lexicons, config.monitor.scoring)


def assess(
    text: str,
    *,
    platform: str | None = None,
    channel_kind: ChannelKind | str | None = None,
    author_reach: int | None = None,
    in_iom3_thread: bool = False,
    logo_approved: bool | None = None,
    created_at: datetime | None = None,
) -> Assessment:
    """Score one post with the project's configuration. Same input, same output."""
    scorer = default_scorer()
    return scorer.assess(
        text,
        Context(
            platform=platform,
            channel_kind=str(channel_kind) if channel_kind else None,
            author_reach=author_reach,
            in_iom3_thread=in_iom3_thread,
            logo_approved=logo_approved,
            created_at=created_at,
            high_reach_followers=scorer.scoring.high_reach_followers,
        ),
    )
