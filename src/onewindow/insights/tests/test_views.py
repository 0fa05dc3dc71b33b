"""The dashboard pages: who may see them, what they show, bad input, drill-down, export,
and the public summary."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from onewindow.insights import selectors, services
from onewindow.insights.tests.dataset import MARCH
from onewindow.insights.tests.test_figures import MARCH_TOTALS
from onewindow.org.constants import Role
from onewindow.org.models import Department, User
from onewindow.org.services import staff_create
from onewindow.testing import worlds
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("insights:dashboard")
CASES = reverse("insights:cases")
EXPORT = reverse("insights:export")
PUBLIC = reverse("insights:public_summary")
PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rolled(world, march, now):
    services.rollup_due(zone=world.zone)
    return march


def _user(world, name: str) -> User | None:
    if name == "anonymous":
        return None
    if name == "administrator":
        return staff_create(
            zone=world.zone,
            username="w_admin",
            password="x-Password-2026",
            display_name="管理员",
            roles=[Role.ADMINISTRATOR],
        )
    if name == "no_zone_analyst":
        user = staff_create(
            zone=world.zone,
            username="w_floating",
            password="x-Password-2026",
            display_name="无区分析员",
            roles=[Role.ANALYST],
        )
        User.objects.filter(pk=user.pk).update(zone=None)
        return User.objects.get(pk=user.pk)
    return getattr(world, name)


ALLOWED = ["supervisor", "analyst", "administrator"]
REFUSED = [
    "clerk",
    "reviewer",
    "decider",
    "other_reviewer",
    "regulator",
    "applicant_user",
    "stranger",
    "no_zone_analyst",
]


@pytest.mark.parametrize("url", [DASHBOARD, f"{CASES}?figure=accepted", EXPORT])
@pytest.mark.parametrize("who", ALLOWED)
def test_the_zones_supervisors_analysts_and_administrators_may_look(client, world, now, url, who):
    response = client_for(_user(world, who), client=client).get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("url", [DASHBOARD, f"{CASES}?figure=accepted", EXPORT])
@pytest.mark.parametrize("who", REFUSED)
def test_everyone_else_is_refused(client, world, now, url, who):
    response = client_for(_user(world, who), client=client).get(url)

    assert response.status_code == 403


@pytest.mark.parametrize("url", [DASHBOARD, f"{CASES}?figure=accepted", EXPORT])
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", [DASHBOARD, f"{CASES}?figure=accepted", EXPORT, PUBLIC])
def test_only_get(client, world, now, url):
    response = client_for(world.analyst, client=client).post(url)

    assert response.status_code == 405


# -- the dashboard -------------------------------------------------------------------------


def test_the_dashboard_shows_the_figures_charts_and_links(client, world, rolled):
    response = client_for(world.analyst, client=client).get(DASHBOARD, PERIOD)

    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.totals.accepted == MARCH_TOTALS["accepted"]
    html = response.content.decode()
    assert "统计期间：2026-03-01 至 2026-03-31" in html
    assert "取自日汇总（已汇总至 2026-03-31）" in html
    # KPI figures with their links to the cases behind them.
    assert "88.9%" in html  # on time 8 / 9
    assert "42.9%" in html  # satisfied 3 / 7
    assert "66.7%" in html  # 全程网办 6 / 9
    link = f"{CASES}?from=2026-03-01&amp;to=2026-03-31&amp;figure=late"
    assert link in html
    # Five charts, each with a table of the same numbers, and the vendored ECharts.
    assert html.count('class="chart"') == 5
    assert html.count('class="table" id="chart-') == 5
    assert "vendor/echarts-5.6.0.min.js" in html
    assert 'id="insights-chart-data"' in html
    data = response.context["chart_data"]
    volume = next(chart for chart in data["charts"] if chart["id"] == "chart-volume")
    assert volume["categories"] == ["市场监督管理局", "住房和城乡建设局"]
    assert volume["series"][0]["data"] == [9, 3]  # accepted A, B
    assert volume["series"][1]["data"] == [7, 2]  # decided A, B
    # Both tables: two departments, three items.
    assert html.count(f"department={world.department.pk}&amp;figure=accepted") >= 2


def test_the_default_period_is_this_month(client, world, rolled):
    response = client_for(world.supervisor, client=client).get(DASHBOARD)

    filters = response.context["summary"].filters
    assert (filters.day_from.isoformat(), filters.day_to.isoformat()) == (
        "2026-04-01",
        "2026-04-01",
    )
    assert response.context["summary"].totals.accepted == 1  # C14
    # and the date fields show it
    assert 'name="from" value="2026-04-01"' in response.content.decode()
    assert 'name="to" value="2026-04-01"' in response.content.decode()


def test_a_stale_calendar_is_told(client, world, march, now):
    response = client_for(world.analyst, client=client).get(DASHBOARD, PERIOD)

    assert "工作日历已变更或尚未载入统计库" in response.content.decode()
    assert "尚未运行日汇总，全部为实时数据" in response.content.decode()


@pytest.fixture
def elsewhere(db) -> Department:
    return worlds.department_elsewhere(
        "SCJG", "别区市场监管局", zone_code="XQ", zone_name="另一开发区", division_code="320100"
    )


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-3-1x"}, "from", "日期格式应为 YYYY-MM-DD"),
        ({"to": "31/03/2026"}, "to", "日期格式应为 YYYY-MM-DD"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "from", "开始日期不能晚于结束日期"),
        ({"from": "2010-01-01", "to": "2026-03-01"}, "from", "统计期间不能超过 3660 天"),
        ({"department": "999999"}, "department", "请从列表中选择部门"),
        ({"department": "abc"}, "department", "请从列表中选择部门"),
        ({"item": "999999"}, "item", "请从列表中选择事项"),
    ],
)
def test_bad_filters_are_shown_next_to_their_field(client, world, now, query, field, message):
    response = client_for(world.analyst, client=client).get(DASHBOARD, query)

    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert "summary" not in response.context
    assert message in response.content.decode()


def test_a_department_of_another_zone_is_not_a_choice(client, world, now, elsewhere):
    response = client_for(world.analyst, client=client).get(DASHBOARD, {"department": elsewhere.pk})

    assert response.status_code == 422
    assert response.context["form"].errors["department"] == ["请从列表中选择部门"]


def test_the_filters_narrow_the_page(client, world, rolled):
    response = client_for(world.analyst, client=client).get(
        DASHBOARD, {**PERIOD, "department": world.other_department.pk}
    )

    summary = response.context["summary"]
    assert summary.totals.accepted == 3
    assert [row.department for row in summary.departments] == [world.other_department]
    assert "住房和城乡建设局" in response.content.decode()


# -- drill-down ------------------------------------------------------------------------------


def test_every_figure_lists_the_cases_behind_it(client, world, rolled):
    """One dataset for all twenty figures (it takes a second to build)."""
    summary = selectors.summary(
        selectors.Filters(zone_id=world.zone.pk, day_from=MARCH[0], day_to=MARCH[1])
    )
    counts = {"decision_days": "decision_days_count", "delivery_days": "delivery_days_count"}
    client = client_for(world.analyst, client=client)
    for figure in selectors.FIGURES:
        expected = getattr(summary.totals, counts.get(figure, figure))

        response = client.get(CASES, {**PERIOD, "figure": figure})

        assert response.status_code == 200, figure
        page = response.context["page"]
        assert page.paginator.count == expected, figure
        assert len(page.object_list) == expected, figure  # fewer than a page
        html = response.content.decode()
        assert html.count('href="/cases/SFQ-2026-') == expected, figure
        assert str(selectors.FIGURE_LABELS[figure]) in html, figure


def test_the_late_cases_are_c4(client, world, rolled):
    response = client_for(world.analyst, client=client).get(CASES, {**PERIOD, "figure": "late"})

    [row] = response.context["page"].object_list
    assert row.case == rolled.cases["C4"]
    assert (row.decision_days, row.on_time, row.visits) == (15, False, 1)
    assert rolled.cases["C4"].number in response.content.decode()


def test_bad_ratings_show_their_state(client, world, rolled):
    response = client_for(world.analyst, client=client).get(CASES, {**PERIOD, "figure": "bad"})

    states = {
        rating.case.number: rating.state_label for rating in response.context["page"].object_list
    }
    cases = rolled.cases
    assert states == {
        cases["C2"].number: "整改中",
        cases["C11"].number: "逾期未整改",
        cases["C5"].number: "已整改待回访",
        cases["C9"].number: "已办结",
    }


def test_drill_down_narrowed_to_a_department_and_paginated(client, world, rolled, monkeypatch):
    monkeypatch.setattr(selectors, "DRILL_PAGE_SIZE", 4)
    query = {**PERIOD, "figure": "accepted", "department": world.department.pk}

    first = client_for(world.analyst, client=client).get(CASES, query)
    third = client.get(CASES, {**query, "page": 3})

    assert first.context["page"].paginator.count == 9
    assert first.context["page"].paginator.num_pages == 3
    assert len(third.context["page"].object_list) == 1
    numbers = [row.case.number for row in first.context["page"].object_list]
    numbers += [row.case.number for row in client.get(CASES, {**query, "page": 2}).context["page"]]
    numbers += [row.case.number for row in third.context["page"].object_list]
    assert len(set(numbers)) == 9
    assert "page=2" in first.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "figure"),
        ({"figure": "everything"}, "figure"),
        ({"figure": "accepted", "from": "yesterday"}, "from"),
        ({"figure": "accepted", "from": "2026-04-02", "to": "2026-04-01"}, "from"),
        ({"figure": "accepted", "department": "0"}, "department"),
    ],
)
def test_drill_down_refuses_bad_input(client, world, now, query, field):
    response = client_for(world.analyst, client=client).get(CASES, query)

    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert "查询条件有误" in response.content.decode()


# -- export ------------------------------------------------------------------------------------


def test_export_is_a_workbook_of_the_same_figures(client, world, rolled):
    response = client_for(world.supervisor, client=client).get(EXPORT, PERIOD)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "20260301-20260331.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["汇总", "部门", "事项", "差评"]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True) if row}
    assert summary["统计期间"] == "2026-03-01 — 2026-03-31"
    assert summary["受理件数"] == 12
    assert summary["按时办结率"] == pytest.approx(8 / 9)
    assert summary["受理至决定中位数（工作日）"] == 4
    assert summary["满意率"] == pytest.approx(3 / 7)
    departments = list(book["部门"].iter_rows(values_only=True))
    assert [row[0] for row in departments[1:]] == ["市场监督管理局", "住房和城乡建设局"]
    assert [row[1] for row in departments[1:]] == [9, 3]
    items = list(book["事项"].iter_rows(values_only=True))
    assert [row[0] for row in items[1:]] == ["食品经营许可", "施工许可", "个体工商户名称变更"]
    bad = list(book["差评"].iter_rows(values_only=True))
    assert len(bad) == 1 + 4
    states = {row[0]: row[6] for row in bad[1:]}
    assert states[rolled.cases["C11"].number] == "逾期未整改"


def test_export_refuses_bad_input(client, world, now):
    response = client_for(world.analyst, client=client).get(EXPORT, {"from": "2026-13-01"})

    assert response.status_code == 422


# -- the public summary ------------------------------------------------------------------------


def test_the_public_summary_shows_rates_per_department_and_nothing_personal(client, world, rolled):
    response = client.get(PUBLIC, PERIOD)

    assert response.status_code == 200
    html = response.content.decode()
    departments = {row["name"]: row for row in response.context["departments"]}
    assert departments["市场监督管理局"]["on_time_rate"] == pytest.approx(6 / 7)
    assert departments["市场监督管理局"]["satisfaction_rate"] == pytest.approx(3 / 6)
    assert departments["住房和城乡建设局"]["on_time_rate"] == 1
    assert departments["住房和城乡建设局"]["satisfaction_rate"] == 0
    assert response.context["totals"]["satisfaction_rate"] == pytest.approx(3 / 7)
    assert "85.7%" in html and "50.0%" in html
    private = (world.applicant.name, "SFQ-2026-", "李四", "张三", world.applicant_user.username)
    for text in private:
        assert text not in html


def test_the_public_summary_defaults_to_the_twelve_months_before_today(client, world, rolled):
    response = client.get(PUBLIC)

    filters = response.context["filters"]
    assert (filters.day_from.isoformat(), filters.day_to.isoformat()) == (
        "2025-04-01",
        "2026-03-31",
    )
    assert response.context["totals"]["decided"] == 9


def test_the_public_summary_is_cached(client, world, rolled, django_assert_max_num_queries):
    client.get(PUBLIC, PERIOD)

    with django_assert_max_num_queries(2):  # the zone (the page's and the header's)
        response = client.get(PUBLIC, PERIOD)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [({"from": "2026-02-30"}, "from"), ({"from": "2026-03-02", "to": "2026-03-01"}, "from")],
)
def test_the_public_summary_refuses_bad_dates(client, world, now, query, field):
    response = client.get(PUBLIC, query)

    assert response.status_code == 422
    assert field in response.context["form"].errors


def test_the_public_summary_without_a_zone_is_not_found(client, db):
    assert client.get(PUBLIC).status_code == 404
