"""Every figure of the dashboard against the hand-counted zone of ``dataset.py``.

The same numbers must come out live (before any roll-up), from the roll-up's facts, and
from facts + live data when the period reaches today. Counts are worked out by hand in
the comments (case names as in ``dataset.py``).
"""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.insights import selectors, services
from onewindow.insights.aggregates import Median
from onewindow.insights.models import CalendarDay, CaseFact
from onewindow.insights.selectors import medians
from onewindow.insights.tests.dataset import MARCH, TODAY, at, build_march, build_today
from onewindow.org.selectors import calendar_for_zone

pytestmark = pytest.mark.django_db

D = dt.date

#: March 2026, the whole zone, as of Wed 1 Apr.
MARCH_TOTALS = {
    # Accepted in March: C1 C2 C3 C4 C5 C6 C7 C8 C9a C9b C10 C12 (not C11: 27 Feb; not C13:
    # refused; not C9: a bundle parent) = 12; 容缺 C2 = 1; 告知承诺 C3 = 1.
    "accepted": 12,
    "tolerated": 1,
    "commitment": 1,
    # Decided in March: C11 C3 C1 C2 C9a C9b C5 C4 C10 = 9; on time all but C4 = 8.
    "decided": 9,
    "on_time": 8,
    "late": 1,
    # Working days to decision: C11 3, C3 1, C1 4, C2 7, C9a 2, C9b 4, C5 8, C4 15, C10 0
    # = 44 over 9; sorted 0 1 2 3 [4] 4 7 8 15 → median 4.
    "decision_days_total": 44,
    "decision_days_count": 9,
    "decision_days_median": 4.0,
    # Delivered in March: C11 4, C1 5, C2 8, C9a 5, C9b 5, C5 9, C10 0, C3 19 = 55 over 8;
    # sorted 0 4 5 [5 5] 8 9 19 → median 5.
    "delivered": 8,
    "delivery_days_total": 55,
    "delivery_days_count": 8,
    "delivery_days_median": 5.0,
    # Of the 9 decided: no visit C11 C3 C1 C9a C9b C5 = 6; at most one also C4 C10 = 8
    # (C2: 2 visits).
    "online": 6,
    "one_visit": 8,
    "more_visits": 1,
    # Now (1 Apr): C7 yellow, C6 red; C8 green, C4 decided, C12 withdrawn.
    "yellow": 1,
    "red": 1,
    # Ratings in March: R1 5, R2 4, R3 2, R4 2, R5 1, R6 1, R7 3 = 7; satisfied R1 R2 R7 = 3.
    "ratings": 7,
    "satisfied": 3,
    # Bad R3 R4 R5 R6 = 4: R3 open (due 7 Apr), R4 overdue (due 26 Mar), R5 rectified
    # (visit due 8 Apr), R6 closed.
    "bad": 4,
    "bad_open": 1,
    "bad_overdue": 1,
    "bad_rectified": 1,
    "bad_closed": 1,
}
MARCH_RATES = {
    "on_time_rate": 8 / 9,
    "decision_days_average": 44 / 9,
    "delivery_days_average": 55 / 8,
    "online_share": 6 / 9,
    "one_visit_rate": 8 / 9,
    "satisfaction_rate": 3 / 7,
}

#: Department A (市场监督管理局) in March.
MARCH_A = {
    # C1 C2 C3 C4 C7 C8 C9a C10 C12 = 9.
    "accepted": 9,
    "tolerated": 1,
    "commitment": 1,
    # C11 C3 C1 C2 C9a C4 C10 = 7, on time 6 (not C4).
    "decided": 7,
    "on_time": 6,
    # 3 + 1 + 4 + 7 + 2 + 15 + 0 = 32 (median with the department filter: 0 1 2 [3] 4 7 15).
    "decision_days_total": 32,
    # C11 4, C1 5, C2 8, C9a 5, C10 0, C3 19 = 41 over 6 (median: 0 4 [5 5] 8 19 → 5).
    "delivered": 6,
    "delivery_days_total": 41,
    # A department's row carries averages; its median is the selection's when filtered.
    "decision_days_median": None,
    "delivery_days_median": None,
    # No visit: C11 C3 C1 C9a = 4; at most one: + C4 C10 = 6.
    "online": 4,
    "one_visit": 6,
    "yellow": 1,
    "red": 0,
    # R1 R2 R3 R4 R6 (the bundle's lead department) R7 = 6; satisfied R1 R2 R7 = 3.
    "ratings": 6,
    "satisfied": 3,
    "bad": 3,
    "bad_open": 1,
    "bad_overdue": 1,
    "bad_rectified": 0,
    "bad_closed": 1,
}

