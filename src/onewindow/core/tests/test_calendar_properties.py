"""Properties of working-day arithmetic (hypothesis), pure: no database.

Dates range over the covered years and the provisional horizon (2004–2031); the
provisional years are asked with ``allow_provisional=True`` so one set of properties
covers both. A naive day-by-day loop is the oracle for the precomputed arrays.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.core.calendar import DayKind, KnownDay, WorkingCalendar, chinesecalendar_notices

PROPERTY = settings(max_examples=200, deadline=None)

NOTICES, YEARS = chinesecalendar_notices()
CALENDAR = WorkingCalendar(notices=NOTICES, covered_years=YEARS)

# Starting no later than mid-2031 with at most 120 working days stays inside the horizon.
# Late enough to reach the provisional years, early enough that +180 working days stay in range.
dates = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2030, 6, 30))
covered_dates = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2026, 6, 30))
working_days = st.integers(min_value=0, max_value=120)


def add(calendar: WorkingCalendar, start: dt.date, days: int) -> dt.date:
    return calendar.deadline(start, days, allow_provisional=True).date


def between(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> int:
    return calendar.count(start, end, allow_provisional=True).working_days


def is_working(calendar: WorkingCalendar, day: dt.date) -> bool:
    return calendar.day(day, allow_provisional=True).is_working


@PROPERTY
@given(start=dates, days=st.integers(min_value=1, max_value=120))
def test_result_is_a_working_day_after_the_start(start, days):
    result = add(CALENDAR, start, days)
    assert result > start
    assert is_working(CALENDAR, result)


@PROPERTY
@given(start=dates, days=working_days, more=st.integers(min_value=1, max_value=60))
def test_adding_is_strictly_monotonic_in_days(start, days, more):
    assert add(CALENDAR, start, days) < add(CALENDAR, start, days + more)


@PROPERTY
@given(start=dates, later_by=st.integers(min_value=0, max_value=60), days=working_days)
def test_adding_is_monotonic_in_the_start(start, later_by, days):
    later = start + dt.timedelta(days=later_by)
    assert add(CALENDAR, start, days) <= add(CALENDAR, later, days)


@PROPERTY
@given(start=dates, days=working_days)
def test_counting_inverts_adding(start, days):
    assert between(CALENDAR, start, add(CALENDAR, start, days)) == days


@PROPERTY
@given(start=dates, days=st.integers(min_value=1, max_value=120))
def test_the_result_is_the_first_day_reaching_the_count(start, days):
    result = add(CALENDAR, start, days)
    assert between(CALENDAR, start, result - dt.timedelta(days=1)) == days - 1


@PROPERTY
@given(start=dates, length=st.integers(min_value=0, max_value=180))
def test_adding_the_count_reaches_the_last_working_day(start, length):
    end = start + dt.timedelta(days=length)
    reached = add(CALENDAR, start, between(CALENDAR, start, end))
    assert reached <= end
    assert (reached == end) == (is_working(CALENDAR, end) or end == start)


@PROPERTY
@given(a=dates, b=dates, c=dates)
def test_counting_is_additive(a, b, c):
    assert between(CALENDAR, a, b) + between(CALENDAR, b, c) == between(CALENDAR, a, c)
    assert between(CALENDAR, a, b) == -between(CALENDAR, b, a)


@PROPERTY
@given(start=dates, length=st.integers(min_value=0, max_value=120))
def test_count_is_bounded_by_the_calendar_days(start, length):
    assert 0 <= between(CALENDAR, start, start + dt.timedelta(days=length)) <= length


def _naive_add(is_workday, start: dt.date, days: int) -> dt.date:
    day = start
    while days:
        day += dt.timedelta(days=1)
        if is_workday(day):
            days -= 1
    return day


@PROPERTY
@given(start=covered_dates, days=working_days)
def test_agrees_with_a_day_loop_over_chinesecalendar(start, days):
    expected = _naive_add(chinese_calendar.is_workday, start, days)
    assert CALENDAR.add_working_days(start, days) == expected
    assert CALENDAR.working_days_between(start, expected) == days


overrides = st.dictionaries(
    keys=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 12, 31)),
    values=st.sampled_from(
        [KnownDay(DayKind.ZONE_CLOSED, "停电"), KnownDay(DayKind.ZONE_OPEN, "集中办理")]
    ),
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(
    zone_days=overrides,
    start=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 6, 30)),
    days=working_days,
)
def test_zone_overrides_keep_the_properties(zone_days, start, days):
    zone = WorkingCalendar(notices=NOTICES, covered_years=YEARS, overrides=zone_days)
    for day, known in zone_days.items():
        assert is_working(zone, day) == (known.kind == DayKind.ZONE_OPEN)
    result = add(zone, start, days)
    assert result == _naive_add(lambda day: is_working(zone, day), start, days)
    assert between(zone, start, result) == days
