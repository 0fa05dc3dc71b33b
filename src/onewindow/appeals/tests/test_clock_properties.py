"""Properties of the appeal clock (hypothesis), over the package's notices and a zone
closure, from 2024 into the provisional years after 2026."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.appeals.clock import (
    Limit,
    deadline_ordinals,
    due,
    epoch_us,
    from_epoch_us,
    working_days_due,
    working_days_due_many,
    working_hours_due,
)
from onewindow.appeals.constants import LimitUnit
from onewindow.core.calendar import DayKind, KnownDay, WorkingCalendar, chinesecalendar_notices

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTICES, YEARS = chinesecalendar_notices()
CALENDAR = WorkingCalendar(
    notices=NOTICES,
    covered_years=YEARS,
    overrides={
        dt.date(2026, 9, 29): KnownDay(DayKind.ZONE_CLOSED, "台风"),
        dt.date(2026, 10, 11): KnownDay(DayKind.ZONE_OPEN, "集中办公"),
    },
)
OPENS, CLOSES = dt.time(9, 0), dt.time(17, 30)

instants = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31, 23, 59)
).map(lambda naive: naive.replace(tzinfo=SHANGHAI))
working_days = st.integers(min_value=0, max_value=60)


@given(start=instants, days=working_days)
def test_due_is_never_before_the_start(start, days):
    due_at, _provisional = working_days_due(CALENDAR, start, days, CLOSES)
    assert due_at.date() >= start.date()


@given(start=instants, days=st.integers(min_value=1, max_value=60))
def test_due_is_a_working_day_exactly_n_working_days_after_receipt(start, days):
    due_at, provisional = working_days_due(CALENDAR, start, days, CLOSES)
    info = CALENDAR.day(due_at.date(), allow_provisional=True)
    assert info.is_working
    counted = CALENDAR.count(start.date(), due_at.date(), allow_provisional=True)
    assert counted.working_days == days
    assert due_at.timetz().replace(tzinfo=None) == CLOSES
    # Provisional exactly when a year of the span has no notice.
    assert provisional == any(year not in YEARS for year in range(start.year, due_at.year + 1))


@given(start=instants, days=working_days, more=st.integers(min_value=0, max_value=20))
def test_more_working_days_never_end_earlier(start, days, more):
    earlier = working_days_due(CALENDAR, start, days, CLOSES)[0]
    later = working_days_due(CALENDAR, start, days + more, CLOSES)[0]
    assert earlier <= later
    if more:
        assert earlier < later


@given(
    start=instants,
    amount=st.integers(min_value=1, max_value=30),
    extended=st.integers(min_value=0, max_value=15),
    percent=st.integers(min_value=1, max_value=99),
)
def test_the_warning_is_between_the_start_and_the_deadline(start, amount, extended, percent):
    result = due(
        CALENDAR,
        start=start,
        limit=Limit(LimitUnit.WORKING_DAYS, amount, extended),
        workday_ends=CLOSES,
        warn_percent=percent,
    )
    assert start <= result.warn_at <= result.due_at


@given(start=instants, hours=st.integers(min_value=1, max_value=72))
def test_natural_hours_ignore_the_calendar(start, hours):
    result = due(
        CALENDAR,
        start=start,
        limit=Limit(LimitUnit.NATURAL_HOURS, hours),
        workday_ends=CLOSES,
        warn_percent=80,
    )
    assert result.due_at - start == dt.timedelta(hours=hours)
    assert result.provisional is False


@given(start=instants, hours=st.integers(min_value=1, max_value=16))
def test_the_sign_limit_ends_inside_office_hours_of_a_working_day(start, hours):
    result = working_hours_due(
        CALENDAR, start=start, hours=hours, workday_starts=OPENS, workday_ends=CLOSES
    )
    local = result.astimezone(SHANGHAI)
    assert result > start
    assert CALENDAR.day(local.date(), allow_provisional=True).is_working
    assert OPENS < local.time() <= CLOSES


@settings(max_examples=50)
@given(
    st.lists(
        st.tuples(instants, st.integers(min_value=1, max_value=30), st.sampled_from([50, 80, 95])),
        min_size=1,
        max_size=200,
    )
)
def test_the_vectorised_path_equals_the_scalar_path(orders):
    percent = orders[0][2]
    starts = [start for start, _days, _percent in orders]
    totals = np.array([days for _start, days, _percent in orders])
    start_days = np.array([start.astimezone(SHANGHAI).date().toordinal() for start in starts])
    due_days, provisional = deadline_ordinals(CALENDAR, start_days, totals)
    many = working_days_due_many(
        CALENDAR,
        start_days=start_days,
        start_us=np.array([epoch_us(start) for start in starts]),
        totals=totals,
        workday_ends=CLOSES,
        warn_percent=percent,
    )
    for index, start in enumerate(starts):
        scalar = CALENDAR.deadline(start.date(), int(totals[index]), allow_provisional=True)
        assert dt.date.fromordinal(int(due_days[index])) == scalar.date
        assert bool(provisional[index]) == scalar.provisional
        expected = due(
            CALENDAR,
            start=start,
            limit=Limit(LimitUnit.WORKING_DAYS, int(totals[index])),
            workday_ends=CLOSES,
            warn_percent=percent,
        )
        assert from_epoch_us(many.due_us[index]) == expected.due_at
        assert from_epoch_us(many.warn_us[index]) == expected.warn_at
        assert bool(many.provisional[index]) == expected.provisional
