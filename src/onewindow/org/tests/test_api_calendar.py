"""The calendar API (/api/v1/calendar/…), its OpenAPI document, and /healthz.

Every error is ``{"message", "code", "fields"}`` with the offending input named in
``fields``; Chinese is sent as UTF-8, not as \\u escapes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from onewindow.core.services import holiday_notice_load
from onewindow.org.constants import CalendarOverrideKind
from onewindow.org.services import calendar_override_set

pytestmark = pytest.mark.django_db

DEADLINE = "/api/v1/calendar/deadline"
WORKING_DAYS = "/api/v1/calendar/working-days"
DAY = "/api/v1/calendar/day/{}"
NOT_COVERED = "2027年的节假日安排尚未载入"


def error_body(response, status: int, code: str, field: str | None) -> dict:
    """The error shape, with ``field`` (when given) named in ``fields``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"message", "code", "fields"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    if field is not None:
        assert list(body["fields"]) == [field]
        assert all(isinstance(message, str) for message in body["fields"][field])
    return body


# -- /deadline ----------------------------------------------------------------------------


def test_deadline(client, zone):
    response = client.get(DEADLINE, {"start": "2026-09-28", "days": 5})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-09-28",
        "days": 5,
        "deadline": "2026-10-10",  # the make-up Saturday after National Day
        "provisional": False,
        "zone": "SFQ",
    }


def test_deadline_spring_festival(client, zone):
    response = client.get(DEADLINE, {"start": "2026-02-13", "days": 2})
    assert response.json()["deadline"] == "2026-02-24"


def test_deadline_zero_days(client, zone):
    response = client.get(DEADLINE, {"start": "2026-10-03", "days": 0})
    assert response.json()["deadline"] == "2026-10-03"


def test_deadline_follows_the_zones_overrides(client, zone, administrator):
    calendar_override_set(
        zone=zone,
        date=dt.date(2026, 10, 10),
        kind=CalendarOverrideKind.CLOSED,
        reason="台风",
        actor=administrator,
    )
    response = client.get(DEADLINE, {"start": "2026-09-28", "days": 5, "zone": "sfq"})
    assert response.json()["deadline"] == "2026-10-12"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-9-28", "days": 5}, "start", "日期格式应为 YYYY-MM-DD"),
        ({"start": "2026-02-30", "days": 5}, "start", "日期格式应为 YYYY-MM-DD"),
        ({"start": "明天", "days": 5}, "start", "日期格式应为 YYYY-MM-DD"),
        ({"days": 5}, "start", "必填"),
        ({"start": "2026-09-28"}, "days", "必填"),
        ({"start": "2026-09-28", "days": -1}, "days", "应不小于 0"),
        ({"start": "2026-09-28", "days": 1001}, "days", "应不大于 1000"),
        ({"start": "2026-09-28", "days": 10**12}, "days", "应不大于 1000"),
        ({"start": "2026-09-28", "days": "五"}, "days", "应为整数"),
        ({"start": "2026-09-28", "days": "1.5"}, "days", "应为整数"),
        ({"start": "2026-09-28", "days": 5, "provisional": "maybe"}, "provisional", None),
    ],
)
def test_deadline_bad_input(client, zone, params, field, message):
    body = error_body(client.get(DEADLINE, params), 422, "invalid", field)
    if message is not None:
        assert body["fields"][field] == [message]
        assert body["message"] == f"{field}：{message}"
    else:
        assert body["fields"][field] == ["应为 true 或 false"]


def test_deadline_into_an_uncovered_year(client, zone):
    response = client.get(DEADLINE, {"start": "2026-12-20", "days": 20})
    body = error_body(response, 422, "calendar_year_not_covered", "start")
    assert NOT_COVERED in body["message"]
    assert body["fields"]["start"] == [body["message"]]


def test_deadline_provisional(client, zone):
    response = client.get(DEADLINE, {"start": "2026-12-20", "days": 20, "provisional": "true"})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-12-20",
        "days": 20,
        "deadline": "2027-01-18",
        "provisional": True,
        "zone": "SFQ",
    }


def test_deadline_no_longer_provisional_once_the_notice_is_loaded(client, zone):
    payload = {
        "year": 2027,
        "title": "2027年部分节假日安排（测试）",
        "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}],
        "workdays": [{"name": "元旦", "date": "2027-01-09"}],
    }
    holiday_notice_load(payload=payload, actor="管理员")
    response = client.get(DEADLINE, {"start": "2026-12-20", "days": 20})
    assert response.status_code == 200
    assert response.json()["provisional"] is False
    assert response.json()["deadline"] == "2027-01-15"  # 9 Jan (Sat) is a working day


