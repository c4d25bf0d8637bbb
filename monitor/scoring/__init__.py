"""Scoring: text and context in, an `Assessment` out. Pure: no database, no network, no clock.

The stable entry point is `assess`:

    from monitor.scoring import assess
    a = assess("@iom3 still no reply to my complaint", platform="x", channel_kind="public")
    a.scores["complaint"]      # 0.0 .. 1.0, for every category in CATEGORIES
    a.scores["sentiment"]      # VADER compound, -1 .. 1
    a.flags                    # the categories at or over their threshold, with evidence

`assess` uses the project's config/lexicons.toml, compiled once, and the shipped learned
detectors (monitor/scoring/model/, loaded once). A `Scorer` built from another configuration does
the same with that one (the pipeline builds one per pass).

The scorer's version is a hash of what decides its judgement: the configuration, the shipped
model's files and this package's source. Retraining, a lexicon edit or a code change each give
a new version, and `run_monitor.py rescore` finds every assessment made under another one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from monitor.config import CATEGORIES, Config, LexiconsFile, ScoringSection, load_config
from monitor.models import Assessment, ChannelKind, Evidence, Flag
from monitor.scoring.categories import SCORERS, Context, Cues
from monitor.scoring.lexicon import Hit, Lexicon
from monitor.scoring.model import Detectors, find_span, shipped
from monitor.scoring.text import tokenize

__all__ = ["CATEGORIES", "Context", "Scorer", "assess", "default_scorer"]

LEARNED = ("complaint", "harassment")
_SOURCE = Path(__file__).resolve().parent


@cache
def _source_digest() -> str:
    """A hash of the scoring package's own code: a change of judgement in code changes the version."""
    digest = hashlib.sha256()
    for path in sorted(_SOURCE.glob("*.py")):
        if path.name not in ("train.py", "card.py", "data.py", "evaluation.py"):  # not used to score
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@cache
def _vader() -> SentimentIntensityAnalyzer:
    # Loading VADER's lexicon takes ~50 ms; do it once per process.
    return SentimentIntensityAnalyzer()


class Scorer:
    """Compiled once from the configuration, then called for every mention."""

    def __init__(
        self, lexicons: LexiconsFile, scoring: ScoringSection, detectors: Detectors | None = None
    ) -> None:
        self.lexicons = lexicons
        self.detectors = detectors or shipped()
        self.scoring = scoring
        self.lexicon = Lexicon(lexicons)
        self._vader = _vader()
        self._order = CATEGORIES
        self._categories = {name: lexicons.category(name) for name in CATEGORIES}
        self._weights = {
            name: {group: cue.weight for group, cue in lexicons.category(name).cues.items()}
            for name in CATEGORIES
        }
        # The version names the words, the model and the code (see the module docstring).
        digest = hashlib.sha256(
            (lexicons.model_dump_json() + scoring.model_dump_json() + _source_digest()).encode()
        ).hexdigest()[:8]
        self.version = f"m{self.detectors.digest[:8]}-{digest}"

    def assess(self, text: str, context: Context | None = None, **context_fields: object) -> Assessment:
        """Score `text` in `context` (or build the context from keyword fields)."""
        ctx = context or Context(high_reach_followers=self.scoring.high_reach_followers, **context_fields)
        sentiment = self._vader.polarity_scores(text)["compound"]
        words = self.detectors.tokens(text)
        return self._judge(text, ctx, sentiment, words, self.detectors.logits(words))

    def assess_many(self, texts: Sequence[str], contexts: Sequence[Context]) -> list[Assessment]:
        """`assess` for a batch (the pipeline's chunk): the same judgements, the learned
        detectors' sums done for the whole batch at once."""
        polarity, tokens = self._vader.polarity_scores, self.detectors.tokens
        sentiments = [polarity(text)["compound"] for text in texts]
        words = [tokens(text) for text in texts]
        if not texts:
            return []
        detectors = self.detectors
        matrix = detectors.logits_many(words)
        compound = np.array(sentiments)
        learned = list(
            zip(*(detectors.category_scores(c, matrix, compound).tolist() for c in LEARNED), strict=True)
        )
        return [
            self._judge(text, ctx, sentiment, w, tuple(row), dict(zip(LEARNED, scores, strict=True)))
            for text, ctx, sentiment, w, row, scores in zip(
                texts, contexts, sentiments, words, matrix.tolist(), learned, strict=True
            )
        ]

    def _judge(
        self,
        text: str,
        ctx: Context,
        sentiment: float,
        words: list[str],
        logits: tuple[float, ...],
        learned: dict[str, float] | None = None,
    ) -> Assessment:
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
        # The learned categories score every post; the others need a cue to score at all.
        started.update(LEARNED)
        if learned is None:
            detectors = self.detectors
            learned = {c: detectors.category_score(c, logits, sentiment) for c in LEARNED}
        scores: dict[str, float] = dict.fromkeys(CATEGORIES, 0.0)
        flags: list[Flag] = []
        regulated = self.regulated_period(ctx.created_at) if self.scoring.regulated_period else None
        for name in self._order:
            if name not in started:
                continue
            cues = Cues(by_category.get(name, {}), self._weights[name])
            score = SCORERS[name](cues, ctx, sentiment, text, learned.get(name, 0.0))
            scores[name] = score
            category = self._categories[name]
            threshold = category.threshold
            if regulated and category.stricter_threshold is not None:
                threshold = category.stricter_threshold
            if score > 0 and score >= threshold:
                model_terms = self._model_terms(name, text, words, logits) if name in LEARNED else ()
                flags.append(
                    Flag(
                        name,
                        score,
                        category.clause,
                        self._evidence(cues, ctx, sentiment, regulated, model_terms, learned.get(name)),
                    )
                )
        scores["sentiment"] = sentiment
        return Assessment(scorer_version=self.version, sentiment=sentiment, scores=scores, flags=tuple(flags))

    def _model_terms(
        self, category: str, text: str, words: list[str], logits: tuple[float, ...]
    ) -> list[Evidence]:
        """The words that pushed the learned score up most, as spans of the post where found."""
        head = self.detectors.strongest_head(category, logits)
        found = []
        for term, push in self.detectors.evidence(head, words):
            span = find_span(text, term)
            if span is not None:
                found.append(Evidence("term", text[span[0] : span[1]], span[0], span[1], round(push, 3)))
        return found

    def regulated_period(self, moment: datetime | None) -> str | None:
        if moment is None:
            return None
        day = moment.date()
        return next((p.name for p in self.scoring.regulated_period if p.start <= day <= p.end), None)

    def _evidence(
        self,
        cues: Cues,
        ctx: Context,
        sentiment: float,
        regulated: str | None,
        model_terms: list[Evidence] | tuple[()] = (),
        learned: float | None = None,
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
        seen = {(e.start, e.end) for e in evidence}
        for term in model_terms:
            # A word the detector weighed that is not inside a cue already shown.
            if not any(s is not None and e is not None and s <= (term.start or 0) < e for s, e in seen):
                evidence.append(term)
                seen.add((term.start, term.end))
        evidence.sort(key=lambda e: e.start or 0)
        if learned is not None:
            evidence.append(Evidence(kind="figure", text="learned detector score", value=round(learned, 4)))
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
