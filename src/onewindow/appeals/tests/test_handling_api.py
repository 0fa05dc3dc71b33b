"""The handling API: the list (scope, filters, paging, bad input, refused roles) and each
action (success, bad body, a number one may not see, the wrong person, the wrong
moment); a late return answers 409 and is still counted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.appeals.constants import AppealStatus, ExtensionStatus, Nature, ReturnStatus
from onewindow.appeals.models import Appeal, AppealExtension, AppealReturn
from onewindow.appeals.tests.factories import at, make_appeal
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

LIST = "/api/v1/appeals"
MON = dt.date(2026, 3, 2)


def action(appeal: Appeal, name: str) -> str:
    return f"/api/v1/appeals/{appeal.number}/actions/{name}"


def post(user, url, body=None, **options):
    return send(client_for(user, csrf=True), "POST", url, json=body, **options)


def get(user, url, query=None):
    return send(client_for(user, csrf=True), "GET", url, query)


def numbers(response) -> set[str]:
    return {row["number"] for row in response.json()["results"]}


# -- the list ------------------------------------------------------------------------------------


@pytest.fixture
def orders(aw):
    with time_machine.travel(at(MON, 9), tick=False):
        return {
            "received": make_appeal(aw, received=at(MON, 9)),
            "lead": make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9)),
            "other": make_appeal(
                aw,
                AppealStatus.DISPATCHED,
                received=at(dt.date(2026, 3, 4), 9),
                department=aw.other,
                category=aw.other_category,
                nature=Nature.CONSULT,
            ),
            "late": make_appeal(aw, AppealStatus.HANDLING, received=at(dt.date(2026, 2, 2), 9)),
        }


def test_each_reader_lists_their_scope(aw, orders):
    with time_machine.travel(at(MON, 12), tick=False):
        everything = {appeal.number for appeal in orders.values()}
        assert numbers(get(aw.dispatcher, LIST)) == everything
        assert numbers(get(aw.supervisor, LIST)) == everything
        assert numbers(get(aw.operator, LIST)) == everything
        assert numbers(get(aw.handler, LIST)) == {orders["lead"].number, orders["late"].number}
        assert numbers(get(aw.other_handler, LIST)) == {orders["other"].number}


def test_the_list_is_the_most_urgent_first_and_paged(aw, orders, django_assert_max_num_queries):
    with time_machine.travel(at(MON, 12), tick=False):
        client = client_for(aw.dispatcher, csrf=True)
        client.get("/")  # the session and roles are read once per request; warm the client
        with django_assert_max_num_queries(10):
            response = send(client, "GET", LIST, {"limit": 2, "offset": 0})
        body = response.json()
        assert response.status_code == 200
        assert body["count"] == 4 and body["limit"] == 2 and len(body["results"]) == 2
        first = body["results"][0]
        assert first["number"] == orders["late"].number
        assert first["overdue"] is True and first["lead_department"]["code"] == "SCJG"
        second_page = get(aw.dispatcher, LIST, {"limit": 2, "offset": 2}).json()
        assert len(second_page["results"]) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "received"}, {"received"}),
        ({"overdue": "true"}, {"late"}),
        ({"overdue": "false"}, {"received", "lead", "other"}),
        ({"department": "zjj"}, {"other"}),
        ({"category": "0102"}, {"other"}),
        ({"category": "01"}, {"received", "lead", "other", "late"}),  # the parent: all below
        ({"nature": "consult"}, {"other"}),
        ({"received_from": "2026-03-03"}, {"other"}),
        ({"received_to": "2026-03-02"}, {"received", "lead", "late"}),
    ],
)
def test_the_list_filters(aw, orders, query, expected):
    with time_machine.travel(at(MON, 12), tick=False):
        response = get(aw.dispatcher, LIST, query)
    assert response.status_code == 200, response.content
    assert numbers(response) == {orders[key].number for key in expected}


def test_the_warning_filter(aw):
    # Received Mon 2 Mar 09:00, 5 working days: warned at the end of working day 4
    # (floor(5 × 80 %)), Fri 6 Mar 17:30; due Mon 9 Mar 17:30.
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9))
    with time_machine.travel(at(dt.date(2026, 3, 9), 10), tick=False):
        assert numbers(get(aw.dispatcher, LIST, {"warning": "true"})) == {appeal.number}
    with time_machine.travel(at(dt.date(2026, 3, 5), 10), tick=False):
        assert numbers(get(aw.dispatcher, LIST, {"warning": "true"})) == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"department": "NOPE"}, "department"),
        ({"category": "99"}, "category"),
        ({"received_from": "2026-03-05", "received_to": "2026-03-01"}, "received_to"),
        ({"status": "lost"}, "status"),
        ({"limit": "0"}, "limit"),
        ({"received_from": "yesterday"}, "received_from"),
    ],
)
def test_bad_filters_are_named(aw, query, field):
    response = get(aw.dispatcher, LIST, query)
    assert response.status_code == 422
    assert field in response.json()["fields"]


@pytest.mark.parametrize(("who", "status"), [("requester", 403), ("clerk", 403), (None, 401)])
def test_the_list_refuses_others(aw, who, status):
    user = getattr(aw, who) if who else None
    assert get(user, LIST).status_code == status


# -- the actions ---------------------------------------------------------------------------------


def test_dispatch_by_the_catalogue_and_by_hand(aw):
    first, second = make_appeal(aw), make_appeal(aw)
    response = post(aw.dispatcher, action(first, "dispatch"), {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dispatched"
    assert response.json()["lead_department"]["code"] == "SCJG"
    response = post(aw.dispatcher, action(second, "dispatch"), {"lead": "ZJJ", "co": ["SCJG"]})
    assert response.json()["lead_department"]["code"] == "ZJJ"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lead": "NOPE"}, "lead"),
        ({"lead": "SCJG", "co": ["SCJG"]}, "co"),
        ({"lead": 5}, "lead"),
        ({"leader": "SCJG"}, "leader"),
    ],
)
def test_dispatch_names_the_bad_field(aw, body, field):
    response = post(aw.dispatcher, action(make_appeal(aw), "dispatch"), body)
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_an_order_out_of_sight_is_not_found_before_the_body_is_read(aw):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED)  # the lead department's only
    response = post(aw.other_handler, action(appeal, "sign"), {"nonsense": 1})
    assert response.status_code == 404
    assert response.json()["code"] == "appeal_not_found"
    missing = post(aw.handler, "/api/v1/appeals/SFQ-SQ2026-999999/actions/sign", {})
    assert missing.status_code == 404


def test_sign_is_the_leads_and_co_sign_the_co_departments(aw):
    appeal = make_appeal(aw)
    post(aw.dispatcher, action(appeal, "dispatch"), {})
    assert post(aw.dispatcher, action(appeal, "sign"), {}).status_code == 403
    co = post(aw.other_handler, action(appeal, "sign"))  # no body at all: nothing to say
    assert co.status_code == 200 and co.json()["status"] == "dispatched"
    lead = post(aw.handler, action(appeal, "sign"), {})
    assert lead.status_code == 200 and lead.json()["status"] == "handling"
    again = post(aw.handler, action(appeal, "sign"), {})
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"
    part = post(aw.other_handler, action(appeal, "part"), {"text": "已核查，无异议。"})
    assert part.status_code == 200
    empty = post(aw.other_handler, action(appeal, "part"), {"text": ""})
    assert empty.status_code == 422 and "text" in empty.json()["fields"]


def test_a_late_return_answers_409_and_is_counted(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9))
    with time_machine.travel(at(dt.date(2026, 3, 3), 10, 1), tick=False):
        response = post(aw.handler, action(appeal, "return"), {"reason": "不属于本部门职责"})
    assert response.status_code == 409
    assert response.json()["code"] == "return_window_closed"
    appeal.refresh_from_db()
    assert appeal.late_return_count == 1 and appeal.status == AppealStatus.HANDLING
    assert AppealReturn.objects.get(appeal=appeal).status == ReturnStatus.LATE


def test_return_and_designation(aw):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED)
    missing = post(aw.handler, action(appeal, "return"), {})
    assert missing.status_code == 422 and "reason" in missing.json()["fields"]
    returned = post(aw.handler, action(appeal, "return"), {"reason": "属于住建局职责"})
    assert returned.status_code == 200 and returned.json()["status"] == "return_requested"
    assert post(aw.handler, action(appeal, "designate"), {}).status_code == 403
    bad = post(aw.dispatcher, action(appeal, "designate"), {"department": "NOPE"})
    assert bad.status_code == 422 and "department" in bad.json()["fields"]
    designated = post(aw.dispatcher, action(appeal, "designate"), {"reason": "经核属本部门"})
    assert designated.status_code == 200 and designated.json()["designated"] is True
    again = post(aw.handler, action(appeal, "return"), {"reason": "还是不归我们"})
    assert again.status_code == 409 and again.json()["code"] == "designated"


def test_extension_request_and_decision(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9))
    for body, field in (
        ({"days": 0, "reason": "x"}, "days"),
        ({"days": 31, "reason": "x"}, "days"),
        ({"days": 2}, "reason"),
        ({"days": 2, "reason": ""}, "reason"),
    ):
        response = post(aw.handler, action(appeal, "extend"), body)
        assert response.status_code == 422 and field in response.json()["fields"], body
    assert (
        post(aw.dispatcher, action(appeal, "extend"), {"days": 2, "reason": "x"}).status_code == 403
    )
    asked = post(aw.handler, action(appeal, "extend"), {"days": 3, "reason": "需现场核查"})
    assert asked.status_code == 200
    twice = post(aw.handler, action(appeal, "extend"), {"days": 1, "reason": "再延"})
    assert twice.status_code == 409 and twice.json()["code"] == "extension_pending"
    url = action(appeal, "approve_extension")
    assert post(aw.handler, url, {"approve": True}).status_code == 403
    refused = post(aw.dispatcher, url, {"approve": False})
    assert refused.status_code == 422 and "reason" in refused.json()["fields"]
    missing = post(aw.dispatcher, url, {})
    assert missing.status_code == 422 and "approve" in missing.json()["fields"]
    approved = post(aw.dispatcher, url, {"approve": True, "reason": "同意"})
    assert approved.status_code == 200
    # 5 + 3 working days from Mon 2 Mar: Thu 12 Mar 17:30 in Shanghai (09:30 UTC).
    assert dt.datetime.fromisoformat(approved.json()["due_at"]) == at(dt.date(2026, 3, 12), 17, 30)
    assert AppealExtension.objects.get(appeal=appeal).status == ExtensionStatus.APPROVED
    nothing = post(aw.dispatcher, url, {"approve": True})
    assert nothing.status_code == 409 and nothing.json()["code"] == "no_pending_extension"


def test_reply_and_its_review(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9))
    assert post(aw.handler, action(appeal, "reply"), {"reply": " "}).status_code == 422
    assert post(aw.dispatcher, action(appeal, "reply"), {"reply": "已办"}).status_code == 403
    with time_machine.travel(at(dt.date(2026, 3, 10), 9), tick=False):
        replied = post(aw.handler, action(appeal, "reply"), {"reply": "已办结，执照已核发。"})
    assert replied.status_code == 200
    assert replied.json()["status"] == "replied" and replied.json()["overdue"] is True
    url = action(appeal, "approve_reply")
    assert post(aw.handler, url, {"approve": True}).status_code == 403
    rejected = post(aw.dispatcher, url, {"approve": False, "reason": "未回应企业关切"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "handling"
    post(aw.handler, action(appeal, "reply"), {"reply": "已补充答复。"})
    approved = post(aw.dispatcher, url, {"approve": True})
    assert approved.status_code == 200 and approved.json()["status"] == "answered"


def test_a_write_needs_its_csrf_token(aw):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED)
    response = post(aw.handler, action(appeal, "sign"), {}, token=False)
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert post(None, action(appeal, "sign"), {}).status_code == 401
