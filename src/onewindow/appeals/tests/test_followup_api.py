"""``POST /api/v1/appeals/{number}/actions/{visit,reopen,close,merge,supervise}``: success,
each bad input, the wrong person (403), an order out of sight (404), the wrong moment
(409), not signed in (401), no CSRF token (403)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.appeals.constants import AppealStatus, SupervisionTrigger
from onewindow.appeals.models import Appeal, AppealSupervision
from onewindow.appeals.tests.factories import at, make_appeal
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

RECEIVED = at(dt.date(2026, 3, 2), 10)
LATER = at(dt.date(2026, 3, 5), 10)

#: action → (the status the order starts in, who succeeds, a good body, the status after)
ACTIONS = {
    "visit": (
        AppealStatus.ANSWERED,
        "dispatcher",
        {"satisfaction": "satisfied", "resolved": True},
        AppealStatus.CLOSED,
    ),
    "reopen": (AppealStatus.ANSWERED, "requester", {"reason": "问题复发"}, AppealStatus.HANDLING),
    "close": (
        AppealStatus.ANSWERED,
        "dispatcher",
        {"reason": "无法联系诉求人"},
        AppealStatus.CLOSED,
    ),
    "merge": (AppealStatus.DISPATCHED, "dispatcher", None, AppealStatus.MERGED),
    "supervise": (
        AppealStatus.HANDLING,
        "supervisor",
        {"level": "listed", "note": "请加快办理", "days": 2},
        AppealStatus.HANDLING,
    ),
}


def url(appeal: Appeal, action: str) -> str:
    return f"/api/v1/appeals/{appeal.number}/actions/{action}"


def post(user, appeal, action, body, *, token=True):
    with time_machine.travel(LATER, tick=False):
        return send(
            client_for(user, csrf=True), "POST", url(appeal, action), json=body, token=token
        )


def scene(aw, action):
    status, who, body, _after = ACTIONS[action]
    appeal = make_appeal(aw, status, received=RECEIVED)
    if action == "merge":
        target = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
        body = {"into": target.number}
    return appeal, getattr(aw, who), body


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_action_succeeds(aw, action):
    appeal, actor, body = scene(aw, action)
    response = post(actor, appeal, action, body)
    assert response.status_code == (201 if action == "supervise" else 200), response.json()
    appeal.refresh_from_db()
    assert appeal.status == ACTIONS[action][3]
    if action == "supervise":
        assert response.json()["level_label"] == "挂牌督办"
        assert AppealSupervision.objects.get().trigger == SupervisionTrigger.MANUAL
    else:
        assert response.json()["status"] == appeal.status


def test_the_requester_answers_the_visit_online(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED)
    response = post(
        aw.requester,
        appeal,
        "visit",
        {"satisfaction": "dissatisfied", "resolved": False, "note": "没解决"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == AppealStatus.HANDLING
    assert response.json()["reopen_count"] == 1
    assert appeal.visits.get().by_requester is True


def test_merge_answers_the_target(aw):
    appeal, actor, body = scene(aw, "merge")
    response = post(actor, appeal, "merge", {"into": " " + body["into"].lower() + " "})
    assert response.status_code == 200
    assert response.json()["merged_into"] == body["into"]


#: action → the people who see the order but may not do it (403).
REFUSED = {
    "visit": ["handler", "supervisor", "operator"],
    "reopen": ["dispatcher", "handler", "supervisor"],
    "close": ["handler", "supervisor", "operator", "requester"],
    "merge": ["handler", "supervisor", "operator", "requester"],
    "supervise": ["handler", "operator", "requester"],
}


@pytest.mark.parametrize(
    ("action", "who"), [(action, who) for action, people in REFUSED.items() for who in people]
)
def test_the_wrong_person_is_refused(aw, action, who):
    appeal, _actor, body = scene(aw, action)
    response = post(getattr(aw, who), appeal, action, body)
    assert response.status_code == 403, response.json()
    assert response.json()["code"] == "not_permitted"
    assert Appeal.objects.get(pk=appeal.pk).status == ACTIONS[action][0]


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who", ["stranger", "clerk", "other_handler"])
def test_an_order_out_of_sight_is_not_found(aw, action, who):
    appeal, _actor, body = scene(aw, action)
    response = post(getattr(aw, who), appeal, action, body)
    assert response.status_code == 404
    assert response.json()["code"] == "appeal_not_found"


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_missing_order_is_not_found(aw, action):
    _appeal, actor, body = scene(aw, action)
    missing = Appeal(number="SFQ-SQ2026-999999")
    assert post(actor, missing, action, body).status_code == 404


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_not_signed_in_is_401_and_no_token_403(aw, action):
    appeal, actor, body = scene(aw, action)
    assert post(None, appeal, action, body).status_code == 401
    response = post(actor, appeal, action, body, token=False)
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"


#: action → the status where the table (or the rule) refuses it (409).
WRONG_MOMENT = {
    "visit": (AppealStatus.HANDLING, "transition_not_allowed"),
    "reopen": (AppealStatus.HANDLING, "transition_not_allowed"),
    "close": (AppealStatus.REPLIED, "transition_not_allowed"),
    "merge": (AppealStatus.ANSWERED, "transition_not_allowed"),
    "supervise": (AppealStatus.RECEIVED, "not_supervisable"),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_the_wrong_moment_is_409(aw, action):
    _appeal, actor, body = scene(aw, action)
    status, code = WRONG_MOMENT[action]
    appeal = make_appeal(aw, status, received=RECEIVED)
    response = post(actor, appeal, action, body)
    assert response.status_code == 409
    assert response.json()["code"] == code


def test_a_reopen_after_the_window_is_409_with_the_date(aw):
    appeal = make_appeal(aw, AppealStatus.ANSWERED, received=at(dt.date(2026, 2, 2), 10))
    response = post(aw.requester, appeal, "reopen", {})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "reopen_window_closed"
    assert "2026年02月12日 13:00" in body["message"]


#: action → (bad body, the field the 422 names)
BAD_INPUT = [
    ("visit", {"satisfaction": "happy", "resolved": True}, "satisfaction"),
    ("visit", {"satisfaction": "dissatisfied", "resolved": True}, "note"),
    ("visit", {"satisfaction": "satisfied"}, "resolved"),
    ("visit", {"satisfaction": "satisfied", "resolved": True, "extra": 1}, "extra"),
    ("reopen", {"reason": "长" * 4001}, "reason"),
    ("close", {"reason": ""}, "reason"),
    ("close", {}, "reason"),
    ("merge", {"into": "SFQ-SQ2026-999999"}, "into"),
    ("merge", {}, "into"),
    ("supervise", {"level": "urgent", "note": "催", "days": 2}, "level"),
    ("supervise", {"level": "daily", "note": "催", "days": 0}, "days"),
    ("supervise", {"level": "daily", "note": "催", "days": "two"}, "days"),
    ("supervise", {"level": "daily", "note": "", "days": 2}, "note"),
]


@pytest.mark.parametrize(("action", "body", "field"), BAD_INPUT)
def test_bad_input_is_422_naming_the_field(aw, action, body, field):
    appeal, actor, _body = scene(aw, action)
    response = post(actor, appeal, action, body)
    assert response.status_code == 422, response.json()
    assert any(field in name for name in response.json()["fields"]), response.json()
    assert Appeal.objects.get(pk=appeal.pk).status == ACTIONS[action][0]


def test_merging_into_itself_is_422(aw):
    appeal = make_appeal(aw, AppealStatus.RECEIVED, received=RECEIVED)
    response = post(aw.dispatcher, appeal, "merge", {"into": appeal.number})
    assert response.status_code == 422
    assert response.json()["code"] == "merge_into_self"
