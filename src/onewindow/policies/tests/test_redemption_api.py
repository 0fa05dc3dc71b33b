"""The redemption API: the list and one redemption (scope), each action, the 公示 and its
objections and their answer — success, bad input naming the field, 404 outside the reader's
scope, 403 inside it without the right, 409 for a move the table refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from onewindow.core.throttle import FixedWindow
from onewindow.policies.constants import ObjectionStatus, RedemptionStatus
from onewindow.policies.models import Objection, Payment, Publicity
from onewindow.policies.services import redemptions as service
from onewindow.policies.tests.test_matching_support import (
    facts,  # noqa: F401 (fixture)
    zone_key,  # noqa: F401 (fixture)
)
from onewindow.policies.tests.test_redemption_services import _confirm, _pending
from onewindow.policies.throttle import OBJECTION
from onewindow.testing.clients import client_for, send

LIST = "/api/v1/redemptions"
CONFIRM = {
    "account_name": "示范智能制造有限公司",
    "bank": "示范银行高新支行",
    "account_number": "6222 0000 1111 2222",
    "statement": True,
}


def call(user, method, url, body=None):
    client = client_for(user, csrf=True)
    if method == "GET":
        return send(client, "GET", url, body)
    return send(client, "POST", url, json=body if body is not None else {})


def action(row, name: str) -> str:
    return f"/api/v1/redemptions/{row.number}/actions/{name}"


def refusal(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    if field is not None:
        assert field in body["fields"], body
    return body


@pytest.fixture
def pending(pw, facts, zone_key):  # noqa: F811
    return _pending(pw, facts)


@pytest.fixture
def payable(pw, pending):
    return _confirm(pw, pending)


@pytest.fixture
def paid(pw, payable):
    service.redemption_pay(payable, actor=pw.officer, voucher="PZ-1", paid_on=timezone.localdate())
    payable.refresh_from_db()
    return payable


@pytest.fixture
def listed(pw, facts, zone_key):  # noqa: F811
    """A payable redemption of a version that asks for a 公示."""
    return _confirm(pw, _pending(pw, facts, requires_publicity=True, publicity_days=5))


@pytest.fixture
def publicity(pw, listed):
    return service.publicity_open(listed.version, actor=pw.officer, numbers=[listed.number])


# -- reads ---------------------------------------------------------------------------------------


def test_the_list_is_the_readers_scope(pw, pending):
    def numbers(user):
        response = call(user, "GET", LIST)
        assert response.status_code == 200
        return [row["number"] for row in response.json()["results"]]

    assert numbers(pw.representative) == [pending.number]
    assert numbers(pw.officer) == [pending.number]
    assert numbers(pw.supervisor) == [pending.number]
    assert numbers(pw.other_representative) == []
    assert numbers(pw.clerk) == []
    body = call(pw.representative, "GET", LIST, {"status": "pending"}).json()
    assert body["count"] == 1 and body["results"][0]["reasons"][0]["clause"] == "第十一条(四)"
    assert call(pw.representative, "GET", LIST, {"status": "paid"}).json()["count"] == 0


def test_the_list_refuses(pw, pending):
    refusal(call(pw.representative, "GET", LIST, {"status": "nope"}), 422, "status")
    refusal(call(pw.representative, "GET", LIST, {"limit": 1000}), 422, "limit")
    refusal(call(None, "GET", LIST), 401)


def test_one_redemption(pw, pending):
    url = f"{LIST}/{pending.number}"
    body = call(pw.representative, "GET", url).json()
    assert body["number"] == pending.number and Decimal(body["amount"]) == 20
    assert body["status"] == "pending" and body["enterprise"] == pw.enterprise.name
    assert call(pw.officer, "GET", url).status_code == 200
    refusal(call(pw.other_representative, "GET", url), 404)
    refusal(call(pw.clerk, "GET", url), 404)
    refusal(call(pw.representative, "GET", f"{LIST}/NOPE-1"), 404)
    refusal(call(None, "GET", url), 401)


# -- the enterprise's actions -----------------------------------------------------------------


def test_confirm(pw, pending):
    response = call(pw.representative, "POST", action(pending, "confirm"), CONFIRM)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == RedemptionStatus.PAYABLE and body["account_number_tail"] == "2222"
    pending.refresh_from_db()
    assert pending.confirmation_signature and pending.confirmation_digest
    # once payable, the table refuses a second confirmation
    refusal(call(pw.representative, "POST", action(pending, "confirm"), CONFIRM), 409)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"account_number": "12ab5678"}, "account_number"),
        ({"account_name": " "}, "account_name"),
        ({"statement": False}, "statement"),
        ({"statement": None}, "statement"),
        ({"extra": 1}, "extra"),
    ],
)
def test_confirm_names_the_bad_field(pw, pending, changes, field):
    body = {key: value for key, value in {**CONFIRM, **changes}.items() if value is not None}
    refusal(call(pw.representative, "POST", action(pending, "confirm"), body), 422, field)
    pending.refresh_from_db()
    assert pending.status == RedemptionStatus.PENDING


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_representative", 404), ("clerk", 404), ("officer", 403), ("supervisor", 403)],
)
def test_confirm_refused_roles(pw, pending, who, status):
    refusal(call(getattr(pw, who), "POST", action(pending, "confirm"), CONFIRM), status)
    pending.refresh_from_db()
    assert pending.status == RedemptionStatus.PENDING


def test_decline(pw, pending):
    refusal(
        call(pw.representative, "POST", action(pending, "decline"), {"reason": 1}), 422, "reason"
    )
    refusal(call(pw.officer, "POST", action(pending, "decline"), {}), 403)
    refusal(call(pw.other_representative, "POST", action(pending, "decline"), {}), 404)
    response = call(pw.representative, "POST", action(pending, "decline"), {"reason": "不需要"})
    assert response.status_code == 200 and response.json()["status"] == RedemptionStatus.DECLINED
    refusal(call(pw.representative, "POST", action(pending, "decline"), {}), 409)


# -- the officer's actions ----------------------------------------------------------------------


def test_pay(pw, payable):
    url = action(payable, "pay")
    today = timezone.localdate().isoformat()
    refusal(
        call(pw.officer, "POST", url, {"voucher": "PZ-1", "paid_on": "2026-13-01"}), 422, "paid_on"
    )
    refusal(call(pw.officer, "POST", url, {"paid_on": today}), 422, "voucher")
    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    refusal(call(pw.officer, "POST", url, {"voucher": "PZ-1", "paid_on": later}), 422, "paid_on")
    refusal(call(pw.representative, "POST", url, {"voucher": "PZ-1", "paid_on": today}), 403)
    refusal(call(pw.other_officer, "POST", url, {"voucher": "PZ-1", "paid_on": today}), 403)
    refusal(call(pw.other_representative, "POST", url, {"voucher": "PZ-1", "paid_on": today}), 404)
    response = call(pw.officer, "POST", url, {"voucher": "PZ-1", "paid_on": today})
    assert response.status_code == 200 and response.json()["status"] == RedemptionStatus.PAID
    assert response.json()["payments"][0]["voucher"] == "PZ-1"
    refusal(call(pw.officer, "POST", url, {"voucher": "PZ-2", "paid_on": today}), 409)


def test_pay_before_the_publicity_is_refused(pw, listed):
    today = timezone.localdate().isoformat()
    body = refusal(
        call(pw.officer, "POST", action(listed, "pay"), {"voucher": "PZ-1", "paid_on": today}), 409
    )
    assert body["code"] == "publicity_required"


def test_pay_from_pending_is_refused(pw, pending):
    today = timezone.localdate().isoformat()
    refusal(
        call(pw.officer, "POST", action(pending, "pay"), {"voucher": "P", "paid_on": today}), 409
    )


def test_claw_back(pw, paid):
    url = action(paid, "claw_back")
    today = timezone.localdate().isoformat()
    good = {"amount": "5", "reason": "材料不实", "voucher": "ZH-1", "paid_on": today}
    refusal(call(pw.officer, "POST", url, {**good, "amount": "25"}), 422, "amount")
    refusal(call(pw.officer, "POST", url, {**good, "amount": "五"}), 422, "amount")
    refusal(call(pw.officer, "POST", url, {**good, "reason": ""}), 422, "reason")
    refusal(call(pw.representative, "POST", url, good), 403)
    refusal(call(pw.other_representative, "POST", url, good), 404)
    response = call(pw.officer, "POST", url, good)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == RedemptionStatus.CLAWED_BACK
    back = Payment.objects.get(redemption=paid, kind="clawback")
    assert back.original.kind == "payment" and back.original.redemption == paid
    refusal(call(pw.officer, "POST", url, good), 409)


def test_claw_back_only_from_paid(pw, payable):
    today = timezone.localdate().isoformat()
    body = {"amount": "5", "reason": "材料不实", "voucher": "ZH-1", "paid_on": today}
    refusal(call(pw.officer, "POST", action(payable, "claw_back"), body), 409)


def test_withdraw(pw, payable):
    url = action(payable, "withdraw")
    refusal(call(pw.officer, "POST", url, {"reason": ""}), 422, "reason")
    refusal(call(pw.representative, "POST", url, {"reason": "错误"}), 403)
    refusal(call(pw.clerk, "POST", url, {"reason": "错误"}), 404)
    response = call(pw.officer, "POST", url, {"reason": "资格核查不符"})
    assert response.status_code == 200 and response.json()["status"] == RedemptionStatus.WITHDRAWN
    refusal(call(pw.officer, "POST", url, {"reason": "再次"}), 409)


# -- 公示 and 异议 -------------------------------------------------------------------------------


def test_open_a_publicity(pw, listed):
    url = "/api/v1/publicities"
    body = {"version": listed.version_id, "numbers": [listed.number]}
    refusal(call(pw.officer, "POST", url, {**body, "numbers": []}), 422, "numbers")
    refusal(call(pw.officer, "POST", url, {**body, "version": "x"}), 422, "version")
    refusal(call(pw.officer, "POST", url, {**body, "numbers": ["NOPE-1"]}), 422, "numbers")
    refusal(call(pw.representative, "POST", url, body), 404)
    refusal(call(pw.officer, "POST", url, {**body, "version": 999999}), 404)
    refusal(call(pw.other_officer, "POST", url, body), 403)
    response = call(pw.officer, "POST", url, body)
    assert response.status_code == 201, response.content
    assert response.json()["numbers"] == [listed.number]
    listed.refresh_from_db()
    assert listed.status == RedemptionStatus.PUBLICISING
    refusal(call(pw.officer, "POST", url, body), 409)  # no longer payable


def test_objections(pw, listed, publicity, monkeypatch):
    url = f"/api/v1/publicities/{publicity.pk}/objections"
    good = {
        "number": listed.number,
        "text": "该企业上年度研发投入未达比例",
        "contact": "13800000000",
    }
    refusal(call(None, "POST", url, {**good, "number": "NOPE"}), 422, "number")
    refusal(call(None, "POST", url, {**good, "text": " "}), 422, "text")
    refusal(call(None, "POST", "/api/v1/publicities/999999/objections", good), 404)
    response = call(None, "POST", url, good)  # anyone, signed in or not
    assert response.status_code == 201, response.content
    assert response.json()["status"] == ObjectionStatus.OPEN
    spent = FixedWindow(OBJECTION.scope, limit=0, seconds=OBJECTION.seconds)
    monkeypatch.setattr("onewindow.policies.api.redemption.OBJECTION", spent)
    assert call(None, "POST", url, good).status_code == 429
    monkeypatch.undo()
    Publicity.objects.filter(pk=publicity.pk).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    refusal(call(pw.stranger, "POST", url, good), 409)


def test_answer_an_objection(pw, listed, publicity):
    objection = service.objection_file(publicity, number=listed.number, text="研发投入不实")
    url = f"/api/v1/objections/{objection.pk}/answer"
    refusal(call(pw.officer, "POST", url, {"upheld": True, "answer": ""}), 422, "answer")
    refusal(call(pw.officer, "POST", url, {"upheld": "maybe", "answer": "核实"}), 422, "upheld")
    refusal(call(pw.other_representative, "POST", url, {"upheld": True, "answer": "x"}), 404)
    refusal(call(pw.representative, "POST", url, {"upheld": True, "answer": "x"}), 403)
    refusal(call(pw.other_officer, "POST", url, {"upheld": True, "answer": "x"}), 403)
    response = call(pw.officer, "POST", url, {"upheld": True, "answer": "经核实异议成立"})
    assert response.status_code == 200 and response.json()["status"] == ObjectionStatus.UPHELD
    listed.refresh_from_db()
    assert listed.status == RedemptionStatus.WITHDRAWN and listed.reason == "经核实异议成立"
    refusal(call(pw.officer, "POST", url, {"upheld": False, "answer": "再答"}), 409)
    assert Objection.objects.get().status == ObjectionStatus.UPHELD
