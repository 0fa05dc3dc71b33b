"""``GET /api/v1/insights/summary``: figures, roles, bad input, the OpenAPI document."""

from __future__ import annotations

import pytest

from conftest import sign_in
from onewindow.insights import services
from onewindow.insights.tests.test_views import ALLOWED, REFUSED, _user
from onewindow.org.models import Department
from onewindow.testing import worlds

pytestmark = pytest.mark.django_db

URL = "/api/v1/insights/summary"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def rolled(world, march, now):
    services.rollup_due(zone=world.zone)
    return march


def test_the_summary_of_march(client, world, rolled):
    client.force_login(world.analyst)

    response = client.get(URL, MARCH)

    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert body["department"] is None and body["item"] is None
    assert body["source"] == {
        "today": "2026-04-01",
        "rolled_through": "2026-03-31",
        "live_from": None,
        "calendar_ready": True,
    }
    totals = body["totals"]
    assert totals["accepted"] == 12
    assert (totals["tolerated"], totals["commitment"]) == (1, 1)
    assert (totals["decided"], totals["on_time"], totals["late"]) == (9, 8, 1)
    assert totals["on_time_rate"] == pytest.approx(8 / 9)
    assert totals["decision_days"] == {"count": 9, "average": pytest.approx(44 / 9), "median": 4.0}
    assert totals["delivery_days"] == {"count": 8, "average": 55 / 8, "median": 5.0}
    assert (totals["online"], totals["one_visit"]) == (6, 8)
    assert (totals["yellow"], totals["red"]) == (1, 1)
    assert (totals["ratings"], totals["satisfied"]) == (7, 3)
    assert totals["satisfaction_rate"] == pytest.approx(3 / 7)
    assert totals["bad"] == {"total": 4, "open": 1, "overdue": 1, "rectified": 1, "closed": 1}
    assert [row["department"]["code"] for row in body["departments"]] == ["SCJG", "ZJJ"]
    assert [row["figures"]["accepted"] for row in body["departments"]] == [9, 3]
    assert [row["name"] for row in body["items"]] == [
        "食品经营许可",
        "施工许可",
        "个体工商户名称变更",
    ]
    assert body["items"][0]["code"] == world.item.item.implementation_code
    assert body["items"][0]["figures"]["decision_days"]["median"] == 3.5
    assert response["Content-Type"].startswith("application/json")
    assert "市场监督管理局" in response.content.decode()  # Chinese unescaped


def test_the_summary_of_a_department_and_an_item(client, world, rolled):
    client.force_login(world.supervisor)

    by_department = client.get(URL, {**MARCH, "department": "ZJJ"}).json()
    by_item = client.get(URL, {**MARCH, "item": world.item.item.implementation_code}).json()

    assert by_department["department"] == {"code": "ZJJ", "name": "住房和城乡建设局"}
    assert by_department["totals"]["accepted"] == 3
    assert by_item["item"] == world.item.item.implementation_code
    assert by_item["totals"]["decided"] == 6


def test_the_default_period_is_this_month_with_today_live(client, world, rolled):
    client.force_login(world.analyst)

    body = client.get(URL).json()

    assert body["period"] == {"from": "2026-04-01", "to": "2026-04-01"}
    assert body["source"]["live_from"] == "2026-04-01"
    assert body["totals"]["accepted"] == 1  # C14
    assert body["totals"]["delivered"] == 1  # C4, 22 working days
    assert body["totals"]["delivery_days"]["median"] == 22.0


def test_anonymous_gets_401(client, world):
    response = client.get(URL, MARCH)

    assert response.status_code == 401
    assert response.json() == {"message": "请先登录", "code": "unauthenticated", "fields": {}}


@pytest.mark.parametrize("who", REFUSED)
def test_other_roles_get_403(client, world, now, who):
    sign_in(client, _user(world, who))

    response = client.get(URL, MARCH)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "电子监察" in response.json()["message"]


@pytest.mark.parametrize("who", ALLOWED)
def test_the_allowed_roles_get_200(client, world, now, who):
    sign_in(client, _user(world, who))

    assert client.get(URL, MARCH).status_code == 200


@pytest.fixture
def elsewhere(db) -> Department:
    return worlds.department_elsewhere(
        "XQJ", "别区市场监管局", zone_code="XQ", zone_name="另一开发区", division_code="320100"
    )


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-3-1"}, "from", "日期格式应为 YYYY-MM-DD"),
        ({"to": "tomorrow"}, "to", "日期格式应为 YYYY-MM-DD"),
        ({"from": "2026-02-30"}, "from", "日期格式应为 YYYY-MM-DD"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "from", "开始日期不能晚于结束日期"),
        ({"from": "2010-01-01", "to": "2026-03-31"}, "from", "统计期间不能超过 3660 天"),
        ({"department": "NOPE"}, "department", "部门 NOPE 不存在"),
        ({"department": "XQJ"}, "department", "部门 XQJ 不存在"),  # another zone's
        ({"item": "123"}, "item", "事项 123 不存在"),
        ({"department": "x" * 31}, "department", "长度不符合要求"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, world, now, elsewhere, query, field, message):
    client.force_login(world.analyst)

    response = client.get(URL, query)

    assert response.status_code == 422
    body = response.json()
    assert body["fields"] == {field: [message]}
    assert message in body["message"]


def test_the_openapi_document_declares_every_response(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"][URL]["get"]
    assert set(operation["responses"]) == {"200", "401", "403", "422"}
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {"from", "to", "department", "item"}
