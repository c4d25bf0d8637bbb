"""The crisis detector: a sound surge test, and on the sample week the pile-on and nothing else."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from connectors.replay import SAMPLE_PATH, ReplayConnector, Settings
from monitor.channels import ChannelDirectory
from monitor.crisis_watch import detect_crises
from monitor.pipeline import ingest, score_pending
from monitor.schema import CrisisSignalRow
from monitor.scoring import Scorer
from monitor.scoring.crisis import WindowCounts, busiest_window, judge, poisson_upper_tail

T0 = datetime(2026, 11, 20, 8, tzinfo=UTC)


def _exact_tail(k: int, lam: float) -> float:
    return 1.0 - sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(k))


@pytest.mark.parametrize(("k", "lam"), [(0, 2.0), (1, 2.0), (3, 2.0), (8, 2.0), (15, 4.5), (5, 0.5)])
def test_poisson_tail_matches_the_textbook_sum(k, lam):
    assert poisson_upper_tail(k, lam) == pytest.approx(_exact_tail(k, lam), rel=1e-9, abs=1e-12)


def test_poisson_tail_stays_accurate_far_out():
    # P(X >= 40 | 2) is about 8e-36: subtracting from 1 would give 0; the direct sum does not.
    tail = poisson_upper_tail(40, 2.0)
    first_term = math.exp(-2.0 + 40 * math.log(2.0) - math.lgamma(41))
    assert first_term <= tail <= first_term * 1.1


def _counts(
    mentions: int, baseline: float, negative: int = 0, negative_baseline: float = 0.5
) -> WindowCounts:
    return WindowCounts(
        "x:1", T0, T0 + timedelta(hours=2), mentions, negative, 0, 0, baseline, negative_baseline
    )


def test_a_surge_against_a_quiet_baseline_is_a_crisis():
    signal = judge(_counts(26, 2.0), p_threshold=0.001, min_mentions=8)
    assert signal is not None and signal.p_value < 1e-15
    assert signal.reasons[0].startswith("26 mentions in the window where 2.0 are usual")


def test_the_same_count_on_a_busy_platform_is_not():
    assert judge(_counts(26, 25.0), p_threshold=0.001, min_mentions=8) is None


def test_few_mentions_never_make_a_crisis_however_unlikely():
    assert judge(_counts(6, 0.1), p_threshold=0.001, min_mentions=8) is None


def test_a_negative_surge_alone_is_enough():
    signal = judge(_counts(12, 10.0, negative=11, negative_baseline=1.0), p_threshold=0.001, min_mentions=8)
    assert signal is not None and "11 negative mentions" in signal.reasons[0]


def test_busiest_window():
    times = [T0 + timedelta(minutes=m) for m in (0, 300, 301, 302, 350, 900)]
    assert busiest_window(times, 3600) == (1, 5)


def test_on_the_sample_week_the_pile_on_is_the_only_crisis(sessions, config):
    ingest(
        sessions,
        ReplayConnector(Settings(path=str(SAMPLE_PATH)), config.watch_list()),
        ChannelDirectory(config),
    )
    score_pending(sessions, config, Scorer(config.lexicons, config.monitor.scoring))
    signals = detect_crises(sessions, config, touched_since=T0 - timedelta(days=3650), now=T0)
    assert [s.thread_key for s in signals] == ["x:1858000000000055433"]  # the sponsorship post's thread
    (signal,) = signals
    assert signal.mentions >= 20 and signal.expected < 5 and signal.p_value < 1e-10
    assert signal.window_start.date() == datetime(2026, 11, 20).date()  # noqa: DTZ001 - a date, no time
    assert any("high-reach" in r for r in signal.reasons)
    # Detecting again stores nothing new.
    detect_crises(sessions, config, touched_since=T0 - timedelta(days=3650), now=T0)
    with sessions() as session:
        assert len(session.scalars(select(CrisisSignalRow)).all()) == 1
