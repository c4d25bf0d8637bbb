"""The crisis detector over time: is a thread surging against the platform's own baseline?

A pile-on is rarely made of posts that each say "scandal"; it is fifty posts in two hours where
a normal two hours brings three. So the question is statistical: if mentions arrived at the
platform's usual rate, how likely would this many in one window be? Counts of independent
arrivals are Poisson, so the p-value is the Poisson upper tail P(X >= observed | expected). A
window is a surge when that is below the configured p-value (0.001: one false alarm in a
thousand quiet windows) and holds at least `min_mentions` posts. The same test runs on negative
mentions alone, against the negative baseline. High-reach authors joining and crisis words
raise the signal's score; they do not make a surge on their own.

Pure functions: counts in, a verdict out. The pipeline gathers the counts (monitor/pipeline.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime


def poisson_upper_tail(observed: int, expected: float) -> float:
    """P(X >= observed) for X ~ Poisson(expected), computed stably in log space."""
    if observed <= 0:
        return 1.0
    expected = max(expected, 1e-9)
    # 1 - P(X <= observed - 1): sum the lower terms when they are few, else the upper ones.
    log_pmf = -expected  # log P(X = 0)
    lower = 0.0
    for k in range(observed):
        if k:
            log_pmf += math.log(expected) - math.log(k)
        lower += math.exp(log_pmf)
    tail = 1.0 - lower
    if tail > 1e-6:
        return max(0.0, min(1.0, tail))
    # Tiny tails lose precision by subtraction: sum the upper terms directly instead.
    log_pmf = -expected + observed * math.log(expected) - math.lgamma(observed + 1)
    total, k = 0.0, observed
    while True:
        term = math.exp(log_pmf)
        total += term
        k += 1
        log_pmf += math.log(expected) - math.log(k)
        if term < total * 1e-12 or k > observed + 10_000:
            return total


@dataclass(frozen=True, slots=True)
class WindowCounts:
    """One thread's busiest window, and the platform's baseline to judge it by."""

    thread_key: str
    window_start: datetime
    window_end: datetime
    mentions: int
    negative: int
    high_reach_authors: int
    crisis_word_posts: int
    baseline_per_window: float  # mean mentions per window on the platform before this one
    baseline_negative_per_window: float


@dataclass(frozen=True, slots=True)
class CrisisSignal:
    thread_key: str
    window_start: datetime
    window_end: datetime
    mentions: int
    expected: float
    p_value: float
    negative: int
    expected_negative: float
    p_value_negative: float
    score: float
    reasons: tuple[str, ...] = field(default=())


def judge(counts: WindowCounts, *, p_threshold: float, min_mentions: int) -> CrisisSignal | None:
    """A CrisisSignal if the window is a surge of mentions or of negative mentions, else None."""
    # Expect at least one mention per window: a quiet platform must not make every post a surge.
    expected = max(counts.baseline_per_window, 1.0)
    expected_negative = max(counts.baseline_negative_per_window, 0.5)
    p_all = poisson_upper_tail(counts.mentions, expected)
    p_negative = poisson_upper_tail(counts.negative, expected_negative)
    surge = counts.mentions >= min_mentions and p_all < p_threshold
    negative_surge = counts.negative >= min_mentions and p_negative < p_threshold
    if not (surge or negative_surge):
        return None
    reasons = []
    if surge:
        reasons.append(
            f"{counts.mentions} mentions in the window where {expected:.1f} are usual (p={p_all:.1e})"
        )
    if negative_surge:
        reasons.append(
            f"{counts.negative} negative mentions where {expected_negative:.1f} are usual "
            f"(p={p_negative:.1e})"
        )
    if counts.high_reach_authors:
        reasons.append(f"{counts.high_reach_authors} high-reach author(s) joined")
    if counts.crisis_word_posts:
        reasons.append(f"{counts.crisis_word_posts} post(s) with crisis words")
    strength = min(1.0, -math.log10(max(min(p_all, p_negative), 1e-300)) / 10)  # p=1e-10 -> 1.0
    score = (
        0.6
        + 0.25 * strength
        + 0.1 * min(1, counts.high_reach_authors)
        + 0.05 * min(1, counts.crisis_word_posts)
    )
    return CrisisSignal(
        thread_key=counts.thread_key,
        window_start=counts.window_start,
        window_end=counts.window_end,
        mentions=counts.mentions,
        expected=round(expected, 3),
        p_value=p_all,
        negative=counts.negative,
        expected_negative=round(expected_negative, 3),
        p_value_negative=p_negative,
        score=round(min(1.0, score), 4),
        reasons=tuple(reasons),
    )


def busiest_window(times: list[datetime], width_seconds: float) -> tuple[int, int]:
    """Indices [i, j) of the window of `width_seconds` holding the most of the sorted `times`."""
    best, best_i, best_j, j = 0, 0, 0, 0
    for i in range(len(times)):
        while j < len(times) and (times[j] - times[i]).total_seconds() <= width_seconds:
            j += 1
        if j - i > best:
            best, best_i, best_j = j - i, i, j
    return best_i, best_j
