"""The figures of docs/appeals.md over the hand-counted week of ``reports_dataset``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.appeals import metrics
from onewindow.appeals.tests.reports_dataset import NOW, WEEK_END, WEEK_START, build_week

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[4] / "docs" / "appeals.md"


@pytest.fixture
def week(aw):
    with time_machine.travel(NOW, tick=False):
        yield build_week(aw)


def _groups(result):
    return {group.name: group.figures for group in result.groups}


def test_the_lead_departments_counts_by_hand(aw, week):
    figures = _groups(metrics.department_figures(aw.zone.pk, WEEK_START, WEEK_END))
    lead = figures["市场监督管理局"]
    # A1–A5; X3 (merged) is excluded although it has the department and is flagged overdue.
    assert lead.counts() == {
        "received": 5,
        "excluded": 1,  # X3
        "dispatched": 5,
        "signed_in_time": 3,  # A1, A2, A5 (A3 signed at 15:00 after 13:00; A4 not signed)
        "replied": 3,  # A1, A2, A5 (A3 is being worked)
        "on_time": 2,  # A1, A5
        "late": 1,  # A2
        "answered": 4,  # A1, A2 closed; A5 answered; A3 reopened (answered once before)
        "visited": 2,  # A1, A2
        "resolved": 1,  # A1
        "satisfied": 2,  # A1 满意, A2 基本满意
        "returned": 1,  # A3
        "late_returned": 0,
        "reopened": 1,  # A3
        "open": 2,  # A3, A4
    }
    assert lead.rates() == {
        "response_rate": 3 / 5,
        "on_time_rate": 2 / 3,
        "resolution_rate": 1 / 2,
        "satisfaction_rate": 2 / 2,
        "return_rate": 1 / 5,
        "reopen_rate": 1 / 4,
    }


def test_the_other_department_and_the_undispatched(aw, week):
    figures = _groups(metrics.department_figures(aw.zone.pk, WEEK_START, WEEK_END))
    other = figures["住房和城乡建设局"]
    assert (other.received, other.dispatched, other.signed_in_time) == (2, 2, 2)
    assert (other.replied, other.on_time, other.visited, other.satisfied) == (1, 1, 1, 0)
    assert (other.late_returned, other.open) == (1, 1)
    assert other.satisfaction_rate == 0.0  # 不满意: a rate of 0, not "none"
    assert other.reopen_rate == 0.0
    undispatched = figures["未派单"]
    # C1 (received) counts; X1 and X2 have no department and are excluded.
    assert (undispatched.received, undispatched.open, undispatched.excluded) == (1, 1, 2)
    assert undispatched.dispatched == 0
    assert undispatched.response_rate is None  # nothing dispatched: no rate, not 0 %
    assert undispatched.on_time_rate is None


def test_the_zone_total_by_hand(aw, week):
    total = metrics.department_figures(aw.zone.pk, WEEK_START, WEEK_END).total
    assert total.received == 8  # O1 (next week) and O2 (the Sunday before) are outside
    assert total.excluded == 3
    assert total.rates() == {
        "response_rate": 5 / 7,
        "on_time_rate": 3 / 4,
        "resolution_rate": 1 / 3,
        "satisfaction_rate": 2 / 3,
        "return_rate": 1 / 7,
        "reopen_rate": 1 / 5,
    }


def test_departments_come_in_their_order_and_the_undispatched_last(aw, week):
    result = metrics.department_figures(aw.zone.pk, WEEK_START, WEEK_END)
    assert [group.name for group in result.groups] == [
        "市场监督管理局",
        "住房和城乡建设局",
        "未派单",
    ]


def test_one_department_only(aw, week):
    result = metrics.department_figures(aw.zone.pk, WEEK_START, WEEK_END, department_id=aw.other.pk)
    assert [group.name for group in result.groups] == ["住房和城乡建设局"]
    assert result.total.received == 2


def test_the_figures_take_two_queries_whatever_the_data(aw, week):
    with CaptureQueriesContext(connection) as queries:
        metrics.department_figures(aw.zone.pk, WEEK_START, WEEK_END)
    assert len(queries) == 2  # the aggregate, the departments' names


def test_per_category(aw, week):
    figures = _groups(metrics.category_figures(aw.zone.pk, WEEK_START, WEEK_END))
    assert figures["企业开办"].received == 6  # A1–A5 and C1
    assert figures["工程建设"].received == 2  # B1, B2
    assert figures["企业开办"].excluded == 3  # X1–X3 (the default category)


def test_a_period_with_nothing_has_no_rates(aw, week):
    result = metrics.department_figures(aw.zone.pk, WEEK_END, WEEK_END)
    assert result.groups == []
    assert result.total.received == 0
    assert all(rate is None for rate in result.total.rates().values())


def test_the_late_orders_of_the_week(aw, week):
    late = list(metrics.late_orders(aw.zone.pk, WEEK_START, WEEK_END, now=NOW))
    # A2 replied late; B2 (urgent, due 4 Mar 12:00) is open and past due. X3 is merged
    # (excluded) and O1, O2 are outside the week although flagged overdue.
    assert [appeal.number for appeal in late] == [week.a2.number, week.b2.number]
    assert late[0].lead_department.name == "市场监督管理局"


def test_late_orders_of_one_department(aw, week):
    late = metrics.late_orders(aw.zone.pk, WEEK_START, WEEK_END, department_id=aw.lead.pk, now=NOW)
    assert [appeal.number for appeal in late] == [week.a2.number]


def test_open_orders_now(aw, week):
    rows, total = metrics.open_now(aw.zone.pk, now=NOW)
    by_name = {row.name: row for row in rows}
    # A3, A4 of the lead: neither due nor in warning before 11 and 12 Mar.
    assert (by_name["市场监督管理局"].open, by_name["市场监督管理局"].overdue) == (2, 0)
    # B2: urgent, due 4 Mar 12:00: overdue (and so not "warning").
    assert (by_name["住房和城乡建设局"].overdue, by_name["住房和城乡建设局"].warning) == (1, 0)
    # C1, received Mon 2 Mar: warning after the 4th working day (Fri 6 Mar 17:30), due Mon
    # 9 Mar 17:30.
    assert (by_name["未派单"].open, by_name["未派单"].warning) == (1, 1)
    assert (total.open, total.overdue, total.warning) == (4, 1, 1)


def test_a_departments_open_orders_earliest_deadline_first(aw, week):
    numbers = [appeal.number for appeal in metrics.open_orders(aw.zone.pk, aw.lead.pk)]
    assert numbers == [week.a3.number, week.a4.number]


def test_the_doc_defines_the_same_metrics_as_the_code():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("The metrics (the list `appeals.metrics.METRICS`", 1)[1]
    table = section.split("\n\n", 2)[1]
    rows = re.findall(r"^\| `(\w+)` \| \S+ \| `(\w+)` \| `(\w+)` \|$", table, re.MULTILINE)
    in_doc = [(key, numerator, denominator) for key, numerator, denominator in rows]
    in_code = [(m.key, m.numerator, m.denominator) for m in metrics.METRICS]
    assert in_doc == in_code
    # Every count the metrics use is defined in the doc's table of counts and in COUNTS.
    for metric in metrics.METRICS:
        for count in (metric.numerator, metric.denominator):
            assert count in metrics.COUNTS
            assert f"| `{count}` |" in text or f"`{count}` /" in text or f"/ `{count}`" in text


def test_figures_and_counts_agree():
    assert list(metrics.Figures().counts()) == list(metrics.COUNTS)
    assert set(metrics.Figures.__dataclass_fields__) == set(metrics.COUNTS)
