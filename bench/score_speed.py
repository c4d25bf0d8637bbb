"""Scoring speed: mentions per second on one core, VADER alone and the full scorer, same texts.

    python bench/score_speed.py [--repeat 5]

The texts are real and IOM3 posts together: TweetEval's validation posts (../shared/data/dev),
the labelled IOM3 evaluation set and the bundled sample week. Each figure is the best of
`--repeat` timed passes over all of them (the methods' passes interleaved), in this one process
(so one core), timed as the process's CPU time: the cost on one core, which other work on a
shared machine inflates far less than the wall clock. The goal set for the scorer is at most 1.5
times the cost of VADER alone, scoring in batches as the pipeline and score-file do
(`Scorer.assess_many`); one post at a time (`assess`, as `explain` does) is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # one core, before numpy loads

from monitor.scoring import Context, default_scorer  # noqa: E402
from monitor.scoring.evaluation import load_eval_set  # noqa: E402
from monitor.scoring.sentiment import sentiment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "dev"


def sources() -> dict[str, list[str]]:
    sample = ROOT / "monitor" / "sample_data" / "mentions.jsonl"
    found = {
        "IOM3 posts (evaluation set and sample week)": [row["text"] for row in load_eval_set()]
        + [json.loads(line)["text"] for line in sample.read_text(encoding="utf-8").splitlines()],
    }
    tweets = []
    for name in ("offensive", "hate"):
        path = DEV / f"tweeteval-{name}" / "val_text.txt"
        if path.exists():
            tweets += path.read_text(encoding="utf-8").splitlines()
    if tweets:
        found["TweetEval validation tweets"] = tweets
    return found


def texts() -> list[str]:
    return [text for group in sources().values() for text in group]


def best_rate(work: Callable[[str], object], corpus: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for text in corpus:
            work(text)
        best = min(best, time.process_time() - start)
    return len(corpus) / best


def best_batch_rate(scorer, corpus: list[str], context: Context, repeat: int, chunk: int = 1000) -> float:
    """The pipeline's way: `assess_many` over chunks of `chunk` posts."""
    contexts = [context] * len(corpus)
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for i in range(0, len(corpus), chunk):
            scorer.assess_many(corpus[i : i + chunk], contexts[i : i + chunk])
        best = min(best, time.process_time() - start)
    return len(corpus) / best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    vader = sentiment().vader
    scorer = default_scorer()
    context = Context(channel_kind="public")
    groups = {"all of them": texts(), **sources()}
    for text in groups["all of them"][:200]:  # warm caches and the regex engine before timing
        scorer.assess(text, context)
    print(
        f"mentions per second on one core, best of {args.repeat} passes "
        "(goal: the full scorer at most 1.50x VADER alone)"
    )
    for name, corpus in groups.items():
        # Passes interleaved (VADER, batches, one by one, again...): on a shared machine each
        # method then sees the same spells of load, and the best pass of each is compared.
        vader_rate = full_rate = batch_rate = 0.0
        for _ in range(args.repeat):
            vader_rate = max(vader_rate, best_rate(vader.polarity_scores, corpus, 1))
            batch_rate = max(batch_rate, best_batch_rate(scorer, corpus, context, 1))
            full_rate = max(full_rate, best_rate(lambda text: scorer.assess(text, context), corpus, 1))
        print(f"\n{name}: {len(corpus):,} texts")
        print(f"  VADER alone : {vader_rate:>9,.0f} /s ({1e6 / vader_rate:.0f} us each)")
        print(f"  full scorer : {batch_rate:>9,.0f} /s ({1e6 / batch_rate:.0f} us each; in batches)")
        print(f"  one by one  : {full_rate:>9,.0f} /s ({1e6 / full_rate:.0f} us each; as explain)")
        print(
            f"  cost ratio  : {vader_rate / batch_rate:.2f}x VADER alone in batches, "
            f"{vader_rate / full_rate:.2f}x one by one"
        )


if __name__ == "__main__":
    main()