@pytest.mark.parametrize("start", ["2003-12-31", "2032-01-01"])
def test_deadline_outside_the_calendar(client, zone, start):
    response = client.get(DEADLINE, {"start": start, "days": 1, "provisional": "true"})
    body = error_body(response, 422, "calendar_out_of_range", "start")
    assert "2004-01-01 至 2031-12-31" in body["message"]


def test_deadline_past_the_horizon(client, zone):
    response = client.get(DEADLINE, {"start": "2031-12-01", "days": 60, "provisional": "true"})
    error_body(response, 422, "calendar_out_of_range", "days")


def test_deadline_unknown_zone(client, zone):
    response = client.get(DEADLINE, {"start": "2026-09-28", "days": 5, "zone": "XYZ"})
    body = error_body(response, 404, "zone_not_found", "zone")
    assert body["message"] == "开发区 XYZ 不存在"


# -- /working-days ------------------------------------------------------------------------


def test_working_days(client, zone):
    response = client.get(WORKING_DAYS, {"from": "2026-09-28", "to": "2026-10-10"})
    assert response.status_code == 200
    assert response.json() == {
        "from": "2026-09-28",
        "to": "2026-10-10",
        "working_days": 5,
        "provisional": False,
        "zone": "SFQ",
    }


def test_working_days_backwards_is_negative(client, zone):
    response = client.get(WORKING_DAYS, {"from": "2026-10-10", "to": "2026-09-28"})
    assert response.json()["working_days"] == -5


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2026/09/28", "to": "2026-10-10"}, "from", "日期格式应为 YYYY-MM-DD"),
        ({"from": "2026-09-28", "to": "20261010x"}, "to", "日期格式应为 YYYY-MM-DD"),
        ({"to": "2026-10-10"}, "from", "必填"),
        ({"from": "2026-09-28"}, "to", "必填"),
        ({"from": "2026-09-28", "to": "2026-10-10", "provisional": "2"}, "provisional", None),
    ],
)
def test_working_days_bad_input(client, zone, params, field, message):
    body = error_body(client.get(WORKING_DAYS, params), 422, "invalid", field)
    assert body["fields"][field] == [message or "应为 true 或 false"]


def test_working_days_both_missing_names_both(client, zone):
    body = error_body(client.get(WORKING_DAYS), 422, "invalid", None)
    assert body["fields"] == {"from": ["必填"], "to": ["必填"]}


def test_working_days_into_an_uncovered_year(client, zone):
    response = client.get(WORKING_DAYS, {"from": "2026-12-28", "to": "2027-01-10"})
    body = error_body(response, 422, "calendar_year_not_covered", "to")
    assert NOT_COVERED in body["message"]


def test_working_days_provisional(client, zone):
    params = {"from": "2026-12-28", "to": "2027-01-10", "provisional": "true"}
    response = client.get(WORKING_DAYS, params)
    assert response.status_code == 200
    # 29–31 Dec; 1 Jan 2027 a fixed-date holiday; 4–8 Jan
    assert response.json() == {
        "from": "2026-12-28",
        "to": "2027-01-10",
        "working_days": 8,
        "provisional": True,
        "zone": "SFQ",
    }


def test_working_days_outside_the_calendar(client, zone):
    response = client.get(WORKING_DAYS, {"from": "2003-12-31", "to": "2026-01-10"})
    error_body(response, 422, "calendar_out_of_range", "from")


def test_working_days_unknown_zone(client, zone):
    params = {"from": "2026-09-28", "to": "2026-10-10", "zone": "NOPE"}
    error_body(client.get(WORKING_DAYS, params), 404, "zone_not_found", "zone")


# -- /day/{date} --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "working", "kind", "reason"),
    [
        ("2026-10-10", True, "makeup_workday", "调休上班（国庆节）"),
        ("2026-02-17", False, "holiday", "法定节假日（春节）"),
        ("2026-01-04", True, "makeup_workday", "调休上班（元旦）"),
        ("2026-03-07", False, "weekend", "周末"),
        ("2026-03-09", True, "workday", "工作日"),
    ],
)
def test_day(client, zone, date, working, kind, reason):
    response = client.get(DAY.format(date))
    assert response.status_code == 200
    assert response.json() == {
        "date": date,
        "working_day": working,
        "kind": kind,
        "reason": reason,
        "provisional": False,
        "zone": "SFQ",
    }