#: Department B (住房和城乡建设局) in March.
MARCH_B = {
    "accepted": 3,  # C5 C6 C9b
    "decided": 2,  # C5 C9b, both on time
    "on_time": 2,
    "decision_days_total": 12,  # 8 + 4 (median (4 + 8) / 2 = 6 when filtered)
    "delivered": 2,
    "delivery_days_total": 14,  # 9 + 5 (median 7 when filtered)
    "online": 2,
    "one_visit": 2,
    "yellow": 0,
    "red": 1,  # C6
    "ratings": 1,  # R5
    "satisfied": 0,
    "bad": 1,
    "bad_rectified": 1,
}

#: Per item in March: 食品经营许可, 施工许可, 个体工商户名称变更.
MARCH_ITEMS = {
    "食品经营许可": {
        "accepted": 8,  # C1 C2 C3 C4 C7 C8 C9a C12
        "decided": 6,  # C11 C3 C1 C2 C9a C4
        "on_time": 5,
        "decision_days_total": 32,  # 3 + 1 + 4 + 7 + 2 + 15
        "decision_days_median": 3.5,  # 1 2 [3 4] 7 15
        "delivered": 5,  # C11 C1 C2 C9a C3
        "delivery_days_median": 5.0,  # 4 5 [5] 8 19
        "yellow": 1,
        "ratings": 4,  # R1 R2 R3 R4 (R6 is the bundle's: no item)
        "satisfied": 2,
        "bad_overdue": 1,
    },
    "施工许可": {
        "accepted": 3,
        "decided": 2,
        "decision_days_median": 6.0,
        "red": 1,
        "ratings": 1,
        "bad_rectified": 1,
    },
    "个体工商户名称变更": {
        "accepted": 1,
        "decided": 1,
        "decision_days_median": 0.0,
        "delivery_days_median": 0.0,
        "online": 0,
        "one_visit": 1,
        "ratings": 1,
        "satisfied": 1,
    },
}


def _check(figures: selectors.Figures, expected: dict) -> None:
    actual = {name: getattr(figures, name) for name in expected}
    assert actual == expected


def _filters(world, day_from=MARCH[0], day_to=MARCH[1], **narrow) -> selectors.Filters:
    return selectors.Filters(zone_id=world.zone.pk, day_from=day_from, day_to=day_to, **narrow)


def _march(world, **narrow) -> selectors.Summary:
    return selectors.summary(_filters(world, **narrow), on=TODAY)


def _check_march(world, summary: selectors.Summary) -> None:
    _check(summary.totals, MARCH_TOTALS)
    for name, value in MARCH_RATES.items():
        assert getattr(summary.totals, name) == pytest.approx(value)
    by_department = {row.department.pk: row.figures for row in summary.departments}
    assert set(by_department) == {world.department.pk, world.other_department.pk}
    _check(by_department[world.department.pk], MARCH_A)
    _check(by_department[world.other_department.pk], MARCH_B)
    by_item = {row.name: row.figures for row in summary.items}
    assert set(by_item) == set(MARCH_ITEMS)
    for name, expected in MARCH_ITEMS.items():
        _check(by_item[name], expected)
    # The item table is ordered by cases decided.
    assert [row.name for row in summary.items] == ["食品经营许可", "施工许可", "个体工商户名称变更"]


def test_march_live_before_any_rollup(world, march, now):
    services.calendar_refresh(zone=world.zone)

    summary = _march(world)

    assert summary.rolled_through is None
    assert summary.live_from == MARCH[0]
    _check_march(world, summary)


def test_march_from_the_rollup_alone(world, march, now):
    services.rollup_due(zone=world.zone, today=TODAY)

    summary = _march(world)

    assert summary.rolled_through == D(2026, 3, 31)
    assert summary.live_from is None  # every day of March is rolled: facts only
    _check_march(world, summary)
    # The facts: the 13 item cases accepted by 31 Mar (C1–C12 with the bundle's two
    # children, and C11), each as it was when the job ran (11:00 on 1 Apr: C4 delivered).
    assert CaseFact.objects.count() == 13
    assert CaseFact.objects.get(case=march.cases["C4"]).delivered_on == TODAY


def test_period_to_today_reads_facts_and_live_data(world):
    # The nightly job runs at 00:30 on 1 Apr; then, at 10:00, C4 is delivered, C14
    # accepted and R8 given.
    data = build_march(world, today_too=False)
    with time_machine.travel(at(TODAY, 0, 30), tick=False):
        services.rollup_due(zone=world.zone)
    assert CaseFact.objects.get(case=data.cases["C4"]).status == "approved"  # open: live
    build_today(world, data.cases, data.ratings)

    with time_machine.travel(at(TODAY, 11), tick=False):
        summary = selectors.summary(_filters(world, day_to=TODAY), on=TODAY)
        march_only = _march(world)

    assert summary.live_from == D(2026, 4, 1)
    _check(
        summary.totals,
        {
            "accepted": 13,  # March's 12 + C14 today
            "decided": 9,
            # March's 8 + C4 delivered today after 22 wd (3 Mar … 1 Apr, 4–6 Apr not yet).
            "delivered": 9,
            "delivery_days_total": 55 + 22,
            "delivery_days_median": 5.0,  # 0 4 5 5 [5] 8 9 19 22
            "ratings": 8,  # + R8 (4) today
            "satisfied": 4,
        },
    )
    assert summary.totals.satisfaction_rate == pytest.approx(4 / 8)
    _check_march(world, march_only)


