"""The month roll-up: a closed month is the sum of its days, long periods read it, and
every figure stays what the days and the live cases give (``dataset.py``'s March)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from onewindow.insights import selectors, services
from onewindow.insights.models import (
    CaseFact,
    DailyFigures,
    DailyRatings,
    MonthlyDurations,
    MonthlyFigures,
    MonthlyRatings,
    RollupState,
)
from onewindow.insights.rows import Filters, Stored, closed_through, stored_parts
from onewindow.insights.selectors.figures import COUNTS
from onewindow.insights.tests.dataset import MARCH, TODAY, _rating
from onewindow.reviews.models import Channel, Level, Rectification, RectificationStatus

pytestmark = pytest.mark.django_db

D = dt.date
MAY = D(2026, 5, 5)


def _filters(world, day_from, day_to, **narrow) -> Filters:
    return Filters(zone_id=world.zone.pk, day_from=day_from, day_to=day_to, **narrow)


def _comparable(summary: selectors.Summary):
    return (
        summary.totals,
        [(row.department.pk, row.figures) for row in summary.departments],
        [(row.item_id, row.figures) for row in summary.items],
        [(point.label, point.accepted, point.decided) for point in summary.trend],
    )


def _read(filters: Filters, on: dt.date, *, months: bool = True, rolled: bool = True):
    """The summary from the month roll-up, from the days only (``months=False``), or all
    live (``rolled=False``): the roll-up state is set aside for the read, then restored."""
    state = RollupState.objects.get(zone_id=filters.zone_id)
    saved = (state.rolled_through, state.months_through)
    RollupState.objects.filter(pk=state.pk).update(
        rolled_through=saved[0] if rolled else None,
        months_through=saved[1] if rolled and months else None,
    )
    try:
        return _comparable(selectors.summary(filters, on=on))
    finally:
        RollupState.objects.filter(pk=state.pk).update(
            rolled_through=saved[0], months_through=saved[1]
        )


def _per_cell(queryset, key: str, values: list[str]) -> dict:
    rows = queryset.values(key, "department_id", "item_id", *values[:-1]).annotate(
        n=Sum(values[-1])
    )
    return {
        tuple(row[name] for name in (key, "department_id", "item_id", *values[:-1])): row["n"]
        for row in rows
    }


# -- which days a period reads from the months -----------------------------------------


@pytest.mark.parametrize(
    ("mark", "expected"),
    [
        (D(2026, 3, 31), D(2026, 3, 31)),
        (D(2026, 3, 30), D(2026, 2, 28)),
        (D(2026, 3, 1), D(2026, 2, 28)),
        (D(2024, 2, 29), D(2024, 2, 29)),
        (None, None),
    ],
)
def test_a_month_is_closed_once_its_last_day_is_rolled(mark, expected):
    assert closed_through(mark) == expected


@pytest.mark.parametrize(
    ("period", "stored_to", "months_through", "expected"),
    [
        # Twelve months ending yesterday: the whole months between, the days around them.
        (
            (D(2025, 4, 2), D(2026, 4, 1)),
            D(2026, 4, 1),
            D(2026, 3, 31),
            Stored(
                (D(2025, 5, 1), D(2026, 3, 1)),
                ((D(2025, 4, 2), D(2025, 4, 30)), (D(2026, 4, 1), D(2026, 4, 1))),
            ),
        ),
        # Whole months exactly: no days.
        (
            (D(2026, 1, 1), D(2026, 3, 31)),
            D(2026, 3, 31),
            D(2026, 3, 31),
            Stored((D(2026, 1, 1), D(2026, 3, 1)), ()),
        ),
        # Months not rolled up yet (March still open in the month roll-up): its days.
        (
            (D(2026, 1, 1), D(2026, 3, 31)),
            D(2026, 3, 31),
            D(2026, 2, 28),
            Stored((D(2026, 1, 1), D(2026, 2, 1)), ((D(2026, 3, 1), D(2026, 3, 31)),)),
        ),
        # The stored part ends mid-month (today read live): that month per day.
        (
            (D(2026, 1, 15), D(2026, 4, 1)),
            D(2026, 3, 20),
            D(2026, 3, 31),
            Stored(
                (D(2026, 2, 1), D(2026, 2, 1)),
                ((D(2026, 1, 15), D(2026, 1, 31)), (D(2026, 3, 1), D(2026, 3, 20))),
            ),
        ),
        # Charted by day (under 62 days): per day, whole months or not.
        (
            (D(2026, 2, 1), D(2026, 3, 31)),
            D(2026, 3, 31),
            D(2026, 3, 31),
            Stored(None, ((D(2026, 2, 1), D(2026, 3, 31)),)),
        ),
        # No month rolled up yet (an installation before its first roll-up of months).
        (
            (D(2025, 4, 2), D(2026, 4, 1)),
            D(2026, 4, 1),
            None,
            Stored(None, ((D(2025, 4, 2), D(2026, 4, 1)),)),
        ),
        # No whole month inside the period.
        (
            (D(2026, 1, 15), D(2026, 3, 20)),
            D(2026, 3, 20),
            D(2026, 3, 31),
            Stored(
                (D(2026, 2, 1), D(2026, 2, 1)),
                ((D(2026, 1, 15), D(2026, 1, 31)), (D(2026, 3, 1), D(2026, 3, 20))),
            ),
        ),
    ],
)
def test_stored_days_split_into_whole_months_and_days(period, stored_to, months_through, expected):
    filters = Filters(zone_id=1, day_from=period[0], day_to=period[1])

    assert stored_parts(filters, stored_to, months_through) == expected


# -- what the roll-up writes -----------------------------------------------------------


def test_a_closed_month_is_the_sum_of_its_days(world, march, now):
    services.rollup_due(zone=world.zone, today=TODAY)

    state = RollupState.objects.get(zone=world.zone)
    assert (state.rolled_through, state.months_through) == (MARCH[1], MARCH[1])
    # February (C11 accepted on 27 Feb) and March are closed; April is not.
    assert set(MonthlyFigures.objects.values_list("month", flat=True)) == {
        D(2026, 2, 1),
        D(2026, 3, 1),
    }
    daily = DailyFigures.objects.filter(day__range=MARCH)
    monthly = MonthlyFigures.objects.filter(month=MARCH[0])
    for name in COUNTS:
        assert _per_cell(daily, "zone_id", [name]) == _per_cell(monthly, "zone_id", [name])
    assert _per_cell(
        DailyRatings.objects.filter(day__range=MARCH), "zone_id", ["level", "ratings"]
    ) == (_per_cell(MonthlyRatings.objects.filter(month=MARCH[0]), "zone_id", ["level", "ratings"]))
    assert MonthlyRatings.objects.filter(month=MARCH[0]).aggregate(n=Sum("ratings"))["n"] == 7
    # The working days of March's decisions and deliveries, counted per value.
    rolled_up = {}
    for family, date, days in (
        ("d", "decided_on", "decision_days"),
        ("l", "delivered_on", "delivery_days"),
    ):
        facts = Counter(
            CaseFact.objects.filter(**{f"{date}__range": MARCH}).values_list(days, flat=True)
        )
        rolled = Counter()
        for value, cases in MonthlyDurations.objects.filter(
            month=MARCH[0], family=family
        ).values_list("days", "cases"):
            rolled[value] += cases
        assert rolled == facts
        rolled_up[family] = rolled
    # Decisions in March: 0 1 2 3 4 4 7 8 15 working days (test_figures).
    assert sorted(rolled_up["d"].elements()) == [0, 1, 2, 3, 4, 4, 7, 8, 15]


def test_the_open_month_is_not_rolled_up(world, march, now):
    services.rollup(zone=world.zone, day_from=D(2026, 2, 27), day_to=D(2026, 3, 19), today=TODAY)

    state = RollupState.objects.get(zone=world.zone)
    assert state.rolled_through == D(2026, 3, 19)
    assert state.months_through == D(2026, 2, 28)
    assert not MonthlyFigures.objects.filter(month=MARCH[0]).exists()
    assert MonthlyFigures.objects.get(month=D(2026, 2, 1)).accepted == 1  # C11


def test_rolling_a_day_again_rolls_its_closed_month_again(world, march, now):
    services.rollup_due(zone=world.zone, today=TODAY)
    expected = list(MonthlyFigures.objects.order_by("month", "department", "item").values_list())
    MonthlyFigures.objects.filter(month=MARCH[0]).update(accepted=0)
    MonthlyDurations.objects.filter(month=MARCH[0]).delete()

    services.rollup(zone=world.zone, day_from=D(2026, 3, 12), day_to=D(2026, 3, 12), today=TODAY)

    rows = list(MonthlyFigures.objects.order_by("month", "department", "item").values_list())
    assert [row[1:] for row in rows] == [row[1:] for row in expected]
    assert MonthlyDurations.objects.filter(month=MARCH[0]).exists()


def test_months_are_rolled_up_for_an_installation_rolled_before_them(world, march, now):
    services.rollup_due(zone=world.zone, today=TODAY)
    expected = _read(_filters(world, D(2026, 1, 1), MARCH[1]), TODAY, months=False)
    # As after the upgrade: days rolled, no month yet.
    for model in (MonthlyFigures, MonthlyRatings, MonthlyDurations):
        model.objects.all().delete()
    RollupState.objects.update(months_through=None)

    services.rollup_due(zone=world.zone, today=D(2026, 4, 2))

    assert RollupState.objects.get().months_through == MARCH[1]
    assert set(MonthlyFigures.objects.values_list("month", flat=True)) == {
        D(2026, 2, 1),
        D(2026, 3, 1),
    }
    assert _read(_filters(world, D(2026, 1, 1), MARCH[1]), TODAY) == expected


# -- what the dashboard reads ----------------------------------------------------------

QUESTIONS = [
    {},
    {"department_id": "department"},
    {"department_id": "other_department"},
    {"item_id": "item"},
    {"item_id": "other_item", "department_id": "other_department"},
]


def _narrow(world, question: dict) -> dict:
    ids = {}
    for key, name in question.items():
        value = getattr(world, name)
        ids[key] = value.item_id if key == "item_id" else value.pk
    return ids


@pytest.mark.parametrize(
    "period",
    [
        (D(2026, 1, 1), MARCH[1]),  # whole months only
        (D(2026, 1, 15), MARCH[1]),  # days, then February and March
        (D(2026, 1, 15), TODAY),  # and today, live
        (D(2025, 4, 2), TODAY),  # twelve months to today
        (D(2026, 2, 10), D(2026, 4, 30)),  # beyond today
    ],
)
def test_long_periods_give_the_same_figures_from_months_days_and_cases(world, march, now, period):
    services.rollup_due(zone=world.zone, today=TODAY)

    for question in QUESTIONS:
        filters = _filters(world, *period, **_narrow(world, question))
        with CaptureQueriesContext(connection) as queries:
            from_months = _read(filters, TODAY)
        assert any("insights_monthlyfigures" in query["sql"] for query in queries)
        assert from_months == _read(filters, TODAY, months=False)
        assert from_months == _read(filters, TODAY, rolled=False)


def test_the_twelve_months_of_the_march_zone(world, march, now):
    services.rollup_due(zone=world.zone, today=TODAY)

    summary = selectors.summary(_filters(world, D(2025, 4, 2), MARCH[1]), on=TODAY)

    # February's C11 (accepted 27 Feb, decided and delivered in March) and March.
    totals = summary.totals
    assert (totals.accepted, totals.decided, totals.delivered, totals.ratings) == (13, 9, 8, 7)
    assert (totals.decision_days_median, totals.delivery_days_median) == (4.0, 5.0)
    assert (totals.bad_open, totals.bad_overdue, totals.bad_rectified, totals.bad_closed) == (
        1,
        1,
        1,
        1,
    )
    assert [(point.label, point.accepted, point.decided) for point in summary.trend][-2:] == [
        ("2026-02", 1, 0),
        ("2026-03", 12, 9),
    ]


def test_a_closed_month_after_late_ratings_and_rectifications(world, march, now):
    """March rolled up on 1 Apr; later: a rating committed after midnight but dated 31 Mar,
    ratings of March's cases given in May, rectifications that change state. The month
    roll-up, the days and the live cases still agree."""
    services.rollup_due(zone=world.zone, today=TODAY)
    period = _filters(world, D(2026, 1, 1), MARCH[1])
    # A rating dated 31 Mar committed after the 00:30 run: the next run rolls 31 Mar again
    # (every run re-rolls the last rolled day), and with it March.
    _rating(march.cases["C10"], Channel.MOBILE, Level.VERY_SATISFIED, MARCH[1], None)
    services.rollup_due(zone=world.zone, today=D(2026, 4, 2))
    assert selectors.summary(period, on=TODAY).totals.ratings == 8
    assert _read(period, TODAY) == _read(period, TODAY, rolled=False)

    # In May: March's rated cases are rated again on another channel (counted in May,
    # the day they are given), R3's rectification is now overdue, R4's closed, R5's
    # return visit done.
    _rating(march.cases["C2"], Channel.SMS, Level.VERY_DISSATISFIED, MAY, None)
    _rating(march.cases["C5"], Channel.SMS, Level.SATISFIED, MAY, None)
    late = march.ratings["R4"].rated_at + dt.timedelta(days=40)
    Rectification.objects.filter(rating=march.ratings["R4"]).update(
        status=RectificationStatus.CLOSED, rectified_at=late, closed_at=late
    )
    Rectification.objects.filter(rating=march.ratings["R5"]).update(
        status=RectificationStatus.CLOSED, closed_at=late
    )
    services.rollup_due(zone=world.zone, today=MAY)
    assert RollupState.objects.get().months_through == D(2026, 4, 30)

    for day_from, day_to in ((D(2026, 1, 1), MARCH[1]), (D(2026, 1, 1), MAY), (D(2025, 5, 6), MAY)):
        filters = _filters(world, day_from, day_to)
        assert _read(filters, MAY) == _read(filters, MAY, months=False)
        assert _read(filters, MAY) == _read(filters, MAY, rolled=False)
    march_now = selectors.summary(period, on=MAY).totals
    # R3 open past 7 Apr: overdue; R4 and R5 closed, R6 closed before.
    assert (march_now.bad_open, march_now.bad_overdue, march_now.bad_rectified) == (0, 1, 0)
    assert march_now.bad_closed == 3
    year = selectors.summary(_filters(world, D(2025, 5, 6), MAY), on=MAY).totals
    # March's 7, the one dated 31 Mar, R8 on 1 Apr and the two in May; bad: R3–R6 and May's.
    assert (year.ratings, year.bad) == (11, 5)


def test_a_changed_working_day_moves_the_months_durations(world, march, now, administrator):
    from onewindow.org.services import calendar_override_set

    services.rollup_due(zone=world.zone, today=TODAY)
    # The zone closes on Wed 4 Mar: C1 (accepted 3 Mar, decided 6 Mar) took 3 working days.
    calendar_override_set(
        zone=world.zone, date=D(2026, 3, 4), kind="closed", reason="台风", actor=administrator
    )
    services.calendar_refresh(zone=world.zone)

    decisions = dict(
        MonthlyDurations.objects.filter(month=MARCH[0], family="d")
        .values("days")
        .annotate(n=Sum("cases"))
        .values_list("days", "n")
    )
    assert decisions == dict(
        Counter(
            CaseFact.objects.filter(decided_on__range=MARCH).values_list("decision_days", flat=True)
        )
    )
    filters = _filters(world, D(2026, 1, 1), MARCH[1])
    assert _read(filters, TODAY) == _read(filters, TODAY, rolled=False)


def test_a_year_asks_a_fixed_number_of_queries(world, march, now):
    services.rollup_due(zone=world.zone, today=TODAY)
    filters = _filters(world, D(2025, 4, 2), MARCH[1])
    selectors.summary(filters, on=TODAY)  # warm the calendar revision cache

    with CaptureQueriesContext(connection) as queries:
        selectors.summary(filters, on=TODAY)

    # The marks; the stored counts per (department, item) and per day (months and days
    # in one statement each); both families' working days in one; lights; ratings
    # (months and days in one); bad ratings' states; departments; item names; the
    # calendar's state (its revision is read once per request or transaction: by the
    # first call here).
    assert len(queries) == 10
    assert sum("insights_casefact" in query["sql"] for query in queries) == 1
