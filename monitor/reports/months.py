"""Calendar months for the monthly report cards: bounds in London time, the first working day,
and which month's cards are due now. Pure: dates and times in, dates out."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A monitor that was down on the first working day still sends last month's cards when it comes
# back, within this many days; after that the month is skipped rather than arriving weeks late
# (and an account opted in mid-month waits for the next month instead of getting an old card).
CATCH_UP_DAYS = 7


def month_of(value: str) -> date:
    """`2026-11` as the first day of that month; a clear error for anything else."""
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValueError(f"{value!r} is not a month; write it as YYYY-MM, e.g. 2026-11") from None


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_bounds(first: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the month as instants: local midnights, so a clock change inside it is
    neither lost nor counted twice."""
    return (
        datetime.combine(first, time(0), tzinfo=zone),
        datetime.combine(next_month(first), time(0), tzinfo=zone),
    )


def first_working_day(first: date, working_days: Collection[str], holidays: Collection[date]) -> date:
    """The month's first day that is a working day and not a bank holiday."""
    day = first
    while WEEKDAYS[day.weekday()] not in working_days or day in holidays:
        day += timedelta(days=1)
    return day


def card_month_due(
    now: datetime,
    *,
    at: time,
    working_days: Collection[str],
    holidays: Collection[date],
    catch_up_days: int = CATCH_UP_DAYS,
) -> date | None:
    """The month whose report cards are due at `now` (a local, aware time), or None.

    Last month's cards are due from `at` on this month's first working day, for `catch_up_days`.
    """
    today = now.date()
    due_from = datetime.combine(
        first_working_day(today.replace(day=1), working_days, holidays), at, tzinfo=now.tzinfo
    )
    if due_from <= now < due_from + timedelta(days=catch_up_days):
        return previous_month(today)
    return None
