"""The working-day calendar on chinesecalendar's notices (pure: no database).

The 2026 figures come from 国办发明电〔2025〕7号 as chinesecalendar 1.11 carries it:
元旦 1–3 Jan (make-up Sun 4 Jan), 春节 15–23 Feb (make-up Sat 14 Feb, Sat 28 Feb),
中秋 25–27 Sep, 国庆 1–7 Oct (make-up Sun 20 Sep, Sat 10 Oct).
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from onewindow.core.calendar import (
    MAX_WORKING_DAYS,
    CalendarNotCovered,
    CalendarOutOfRange,
    DayKind,
    KnownDay,
    WorkingCalendar,
    chinesecalendar_notices,
)
from onewindow.core.errors import ValidationFailed

D = dt.date


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    notices, years = chinesecalendar_notices()
    return WorkingCalendar(notices=notices, covered_years=years)


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


# -- what chinesecalendar covers -----------------------------------------------------------


def test_covers_2004_to_2026(calendar):
    assert calendar.covered_years == frozenset(range(2004, 2027))
    assert calendar.first_day == D(2004, 1, 1)
    assert calendar.last_day == D(2031, 12, 31)  # five provisional years


def test_every_covered_day_agrees_with_chinesecalendar(calendar):
    # the precomputed calendar against the package's own per-day answer, 2004–2026
    disagreements = [
        day
        for day in _days(D(2004, 1, 1), D(2026, 12, 31))
        if calendar.is_working_day(day) != chinese_calendar.is_workday(day)
    ]
    assert disagreements == []


@pytest.mark.parametrize(("year", "working_days"), [(2025, 248), (2026, 248)])
def test_working_days_in_a_year(calendar, year, working_days):
    assert calendar.working_days_between(D(year - 1, 12, 31), D(year, 12, 31)) == working_days


# -- 2026: New Year, Spring Festival, National Day -----------------------------------------


def test_new_year_2026(calendar):
    for day in _days(D(2026, 1, 1), D(2026, 1, 3)):
        info = calendar.day(day)
        assert (info.kind, info.name, info.is_working) == (DayKind.HOLIDAY, "元旦", False)
    makeup = calendar.day(D(2026, 1, 4))  # a Sunday
    assert makeup.date.weekday() == 6
    assert (makeup.kind, makeup.name, makeup.is_working) == (
        DayKind.MAKEUP_WORKDAY,
        "元旦",
        True,
    )
    assert makeup.reason == "调休上班（元旦）"
    assert calendar.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert calendar.add_working_days(D(2025, 12, 31), 2) == D(2026, 1, 5)
    assert calendar.working_days_between(D(2025, 12, 31), D(2026, 1, 4)) == 1


def test_spring_festival_2026_holidays(calendar):
    for day in _days(D(2026, 2, 15), D(2026, 2, 23)):
        info = calendar.day(day)
        assert (info.kind, info.name, info.is_working) == (DayKind.HOLIDAY, "春节", False)
        assert info.reason == "法定节假日（春节）"
    assert not calendar.day(D(2026, 2, 15)).provisional


@pytest.mark.parametrize("makeup", [D(2026, 2, 14), D(2026, 2, 28)])
def test_spring_festival_2026_makeup_saturdays(calendar, makeup):
    assert makeup.weekday() == 5
    info = calendar.day(makeup)
    assert (info.kind, info.name, info.is_working) == (DayKind.MAKEUP_WORKDAY, "春节", True)


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Fri → the make-up Saturday
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # over the whole holiday
        (D(2026, 2, 12), 3, D(2026, 2, 24)),  # 13, 14 (Sat), 24
        (D(2026, 2, 16), 1, D(2026, 2, 24)),  # accepted during the holiday
        (D(2026, 2, 26), 2, D(2026, 2, 28)),  # 27, 28 (Sat)
        (D(2026, 2, 10), 20, D(2026, 3, 16)),  # 11–14, 24–28, 2–13 Mar, 16 Mar
    ],
)
def test_spring_festival_2026_deadlines(calendar, start, days, deadline):
    assert calendar.add_working_days(start, days) == deadline
    assert calendar.working_days_between(start, deadline) == days


def test_spring_festival_2026_counts(calendar):
    # 14 Feb (Sat, make-up) is the only working day from 14 to 23 Feb
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1
    # February 2026: 20 weekdays − 6 weekday holidays (16–20, 23) + 2 make-up Saturdays
    assert calendar.working_days_between(D(2026, 1, 31), D(2026, 2, 28)) == 16


def test_national_day_2026_holidays(calendar):
    for day in _days(D(2026, 10, 1), D(2026, 10, 7)):
        info = calendar.day(day)
        assert (info.kind, info.name, info.is_working) == (DayKind.HOLIDAY, "国庆节", False)
    for day in _days(D(2026, 9, 25), D(2026, 9, 27)):
        assert calendar.day(day).name == "中秋节"
        assert not calendar.is_working_day(day)


@pytest.mark.parametrize(("makeup", "weekday"), [(D(2026, 9, 20), 6), (D(2026, 10, 10), 5)])
def test_national_day_2026_makeup_days(calendar, makeup, weekday):
    assert makeup.weekday() == weekday
    info = calendar.day(makeup)
    assert (info.kind, info.is_working) == (DayKind.MAKEUP_WORKDAY, True)


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        (D(2026, 9, 28), 5, D(2026, 10, 10)),  # 29, 30, 8, 9, 10 (Sat)
        (D(2026, 9, 28), 6, D(2026, 10, 12)),
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Fri → the make-up Sunday
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # over 中秋 25–27
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 10, 1), 1, D(2026, 10, 8)),  # accepted on a holiday
        (D(2026, 10, 9), 1, D(2026, 10, 10)),
    ],
)
def test_national_day_2026_deadlines(calendar, start, days, deadline):
    assert calendar.add_working_days(start, days) == deadline
    assert calendar.working_days_between(start, deadline) == days


def test_national_day_2026_counts(calendar):
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert calendar.working_days_between(D(2026, 9, 19), D(2026, 9, 20)) == 1
    assert calendar.working_days_between(D(2026, 9, 24), D(2026, 10, 10)) == 6


# -- the rules of counting ----------------------------------------------------------------


def test_the_day_of_acceptance_is_not_counted(calendar):
    monday = D(2026, 3, 2)
    assert calendar.add_working_days(monday, 1) == D(2026, 3, 3)
    assert calendar.working_days_between(monday, monday) == 0
    assert calendar.working_days_between(monday, D(2026, 3, 3)) == 1


def test_zero_days_is_the_start_day_itself(calendar):
    holiday = D(2026, 10, 3)
    assert calendar.add_working_days(holiday, 0) == holiday


def test_count_is_negative_backwards(calendar):
    assert calendar.working_days_between(D(2026, 10, 12), D(2026, 9, 28)) == -6


def test_legal_twenty_working_days(calendar):
    # 行政许可法 art. 42: accepted Mon 14 Sep 2026, 20 working days over 中秋 and 国庆:
    # 15–18, 20 (Sun), 21–24, 28–30 Sep; 8, 9, 10 (Sat), 12–16 Oct
    assert calendar.add_working_days(D(2026, 9, 14), 20) == D(2026, 10, 16)


@pytest.mark.parametrize("days", [-1, MAX_WORKING_DAYS + 1])
def test_days_out_of_range(calendar, days):
    with pytest.raises(ValidationFailed) as raised:
        calendar.add_working_days(D(2026, 3, 2), days)
    assert raised.value.code == "days_out_of_range"
    assert raised.value.fields == {"days": ["工作日数应为 0 至 1000 之间的整数"]}


def test_max_working_days_is_allowed(calendar):
    assert calendar.add_working_days(D(2020, 1, 1), MAX_WORKING_DAYS) == D(2024, 1, 4)


# -- years without a notice ---------------------------------------------------------------


def test_uncovered_year_names_the_year(calendar):
    with pytest.raises(CalendarNotCovered) as raised:
        calendar.is_working_day(D(2027, 1, 4))
    error = raised.value
    assert error.year == 2027
    assert error.code == "calendar_year_not_covered"
    assert error.status == 422
    assert "2027年的节假日安排尚未载入" in error.message
    assert error.fields == {"date": [error.message]}


def test_december_2026_case_strict_deadline_is_refused(calendar):
    with pytest.raises(CalendarNotCovered) as raised:
        calendar.add_working_days(D(2026, 12, 20), 20)
    assert raised.value.year == 2027
    assert list(raised.value.fields) == ["start"]


def test_december_2026_case_gets_a_provisional_deadline(calendar):
    # 21–25, 28–31 Dec (9); 1 Jan 2027 is a fixed-date holiday; 4–8, 11–15 (19); 18 Jan
    answer = calendar.deadline(D(2026, 12, 20), 20, allow_provisional=True)
    assert (answer.date, answer.provisional) == (D(2027, 1, 18), True)


def test_covered_answer_is_not_provisional_even_when_allowed(calendar):
    answer = calendar.deadline(D(2026, 12, 1), 5, allow_provisional=True)
    assert (answer.date, answer.provisional) == (D(2026, 12, 8), False)
    count = calendar.count(D(2026, 12, 1), D(2026, 12, 8), allow_provisional=True)
    assert (count.working_days, count.provisional) == (5, False)


def test_provisional_assumes_weekends_and_fixed_date_holidays_only(calendar):
    def day(value):
        return calendar.day(value, allow_provisional=True)

    assert (day(D(2027, 1, 1)).kind, day(D(2027, 1, 1)).name) == (DayKind.HOLIDAY, "元旦")
    assert day(D(2027, 5, 1)).kind == DayKind.HOLIDAY
    assert day(D(2027, 5, 3)).kind == DayKind.WORKDAY  # Monday: not guessed
    # 1–3 Oct 2027 are Friday to Sunday: holidays; Monday 4 Oct is not guessed
    assert [day(D(2027, 10, n)).kind for n in (1, 2, 3, 4)] == [
        DayKind.HOLIDAY,
        DayKind.HOLIDAY,
        DayKind.HOLIDAY,
        DayKind.WORKDAY,
    ]
    # Lunar holidays are not guessed: the 2027 Spring Festival (6 Feb) falls on a Saturday
    assert day(D(2027, 2, 8)).kind == DayKind.WORKDAY
    assert all(day(D(2027, 2, n)).provisional for n in range(1, 29))


def test_provisional_count_across_the_year_end(calendar):
    with pytest.raises(CalendarNotCovered) as raised:
        calendar.working_days_between(D(2026, 12, 30), D(2027, 1, 5))
    assert list(raised.value.fields) == ["to"]
    count = calendar.count(D(2026, 12, 30), D(2027, 1, 5), allow_provisional=True)
    assert (count.working_days, count.provisional) == (3, True)  # 31 Dec, 4 and 5 Jan


@pytest.mark.parametrize("day", [D(2003, 12, 31), D(2032, 1, 1)])
def test_out_of_range_even_provisionally(calendar, day):
    with pytest.raises(CalendarOutOfRange) as raised:
        calendar.day(day, allow_provisional=True)
    assert raised.value.code == "calendar_out_of_range"
    assert "2004-01-01 至 2031-12-31" in raised.value.message


def test_deadline_past_the_horizon(calendar):
    with pytest.raises(CalendarOutOfRange) as raised:
        calendar.deadline(D(2031, 12, 1), 60, allow_provisional=True)
    assert list(raised.value.fields) == ["days"]


# -- a zone's own days --------------------------------------------------------------------


def _with_overrides(overrides):
    notices, years = chinesecalendar_notices()
    return WorkingCalendar(notices=notices, covered_years=years, overrides=overrides)


def test_zone_overrides_win_over_the_notice():
    zone = _with_overrides(
        {
            D(2026, 10, 10): KnownDay(DayKind.ZONE_CLOSED, "台风"),  # a make-up Saturday
            D(2026, 10, 5): KnownDay(DayKind.ZONE_OPEN, "集中办理"),  # a holiday
        }
    )
    assert zone.day(D(2026, 10, 10)).reason == "本区停止办公（台风）"
    assert not zone.is_working_day(D(2026, 10, 10))
    assert zone.is_working_day(D(2026, 10, 5))
    # 29, 30 Sep; 5 Oct (open); 8, 9 Oct
    assert zone.add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 9)
    assert zone.working_days_between(D(2026, 9, 28), D(2026, 10, 12)) == 6


def test_zone_override_in_an_uncovered_year_stays_provisional():
    zone = _with_overrides({D(2027, 1, 4): KnownDay(DayKind.ZONE_CLOSED, "停电")})
    info = zone.day(D(2027, 1, 4), allow_provisional=True)
    assert (info.kind, info.provisional) == (DayKind.ZONE_CLOSED, True)
    with pytest.raises(CalendarNotCovered):
        zone.day(D(2027, 1, 4))


def test_known_days_lists_the_spring_festival(calendar):
    days = calendar.known_days(D(2026, 2, 14), D(2026, 2, 28))
    assert [(info.date.day, info.kind) for info in days] == [
        (14, DayKind.MAKEUP_WORKDAY),
        *[(n, DayKind.HOLIDAY) for n in range(15, 24)],
        (28, DayKind.MAKEUP_WORKDAY),
    ]
    assert not any(info.provisional for info in days)
    assert calendar.known_days(D(2027, 1, 1), D(2027, 1, 1))[0].provisional


def test_a_calendar_needs_a_covered_year():
    with pytest.raises(ValueError, match="at least one covered year"):
        WorkingCalendar(notices={}, covered_years=[])
