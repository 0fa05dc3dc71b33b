"""``POST /api/v1/reviews``: success, each refusal with its status and Chinese message, and
who may use which channel. Time is frozen on Mon 28 Sep 2026; the case was delivered on
Fri 18 Sep (window to Thu 15 Oct)."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from onewindow.api import api
from onewindow.reviews import links
from onewindow.reviews.models import Channel, Rating
from onewindow.reviews.tests.conftest import D, at, deliver_bundle, deliver_immediate
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/reviews"
DELIVERED = D(2026, 9, 18)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(D(2026, 9, 28), 10), tick=False):
        yield


@pytest.fixture
def case(world):
    return deliver_immediate(world, DELIVERED)


def post(client: Client, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    return client.post(URL, data=data, content_type="application/json", **headers)


def refused(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert body["code"] == code, body
    assert set(body) == {"message", "code", "fields"}
    if field is not None:
        assert field in body["fields"], body
    return body


def online(case, **extra) -> dict:
    return {"case_number": case.number, "channel": "online", "level": 4, **extra}


# -- success ---------------------------------------------------------------------------------


def test_the_representative_rates_online(world, case):
    response = post(client_for(world.applicant_user), online(case, comment="办事顺利"))

    assert response.status_code == 201
    body = response.json()
    rating = Rating.objects.get()
    assert body == {
        "id": rating.pk,
        "case_number": case.number,
        "channel": "online",
        "channel_label": "网上办事大厅",
        "level": 4,
        "level_label": "满意",
        "comment": "办事顺利",
        "real_name": True,
        "rated_at": body["rated_at"],
        "rated_on": "2026-09-28",
        "department": case.department.name,
        "rectification": None,
    }


def test_a_bad_rating_answers_with_its_rectification(world, case):
    response = post(client_for(world.applicant_user), online(case, level=1, channel="mobile"))
    assert response.status_code == 201
    assert response.json()["rectification"] == {
        "status": "open",
        "status_label": "待整改",
        "department": case.department.name,
        "due_on": "2026-10-23",
        "due_provisional": False,
    }


def test_a_window_link_rates_without_login(world, case):
    token = links.rating_token(case, Channel.WINDOW)
    body = {"case_number": case.number, "channel": "window", "level": 5, "token": token}
    response = post(Client(enforce_csrf_checks=True), body)
    assert response.status_code == 201
    assert response.json()["real_name"] is False
    # the same link again
    refused(post(Client(), body), 409, "already_rated")


def test_an_sms_link_with_the_representatives_session_is_real_name(world, case):
    token = links.rating_token(case, Channel.SMS)
    body = {"case_number": case.number, "channel": "sms", "level": 3, "token": token}
    response = post(client_for(world.applicant_user), body)
    assert response.status_code == 201
    assert response.json()["real_name"] is True


# -- 401 / 403 ---------------------------------------------------------------------------------


def test_online_needs_a_session(case):
    body = refused(post(Client(), online(case)), 401, "unauthenticated")
    assert body["message"] == "请先登录"


def test_a_session_write_needs_the_csrf_token(world, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.applicant_user)
    refused(post(client, online(case)), 403, "csrf_failed")
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = post(client, online(case), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


# -- 404 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["stranger", "clerk", "reviewer", "decider", "supervisor", "analyst", "regulator"]
)
def test_anyone_else_is_told_the_case_does_not_exist(world, case, who):
    body = refused(post(client_for(getattr(world, who)), online(case)), 404, "case_not_found")
    assert body["message"] == "办件不存在"


@pytest.mark.parametrize("number", ["SFQ-2026-9999999", "", "   ", "不存在"])
def test_an_unknown_case_is_not_found(world, number):
    body = {"case_number": number, "channel": "online", "level": 4}
    refused(post(client_for(world.applicant_user), body), 404, "case_not_found")


def test_a_bad_link_is_not_found(world, case):
    other = deliver_immediate(world, DELIVERED)
    for token in (
        "forged",
        links.rating_token(other, Channel.WINDOW),  # another case's
        links.rating_token(case, Channel.SMS),  # another channel's
    ):
        body = {"case_number": case.number, "channel": "window", "level": 4, "token": token}
        refused(post(Client(), body), 404, "token_invalid")
    assert not Rating.objects.exists()


@pytest.mark.parametrize("channel", ["window", "sms", "hotline", "fax"])
@pytest.mark.parametrize("token", [None, "", "forged", "Ａ😀", "1.window:x:y"])
def test_without_a_valid_link_an_existing_and_a_missing_case_answer_alike(
    world, case, channel, token
):
    # given anonymous ratings without a valid link, for the case and for missing numbers
    extra = {} if token is None else {"token": token}
    answers = [
        post(Client(), {"case_number": number, "channel": channel, "level": 4, **extra})
        for number in (case.number, "SFQ-2026-9999999", "", "不存在")
    ]
    # then one answer, to the byte, and nothing is rated
    first = answers[0]
    assert first.status_code in (404, 422)
    assert all((r.status_code, r.content) == (first.status_code, first.content) for r in answers)
    assert not Rating.objects.exists()


def test_a_valid_link_with_a_missing_case_number_is_a_bad_link(world, case):
    token = links.rating_token(case, Channel.WINDOW)
    body = {"case_number": "SFQ-2026-9999999", "channel": "window", "level": 4, "token": token}
    refused(post(Client(), body), 404, "token_invalid")


def test_a_full_width_case_number_is_folded(world, case):
    number = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in case.number)
    response = post(client_for(world.applicant_user), online(case, case_number=number))
    assert response.status_code == 201


# -- 409 -----------------------------------------------------------------------------------------


def test_a_second_rating_on_the_channel_conflicts(world, case):
    client = client_for(world.applicant_user)
    assert post(client, online(case)).status_code == 201
    body = refused(post(client, online(case, level=1)), 409, "already_rated")
    assert "同一渠道只能评价一次" in body["message"]
    assert post(client, online(case, channel="mobile")).status_code == 201


def test_not_delivered_conflicts(world):
    case = world.submit()
    refused(post(client_for(world.applicant_user), online(case)), 409, "not_delivered")


def test_a_bundle_item_conflicts(world):
    parent = deliver_bundle(world, DELIVERED)
    child = parent.children.first()
    body = refused(post(client_for(world.applicant_user), online(child)), 409, "child_case")
    assert parent.number in body["message"]


def test_too_late_conflicts(world, case):
    client = client_for(world.applicant_user)
    with time_machine.travel(at(D(2026, 10, 16), 9), tick=False):
        client.force_login(world.applicant_user)
        body = refused(post(client, online(case)), 409, "rating_closed")
    assert "2026年10月15日前" in body["message"]


# -- 422 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"level": 0}, "level", "invalid_level"),  # the service's rule
        ({"level": 6}, "level", "invalid_level"),
        ({"level": "很好"}, "level", "invalid"),  # the schema's type
        ({"level": None}, "level", "invalid"),
        ({"comment": "长" * 1001}, "comment", "too_long"),
        ({"channel": "fax"}, "channel", "invalid"),
        ({"channel": "hotline"}, "channel", "channel_not_offered"),
        ({"channel": "window"}, "token", "token_required"),
        ({"case_number": "S" * 40}, "case_number", "invalid"),
        ({"token": "t" * 201}, "token", "invalid"),
        ({"stars": 5}, "stars", "invalid"),
    ],
)
def test_bad_input_names_its_field(world, case, change, field, code):
    response = post(client_for(world.applicant_user), online(case, **change))
    body = refused(response, 422, code, field)
    assert body["message"]
    assert not Rating.objects.exists()


def test_a_missing_field_is_named(world, case):
    body = refused(
        post(client_for(world.applicant_user), {"case_number": case.number}), 422, "invalid"
    )
    assert set(body["fields"]) == {"channel", "level"}
    assert body["fields"]["level"] == ["必填"]


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", ""])
def test_a_body_that_is_not_an_object_is_refused(world, payload):
    refused(post(client_for(world.applicant_user), payload), 422, "invalid_json", "body")


# -- the schema -------------------------------------------------------------------------------


def test_the_openapi_document_declares_every_answer():
    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/reviews"]["post"]
    assert {str(status) for status in operation["responses"]} == {
        "201", "401", "403", "404", "409", "422",
    }  # fmt: skip
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["required"]) == {"case_number", "channel", "level"}
    assert body["properties"]["channel"]["enum"] == ["window", "online", "mobile", "sms", "hotline"]
