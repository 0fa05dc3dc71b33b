"""The appeal clock (appeals.clock), pure: no database.

Every expected date below was worked by hand from the State Council notices and then
checked day by day against ``chinese_calendar.is_workday`` (chinesecalendar 1.11.0):

2026 Spring Festival: Sat 14 Feb is a make-up working day (调休), Sun 15 – Mon 23 Feb are
off, Sat 28 Feb is a make-up working day.
2026 Mid-autumn Fri 25 – Sun 27 Sep off; National Day Thu 1 – Wed 7 Oct off; Sun 20 Sep and
Sat 10 Oct are make-up working days.
2027 has no notice in the package: weekends and the fixed-date holidays only (元旦 1 Jan,
劳动节 1–2 May, 国庆节 1–3 Oct), flagged provisional (暂定).

Office hours are the defaults 09:00–17:30 unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import numpy as np
import pytest

from onewindow.appeals.clock import (
    Limit,
    deadline_ordinals,
    due,
    end_of_working_day_us,
    epoch_us,
    from_epoch_us,
    is_late,
    is_warning,
    working_days_due,
    working_days_due_many,
    working_hours_due,
)
from onewindow.appeals.constants import LimitUnit
from onewindow.appeals.tests.factories import at
from onewindow.core.calendar import (
    CalendarOutOfRange,
    DayKind,
    KnownDay,
    WorkingCalendar,
    chinesecalendar_notices,
)

NOTICES, YEARS = chinesecalendar_notices()
CALENDAR = WorkingCalendar(notices=NOTICES, covered_years=YEARS)
OPENS, CLOSES = dt.time(9, 0), dt.time(17, 30)
WORKING_DAYS, NATURAL_HOURS = str(LimitUnit.WORKING_DAYS), str(LimitUnit.NATURAL_HOURS)


def days_due(start: dt.datetime, days: int, calendar: WorkingCalendar = CALENDAR):
    return working_days_due(calendar, start, days, CLOSES)


def order_due(start: dt.datetime, limit: Limit, *, warn_percent: int = 80, ends=CLOSES):
    return due(CALENDAR, start=start, limit=limit, workday_ends=ends, warn_percent=warn_percent)


def sign_due(start: dt.datetime, hours: float = 2, calendar: WorkingCalendar = CALENDAR):
    return working_hours_due(
        calendar, start=start, hours=hours, workday_starts=OPENS, workday_ends=CLOSES
    )


def test_the_package_agrees_with_the_days_these_tests_are_worked_from():
    off = [dt.date(2026, 2, 15) + dt.timedelta(days=n) for n in range(9)]
    off += [dt.date(2026, 9, 25), dt.date(2026, 9, 26), dt.date(2026, 9, 27)]
    off += [dt.date(2026, 10, 1) + dt.timedelta(days=n) for n in range(7)]
    makeup = [dt.date(2026, 2, 14), dt.date(2026, 2, 28), dt.date(2026, 9, 20)]
    makeup += [dt.date(2026, 10, 10)]
    assert not any(chinese_calendar.is_workday(day) for day in off)
    assert all(chinese_calendar.is_workday(day) for day in makeup)
    assert 2027 not in YEARS


# -- working days across the 2026 Spring Festival ---------------------------------------------


def test_five_working_days_across_the_spring_festival():
    # Received Fri 13 Feb 2026 (not counted). Sat 14 Feb (调休) is the 1st; 15–23 Feb are
    # off; Tue 24 the 2nd, Wed 25 the 3rd, Thu 26 the 4th, Fri 27 Feb the 5th.
    assert days_due(at(dt.date(2026, 2, 13)), 5) == (at(dt.date(2026, 2, 27), 17, 30), False)


def test_a_receipt_on_a_holiday_counts_from_the_next_working_day():
    # Received Tue 17 Feb 2026, inside the festival. Tue 24 – Fri 27 Feb are the 1st to
    # the 4th; Sat 28 Feb, a make-up working day, is the 5th.
    assert days_due(at(dt.date(2026, 2, 17)), 5) == (at(dt.date(2026, 2, 28), 17, 30), False)


def test_fifteen_working_days_for_a_difficult_order_across_the_festival():
    # From Fri 13 Feb 2026: Sat 14 (1), Tue 24 – Fri 27 (2–5), Sat 28 (6), Mon 2 – Fri 6
    # Mar (7–11), Mon 9 – Thu 12 Mar (12–15).
    assert days_due(at(dt.date(2026, 2, 13)), 15) == (at(dt.date(2026, 3, 12), 17, 30), False)


# -- working days across the 2026 National Day -----------------------------------------------


def test_five_working_days_across_national_day_end_on_the_make_up_saturday():
    # Received Mon 28 Sep 2026. Tue 29 (1), Wed 30 Sep (2); 1–7 Oct off; Thu 8 (3), Fri 9
    # (4), Sat 10 Oct (调休) (5): due Sat 10 Oct 17:30.
    assert days_due(at(dt.date(2026, 9, 28)), 5) == (at(dt.date(2026, 10, 10), 17, 30), False)


def test_a_receipt_on_a_weekend_counts_the_make_up_sunday():
    # Received Sat 19 Sep 2026 (a weekend day). Sun 20 Sep (调休) is the 1st, Mon 21 – Thu
    # 24 Sep the 2nd to the 5th.
    assert days_due(at(dt.date(2026, 9, 19)), 5) == (at(dt.date(2026, 9, 24), 17, 30), False)


def test_mid_autumn_and_national_day_in_one_limit():
    # Received Thu 24 Sep 2026. Fri 25 – Sun 27 off (中秋); Mon 28 (1), Tue 29 (2), Wed 30
    # (3); 1–7 Oct off; Thu 8 (4), Fri 9 Oct (5).
    assert days_due(at(dt.date(2026, 9, 24)), 5) == (at(dt.date(2026, 10, 9), 17, 30), False)


def test_the_day_of_receipt_is_the_local_day_whatever_the_hour():
    # 23:59 on Wed 30 Sep: that day is not counted; Thu 8 (1), Fri 9 Oct (2).
    assert days_due(at(dt.date(2026, 9, 30), 23, 59), 2)[0] == at(dt.date(2026, 10, 9), 17, 30)
    # 00:30 on Thu 1 Oct local time is 16:30 UTC on 30 Sep: the day is 1 Oct (a holiday),
    # and the 1st working day after it is Thu 8 Oct.
    utc = dt.datetime(2026, 9, 30, 16, 30, tzinfo=dt.UTC)
    assert days_due(utc, 1)[0] == at(dt.date(2026, 10, 8), 17, 30)


def test_the_order_is_due_at_the_zone_s_end_of_the_working_day():
    # The same limit as above with a zone whose office closes at 18:00.
    result = order_due(at(dt.date(2026, 9, 28)), Limit(WORKING_DAYS, 5), ends=dt.time(18, 0))
    assert result.due_at == at(dt.date(2026, 10, 10), 18, 0)


# -- into 2027: provisional ---------------------------------------------------------------------


def test_a_limit_ending_inside_2026_is_not_provisional():
    # Received Thu 24 Dec 2026: Fri 25 (1), Mon 28 (2), Tue 29 (3), Wed 30 (4), Thu 31 (5).
    assert days_due(at(dt.date(2026, 12, 24)), 5) == (at(dt.date(2026, 12, 31), 17, 30), False)


def test_a_limit_reaching_into_2027_is_provisional():
    # Received Mon 28 Dec 2026: Tue 29 (1), Wed 30 (2), Thu 31 (3); Fri 1 Jan 2027 is 元旦
    # (a fixed-date holiday, assumed); Mon 4 (4), Tue 5 Jan 2027 (5). No notice for 2027
    # yet, so 暂定.
    assert days_due(at(dt.date(2026, 12, 28)), 5) == (at(dt.date(2027, 1, 5), 17, 30), True)


def test_the_2027_spring_festival_is_not_guessed():
    # Received Fri 5 Feb 2027: without a notice Mon 8 – Fri 12 Feb count as working days
    # (the festival falls there; the notice, once loaded, moves it). Flagged 暂定.
    assert days_due(at(dt.date(2027, 2, 5)), 5) == (at(dt.date(2027, 2, 12), 17, 30), True)


def test_once_the_2027_notice_is_known_the_answer_is_no_longer_provisional():
    # A made-up 2027 notice (1–3 Jan off): 2027 is covered now, so the answer is firm.
    notices = {
        **NOTICES,
        dt.date(2027, 1, 1): KnownDay(DayKind.HOLIDAY, "元旦"),
        dt.date(2027, 1, 2): KnownDay(DayKind.HOLIDAY, "元旦"),
        dt.date(2027, 1, 3): KnownDay(DayKind.HOLIDAY, "元旦"),
    }
    known = WorkingCalendar(notices=notices, covered_years={*YEARS, 2027})
    assert days_due(at(dt.date(2026, 12, 28)), 5, known) == (at(dt.date(2027, 1, 5), 17, 30), False)


# -- natural hours ------------------------------------------------------------------------------


def test_natural_hours_run_round_the_clock_across_midnight_into_a_holiday():
    # 23:00 on Wed 30 Sep 2026 + 2 hours = 01:00 on Thu 1 Oct (National Day): holidays do
    # not stop the clock. Warning at 80 % of 120 minutes = 96 minutes: 00:36.
    result = order_due(at(dt.date(2026, 9, 30), 23), Limit(NATURAL_HOURS, 2))
    assert result.due_at == at(dt.date(2026, 10, 1), 1, 0)
    assert result.warn_at == at(dt.date(2026, 10, 1), 0, 36)
    assert result.provisional is False


def test_natural_hours_on_a_weekend_at_night():
    # Sat 21 Feb 2026 (a festival day) 22:30 + 2 hours = Sun 22 Feb 00:30.
    result = order_due(at(dt.date(2026, 2, 21), 22, 30), Limit(NATURAL_HOURS, 2))
    assert result.due_at == at(dt.date(2026, 2, 22), 0, 30)


def test_an_extension_of_a_natural_hours_order_adds_working_days_after_its_hours():
    # 16:00 Wed 30 Sep + 2 hours = 18:00 Wed 30 Sep; one working day after that day is
    # Thu 8 Oct (1–7 Oct off): due 17:30. The warning stays at 80 % of the hours: 17:36.
    result = order_due(at(dt.date(2026, 9, 30), 16), Limit(NATURAL_HOURS, 2, extended_days=1))
    assert result.due_at == at(dt.date(2026, 10, 8), 17, 30)
    assert result.warn_at == at(dt.date(2026, 9, 30), 17, 36)


# -- the 签收 limit in working hours ---------------------------------------------------------------


def test_sign_within_office_hours_of_the_same_day():
    # Dispatched Tue 15 Sep 2026 10:00, 2 working hours: 12:00.
    assert sign_due(at(dt.date(2026, 9, 15), 10)) == at(dt.date(2026, 9, 15), 12, 0)


def test_sign_late_in_the_day_runs_on_next_morning():
    # Tue 15 Sep 17:00: 30 minutes today (to 17:30), 90 minutes on Wed 16 from 09:00: 10:30.
    assert sign_due(at(dt.date(2026, 9, 15), 17)) == at(dt.date(2026, 9, 16), 10, 30)


def test_sign_dispatched_on_a_friday_afternoon_is_due_on_monday():
    # Fri 11 Sep 17:00: 30 minutes on Friday, the weekend is off, 90 minutes on Mon 14 Sep.
    assert sign_due(at(dt.date(2026, 9, 11), 17)) == at(dt.date(2026, 9, 14), 10, 30)


def test_sign_dispatched_before_the_make_up_sunday_is_due_that_sunday():
    # Fri 18 Sep 17:00: Sat 19 is off, Sun 20 Sep is a make-up working day: 10:30 that day.
    assert sign_due(at(dt.date(2026, 9, 18), 17)) == at(dt.date(2026, 9, 20), 10, 30)


def test_sign_dispatched_before_national_day_is_due_after_it():
    # Wed 30 Sep 17:00: 30 minutes, then 1–7 Oct off, 90 minutes on Thu 8 Oct: 10:30.
    assert sign_due(at(dt.date(2026, 9, 30), 17)) == at(dt.date(2026, 10, 8), 10, 30)


def test_sign_dispatched_before_the_spring_festival_is_due_on_the_make_up_saturday():
    # Fri 13 Feb 17:00: 30 minutes, then Sat 14 Feb (调休) from 09:00: 10:30.
    assert sign_due(at(dt.date(2026, 2, 13), 17)) == at(dt.date(2026, 2, 14), 10, 30)


def test_sign_dispatched_before_the_office_opens_or_after_it_closes():
    # 07:00 Tue 15 Sep: the clock starts at 09:00, due 11:00.
    assert sign_due(at(dt.date(2026, 9, 15), 7)) == at(dt.date(2026, 9, 15), 11, 0)
    # 20:00 Tue 15 Sep: nothing left today; Wed 16 from 09:00, due 11:00.
    assert sign_due(at(dt.date(2026, 9, 15), 20)) == at(dt.date(2026, 9, 16), 11, 0)


def test_sign_limit_follows_a_zone_closure():
    # The zone closes Wed 16 Sep (typhoon): Tue 15 Sep 17:00 runs on to Thu 17 Sep 10:30.
    closed = WorkingCalendar(
        notices=NOTICES,
        covered_years=YEARS,
        overrides={dt.date(2026, 9, 16): KnownDay(DayKind.ZONE_CLOSED, "台风")},
    )
    assert sign_due(at(dt.date(2026, 9, 15), 17), calendar=closed) == at(
        dt.date(2026, 9, 17), 10, 30
    )


# -- warnings and extensions ------------------------------------------------------------------


def test_the_warning_is_at_the_end_of_the_working_day_at_warn_percent():
    # 5 working days × 80 % = 4: from Mon 28 Sep the 4th working day is Fri 9 Oct.
    result = order_due(at(dt.date(2026, 9, 28)), Limit(WORKING_DAYS, 5))
    assert result.warn_at == at(dt.date(2026, 10, 9), 17, 30)
    # 15 × 80 % = 12: from Fri 13 Feb the 12th working day is Mon 9 Mar.
    result = order_due(at(dt.date(2026, 2, 13)), Limit(WORKING_DAYS, 15))
    assert result.warn_at == at(dt.date(2026, 3, 9), 17, 30)


def test_a_warning_share_below_one_working_day_warns_at_once():
    # 5 × 10 % = 0.5, floored to 0: the order is in warning from its receipt.
    start = at(dt.date(2026, 9, 28), 10)
    result = order_due(start, Limit(WORKING_DAYS, 5), warn_percent=10)
    assert result.warn_at == start
    assert is_warning(start, warn_at=result.warn_at, due_at=result.due_at)


def test_warning_and_late_around_the_deadline():
    result = order_due(at(dt.date(2026, 9, 28)), Limit(WORKING_DAYS, 5))
    assert not is_warning(
        at(dt.date(2026, 10, 9), 17, 29), warn_at=result.warn_at, due_at=result.due_at
    )
    assert is_warning(
        at(dt.date(2026, 10, 9), 17, 30), warn_at=result.warn_at, due_at=result.due_at
    )
    assert not is_late(at(dt.date(2026, 10, 10), 17, 30), due_at=result.due_at)
    assert is_late(at(dt.date(2026, 10, 10), 17, 31), due_at=result.due_at)


def test_an_extension_adds_working_days():
    # 5 + 5 extended from Mon 28 Sep: 29, 30 Sep, 8, 9, 10 (调休), 12, 13, 14, 15, 16 Oct:
    # due Fri 16 Oct. Warning: 10 × 80 % = 8 → Wed 14 Oct.
    result = order_due(at(dt.date(2026, 9, 28)), Limit(WORKING_DAYS, 5, extended_days=5))
    assert result.due_at == at(dt.date(2026, 10, 16), 17, 30)
    assert result.warn_at == at(dt.date(2026, 10, 14), 17, 30)


def test_a_zone_closure_moves_the_deadline():
    # The zone closes Tue 29 Sep 2026: from Mon 28 Sep, Wed 30 (1), Thu 8 (2), Fri 9 (3),
    # Sat 10 (调休) (4), Mon 12 Oct (5).
    closed = WorkingCalendar(
        notices=NOTICES,
        covered_years=YEARS,
        overrides={dt.date(2026, 9, 29): KnownDay(DayKind.ZONE_CLOSED, "台风")},
    )
    assert days_due(at(dt.date(2026, 9, 28)), 5, closed) == (
        at(dt.date(2026, 10, 12), 17, 30),
        False,
    )


# -- the vectorised path, on the hand-worked days -----------------------------------------------


def test_deadline_ordinals_answer_the_hand_worked_days():
    starts = [
        dt.date(2026, 2, 13),
        dt.date(2026, 2, 17),
        dt.date(2026, 9, 28),
        dt.date(2026, 12, 28),
    ]
    days = [5, 5, 5, 5]
    due_days, provisional = deadline_ordinals(
        CALENDAR, np.array([day.toordinal() for day in starts]), np.array(days)
    )
    assert [dt.date.fromordinal(int(day)) for day in due_days] == [
        dt.date(2026, 2, 27),
        dt.date(2026, 2, 28),
        dt.date(2026, 10, 10),
        dt.date(2027, 1, 5),
    ]
    assert provisional.tolist() == [False, False, False, True]


def test_zero_working_days_is_the_start_day_even_on_a_holiday():
    start = dt.date(2026, 10, 3).toordinal()
    due_days, provisional = deadline_ordinals(CALENDAR, np.array([start]), np.array([0]))
    assert due_days.tolist() == [start]
    assert provisional.tolist() == [False]


def test_the_vectorised_path_refuses_days_outside_the_calendar():
    with pytest.raises(CalendarOutOfRange):
        deadline_ordinals(CALENDAR, np.array([dt.date(1999, 1, 4).toordinal()]), np.array([5]))
    last = CALENDAR.last_day.toordinal()
    with pytest.raises(CalendarOutOfRange):
        deadline_ordinals(CALENDAR, np.array([last - 3]), np.array([10]))
    with pytest.raises(ValueError):
        deadline_ordinals(CALENDAR, np.array([last - 400]), np.array([-1]))


def test_the_vectorised_instants_are_the_scalar_ones():
    # Mon 28 Sep + 5 (warning: 4) and Fri 13 Feb + 15 extended by 2 (warning: 13).
    starts = [at(dt.date(2026, 9, 28), 10), at(dt.date(2026, 2, 13), 9, 15)]
    totals = [5, 17]
    result = working_days_due_many(
        CALENDAR,
        start_days=np.array([start.date().toordinal() for start in starts]),
        start_us=np.array([epoch_us(start) for start in starts]),
        totals=np.array(totals),
        workday_ends=CLOSES,
        warn_percent=80,
    )
    assert from_epoch_us(result.due_us[0]) == at(dt.date(2026, 10, 10), 17, 30)
    assert from_epoch_us(result.warn_us[0]) == at(dt.date(2026, 10, 9), 17, 30)
    scalar = order_due(starts[1], Limit(WORKING_DAYS, 15, extended_days=2))
    assert from_epoch_us(result.due_us[1]) == scalar.due_at
    assert from_epoch_us(result.warn_us[1]) == scalar.warn_at


def test_end_of_working_day_instants_in_utc():
    # 17:30 in Shanghai (UTC+8) is 09:30 UTC.
    day = dt.date(2026, 10, 10)
    (value,) = end_of_working_day_us(np.array([day.toordinal()]), CLOSES)
    assert from_epoch_us(value) == dt.datetime(2026, 10, 10, 9, 30, tzinfo=dt.UTC)
