"""The scorer's measured quality must not slip below the floors set from bench/evaluate.py.

Floors were set from the figures measured when the scorer landed (printed by bench/evaluate.py,
reported in the closing note), a little below each so that noise in a lexicon edit does not fail
the build but a real loss does. Raise a floor when the scorer gets better; never lower one to
make a change pass without saying why in the commit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.scoring import Context, default_scorer
from monitor.scoring.evaluation import Counts, evaluate, load_eval_set

# measured F1 on tests/data/iom3_eval.jsonl at landing -> floor
F1_FLOORS = {
    "complaint": 0.80,  # measured 0.85
    "crisis": 0.80,  # 0.88
    "defamation": 0.90,  # 0.98
    "press": 0.90,  # 0.96
    "harassment": 0.90,  # 0.95
    "safeguarding": 0.95,  # 1.00
    "disclosure": 0.95,  # 1.00
    "confidentiality": 0.90,  # 0.97
    "political": 0.90,  # 0.95
    "brand_name": 0.90,  # 0.98
    "disclaimer": 0.95,  # 1.00
    "logo": 0.80,  # 0.89
    "copyright": 0.90,  # 0.97
}
# TweetEval validation F1 of the harassment flag at landing: offensive 0.53, hate 0.58
TWEETEVAL_FLOORS = {"offensive": 0.50, "hate": 0.55}
DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"


@pytest.fixture(scope="module")
def report():
    return evaluate(default_scorer(), load_eval_set())


def test_the_evaluation_set_is_large_and_covers_every_category():
    rows = load_eval_set()
    assert len(rows) >= 600
    positives = {c: sum(c in r["labels"] for r in rows) for c in F1_FLOORS}
    assert min(positives.values()) >= 15, positives
    assert sum(not r["labels"] for r in rows) >= 200  # hard negatives and chatter


@pytest.mark.parametrize("category", sorted(F1_FLOORS))
def test_category_f1_stays_above_its_floor(report, category):
    counts = report.per_category[category]
    assert counts.f1 >= F1_FLOORS[category], (
        f"{category}: F1 {counts.f1:.2f} (P {counts.precision:.2f}, R {counts.recall:.2f}) is below "
        f"its floor {F1_FLOORS[category]}; run bench/evaluate.py to see the mistakes"
    )


@pytest.mark.parametrize("name", sorted(TWEETEVAL_FLOORS))
def test_harassment_on_real_posts_stays_above_its_floor(name):
    folder = DEV / f"tweeteval-{name}"
    if not folder.exists():
        pytest.skip(f"{folder} is not here (it comes with ../shared); the IOM3-set floors still apply")
    texts = (folder / "val_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (folder / "val_labels.txt").read_text(encoding="utf-8").splitlines()
    scorer = default_scorer()
    counts = Counts()
    for text, label in zip(texts, labels, strict=True):
        counts.add(
            label.strip() == "1",
            scorer.assess(text, Context(channel_kind="public")).flag("harassment") is not None,
        )
    assert counts.f1 >= TWEETEVAL_FLOORS[name], f"{name}: F1 {counts.f1:.2f}"
