"""The intake API: ``POST /api/v1/appeals`` (applicants and the hotline),
``POST /api/v1/appeals/import`` (the centre), ``GET /api/v1/appeals/{number}`` and the public
lookup. Each: success, each bad input, each refused role."""

from __future__ import annotations

import pytest

from onewindow.appeals import throttle
from onewindow.appeals.constants import AppealEvent, AppealStatus, Nature
from onewindow.appeals.models import Appeal
from onewindow.appeals.tests.factories import make_appeal
from onewindow.core.models import AuditEvent
from onewindow.core.throttle import FixedWindow
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

URL = "/api/v1/appeals"


def body(aw, **overrides) -> dict:
    data = {
        "nature": Nature.COMPLAINT,
        "category": "0101",
        "subject": "营业执照迟迟未发",
        "description": "上周提交的设立登记至今没有消息。",
        "requester": aw.enterprise.pk,
    }
    data.update(overrides)
    return data


def call_body(**overrides) -> dict:
    data = {
        "outcome": "dispatch",
        "nature": Nature.HELP,
        "category": "0102",
        "subject": "施工许可咨询",
        "description": "住建局电话无人接听。",
        "caller_name": "王五",
        "caller_phone": "13800000000",
    }
    data.update(overrides)
    return data


def post(user, url=URL, json=None, **kwargs):
    return send(client_for(user, csrf=True), "POST", url, json=json, **kwargs)


# -- POST /appeals ---------------------------------------------------------------------------


def test_an_applicant_files_an_appeal(aw):
    response = post(aw.requester, json=body(aw))
    assert response.status_code == 201, response.content
    data = response.json()
    appeal = Appeal.objects.get(number=data["number"])
    assert data["query_code"] == appeal.query_code
    assert data["status"] == "received" and data["status_label"] == "待派单"
    assert data["category"] == {"code": "0101", "name": "企业开办"}
    assert data["requester_name"] == "示范科技有限公司"
    assert data["due_at"] and data["due_provisional"] is False
    assert [step["action"] for step in data["steps"]] == ["receive"]
    assert data["reply"] is None


def test_an_anonymous_report_over_the_api(aw):
    response = post(aw.requester, json=body(aw, nature="report", anonymous=True, requester=None))
    assert response.status_code == 201
    assert response.json()["requester_name"] == ""
    assert Appeal.objects.get().requester_user is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"anonymous": True, "requester": None}, "anonymous"),
        ({"category": "9999"}, "category"),
        ({"subject": ""}, "subject"),
        ({"nature": "rumour"}, "nature"),
        ({"linked_case": "SFQ-2026-0000999"}, "linked_case"),
        ({"zone": "NOPE"}, "zone"),
        ({"color": "red"}, "color"),
        ({"requester": "1"}, "requester"),
    ],
)
def test_bad_input_is_named(aw, changes, field):
    response = post(aw.requester, json=body(aw, **changes))
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert not Appeal.objects.exists()


def test_a_requester_the_user_does_not_represent_is_refused(aw):
    response = post(aw.stranger, json=body(aw))
    assert response.status_code == 422
    assert "requester" in response.json()["fields"]


def test_an_empty_body_is_refused(aw):
    response = send(client_for(aw.requester, csrf=True), "POST", URL, body="")
    assert response.status_code == 422 and "body" in response.json()["fields"]


def test_not_signed_in_is_401_and_no_csrf_is_403(aw):
    assert post(None, json=body(aw)).status_code == 401
    response = send(client_for(aw.requester, csrf=True), "POST", URL, json=body(aw), token=False)
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"


def test_the_hotline_records_a_call(aw):
    response = post(aw.operator, json=call_body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["channel"] == "hotline" and data["requester_name"] == "王五"
    assert data["query_code"]


def test_the_hotline_transfers_an_emergency_without_a_clock(aw):
    response = post(
        aw.operator,
        json=call_body(outcome="emergency", emergency_service="120", caller_name=""),
    )
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == AppealStatus.TRANSFERRED and data["due_at"] is None
    assert data["emergency_service_label"] == "120 急救"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": "hang_up"}, "outcome"),
        ({"outcome": "refuse"}, "redirect_channel"),
        ({"outcome": "answer_now", "reply": "答复"}, "knowledge_version"),
        ({"applicant": 999999}, "applicant"),
        ({"caller_phone": "abc"}, "caller_phone"),
        ({"urgency": "difficult"}, "urgency"),
    ],
)
def test_bad_calls_are_named(aw, changes, field):
    response = post(aw.operator, json=call_body(**changes))
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]


@pytest.mark.parametrize("who", ["dispatcher", "handler", "supervisor", "clerk"])
def test_other_staff_may_not_post_appeals(aw, who):
    response = post(getattr(aw, who), json=call_body())
    assert response.status_code == 403
    assert not Appeal.objects.exists()


# -- POST /appeals/import --------------------------------------------------------------------


