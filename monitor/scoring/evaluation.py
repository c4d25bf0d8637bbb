"""Measuring the scorer on labelled posts: precision, recall and F1 per category, and confusions.

Used by bench/evaluate.py (which prints the figures) and tests/test_scoring_quality.py (which
fails when a category drops below its floor).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from monitor.config import CATEGORIES
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
