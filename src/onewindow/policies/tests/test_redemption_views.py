"""The redemption pages: each page for who may see it, bad input shown next to the field,
refused roles (404 outside scope, 403 inside it without the right), and the navigation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.policies.constants import ObjectionStatus, RedemptionStatus
from onewindow.policies.models import Objection
from onewindow.policies.services import redemptions as service
from onewindow.policies.tests.test_matching_support import (
    facts,  # noqa: F401 (fixture)
    zone_key,  # noqa: F401 (fixture)
)
from onewindow.policies.tests.test_redemption_services import _confirm, _pending
from onewindow.testing.clients import client_for

CONFIRM = {
    "confirm-account_name": "示范智能制造有限公司",
    "confirm-bank": "示范银行高新支行",
    "confirm-account_number": "6222 0000 1111 2222",
    "confirm-statement": "on",
}


@pytest.fixture
def pending(pw, facts, zone_key):  # noqa: F811
    return _pending(pw, facts)


@pytest.fixture
def listed(pw, facts, zone_key):  # noqa: F811
    return _confirm(pw, _pending(pw, facts, requires_publicity=True, publicity_days=5))


@pytest.fixture
def publicity(pw, listed):
    return service.publicity_open(listed.version, actor=pw.officer, numbers=[listed.number])


def page(user, name, *args, data=None):
    client = client_for(user)
    url = reverse(f"policies:{name}", args=args)
    return client.post(url, data) if data is not None else client.get(url)


def act(user, row, action, data):
    return page(user, "redemption_action", row.number, action, data=data)


# -- who sees each page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "who", "status"),
    [
        ("my_redemptions", "representative", 200),
        ("my_redemptions", "other_representative", 200),
        ("my_redemptions", "officer", 403),
        ("my_redemptions", None, 302),
        ("redemption_desk", "officer", 200),
        ("redemption_desk", "supervisor", 403),
        ("redemption_desk", "representative", 403),
        ("publicity_list", None, 200),
        ("publicity_list", "representative", 200),
    ],
)
def test_list_pages(pw, pending, name, who, status):
    response = page(getattr(pw, who) if who else None, name)
    assert response.status_code == status
    if status == 200 and who == "representative" and name == "my_redemptions":
        assert pending.number in response.content.decode()
    if who == "other_representative":
        assert pending.number not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "who", "status"),
    [
        ("my_redemption", "representative", 200),
        ("my_redemption", "other_representative", 404),
        ("my_redemption", "clerk", 404),
        ("my_redemption", "officer", 302),  # staff read the officer's page
        ("redemption_manage", "officer", 200),
        ("redemption_manage", "supervisor", 200),  # reads, without the forms
        ("redemption_manage", "clerk", 404),
        ("redemption_manage", "representative", 302),
        ("redemption_manage", None, 302),
    ],
)
def test_detail_pages(pw, pending, name, who, status):
    response = page(getattr(pw, who) if who else None, name, pending.number)
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert pending.number in html and "第十一条(四)" in html


def test_the_forms_are_shown_only_to_who_may_act(pw, pending):
    assert (
        'name="confirm-account_number"'
        in page(pw.representative, "my_redemption", pending.number).content.decode()
    )
    assert (
        'name="withdraw-reason"'
        in page(pw.officer, "redemption_manage", pending.number).content.decode()
    )
    assert (
        'name="withdraw-reason"'
        not in page(pw.supervisor, "redemption_manage", pending.number).content.decode()
    )


def test_the_desk_lists_a_version_by_status(pw, pending):
    url = reverse("policies:redemption_desk") + f"?version={pending.version_id}&status=pending"
    response = client_for(pw.officer).get(url)
    assert response.status_code == 200 and pending.number in response.content.decode()
    assert client_for(pw.other_officer).get(url).status_code == 404


# -- the actions through the pages -------------------------------------------------------------


def test_confirm_through_the_page(pw, pending):
    response = act(pw.representative, pending, "confirm", CONFIRM)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == RedemptionStatus.PAYABLE and pending.confirmation_signature


@pytest.mark.parametrize(
    ("who", "action", "data", "status", "field"),
    [
        (
            "representative",
            "confirm",
            {**CONFIRM, "confirm-account_number": "12ab"},
            422,
            "account_number",
        ),
        ("representative", "confirm", {**CONFIRM, "confirm-statement": ""}, 422, "statement"),
        ("representative", "confirm", {**CONFIRM, "confirm-bank": ""}, 422, "bank"),
        ("other_representative", "confirm", CONFIRM, 404, None),
        ("representative", "pay", {}, 404, None),  # not an enterprise's action
        ("officer", "withdraw", {"withdraw-reason": ""}, 422, "reason"),
        ("supervisor", "withdraw", {"withdraw-reason": "错误"}, 403, None),
        ("clerk", "withdraw", {"withdraw-reason": "错误"}, 404, None),
        ("officer", "pay", {"pay-voucher": "PZ-1", "pay-paid_on": "2026-01-02"}, 409, None),
        ("officer", "nope", {}, 404, None),
    ],
)
def test_refused_actions_through_the_page(pw, pending, who, action, data, status, field):
    response = act(getattr(pw, who), pending, action, data)
    assert response.status_code == status
    if field is not None:
        assert field in response.context["forms"][action].errors
    pending.refresh_from_db()
    assert pending.status == RedemptionStatus.PENDING


def test_open_a_publicity_on_the_desk(pw, listed):
    url = reverse("policies:redemption_desk") + f"?version={listed.version_id}"
    client = client_for(pw.officer)
    refused = client.post(url, {"version": listed.version_id, "numbers": []})
    assert refused.status_code == 422
    done = client.post(url, {"version": listed.version_id, "numbers": [listed.number]})
    assert done.status_code == 302
    listed.refresh_from_db()
    assert listed.status == RedemptionStatus.PUBLICISING
    assert client_for(pw.other_officer).post(url, {"numbers": [listed.number]}).status_code == 404


def test_the_public_publicity_and_its_objection_form(pw, listed, publicity):
    html = page(None, "publicity_detail", publicity.pk).content.decode()
    assert pw.enterprise.name in html and listed.number in html
    assert "6222" not in html  # no account data on a public page
    bad = page(None, "publicity_detail", publicity.pk, data={"objection-number": listed.number})
    assert bad.status_code == 422
    good = {"objection-number": listed.number, "objection-text": "研发投入不实"}
    assert page(None, "publicity_detail", publicity.pk, data=good).status_code == 302
    assert Objection.objects.get().status == ObjectionStatus.OPEN
    assert page(None, "publicity_detail", 999999).status_code == 404


def test_answer_an_objection_on_the_officer_page(pw, listed, publicity):
    objection = service.objection_file(publicity, number=listed.number, text="研发投入不实")
    data = {"answer-objection": objection.pk, "answer-upheld": "1", "answer-answer": ""}
    assert act(pw.officer, listed, "answer", data).status_code == 422
    data["answer-answer"] = "经核实成立"
    assert act(pw.other_officer, listed, "answer", data).status_code == 403
    assert act(pw.officer, listed, "answer", data).status_code == 302
    listed.refresh_from_db()
    assert listed.status == RedemptionStatus.WITHDRAWN


# -- navigation ----------------------------------------------------------------------------------


def test_the_navigation(pw):
    def links(user):
        html = client_for(user).get(reverse("policies:publicity_list")).content.decode()
        return {
            label
            for label, name in [
                ("我的政策兑现", "my_redemptions"),
                ("兑现管理", "redemption_desk"),
                ("政策兑现公示", "publicity_list"),
            ]
            if f'href="{reverse("policies:" + name)}"' in html
        }

    assert links(pw.representative) >= {"我的政策兑现", "政策兑现公示"}
    assert "兑现管理" not in links(pw.representative)
    assert links(pw.officer) >= {"兑现管理", "政策兑现公示"}
    assert "我的政策兑现" not in links(pw.officer)
    assert "政策兑现公示" in links(None)  # the header's link for visitors
