"""The clock of a case (GLOSSARY.md, "Time limits"): pure tests of ``cases.deadlines``.

The calendar is the real one: chinesecalendar's State Council notices, as
``core.selectors.national_calendar()`` builds it (one test checks that they agree). The
notices for 2026 (chinesecalendar 1.11):

* 春节: holidays Sun 15 Feb – Mon 23 Feb; make-up working days Sat 14 Feb and Sat 28 Feb.
* 中秋节 Fri 25 – Sun 27 Sep; 国庆节 Thu 1 – Wed 7 Oct; make-up working days Sun 20 Sep
  and Sat 10 Oct.

Every expected date below is counted by hand in the comment beside it.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from onewindow.cases import deadlines
from onewindow.cases.constants import Light
from onewindow.core.calendar import DayKind, WorkingCalendar, chinesecalendar_notices

PROPERTY = settings(max_examples=200, deadline=None)

NOTICES, YEARS = chinesecalendar_notices()
# The notices known up to 2026 and no further: 2027 is provisional whichever release of
# chinesecalendar is installed, so the provisional tests below stay true.
CALENDAR = WorkingCalendar(
    notices={day: known for day, known in NOTICES.items() if day.year <= 2026},
    covered_years={year for year in YEARS if year <= 2026},
)

D = dt.date
LIGHT_RANK = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}

starts = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31))
limits = st.integers(min_value=0, max_value=60)


def clock(start: dt.date, limit: int, **kwargs) -> deadlines.Clock:
    return deadlines.clock(CALENDAR, start=start, limit_days=limit, **kwargs)


def remaining(today: dt.date, deadline: dt.date) -> int:
    return deadlines.remaining_working_days(CALENDAR, today, deadline)


def light_on(today: dt.date, result: deadlines.Clock) -> str:
    return deadlines.light(today=today, deadline=result.deadline, yellow_from=result.yellow_from)


def days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


# -- the calendar data the hand counts rely on ---------------------------------------------


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (D(2026, 2, 13), DayKind.WORKDAY),
        (D(2026, 2, 14), DayKind.MAKEUP_WORKDAY),  # Saturday
        (D(2026, 2, 15), DayKind.HOLIDAY),
        (D(2026, 2, 23), DayKind.HOLIDAY),  # Monday
        (D(2026, 2, 24), DayKind.WORKDAY),
        (D(2026, 2, 28), DayKind.MAKEUP_WORKDAY),  # Saturday
        (D(2026, 3, 1), DayKind.WEEKEND),
        (D(2026, 9, 20), DayKind.MAKEUP_WORKDAY),  # Sunday
        (D(2026, 9, 25), DayKind.HOLIDAY),  # 中秋节, Friday
        (D(2026, 10, 1), DayKind.HOLIDAY),
        (D(2026, 10, 7), DayKind.HOLIDAY),  # Wednesday
        (D(2026, 10, 8), DayKind.WORKDAY),
        (D(2026, 10, 10), DayKind.MAKEUP_WORKDAY),  # Saturday
    ],
)
def test_the_2026_notices_are_those_counted_by_hand(day, kind):
    assert CALENDAR.day(day).kind == kind


@pytest.mark.django_db
def test_the_national_calendar_answers_as_the_calendar_of_these_tests():
    from onewindow.core.selectors import national_calendar

    national = national_calendar()
    for start, limit in [(D(2026, 2, 10), 10), (D(2026, 9, 18), 20), (D(2025, 12, 30), 15)]:
        assert deadlines.clock(national, start=start, limit_days=limit) == clock(start, limit)


# -- the deadline across the holidays ------------------------------------------------------


def test_ten_days_across_the_spring_festival():
    # Accepted Tue 10 Feb (not counted): 11 Feb 1, 12 Feb 2, 13 Feb 3, Sat 14 Feb 4
    # (make-up), 15–23 Feb holidays, 24 Feb 5, 25 Feb 6, 26 Feb 7, 27 Feb 8,
    # Sat 28 Feb 9 (make-up), Sun 1 Mar rest, Mon 2 Mar 10.
    result = clock(D(2026, 2, 10), 10)

    assert result.deadline == D(2026, 3, 2)
    # Threshold max(1, ⌈2⌉) = 2: from Fri 27 Feb two working days remain (28 Feb, 2 Mar).
    assert result.yellow_from == D(2026, 2, 27)
    assert result.provisional is False


def test_a_suspension_inside_the_spring_festival_pushes_the_deadline_by_its_working_days():
    # Suspended Thu 12 Feb, resumed Thu 26 Feb. Not counted: the working days x with
    # 12 Feb < x ≤ 26 Feb: 13 Feb, Sat 14 Feb (make-up), 24, 25, 26 Feb = 5
    # (15–23 Feb are holidays, not working days, so the suspension costs nothing there).
    paused = deadlines.paused_working_days(CALENDAR, D(2026, 2, 12), D(2026, 2, 26))
    assert paused == 5

    result = clock(D(2026, 2, 10), 10, paused_days=paused)

    # Counted: 11, 12 Feb (2 days), then from the day after the resume: 27 Feb 3,
    # Sat 28 Feb 4, 2 Mar 5, 3 Mar 6, 4 Mar 7, 5 Mar 8, 6 Mar 9, Mon 9 Mar 10.
    assert result.deadline == D(2026, 3, 9)
    # The threshold stays that of the 10-day limit (2): 6 Mar and 9 Mar remain from 5 Mar.
    assert result.yellow_from == D(2026, 3, 5)


def test_ten_and_twenty_days_across_national_day_and_mid_autumn():
    # Accepted Fri 18 Sep: Sat 19 rest, Sun 20 Sep 1 (make-up), 21 2, 22 3, 23 4, 24 5,
    # 25–27 Sep 中秋节, 28 Sep 6, 29 7, 30 8, 1–7 Oct 国庆节, Thu 8 Oct 9, Fri 9 Oct 10.
    ten = clock(D(2026, 9, 18), 10)
    assert ten.deadline == D(2026, 10, 9)
    assert ten.yellow_from == D(2026, 9, 30)  # 8 and 9 Oct remain from 30 Sep

    # …Sat 10 Oct 11 (make-up), 12 Oct 12, 13 13, 14 14, 15 15, 16 16, 19 17, 20 18,
    # 21 19, Thu 22 Oct 20.
    twenty = clock(D(2026, 9, 18), 20)
    assert twenty.deadline == D(2026, 10, 22)
    assert twenty.yellow_from == D(2026, 10, 16)  # threshold 4: 19, 20, 21, 22 Oct remain


def test_a_suspension_over_national_day():
    # Accepted Mon 28 Sep, limit 5, suspended Tue 29 Sep, resumed Fri 9 Oct. Not counted:
    # 30 Sep, 8 Oct, 9 Oct = 3 (1–7 Oct are holidays).
    paused = deadlines.paused_working_days(CALENDAR, D(2026, 9, 29), D(2026, 10, 9))
    assert paused == 3
    # Counted: 29 Sep 1, then Sat 10 Oct 2 (make-up), 12 Oct 3, 13 Oct 4, 14 Oct 5.
    result = clock(D(2026, 9, 28), 5, paused_days=paused)
    assert result.deadline == D(2026, 10, 14)
    # Threshold max(1, ⌈1⌉) = 1: only 14 Oct remains from 13 Oct.
    assert result.yellow_from == D(2026, 10, 13)


def test_an_extension_adds_working_days_and_widens_the_yellow_band():
    # Spring Festival case extended by 5: 2 Mar was day 10, then 3, 4, 5, 6, 9 Mar → 9 Mar.
    result = clock(D(2026, 2, 10), 10, extension_days=5)
    assert result.deadline == D(2026, 3, 9)
    # Threshold of the extended limit 15: ⌈3⌉ = 3 → 5, 6, 9 Mar remain from 4 Mar.
    assert result.yellow_from == D(2026, 3, 4)


def test_a_deadline_in_a_year_without_a_notice_is_provisional():
    # Accepted Mon 21 Dec 2026, 10 days: 22, 23, 24, 25, 28, 29, 30, 31 Dec (8), then
    # 2027 has no notice: 1 Jan is assumed a holiday (元旦), Mon 4 Jan 9, Tue 5 Jan 10.
    result = clock(D(2026, 12, 21), 10)
    assert result.provisional is True
    assert result.deadline == D(2027, 1, 5)
    assert clock(D(2026, 12, 1), 10).provisional is False


def test_limit_zero_ends_on_the_day_of_acceptance_and_is_yellow_at_once():
    result = clock(D(2026, 2, 10), 0)
    assert result.deadline == D(2026, 2, 10)
    assert result.yellow_from == D(2026, 2, 10)  # never yellow before the clock started
    assert light_on(D(2026, 2, 10), result) == Light.YELLOW
    assert light_on(D(2026, 2, 11), result) == Light.RED


# -- the yellow threshold and the lights -----------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "threshold"),
    [(0, 1), (1, 1), (4, 1), (5, 1), (6, 2), (10, 2), (20, 4), (21, 5), (45, 9)],
)
def test_yellow_threshold_is_at_least_one_and_twenty_percent_rounded_up(limit, threshold):
    assert deadlines.yellow_threshold(limit) == threshold


def test_yellow_starts_exactly_when_the_remaining_days_reach_the_threshold():
    result = clock(D(2026, 2, 10), 10)  # deadline Mon 2 Mar, threshold 2
    threshold = deadlines.yellow_threshold(10)

    # Thu 26 Feb: 27 Feb, 28 Feb, 2 Mar remain = threshold + 1 → green.
    assert remaining(D(2026, 2, 26), result.deadline) == threshold + 1
    assert light_on(D(2026, 2, 26), result) == Light.GREEN
    # Fri 27 Feb: 28 Feb, 2 Mar remain = threshold → yellow.
    assert remaining(D(2026, 2, 27), result.deadline) == threshold
    assert light_on(D(2026, 2, 27), result) == Light.YELLOW
    # Sun 1 Mar (a rest day): one remains → still yellow.
    assert remaining(D(2026, 3, 1), result.deadline) == 1
    assert light_on(D(2026, 3, 1), result) == Light.YELLOW


def test_the_deadline_day_is_yellow_and_on_time_and_the_day_after_is_red_and_late():
    result = clock(D(2026, 2, 10), 10)  # deadline Mon 2 Mar

    assert remaining(D(2026, 3, 2), result.deadline) == 0
    assert light_on(D(2026, 3, 2), result) == Light.YELLOW
    assert deadlines.on_time(decided_on=D(2026, 3, 2), deadline=result.deadline) is True

    assert remaining(D(2026, 3, 3), result.deadline) == -1
    assert light_on(D(2026, 3, 3), result) == Light.RED
    assert deadlines.on_time(decided_on=D(2026, 3, 3), deadline=result.deadline) is False


def test_remaining_days_across_the_festival_do_not_count_holidays():
    # From Fri 13 Feb to Mon 2 Mar: 14 Feb, 24, 25, 26, 27, 28 Feb, 2 Mar = 7.
    assert remaining(D(2026, 2, 13), D(2026, 3, 2)) == 7


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"running": False}, Light.NONE),
        ({"deadline": None, "yellow_from": None}, Light.NONE),
        ({"paused": True}, Light.PAUSED),
        ({"paused": True, "today": D(2026, 4, 1)}, Light.PAUSED),  # paused past the deadline
    ],
)
def test_a_stopped_or_paused_clock_has_no_colour(kwargs, expected):
    values = {"today": D(2026, 2, 20), "deadline": D(2026, 3, 2), "yellow_from": D(2026, 2, 27)}
    assert deadlines.light(**(values | kwargs)) == expected


def test_paused_days_are_zero_for_a_suspension_resumed_the_day_it_started_or_before():
    assert deadlines.paused_working_days(CALENDAR, D(2026, 2, 12), D(2026, 2, 12)) == 0
    assert deadlines.paused_working_days(CALENDAR, D(2026, 2, 12), D(2026, 2, 11)) == 0
    # Started on the eve of the festival, resumed on its last day: nothing is lost.
    assert deadlines.paused_working_days(CALENDAR, D(2026, 2, 14), D(2026, 2, 23)) == 0


# -- properties ---------------------------------------------------------------------------


@PROPERTY
@given(start=starts, limit=limits)
def test_the_remaining_days_at_the_start_are_the_limit(start, limit):
    result = clock(start, limit)
    assert remaining(start, result.deadline) == limit


@PROPERTY
@given(start=starts, limit=limits)
def test_the_light_turns_yellow_on_or_before_the_deadline_never_before_the_start(start, limit):
    result = clock(start, limit)
    assert start <= result.yellow_from <= result.deadline


@PROPERTY
@given(start=starts, limit=limits)
def test_lights_day_by_day_follow_the_rule_and_only_get_worse(start, limit):
    result = clock(start, limit)
    threshold = deadlines.yellow_threshold(limit)
    ranks = []
    for today in days(start, result.deadline + dt.timedelta(days=10)):
        colour = light_on(today, result)
        left = remaining(today, result.deadline)
        if today > result.deadline:
            assert colour == Light.RED
        elif left <= threshold:
            assert colour == Light.YELLOW, (today, left)
        else:
            assert colour == Light.GREEN, (today, left)
        ranks.append(LIGHT_RANK[colour])
    assert ranks == sorted(ranks)
    assert ranks[-1] == LIGHT_RANK[Light.RED]


@PROPERTY
@given(
    first=starts,
    length=st.integers(min_value=-10, max_value=120),
)
def test_paused_days_are_the_working_days_after_the_start_up_to_the_resume(first, length):
    last = first + dt.timedelta(days=length)
    expected = max(0, CALENDAR.count(first, last, allow_provisional=True).working_days)
    assert deadlines.paused_working_days(CALENDAR, first, last) == expected


@PROPERTY
@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 9, 30)),
    limit=st.integers(min_value=0, max_value=40),
)
def test_the_deadline_is_the_limit_th_working_day_after_the_start_by_a_day_by_day_count(
    start, limit
):
    # An independent oracle: chinese_calendar's own is_workday, one day at a time.
    result = clock(start, limit)
    assume(result.deadline.year <= 2026)  # chinese_calendar knows no later year
    counted, day = 0, start
    while counted < limit:
        day += dt.timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    assert result.deadline == day


@PROPERTY
@given(
    start=starts,
    limit=st.integers(min_value=1, max_value=30),
    paused=st.integers(min_value=0, max_value=20),
    extension=st.integers(min_value=0, max_value=10),
)
def test_pauses_and_extensions_push_the_deadline_by_exactly_their_working_days(
    start, limit, paused, extension
):
    base = clock(start, limit)
    pushed = clock(start, limit, paused_days=paused, extension_days=extension)
    assert remaining(base.deadline, pushed.deadline) == paused + extension
    assert pushed.deadline >= base.deadline


# -- 容缺 due dates -----------------------------------------------------------------------------


@PROPERTY
@given(start=starts, limit=limits, days=st.integers(min_value=1, max_value=20))
def test_the_default_due_date_is_after_today_and_never_after_the_deadline(start, limit, days):
    deadline = clock(start, limit).deadline
    due = deadlines.tolerance_due_default(CALENDAR, today=start, deadline=deadline, days=days)
    assert due <= deadline
    problem = deadlines.tolerance_due_problem(due, today=start, deadline=deadline)
    if deadline > start:
        assert due > start and problem is None
    else:
        assert problem == "no_room"


@PROPERTY
@given(
    today=starts,
    offset=st.integers(min_value=-10, max_value=40),
    room=st.integers(min_value=0, max_value=30),
)
def test_a_due_date_is_accepted_exactly_when_after_today_and_not_after_the_deadline(
    today, offset, room
):
    deadline = today + dt.timedelta(days=room)
    due = today + dt.timedelta(days=offset)
    problem = deadlines.tolerance_due_problem(due, today=today, deadline=deadline)
    assert (problem is None) == (today < due <= deadline)
    if problem == "after_deadline":
        assert due > deadline