def test_live_and_rolled_figures_agree_for_every_filter(world, march, now):
    services.calendar_refresh(zone=world.zone)
    questions = [
        {},
        {"department_id": world.department.pk},
        {"department_id": world.other_department.pk},
        {"item_id": world.item.item_id},
        {"item_id": world.other_item.item_id, "department_id": world.other_department.pk},
    ]
    periods = [MARCH, (D(2026, 2, 27), TODAY), (D(2026, 3, 10), D(2026, 3, 20))]
    live = [
        selectors.summary(_filters(world, *period, **narrow), on=TODAY)
        for period in periods
        for narrow in questions
    ]

    services.rollup_due(zone=world.zone, today=TODAY)
    rolled = [
        selectors.summary(_filters(world, *period, **narrow), on=TODAY)
        for period in periods
        for narrow in questions
    ]

    for before, after in zip(live, rolled, strict=True):
        assert after.totals == before.totals
        assert [(row.department.pk, row.figures) for row in after.departments] == [
            (row.department.pk, row.figures) for row in before.departments
        ]
        assert [(row.item_id, row.figures) for row in after.items] == [
            (row.item_id, row.figures) for row in before.items
        ]


def test_department_filter(world, march, now):
    services.rollup_due(zone=world.zone, today=TODAY)

    summary = _march(world, department_id=world.other_department.pk)
    department_a = _march(world, department_id=world.department.pk)

    _check(summary.totals, {**MARCH_B, "decision_days_median": 6.0, "delivery_days_median": 7.0})
    _check(
        department_a.totals,
        {**MARCH_A, "decision_days_median": 3.0, "delivery_days_median": 5.0},
    )
    assert [row.department for row in summary.departments] == [world.other_department]
    assert {row.name for row in summary.items} == {"施工许可"}


def test_item_filter(world, march, now):
    services.rollup_due(zone=world.zone, today=TODAY)

    summary = _march(world, item_id=world.item.item_id)

    _check(summary.totals, MARCH_ITEMS["食品经营许可"])
    # Department A only: the bundle's rating R6 has no item, so it is not counted here.
    assert [row.department for row in summary.departments] == [world.department]
    assert summary.totals.bad_closed == 0


def test_trend_by_day_and_by_month(world, march, now):
    services.rollup_due(zone=world.zone, today=TODAY)

    daily = _march(world)
    monthly = selectors.summary(_filters(world, D(2026, 1, 1), TODAY), on=TODAY)

    by_day = {point.day_from: (point.accepted, point.decided) for point in daily.trend}
    assert len(daily.trend) == 31 and not daily.trend_by_month
    assert by_day[D(2026, 3, 2)] == (2, 0)  # C1, C4 accepted
    assert by_day[D(2026, 3, 3)] == (1, 1)  # C2 accepted; C11 decided
    assert by_day[D(2026, 3, 11)] == (2, 0)  # the bundle's two children
    assert by_day[D(2026, 3, 24)] == (1, 1)  # C10, on the spot
    assert sum(point.accepted for point in daily.trend) == 12
    assert sum(point.decided for point in daily.trend) == 9
    assert monthly.trend_by_month
    assert [(p.label, p.accepted, p.decided) for p in monthly.trend] == [
        ("2026-01", 0, 0),
        ("2026-02", 1, 0),  # C11
        ("2026-03", 12, 9),
        ("2026-04", 1, 0),  # C14 today
    ]


