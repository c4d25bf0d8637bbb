"""Measuring the scorer on labelled posts: precision, recall and F1 per category, and confusions.

Two kinds of labelled posts, never mixed up:
- the IOM3 evaluation set (tests/data/iom3_eval.jsonl), written here: "policy coverage", it shows
  that each rule does what it was written to do, and says nothing about real traffic;
- held-back splits of real posts nobody here wrote (../shared/data/dev): the figures that judge the
  learned detectors, beside VADER alone and alt-profanity-check, and the alert noise.

Used by bench/evaluate.py (which prints the figures), the model card (monitor/scoring/card.py) and
tests/scoring/test_quality.py (which fails when a figure drops below its floor).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from monitor.config import CATEGORIES
from monitor.models import Assessment
from monitor.scoring import Scorer
from monitor.scoring.categories import Context

EVAL_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "iom3_eval.jsonl"


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1


@dataclass
class Report:
    per_category: dict[str, Counts] = field(default_factory=dict)
    # (predicted category, true labels of that post) for every false positive
    false_positive_truths: Counter[tuple[str, str]] = field(default_factory=Counter)
    # (missed category, what was predicted instead) for every false negative
    false_negative_predictions: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)


def load_eval_set(path: Path = EVAL_SET) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(scorer: Scorer, rows: Iterable[dict]) -> Report:
    report = Report(per_category={c: Counts() for c in CATEGORIES})
    for row in rows:
        context = Context(high_reach_followers=scorer.scoring.high_reach_followers, **row.get("context", {}))
        assessment = scorer.assess(row["text"], context)
        predicted = {f.category for f in assessment.flags}
        truth = set(row["labels"])
        for category in CATEGORIES:
            report.per_category[category].add(category in truth, category in predicted)
        for category in predicted - truth:
            report.false_positive_truths[(category, ",".join(sorted(truth)) or "none")] += 1
            report.examples.setdefault(f"FP {category}", []).append(row["text"])
        for category in truth - predicted:
            report.false_negative_predictions[(category, ",".join(sorted(predicted)) or "none")] += 1
            report.examples.setdefault(f"FN {category}", []).append(row["text"])
    return report


# --- Held-back splits of the real development posts (../shared/data/dev) ---------------------


@dataclass
class Measured:
    """One method on one data set: counts at its operating point and the ranking quality."""

    counts: Counts
    macro_f1: float
    roc_auc: float
    note: str = ""


def macro_f1(counts: Counts) -> float:
    """Mean of the positive class's F1 and the negative class's F1 (TweetEval's official metric)."""
    negative = Counts(tp=counts.tn, fp=counts.fn, fn=counts.fp, tn=counts.tp)
    return (counts.f1 + negative.f1) / 2


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """The chance that a random positive outranks a random negative (ties count half)."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    order = s.argsort(kind="mergesort")
    ranks = np.empty(len(s))
    sorted_scores = s[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return float("nan")
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def measure(
    scores: Sequence[float], labels: Sequence[bool], predicted: Sequence[bool], note: str = ""
) -> Measured:
    counts = Counts()
    for truth, said in zip(labels, predicted, strict=True):
        counts.add(bool(truth), bool(said))
    return Measured(counts, macro_f1(counts), roc_auc(scores, labels), note)


def best_cutoff(scores: Sequence[float], labels: Sequence[bool], *, macro: bool) -> float:
    """The cut-off (flag at or above) with the best F1, or macro-F1, on these (validation) posts."""
    s = np.asarray(scores, dtype=float)
    best = (-1.0, 0.0)
    for cut in np.unique(np.quantile(s, np.linspace(0.01, 0.99, 99))):
        m = measure(s, labels, s >= cut)
        value = m.macro_f1 if macro else m.counts.f1
        if value > best[0]:
            best = (value, float(cut))
    return best[1]


@dataclass
class HeldBack:
    """Every figure the model card and bench/evaluate.py report."""

    results: dict[str, dict[str, Measured]]  # data set -> method -> figures
    noise: dict[str, float]  # category (and "any") -> alerts (emailed flags) per 1,000 ordinary posts
    review_noise: dict[str, float]  # the same for every flag, the review level included
    hateval_noise: dict[str, float]  # alerts per 1,000 HatEval "not hateful" posts (see held_back)
    ordinary: int
    ordinary_sources: dict[str, int]
    sizes: dict[str, tuple[int, int]]  # data set -> (posts, positives)


DATASETS = {
    "complaint": ("airline negative vs rest (airline test split), as `complaint`", "complaint"),
    "offensive": ("TweetEval offensive (official validation file), as `harassment`", "harassment"),
    "hate": ("TweetEval hate (official validation file), as `discrimination`", "discrimination"),
}


def held_back(scorer: Scorer, dev: Path | None = None, *, baselines: bool = True) -> HeldBack:
    """The scorer (and, if asked, VADER alone and alt-profanity-check) on the held-back splits.

    Baselines get their best chance: each one's cut-off is the best F1 (macro-F1 for TweetEval) on
    the matching validation split, never on the posts reported.
    """
    from monitor.scoring import data

    dev = dev or data.DEV
    posts = {
        "complaint": data.airline(dev),
        "offensive": data.tweeteval("offensive", dev),
        "hate": data.tweeteval("hate", dev),
    }
    vader = scorer.sentiment.vader
    profanity = _profanity_check() if baselines else None
    results: dict[str, dict[str, Measured]] = {}
    sizes: dict[str, tuple[int, int]] = {}
    context = Context(channel_kind="public", high_reach_followers=scorer.scoring.high_reach_followers)
    assessed: dict[int, Assessment] = {}
    for name, all_posts in posts.items():
        category = DATASETS[name][1]
        test = [p for p in all_posts if p.split == "test"]
        val = [p for p in all_posts if p.split == "val"]
        labels = [p.label for p in test]
        sizes[name] = (len(test), sum(labels))
        ours_scores, ours_flags = [], []
        for p, a in zip(test, scorer.assess_many([p.text for p in test], [context] * len(test)), strict=True):
            assessed[id(p)] = a
            ours_scores.append(a.scores[category])
            ours_flags.append(a.flag(category) is not None)
        alert_at = scorer.lexicons.category(category).alert_at()
        methods = {
            "monitor scorer": measure(ours_scores, labels, ours_flags),
            "monitor scorer, alert level": measure(
                ours_scores, labels, [s >= alert_at for s in ours_scores], f"score >= {alert_at:.2f}"
            ),
        }
        if baselines:
            macro = name != "complaint"
            val_labels = [p.label for p in val]
            negativity = [-vader.polarity_scores(p.text)["compound"] for p in val]
            cut = best_cutoff(negativity, val_labels, macro=macro)
            test_negativity = [-vader.polarity_scores(p.text)["compound"] for p in test]
            methods["VADER alone"] = measure(
                test_negativity, labels, [s >= cut for s in test_negativity], f"compound <= {-cut:.2f}"
            )
            if profanity is not None:
                cut = best_cutoff(list(profanity([p.text for p in val])), val_labels, macro=macro)
                test_prob = list(profanity([p.text for p in test]))
                methods["alt-profanity-check"] = measure(
                    test_prob, labels, [s >= cut for s in test_prob], f"probability >= {cut:.2f}"
                )
        results[name] = methods
    # Ordinary posts: held back and labelled neither complaint nor offensive. HatEval's "not
    # hateful" posts are not among them (they were never labelled for offensiveness, and many are
    # abuse aimed at no immigrant and no woman); their alert rate is reported on its own.
    ordinary_sets = {
        "airline test, positive": [
            p for p in posts["complaint"] if p.split == "test" and p.detail == "positive"
        ],
        "TweetEval offensive val, not offensive": [
            p for p in posts["offensive"] if p.split == "test" and not p.label
        ],
    }
    # An alert is what the routing table emails (config/routing.toml with each category's alert
    # threshold), exactly as alerts/incident_filing.py decides it for a public post.
    from alerts.routing import route
    from monitor.config import load_config

    routing = load_config().routing
    alert_at = {c: scorer.lexicons.category(c).alert_at() for c in CATEGORIES}

    def emailed(a: Assessment) -> set[str]:
        decisions = route(a, routing, channel_kind=context.channel_kind, alert_at=alert_at)
        return {d.category for d in decisions if d.emails}

    def rates(group: list, *, alerts_only: bool) -> dict[str, float]:
        found: Counter[str] = Counter()
        for p in group:
            a = assessed.get(id(p)) or scorer.assess(p.text, context)
            categories = emailed(a) if alerts_only else {f.category for f in a.flags}
            found.update(categories)
            found["any"] += bool(categories)
        return {c: 1000 * found[c] / max(len(group), 1) for c in (*CATEGORIES, "any")}

    ordinary = [p for group in ordinary_sets.values() for p in group]
    not_hateful = [p for p in posts["hate"] if p.split == "test" and not p.label]
    return HeldBack(
        results,
        rates(ordinary, alerts_only=True),
        rates(ordinary, alerts_only=False),
        rates(not_hateful, alerts_only=True),
        len(ordinary),
        {k: len(v) for k, v in ordinary_sets.items()},
        sizes,
    )


def _profanity_check():
    try:
        from profanity_check import predict_prob
    except ImportError:
        return None
    return predict_prob
