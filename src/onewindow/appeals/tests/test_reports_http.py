"""The report pages and API: who may look, what they show, bad input; the public
statistics show no personal data."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from onewindow.appeals.tests.reports_dataset import NOW, build_week
from onewindow.org.constants import Role
from onewindow.testing import worlds
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

WEEKLY = reverse("appeals:weekly_report")
PDF = reverse("appeals:weekly_report_pdf")
XLSX = reverse("appeals:weekly_report_xlsx")
STATS = reverse("appeals:public_stats")
API_WEEKLY = "/api/v1/appeals/reports/weekly"
API_STATS = "/api/v1/appeals/stats"
WEEK = {"week": "2026-03-04"}


@pytest.fixture
def week(aw):
    with time_machine.travel(NOW, tick=False):
        yield build_week(aw)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _user(aw, who: str):
    if who == "anonymous":
        return None
    if who == "analyst":
        return worlds.staff(aw.zone, Role.ANALYST, username="a_analyst")
    if who == "administrator":
        return worlds.staff(aw.zone, Role.ADMINISTRATOR, username="a_admin")
    return getattr(aw, who)


ALLOWED = ["supervisor", "dispatcher", "analyst"]
REFUSED = ["operator", "handler", "other_handler", "clerk", "administrator", "requester"]


def _department_url(aw) -> str:
    return reverse("appeals:report_department", args=[aw.lead.pk])


# -- who may look ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ALLOWED)
@pytest.mark.parametrize("page", ["weekly", "pdf", "xlsx", "department"])
def test_supervisors_dispatchers_and_analysts_may_look(client, aw, frozen, who, page):
    url = {"weekly": WEEKLY, "pdf": PDF, "xlsx": XLSX, "department": _department_url(aw)}[page]
    response = client_for(_user(aw, who), client=client).get(url, WEEK)
    assert response.status_code == 200


@pytest.mark.parametrize("who", REFUSED)
@pytest.mark.parametrize("page", ["weekly", "pdf", "xlsx", "department"])
def test_everyone_else_is_refused(client, aw, frozen, who, page):
    url = {"weekly": WEEKLY, "pdf": PDF, "xlsx": XLSX, "department": _department_url(aw)}[page]
    response = client_for(_user(aw, who), client=client).get(url, WEEK)
    assert response.status_code == 403


@pytest.mark.parametrize("page", ["weekly", "pdf", "xlsx", "department"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, aw, page):
    url = {"weekly": WEEKLY, "pdf": PDF, "xlsx": XLSX, "department": _department_url(aw)}[page]
    response = client.get(url, WEEK)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("page", ["weekly", "pdf", "xlsx", "department", "stats"])
def test_only_get(client, aw, page):
    url = {
        "weekly": WEEKLY,
        "pdf": PDF,
        "xlsx": XLSX,
        "department": _department_url(aw),
        "stats": STATS,
    }[page]
    response = client_for(aw.supervisor, client=client).post(url)
    assert response.status_code == 405


# -- the weekly page and its downloads -------------------------------------------------------


def test_the_weekly_page_shows_the_table_the_late_orders_and_the_downloads(client, aw, week):
    response = client_for(aw.supervisor, client=client).get(WEEKLY, WEEK)
    html = response.content.decode()
    assert "诉求办理督查通报（2026-03-02 至 2026-03-08）" in html
    assert "市场监督管理局" in html and "住房和城乡建设局" in html
    assert "66.7%" in html  # the lead's on-time rate
    assert f'href="/appeals/staff/{week.a2.number}/"' in html  # the centre may open it
    assert "工地夜间施工扰民" in html
    assert f"{PDF}?week=2026-03-02" in html and f"{XLSX}?week=2026-03-02" in html
    department = reverse("appeals:report_department", args=[aw.lead.pk])
    assert f"{department}?week=2026-03-02" in html
    assert f"{WEEKLY}?week=2026-02-23" in html  # the week before
    assert f"{WEEKLY}?week=2026-03-09" in html  # the week after (this week, so far)


def test_an_analyst_sees_the_late_orders_without_links_to_them(client, aw, week):
    response = client_for(_user(aw, "analyst"), client=client).get(WEEKLY, WEEK)
    html = response.content.decode()
    assert week.a2.number in html
    assert "/appeals/staff/" not in html  # an analyst cannot open orders


def test_without_a_week_the_last_full_week(client, aw, week):
    response = client_for(aw.dispatcher, client=client).get(WEEKLY)
    assert response.context["report"].start.isoformat() == "2026-03-02"


@pytest.mark.parametrize(
    ("week_value", "message"),
    [("2026-3-4", "统计周：请输入日期"), ("2026-03-16", "统计周：不能晚于本周")],
)
@pytest.mark.parametrize("url", [WEEKLY, PDF, XLSX])
def test_a_bad_week_is_shown_next_to_the_field(client, aw, frozen, url, week_value, message):
    response = client_for(aw.supervisor, client=client).get(url, {"week": week_value})
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'id="id_week_error"' in html


def test_the_pdf_download(client, aw, week):
    response = client_for(aw.supervisor, client=client).get(PDF, WEEK)
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "市场监督管理局" in "".join(text.split())


def test_the_excel_download(client, aw, week):
    response = client_for(_user(aw, "analyst"), client=client).get(XLSX, WEEK)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = {row[0]: row for row in book["部门"].iter_rows(min_row=4, values_only=True)}
    assert rows["全区合计"][1] == 8


# -- a department's page -------------------------------------------------------------------


def test_a_departments_late_and_open_orders(client, aw, week):
    url = reverse("appeals:report_department", args=[aw.other.pk])
    response = client_for(aw.supervisor, client=client).get(url, WEEK)
    html = response.content.decode()
    assert response.status_code == 200
    assert "住房和城乡建设局：超期与在办工单" in html
    assert week.b2.number in html  # late, and open
    assert "已超期" in html
    assert week.a2.number not in html  # another department's


def test_a_department_of_another_zone_is_not_found(client, aw, frozen):
    elsewhere = worlds.department_elsewhere()
    url = reverse("appeals:report_department", args=[elsewhere.pk])
    response = client_for(aw.supervisor, client=client).get(url)
    assert response.status_code == 404


def test_a_departments_page_with_a_bad_week(client, aw, frozen):
    response = client_for(aw.supervisor, client=client).get(_department_url(aw), {"week": "x"})
    assert response.status_code == 422
    assert "统计周：请输入日期" in response.content.decode()


# -- the weekly API --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ALLOWED)
def test_the_weekly_api(client, aw, week, who):
    response = client_for(_user(aw, who), client=client).get(API_WEEKLY, WEEK)
    assert response.status_code == 200
    data = response.json()
    assert data["week"] == {"start": "2026-03-02", "end": "2026-03-08"}
    assert data["total"]["counts"]["received"] == 8
    assert data["total"]["rates"]["on_time_rate"] == 0.75
    lead = data["departments"][0]
    assert lead["name"] == "市场监督管理局"
    assert lead["rates"]["response_rate"] == 0.6
    assert [row["number"] for row in data["late"]] == [week.a2.number, week.b2.number]
    none = data["departments"][2]
    assert none["id"] is None and none["rates"]["response_rate"] is None


@pytest.mark.parametrize("who", REFUSED)
def test_the_weekly_api_refuses_others(client, aw, frozen, who):
    response = client_for(_user(aw, who), client=client).get(API_WEEKLY, WEEK)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_the_weekly_api_needs_a_session(client, aw, frozen):
    assert client.get(API_WEEKLY, WEEK).status_code == 401


@pytest.mark.parametrize(
    ("week_value", "code"),
    [
        ("2026-03-4", "invalid_week"),
        ("2026-02-31", "invalid_week"),
        ("2027-01-04", "week_in_future"),
    ],
)
def test_the_weekly_api_refuses_a_bad_week_naming_it(client, aw, frozen, week_value, code):
    response = client_for(aw.supervisor, client=client).get(API_WEEKLY, {"week": week_value})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code
    assert list(body["fields"]) == ["week"]


# -- public statistics ---------------------------------------------------------------------


def test_the_public_page_needs_no_login_and_shows_no_personal_data(client, aw, week):
    response = client.get(STATS, {"month": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-03 按诉求分类" in html
    assert "企业开办" in html and "市场监督管理局" in html
    # No order's number, requester, phone, subject or text.
    for appeal in (week.a1, week.a2, week.b2, week.c1):
        assert appeal.number not in html
        assert appeal.subject not in html
        assert appeal.description not in html
    assert "示范科技有限公司" not in html
    assert "李四" not in html
    assert "13900000000" not in html
    assert "SQ2026" not in html


def test_the_public_api(client, aw, week):
    response = client.get(API_STATS, {"month": "2026-03"})
    assert response.status_code == 200
    data = response.json()
    assert data["month"] == "2026-03"
    assert data["total"]["received"] == 10
    assert set(data["categories"][0]) == {
        "name",
        "received",
        "answered",
        "on_time_rate",
        "satisfaction_rate",
    }
    assert "SQ2026" not in response.content.decode()


@pytest.mark.parametrize(
    ("month", "code"), [("2026-3", "invalid_month"), ("2026-04", "month_in_future")]
)
def test_a_bad_month_is_a_422_naming_it(client, aw, frozen, month, code):
    api = client.get(API_STATS, {"month": month})
    assert api.status_code == 422
    assert api.json()["code"] == code
    assert list(api.json()["fields"]) == ["month"]
    page = client.get(STATS, {"month": month})
    assert page.status_code == 422
    assert "统计月份：" in page.content.decode()


def test_the_public_page_defaults_to_the_last_full_month(client, aw, week):
    response = client.get(STATS)
    assert response.context["stats"]["month"] == "2026-02"
    assert "当月没有受理的诉求。" in response.content.decode()