@pytest.mark.parametrize(
    ("day_to", "rolled", "expected"),
    [
        # The mark, the daily roll-up (per department and item, per day), the live
        # counts (with today's working days per value), the facts' working days per
        # value (both families in one), lights, ratings (roll-up, live), bad ratings'
        # states, departments, item names, the calendar's state (its revision is read once
        # per request or transaction and was read by the first call).
        (TODAY, True, 12),
        # March is rolled: no live reads; medians with percentile_cont (one per family).
        (MARCH[1], True, 11),
        # Nothing rolled yet: everything live, no roll-up reads (and no calendar copied:
        # its revision is not asked).
        (TODAY, False, 8),
    ],
)
def test_summary_query_count_does_not_grow_with_the_data(
    world, march, now, day_to, rolled, expected
):
    if rolled:
        services.rollup_due(zone=world.zone, today=TODAY)
    filters = _filters(world, day_to=day_to)
    selectors.summary(filters, on=TODAY)  # warm the calendar revision cache

    with CaptureQueriesContext(connection) as queries:
        selectors.summary(filters, on=TODAY)

    # On PostgreSQL percentile_cont's statements set their own memory and JIT (SET LOCAL,
    # with the SAVEPOINT and RELEASE of their transaction inside the test's).
    sorting = day_to == MARCH[1]
    extra = 3 if connection.vendor == "postgresql" and sorting else 0
    assert len(queries) == expected + extra


@pytest.mark.parametrize("rolled", [True, False])
def test_long_periods_take_the_same_medians_from_counts(world, march, now, monkeypatch, rolled):
    """Periods longer than MEDIAN_SORT_MAX_DAYS read medians from per-value counts: the
    same numbers as percentile_cont, from the facts and from the live cases."""
    if rolled:
        services.rollup_due(zone=world.zone, today=TODAY)
    else:
        services.calendar_refresh(zone=world.zone)
    sorted_ = _march(world)
    monkeypatch.setattr(medians, "MEDIAN_SORT_MAX_DAYS", 0)

    counted = _march(world)
    counted_today = selectors.summary(_filters(world, day_to=TODAY), on=TODAY)

    _check_march(world, counted)
    assert counted.totals == sorted_.totals
    assert [(row.item_id, row.figures) for row in counted.items] == [
        (row.item_id, row.figures) for row in sorted_.items
    ]
    assert counted_today.totals.delivery_days_median == 5.0  # 0 4 5 5 [5] 8 9 19 22


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.integers(0, 60), st.integers(1, 30), max_size=12))
def test_median_of_counts_is_the_median(counts):
    values = [value for value, count in counts.items() for _ in range(count)]

    expected = statistics.median(values) if values else None

    assert selectors.median_of_counts(counts) == expected


def test_a_reversed_or_too_long_period_is_refused(world):
    from onewindow.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as reversed_:
        selectors.summary(_filters(world, D(2026, 3, 2), D(2026, 3, 1)))
    assert reversed_.value.fields == {"from": ["开始日期不能晚于结束日期"]}
    with pytest.raises(ValidationFailed) as too_long:
        selectors.summary(_filters(world, D(2010, 1, 1), D(2026, 3, 1)))
    assert list(too_long.value.fields) == ["from"]


def test_an_empty_zone_has_no_rates(world, now):
    summary = _march(world)

    assert summary.totals.accepted == 0
    assert summary.totals.on_time_rate is None
    assert summary.totals.satisfaction_rate is None
    assert summary.totals.decision_days_median is None
    assert summary.departments == [] and summary.items == []


@pytest.mark.parametrize(
    ("values", "median"),
    [
        ([], None),
        ([None, None], None),
        ([7], 7.0),
        ([3, 1, 2], 2.0),
        ([4, 1, 3, 2], 2.5),
        ([5, None, 1], 3.0),
        ([0, 0, 0, 10], 0.0),
    ],
)
def test_median_aggregate(world, values, median):
    """``Median`` is percentile_cont(0.5) on PostgreSQL and the registered aggregate on
    SQLite: the same answers, NULLs ignored."""
    with time_machine.travel(at(TODAY), tick=False):
        cases = [world.accepted() for _value in values]
    CaseFact.objects.bulk_create(
        CaseFact(
            case=case,
            zone=world.zone,
            department=world.department,
            item_id=world.item.item_id,
            status="delivered",
            channel="online",
            acceptance_mode="normal",
            accepted_on=TODAY,
            decision_days=value,
            rolled_at=at(TODAY),
        )
        for case, value in zip(cases, values, strict=True)
    )

    result = CaseFact.objects.aggregate(median=Median("decision_days"))["median"]

    assert result == median
    if values and any(v is not None for v in values):
        assert result == statistics.median(v for v in values if v is not None)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)),
    length=st.integers(min_value=0, max_value=400),
)
def test_calendar_rows_count_working_days_like_the_calendar(zone, start, length):
    """ordinal(b) − ordinal(a) is the calendar's count of working days a < x ≤ b."""
    if not CalendarDay.objects.filter(zone=zone).exists():
        services.calendar_refresh(zone=zone)
    end = start + dt.timedelta(days=length)
    ordinals = dict(
        CalendarDay.objects.filter(zone=zone, date__in=[start, end]).values_list("date", "ordinal")
    )
    expected = calendar_for_zone(zone).count(start, end, allow_provisional=True).working_days
    assert ordinals[end] - ordinals[start] == expected
