"""The scorer's measured quality must not slip below floors set from bench/evaluate.py.

Two kinds of floor. The ones that judge the learned detectors come from held-back splits of real
posts nobody here wrote (../shared/data/dev, splits in monitor/scoring/data.py): nothing was
fitted or chosen on them. The policy-coverage floors come from the IOM3 evaluation set, written
here with the lexicons: they show each rule does what it was written to do, not that it works on
real traffic. Each floor sits a little below the figure measured when it was set (in the
comment); raise one when the scorer gets better, never lower one without saying why in the commit.
"""

from __future__ import annotations

import pytest

from monitor.scoring import data, default_scorer
from monitor.scoring.evaluation import evaluate, held_back, load_eval_set

# Policy coverage: F1 on tests/data/iom3_eval.jsonl -> floor (measured in the comment)
COVERAGE_FLOORS = {
    "crisis": 0.80,  # 0.88
    "defamation": 0.90,  # 0.98
    "press": 0.90,  # 0.96
    "safeguarding": 0.95,  # 1.00
    "disclosure": 0.95,  # 1.00
    "confidentiality": 0.90,  # 0.97
    "political": 0.90,  # 0.95
    "brand_name": 0.90,  # 0.98
    "disclaimer": 0.95,  # 1.00
    "logo": 0.80,  # 0.89
    "copyright": 0.90,  # 0.97
}


@pytest.fixture(scope="module")
def coverage():
    return evaluate(default_scorer(), load_eval_set())


@pytest.fixture(scope="module")
def real():
    if reason := data.available():
        pytest.skip(reason)
    return held_back(default_scorer(), baselines=False)


def test_the_evaluation_set_is_large_and_covers_every_category():
    rows = load_eval_set()
    assert len(rows) >= 600
    positives = {c: sum(c in r["labels"] for r in rows) for c in COVERAGE_FLOORS}
    assert min(positives.values()) >= 15, positives
    assert sum(not r["labels"] for r in rows) >= 200  # hard negatives and chatter


@pytest.mark.parametrize("category", sorted(COVERAGE_FLOORS))
def test_policy_coverage_stays_above_its_floor(coverage, category):
    counts = coverage.per_category[category]
    assert counts.f1 >= COVERAGE_FLOORS[category], (
        f"{category}: F1 {counts.f1:.2f} (P {counts.precision:.2f}, R {counts.recall:.2f}) is below "
        f"its floor {COVERAGE_FLOORS[category]}; run bench/evaluate.py to see the mistakes"
    )


def test_complaints_on_held_back_real_posts(real):
    m = real.results["complaint"]["monitor scorer"]
    assert m.counts.precision >= 0.84, m  # measured 0.860
    assert m.counts.f1 >= 0.84, m  # measured 0.850
    assert m.roc_auc >= 0.88, m  # 0.896
    alert = real.results["complaint"]["monitor scorer, alert level"]
    assert alert.counts.precision >= 0.92, alert  # measured 0.953: an emailed complaint is right


# TweetEval's official metric; measured 0.732 (harassment on OLID) and 0.705 (discrimination on
# HatEval), each above VADER alone and alt-profanity-check on the same posts (bench/evaluate.py).
@pytest.mark.parametrize(("name", "floor"), [("offensive", 0.71), ("hate", 0.69)])
def test_harassment_and_discrimination_macro_f1_on_tweeteval_validation(real, name, floor):
    m = real.results[name]["monitor scorer"]
    assert m.macro_f1 >= floor, m


def test_alert_noise_on_ordinary_real_posts(real):
    assert real.ordinary >= 1300
    # The goal itself: at most 10 emailed alerts per 1,000 ordinary posts in every category.
    assert max(v for c, v in real.noise.items() if c != "any") <= 10, real.noise
    assert real.noise["any"] <= 35, real.noise  # measured 28.1
    # Review flags (digest only) are many more: the cost of a review level that finds most.
    assert real.review_noise["complaint"] > real.noise["complaint"], real.review_noise
