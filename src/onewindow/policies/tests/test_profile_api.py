"""``GET`` and ``PUT /api/v1/enterprises/{uscc}/facts``: success, each bad input naming its
field or fact, the refused roles (403 for those who see the profile, the same 404 for those
who do not and for an unknown 统一社会信用代码), not signed in (401), no CSRF token (403)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.core.models import AuditEvent
from onewindow.policies.models import EnterpriseFact, FactChange
from onewindow.policies.services.profile import set_facts
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
UNKNOWN_USCC = "91110000MA00000000"
GOOD = {
    "facts": {"industry_code": "C3919", "employees": 350, "revenue": "1,500"},
    "source": "department",
    "source_detail": "统计局",
    "as_of": "2026-01-31",
}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def url(uscc: str) -> str:
    return f"/api/v1/enterprises/{uscc}/facts"


def put(user, uscc, body, *, token=True):
    return send(client_for(user, csrf=True), "PUT", url(uscc), json=body, token=token)


def get(user, uscc):
    return send(client_for(user), "GET", url(uscc))


# -- PUT ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "other_officer", "administrator"])
def test_the_zones_officers_and_administrator_push_facts(pw, who):
    response = put(getattr(pw, who), pw.enterprise.uscc, GOOD)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["changed"] == ["industry_code", "employees", "revenue", "size_class"]
    assert body["size_class"] == "small"
    assert body["size_class_label"] == "小型"
    assert body["facts"]["revenue"]["value"] == "1500"
    assert body["facts"]["employees"]["source"] == "department"
    assert body["facts"]["employees"]["source_detail"] == "统计局"
    assert body["facts"]["employees"]["as_of"] == "2026-01-31"
    assert body["facts"]["size_class"]["source"] == "derived"
    assert FactChange.objects.filter(enterprise=pw.enterprise).count() == 4
    event = AuditEvent.objects.filter(object_id=pw.enterprise.uscc).get()
    assert event.data["source"] == "department"


def test_the_uscc_is_folded_like_typed_text(pw):
    wide = pw.enterprise.uscc.lower()
    response = put(pw.officer, wide, GOOD)
    assert response.status_code == 200, response.content


def test_null_clears_a_fact(pw):
    put(pw.officer, pw.enterprise.uscc, GOOD)
    response = put(pw.officer, pw.enterprise.uscc, {**GOOD, "facts": {"employees": None}})
    assert response.status_code == 200
    assert "employees" not in response.json()["facts"]
    assert "size_class" not in response.json()["facts"]  # unknown again: never guessed


@pytest.mark.parametrize(
    ("facts", "field", "words"),
    [
        ({"employees": "很多"}, "employees", "从业人员"),
        ({"employees": -1}, "employees", "从业人员"),
        ({"revenue": "abc"}, "revenue", "上年度营业收入"),
        ({"rd_share": "150%"}, "rd_share", "研发费用占营业收入比例"),
        ({"registered_on": "2026-02-30"}, "registered_on", "成立日期"),
        ({"industry_code": "C65"}, "industry_code", "国民经济行业代码"),
        ({"tax_credit_grade": "E"}, "tax_credit_grade", "纳税信用等级"),
        ({"owns_core_ip": "也许"}, "owns_core_ip", "拥有核心自主知识产权"),
        ({"qualifications": [{"code": "high_tech"}]}, "qualifications", "资质认定"),
        ({"size_class": "small"}, "size_class", "企业规模"),
        ({"no_such_fact": 1}, "no_such_fact", "no_such_fact"),
        ({}, "facts", "没有"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_fact(pw, facts, field, words):
    response = put(pw.officer, pw.enterprise.uscc, {**GOOD, "facts": facts})
    assert response.status_code == 422, response.content
    fields = response.json()["fields"]
    assert field in fields
    assert words in fields[field][0]
    assert not EnterpriseFact.objects.filter(enterprise=pw.enterprise).exists()


def test_every_wrong_fact_is_named_and_nothing_is_written(pw):
    body = {**GOOD, "facts": {"employees": "x", "revenue": "y", "total_assets": "100"}}
    response = put(pw.officer, pw.enterprise.uscc, body)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"employees", "revenue"}
    assert not EnterpriseFact.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": "declared"}, "source"),  # 申报 is the enterprise's own
        ({"source": "derived"}, "source"),
        ({"source": "gossip"}, "source"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"as_of": "2026-03-03"}, "as_of"),  # after today
        ({"facts": ["employees", 3]}, "facts"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_wrong_source_day_or_shape_is_refused_naming_the_field(pw, change, field):
    response = put(pw.officer, pw.enterprise.uscc, {**GOOD, **change})
    assert response.status_code == 422, response.content
    assert any(field in key for key in response.json()["fields"]), response.json()


def test_missing_fields_are_refused(pw):
    response = put(pw.officer, pw.enterprise.uscc, {"facts": {"employees": 3}})
    assert response.status_code == 422
    assert not EnterpriseFact.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "analyst", "representative"])
def test_those_who_see_the_profile_but_may_not_write_are_forbidden(pw, who):
    response = put(getattr(pw, who), pw.enterprise.uscc, GOOD)
    assert response.status_code == 403
    assert not EnterpriseFact.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "stranger", "other_representative"])
def test_those_who_may_not_see_it_get_the_same_404_as_an_unknown_uscc(pw, who):
    refused = put(getattr(pw, who), pw.enterprise.uscc, GOOD)
    unknown = put(pw.officer, UNKNOWN_USCC, GOOD)
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json()
    assert not EnterpriseFact.objects.exists()


def test_staff_of_another_zone_get_404(pw):
    from onewindow.org.constants import Role
    from onewindow.org.models import Zone
    from onewindow.testing import worlds

    other = Zone.objects.create(code="OTZ", name="另一开发区")
    officer = worlds.staff(other, Role.ADMINISTRATOR, username="p_far_admin")
    assert put(officer, pw.enterprise.uscc, GOOD).status_code == 404


def test_not_signed_in_is_401_and_no_csrf_token_403(pw):
    assert put(None, pw.enterprise.uscc, GOOD).status_code == 401
    assert put(pw.officer, pw.enterprise.uscc, GOOD, token=False).status_code == 403
    assert not EnterpriseFact.objects.exists()


# -- GET ------------------------------------------------------------------------------------


def _some_facts(pw):
    set_facts(
        pw.officer,
        pw.enterprise,
        {"industry_code": "I6513", "employees": 8, "revenue": "3000"},
        source="department",
        source_detail="统计局",
        as_of=dt.date(2026, 1, 31),
    )


@pytest.mark.parametrize(
    "who", ["representative", "officer", "administrator", "supervisor", "analyst"]
)
def test_the_enterprise_and_the_zones_readers_read_the_facts(pw, who):
    _some_facts(pw)
    response = get(getattr(pw, who), pw.enterprise.uscc)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["uscc"] == pw.enterprise.uscc
    assert body["size_class"] == "micro"
    assert body["facts"]["industry_code"]["value"] == {
        "code": "I6513",
        "edition": "GB/T 4754-2017",
    }
    assert body["facts"]["employees"]["display"] == "8 人"
    assert body["facts"]["revenue"]["source_label"] == "部门推送"


def test_an_enterprise_without_facts_reads_empty(pw):
    body = get(pw.representative, pw.enterprise.uscc).json()
    assert body["facts"] == {} and body["size_class"] is None


@pytest.mark.parametrize("who", ["clerk", "stranger", "other_representative"])
def test_reading_another_enterprise_is_the_same_404_as_an_unknown_one(pw, who):
    _some_facts(pw)
    refused = get(getattr(pw, who), pw.enterprise.uscc)
    unknown = get(pw.officer, UNKNOWN_USCC)
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json()


def test_reading_needs_a_sign_in(pw):
    assert get(None, pw.enterprise.uscc).status_code == 401
