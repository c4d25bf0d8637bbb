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
from operator import attrgetter
from pathlib import Path

import numpy as np

from monitor.config import CATEGORIES, Config, LexiconsFile, ScoringSection, load_config
from monitor.models import Assessment, ChannelKind, Evidence, Flag
from monitor.scoring.categories import SCORERS, Context, Cues
from monitor.scoring.lexicon import Hit, Lexicon
from monitor.scoring.model import Batch, Detectors, shipped
from monitor.scoring.sentiment import sentiment
from monitor.scoring.text import Tokens, negation_marked, tokenize

__all__ = ["CATEGORIES", "Context", "Scorer", "assess", "default_scorer"]

LEARNED = ("complaint", "harassment", "discrimination")
_start = attrgetter("start")
_SOURCE = Path(__file__).resolve().parent


@cache
def _source_digest() -> str:
    """A hash of the scoring package's own code: a change of judgement in code changes the version."""
    digest = hashlib.sha256()
    for path in sorted(_SOURCE.glob("*.py")):
        if path.name not in ("train.py", "card.py", "data.py", "evaluation.py"):  # not used to score
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


class Scorer:
    """Compiled once from the configuration, then called for every mention."""

    def __init__(
        self, lexicons: LexiconsFile, scoring: ScoringSection, detectors: Detectors | None = None
    ) -> None:
        self.lexicons = lexicons
        self.detectors = detectors or shipped()
        self.scoring = scoring
        self.lexicon = Lexicon(lexicons)
        self.sentiment = sentiment()
        self._no_scores = dict.fromkeys(CATEGORIES, 0.0)
        self._categories = {name: lexicons.category(name) for name in CATEGORIES}
        self._weights = {
            name: {group: cue.weight for group, cue in lexicons.category(name).cues.items()}
            for name in CATEGORIES
        }
        self._no_cues = {name: Cues({}, self._weights[name]) for name in CATEGORIES}
        # The version names the words, the model and the code (see the module docstring).
        digest = hashlib.sha256(
            (lexicons.model_dump_json() + scoring.model_dump_json() + _source_digest()).encode()
        ).hexdigest()[:8]
        self.version = f"m{self.detectors.digest[:8]}-{digest}"

    def assess(self, text: str, context: Context | None = None, **context_fields: object) -> Assessment:
        """Score `text` in `context` (or build the context from keyword fields)."""
        ctx = context or Context(high_reach_followers=self.scoring.high_reach_followers, **context_fields)
        return self.assess_many([text], [ctx])[0]

    def assess_many(self, texts: Sequence[str], contexts: Sequence[Context]) -> list[Assessment]:
        """`assess` for a batch (the pipeline's chunk): the learned detectors' sums are done for
        the whole batch at once."""
        if not texts:
            return []
        detectors = self.detectors
        known, compound_of = detectors.known, self.sentiment.compound
        # One reading of each post: the lexicons match its tokens, the detectors weigh them, and
        # its words tell whether VADER need be asked at all.
        read = [tokenize(text, known) for text in texts]
        sentiments = [compound_of(text, tokens.norms) for text, tokens in zip(texts, read, strict=True)]
        batch = detectors.score([negation_marked(tokens) for tokens in read])
        compound = np.array(sentiments)
        learned = zip(
            *(detectors.category_scores(c, batch.logits, compound).tolist() for c in LEARNED), strict=True
        )
        return [
            self._judge(text, tokens, ctx, sentiment, dict(zip(LEARNED, scores, strict=True)), batch, i)
            for i, (text, tokens, ctx, sentiment, scores) in enumerate(
                zip(texts, read, contexts, sentiments, learned, strict=True)
            )
        ]

    def _judge(
        self,
        text: str,
        tokens: Tokens,
        ctx: Context,
        sentiment: float,
        learned: dict[str, float],
        batch: Batch,
        post: int,
    ) -> Assessment:
        lexicon = self.lexicon
        personal = ctx.channel_kind == ChannelKind.ASV_PERSONAL
        if lexicon.may_start_a_score(tokens, personal=personal):
            found = lexicon.match(text, tokens, personal=personal)
        else:
            found = lexicon.exact_hits(text)
        by_category: dict[str, dict[str, list[Hit]]] = {}
        order: Sequence[str] = LEARNED  # most posts: no cue, only the learned categories score
        if found and ctx.author:
            found += lexicon.author_hits(ctx.author, {hit.category for hit in found})
        if found:
            started = set(LEARNED)
            for hit in found:
                by_category.setdefault(hit.category, {}).setdefault(hit.group, []).append(hit)
                if (hit.category, hit.group) not in lexicon.modifiers:
                    started.add(hit.category)
            order = [name for name in CATEGORIES if name in started]
        scores = self._no_scores.copy()
        flags: list[Flag] = []
        regulated = self.regulated_period(ctx.created_at) if self.scoring.regulated_period else None
        for name in order:
            hits = by_category.get(name)
            cues = Cues(hits, self._weights[name]) if hits else self._no_cues[name]
            score = SCORERS[name](cues, ctx, sentiment, text, learned.get(name, 0.0))
            scores[name] = score
            category = self._categories[name]
            threshold = category.threshold
            if regulated and category.stricter_threshold is not None:
                threshold = category.stricter_threshold
            if score > 0 and score >= threshold:
                model_terms = self._model_terms(name, text, tokens, batch, post) if name in LEARNED else ()
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
        self, category: str, text: str, tokens: Tokens, batch: Batch, post: int
    ) -> list[Evidence]:
        """The words that pushed the learned score up most, as spans of the post."""
        detectors = self.detectors
        chosen = detectors.evidence(batch, post, detectors.strongest_head(category, batch.logits[post]))
        if not chosen:
            return []
        spans = tokens.first_spans(max(j + n for j, n, _ in chosen))
        found = []
        for j, n, push in chosen:
            start, end = spans[j][0], spans[j + n - 1][1]
            found.append(Evidence("term", text[start:end], start, end, round(push, 3)))
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
        hits = [hit for group in cues.hits.values() for hit in group]
        evidence = [
            Evidence("term" if hit.factor == 1.0 else "reported", hit.term, hit.start, hit.end, hit.factor)
            for hit in hits
            if not hit.in_author
        ]
        if model_terms:
            shown = [(e.start, e.end) for e in evidence]
            for term in model_terms:
                # A word the detector weighed that is not inside a cue already shown.
                if not any(s <= term.start < e for s, e in shown):  # type: ignore[operator]
                    evidence.append(term)
                    shown.append((term.start, term.end))
        if len(evidence) > 1:
            evidence.sort(key=_start)
        if learned is not None:
            evidence.append(Evidence("figure", "learned detector score", None, None, round(learned, 4)))
        evidence.append(Evidence("figure", "sentiment (VADER compound)", None, None, round(sentiment, 4)))
        if ctx.author_reach is not None:
            evidence.append(
                Evidence("figure", "author reach (followers)", None, None, float(ctx.author_reach))
            )
        if ctx.channel_kind:
            evidence.append(Evidence("context", f"posted by: {ctx.channel_kind}"))
        evidence += [
            Evidence("context", f"the author's handle or name: {h.term}") for h in hits if h.in_author
        ]
        if regulated:
            evidence.append(Evidence("context", f"regulated period: {regulated}"))
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
    author: str = "",
) -> Assessment:
    """Score one post with the project's configuration. Same input, same output.

    `author`: the author's handle and display name, for the cues read there (press: a newsroom)."""
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
            author=author,
        ),
    )