def test_day_zone_closure(client, zone, administrator):
    calendar_override_set(
        zone=zone,
        date=dt.date(2026, 10, 9),
        kind=CalendarOverrideKind.CLOSED,
        reason="台风",
        actor=administrator,
    )
    body = client.get(DAY.format("2026-10-09")).json()
    assert (body["working_day"], body["kind"], body["reason"]) == (
        False,
        "zone_closed",
        "本区停止办公（台风）",
    )


@pytest.mark.parametrize("date", ["2026-13-10", "2026-02-29", "today", "2026-1-4"])
def test_day_malformed_date(client, zone, date):
    body = error_body(client.get(DAY.format(date)), 422, "invalid", "date")
    assert body["fields"]["date"] == ["日期格式应为 YYYY-MM-DD"]


def test_day_uncovered_year(client, zone):
    body = error_body(
        client.get(DAY.format("2027-01-04")), 422, "calendar_year_not_covered", "date"
    )
    assert NOT_COVERED in body["message"]


def test_day_provisional(client, zone):
    response = client.get(DAY.format("2027-01-01"), {"provisional": "true"})
    assert response.status_code == 200
    assert response.json() == {
        "date": "2027-01-01",
        "working_day": False,
        "kind": "holiday",
        "reason": "法定节假日（元旦）",
        "provisional": True,
        "zone": "SFQ",
    }


def test_day_bad_provisional(client, zone):
    response = client.get(DAY.format("2027-01-01"), {"provisional": "perhaps"})
    error_body(response, 422, "invalid", "provisional")


def test_day_outside_the_calendar(client, zone):
    error_body(client.get(DAY.format("1999-01-01")), 422, "calendar_out_of_range", "date")


def test_day_unknown_zone(client, zone):
    error_body(client.get(DAY.format("2026-10-10"), {"zone": "XYZ"}), 404, "zone_not_found", "zone")


def test_no_zone_at_all_is_not_found(client, db):
    error_body(client.get(DAY.format("2026-10-10")), 404, "zone_not_found", "zone")


# -- across endpoints ---------------------------------------------------------------------


def test_chinese_is_not_escaped(client, zone):
    raw = client.get(DAY.format("2027-01-04")).content
    assert "节假日安排尚未载入".encode() in raw
    assert b"\\u" not in raw
    raw = client.get(DAY.format("2026-02-17")).content
    assert "法定节假日（春节）".encode() in raw
    assert b"\\u" not in raw


def test_a_signed_in_user_gets_the_same_answers(client, zone, clerk):
    client.force_login(clerk)
    response = client.get(DEADLINE, {"start": "2026-09-28", "days": 5})
    assert response.json()["deadline"] == "2026-10-10"


@pytest.mark.parametrize("url", [DEADLINE, WORKING_DAYS, DAY.format("2026-10-10")])
def test_only_get_is_allowed(client, zone, url):
    assert client.post(url).status_code == 405


@pytest.mark.parametrize(
    "path",
    ["/api/v1/calendar/deadline", "/api/v1/calendar/working-days", "/api/v1/calendar/day/{date}"],
)
def test_openapi_lists_the_error_responses(client, path):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"][path]["get"]
    assert {"200", "404", "422"} <= set(operation["responses"])
    for status in ("404", "422"):
        schema = operation["responses"][status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"message", "code"}
    assert set(error["properties"]) == {"message", "code", "fields"}


def test_openapi_names_the_query_parameters(client):
    document = client.get("/api/v1/openapi.json").json()

    def names(path):
        return {p["name"] for p in document["paths"][path]["get"]["parameters"]}

    assert names("/api/v1/calendar/deadline") == {"start", "days", "provisional", "zone"}
    assert names("/api/v1/calendar/working-days") == {"from", "to", "provisional", "zone"}
    assert names("/api/v1/calendar/day/{date}") == {"date", "provisional", "zone"}


# -- /healthz -----------------------------------------------------------------------------


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "vendor": connection.vendor}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_get_only(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.parametrize(
    ("zone_code", "status", "code"),
    [
        # A NUL is refused by the API's input policy (ADR 0013) before any lookup.
        ("S%00Q", 422, "invalid"),
        ("%00", 422, "invalid"),
        ("sfq;drop", 404, "zone_not_found"),
        ("A" * 30, 404, "zone_not_found"),
    ],
)
def test_a_malformed_zone_code_is_not_found_never_a_server_error(
    client, zone, zone_code, status, code
):
    response = client.get(f"/api/v1/calendar/day/2026-02-14?zone={zone_code}")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert list(response.json()["fields"]) == ["zone"]
