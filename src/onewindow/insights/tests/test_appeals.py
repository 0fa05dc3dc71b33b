"""The dashboard's appeals section: the open orders now and the last full week's rates per
department, with the drill-downs (the hand-counted week of appeals/tests/reports_dataset)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.appeals.tests.factories import appeal_world
from onewindow.appeals.tests.reports_dataset import NOW, build_week
from onewindow.insights.appeals import appeals_section
from onewindow.org.constants import Role
from onewindow.testing import worlds
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("insights:dashboard")


@pytest.fixture
def aw(zone, department, other_department, window):
    return appeal_world(worlds.Places(zone, department, other_department, window))


@pytest.fixture
def week(aw):
    with time_machine.travel(NOW, tick=False):
        yield build_week(aw)


def test_the_section_by_hand(aw, week):
    with CaptureQueriesContext(connection) as queries:
        section = appeals_section(aw.zone.pk, now=NOW)
    assert len(queries) == 4
    assert (section.week_start.isoformat(), section.week_end.isoformat()) == (
        "2026-03-02",
        "2026-03-08",
    )
    rows = {row.name: row for row in section.rows}
    lead, other = rows["市场监督管理局"], rows["住房和城乡建设局"]
    assert (lead.open, lead.overdue, lead.warning) == (2, 0, 0)  # A3, A4
    assert (lead.response_rate, lead.on_time_rate, lead.satisfaction_rate) == (
        "60.0%",
        "66.7%",
        "100.0%",
    )
    assert (other.open, other.overdue) == (1, 1)  # B2
    assert other.overdue_url == f"/appeals/centre/?department={aw.other.pk}&overdue=1"
    assert other.open_url == f"/appeals/centre/?department={aw.other.pk}"
    assert other.department_url == (
        reverse("appeals:report_department", args=[aw.other.pk]) + "?week=2026-03-02"
    )
    # The zone: C1 (not dispatched) counts in the total only, in warning.
    assert list(rows) == ["市场监督管理局", "住房和城乡建设局"]
    total = section.total
    assert (total.open, total.overdue, total.warning) == (4, 1, 1)
    assert total.on_time_rate == "75.0%"
    assert total.overdue_url == "/appeals/centre/?overdue=1"
    assert section.weekly_url == reverse("appeals:weekly_report") + "?week=2026-03-02"


def test_one_department(aw, week):
    section = appeals_section(aw.zone.pk, department_id=aw.lead.pk, now=NOW)
    assert [row.name for row in section.rows] == ["市场监督管理局"]
    assert section.total is None


def test_an_empty_zone(aw):
    section = appeals_section(aw.zone.pk, now=NOW)
    assert section.rows == []
    assert (section.total.open, section.total.on_time_rate) == (0, "—")


def test_the_dashboard_shows_the_section_with_its_links(client, aw, week):
    analyst = worlds.staff(aw.zone, Role.ANALYST, username="a_analyst")
    with time_machine.travel(NOW, tick=False):
        response = client_for(analyst, client=client).get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "诉求工单" in html
    assert 'id="appeals-table"' in html
    assert f'href="/appeals/centre/?department={aw.other.pk}&amp;overdue=1"' in html
    department = reverse("appeals:report_department", args=[aw.lead.pk])
    assert f'href="{department}?week=2026-03-02"' in html
    assert "60.0%" in html


def test_the_dashboard_filtered_to_a_department(client, aw, week):
    with time_machine.travel(NOW, tick=False):
        response = client_for(aw.supervisor, client=client).get(
            DASHBOARD, {"department": aw.lead.pk}
        )
    section = response.context["appeals"]
    assert [row.name for row in section.rows] == ["市场监督管理局"]