def pushed(**overrides) -> dict:
    data = {
        "upstream_id": "JS12345-0001",
        "category": "0101",
        "nature": "complaint",
        "subject": "办照进度",
        "description": "一企来转来。",
        "received_at": "2026-03-02T09:30:00+08:00",
    }
    data.update(overrides)
    return data


def test_the_centre_imports_once_per_upstream_id(aw):
    first = post(aw.dispatcher, URL + "/import", json=pushed())
    assert first.status_code == 201, first.content
    again = post(aw.dispatcher, URL + "/import", json=pushed(subject="再次推送"))
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert again.json()["subject"] == "办照进度" and again.json()["query_code"] is None
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "ZZ99"}, "category"),
        ({"upstream_id": ""}, "upstream_id"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_pushes_are_named(aw, changes, field):
    response = post(aw.dispatcher, URL + "/import", json=pushed(**changes))
    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("operator", 403), ("handler", 403), ("supervisor", 403), ("requester", 403), (None, 401)],
)
def test_only_the_centre_imports(aw, who, status):
    user = getattr(aw, who) if who else None
    assert post(user, URL + "/import", json=pushed()).status_code == status


# -- GET /appeals/{number} -------------------------------------------------------------------


def get(user, url):
    return send(client_for(user), "GET", url)


def test_the_requester_reads_the_order(aw):
    appeal = make_appeal(aw)
    response = get(aw.requester, f"{URL}/{appeal.number}")
    assert response.status_code == 200
    assert response.json()["number"] == appeal.number
    assert response.json()["query_code"] is None


@pytest.mark.parametrize("who", ["stranger", "other_handler", "clerk"])
def test_those_who_may_not_see_get_404(aw, who):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED)
    response = get(getattr(aw, who), f"{URL}/{appeal.number}")
    assert response.status_code == 404
    assert response.json()["message"] == "没有找到该诉求工单"


def test_a_missing_number_is_the_same_404_and_anonymous_is_401(aw):
    assert get(aw.dispatcher, f"{URL}/SFQ-SQ2026-999999").status_code == 404
    appeal = make_appeal(aw)
    assert get(None, f"{URL}/{appeal.number}").status_code == 401


def test_a_confidential_requester_is_masked_from_the_department(aw):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED, confidential=True)
    data = get(aw.handler, f"{URL}/{appeal.number}").json()
    assert data["requester_name"] != "示范科技有限公司" and "*" in data["requester_name"]
    assert "*" in data["requester_phone"]
    assert not AuditEvent.objects.filter(action=AppealEvent.REQUESTER_VIEWED).exists()


def test_the_centres_full_view_of_a_confidential_requester_is_audited(aw):
    appeal = make_appeal(aw, confidential=True)
    data = get(aw.dispatcher, f"{URL}/{appeal.number}").json()
    assert data["requester_name"] == "示范科技有限公司"
    event = AuditEvent.objects.get(action=AppealEvent.REQUESTER_VIEWED)
    assert event.actor == aw.dispatcher.username and event.data["number"] == appeal.number
    get(aw.requester, f"{URL}/{appeal.number}")  # the requester's own view is not audited
    assert AuditEvent.objects.filter(action=AppealEvent.REQUESTER_VIEWED).count() == 1


def test_the_reply_shows_once_answered(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED)
    assert get(aw.requester, f"{URL}/{appeal.number}").json()["reply"] == appeal.reply
    pending = make_appeal(aw, AppealStatus.REPLIED)
    assert get(aw.requester, f"{URL}/{pending.number}").json()["reply"] is None


# -- GET /appeals/lookup ---------------------------------------------------------------------


def test_the_public_lookup_with_the_right_code(aw):
    appeal = make_appeal(aw)
    response = get(None, f"{URL}/lookup?number={appeal.number}&code={appeal.query_code}")
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == appeal.number and data["category"] == "企业开办"
    assert "requester_name" not in data


def test_full_width_input_is_folded_in_the_lookup(aw):
    appeal = make_appeal(aw)
    wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in appeal.query_code)
    number = appeal.number.lower()
    assert get(None, f"{URL}/lookup?number={number}&code={wide}").status_code == 200


def test_a_wrong_code_and_a_missing_number_answer_the_same(aw):
    appeal = make_appeal(aw)
    wrong = get(None, f"{URL}/lookup?number={appeal.number}&code=WRONG123")
    missing = get(None, f"{URL}/lookup?number=SFQ-SQ2026-999999&code={appeal.query_code}")
    empty = get(None, f"{URL}/lookup?number={appeal.number}")
    assert wrong.status_code == missing.status_code == empty.status_code == 404
    assert wrong.json() == missing.json() == empty.json()


def test_the_lookup_is_throttled(aw, monkeypatch):
    monkeypatch.setattr(throttle, "LOOKUP", FixedWindow("appeals:lookup:test", 2, 60))
    appeal = make_appeal(aw)
    url = f"{URL}/lookup?number={appeal.number}&code=WRONG123"
    assert [get(None, url).status_code for _ in range(3)] == [404, 404, 429]
    assert get(None, url)["Retry-After"]
