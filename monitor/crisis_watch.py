"""Gathering the counts the crisis detector judges: the I/O half of monitor/scoring/crisis.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Config
from monitor.schema import AssessmentRow, CrisisSignalRow, MentionRow
from monitor.scoring.crisis import CrisisSignal, WindowCounts, busiest_window, judge


def detect_crises(
    sessions: sessionmaker[Session], config: Config, *, touched_since: datetime, now: datetime
) -> list[CrisisSignal]:
    """Judge every thread that received mentions since `touched_since`; store the surges."""
    settings = config.monitor.scoring.crisis_window
    negative_at = config.monitor.scoring.negative_sentiment
    width = timedelta(minutes=settings.window_minutes)
    signals: list[CrisisSignal] = []
    with sessions.begin() as session:
        touched = (
            select(MentionRow.platform, MentionRow.thread_id)
            .where(MentionRow.ingested_at >= touched_since, MentionRow.thread_id.is_not(None))
            .distinct()
        )
        candidates = session.execute(
            select(MentionRow.platform, MentionRow.thread_id)
            .where(
                tuple_(MentionRow.platform, MentionRow.thread_id).in_(touched),
                MentionRow.is_official.is_(False),
            )
            .group_by(MentionRow.platform, MentionRow.thread_id)
            .having(func.count() >= settings.min_mentions)
        ).all()
        for platform, thread in candidates:
            counts = _window_counts(
                session,
                platform,
                thread,
                width,
                settings.baseline_days,
                negative_at,
                settings.high_reach_followers,
            )
            signal = judge(counts, p_threshold=settings.p_value, min_mentions=settings.min_mentions)
            if signal is not None:
                _store(session, signal, now)
                signals.append(signal)
    return signals


def _window_counts(
    session: Session,
    platform: str,
    thread: str,
    width: timedelta,
    baseline_days: int,
    negative_at: float,
    high_reach: int,
) -> WindowCounts:
    sentiment = (
        select(AssessmentRow.sentiment)
        .where(AssessmentRow.mention_id == MentionRow.id)
        .order_by(AssessmentRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    crisis_flag = (
        select(AssessmentRow.scores["crisis"].as_float())
        .where(AssessmentRow.mention_id == MentionRow.id)
        .order_by(AssessmentRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(MentionRow.created_at, MentionRow.author_reach, sentiment, crisis_flag)
        .where(
            MentionRow.platform == platform, MentionRow.thread_id == thread, MentionRow.is_official.is_(False)
        )
        .order_by(MentionRow.created_at)
    ).all()
    times = [r[0] for r in rows]
    i, j = busiest_window(times, width.total_seconds())
    window = rows[i:j]
    start, end = times[i], times[j - 1]

    history_start = max(
        start - timedelta(days=baseline_days),
        session.scalar(select(func.min(MentionRow.created_at)).where(MentionRow.platform == platform))
        or start,
    )
    windows = (start - history_start) / width
    in_baseline = (
        MentionRow.platform == platform,
        MentionRow.created_at >= history_start,
        MentionRow.created_at < start,
    )
    before = session.scalar(select(func.count()).where(*in_baseline)) or 0
    before_negative = (
        session.scalar(
            select(func.count())
            .select_from(MentionRow)
            .join(AssessmentRow, AssessmentRow.mention_id == MentionRow.id)
            .where(*in_baseline, AssessmentRow.sentiment <= negative_at)
        )
        or 0
    )
    return WindowCounts(
        thread_key=f"{platform}:{thread}",
        window_start=start,
        window_end=end,
        mentions=len(window),
        negative=sum(1 for r in window if r[2] is not None and r[2] <= negative_at),
        high_reach_authors=sum(1 for r in window if (r[1] or 0) >= high_reach),
        crisis_word_posts=sum(1 for r in window if (r[3] or 0) > 0),
        # Less than one window of history is no baseline: judge() then expects one a window.
        baseline_per_window=before / windows if windows >= 1 else 0.0,
        baseline_negative_per_window=before_negative / windows if windows >= 1 else 0.0,
    )


def _store(session: Session, signal: CrisisSignal, now: datetime) -> None:
    row = session.scalar(select(CrisisSignalRow).where(CrisisSignalRow.thread_key == signal.thread_key))
    if row is None:
        row = CrisisSignalRow(thread_key=signal.thread_key, detected_at=now)
        session.add(row)
    elif row.mentions >= signal.mentions:
        return  # what we have already says as much
    row.window_start, row.window_end = signal.window_start, signal.window_end
    row.mentions, row.expected, row.p_value = signal.mentions, signal.expected, signal.p_value
    row.negative, row.expected_negative = signal.negative, signal.expected_negative
    row.p_value_negative, row.score, row.reasons = signal.p_value_negative, signal.score, list(signal.reasons)
