"""The API: the services' refusals rendered by the shared handlers as {message, code,
fields}; a suggestion one may not see is 404 like a missing one."""

from __future__ import annotations

import pytest

from onewindow.testing.clients import client_for, send
from suggestions.models import Suggestion
from suggestions.tests.conftest import submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/suggestions"


def test_an_applicant_submits_and_reads_it_back(people):
    client = client_for(people.author, csrf=True)
    body = {"zone": "sfq", "subject": "Ａ区座椅不够", "content": "高峰时很多人站着等候。"}
    created = send(client, "POST", URL, json=body)
    assert created.status_code == 201, created.content
    assert created.json()["subject"] == "A区座椅不够"
    assert created.json()["status_label"] == "待答复"
    read = send(client, "GET", f"{URL}/{created.json()['id']}")
    assert read.json() == created.json()


def test_bad_input_is_422_naming_each_field(people):
    client = client_for(people.author, csrf=True)
    answer = send(client, "POST", URL, json={"zone": "", "subject": "", "content": "好"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid"
    assert answer.json()["fields"] == {
        "zone": ["开发区：请从列表中选择"],
        "subject": ["标题：请填写"],
    }
    unknown = send(
        client, "POST", URL, json={"zone": "SFQ", "subject": "a", "content": "b", "x": 1}
    )
    assert unknown.status_code == 422 and "x" in unknown.json()["fields"]
    assert not Suggestion.objects.exists()


def test_without_a_session_401_and_without_csrf_403(people):
    assert send(client_for(None, csrf=True), "GET", URL).status_code == 401
    no_token = send(client_for(people.author, csrf=True), "POST", URL, json={}, token=False)
    assert no_token.status_code == 403
    assert no_token.json()["code"] == "csrf_failed"


def test_answer_then_close_and_the_refused_move(people):
    suggestion = submit(people)
    author = client_for(people.author, csrf=True)
    refused = send(author, "POST", f"{URL}/{suggestion.pk}/close")
    assert refused.status_code == 409
    assert refused.json()["code"] == "transition_not_allowed"
    assert refused.json()["message"] == "意见建议当前状态为“待答复”，不能执行“办结”"
    clerk = client_for(people.clerk, csrf=True)
    answered = send(clerk, "POST", f"{URL}/{suggestion.pk}/answer", json={"answer": "已处理。"})
    assert answered.json()["status"] == "answered"
    closed = send(author, "POST", f"{URL}/{suggestion.pk}/close")
    assert closed.json()["status"] == "closed"


def test_another_zone_s_suggestion_is_not_found(people):
    suggestion = submit(people)
    client = client_for(people.other_clerk, csrf=True)
    answer = send(client, "POST", f"{URL}/{suggestion.pk}/answer", json={"answer": "答复"})
    missing = send(client, "POST", f"{URL}/{suggestion.pk + 1000}/answer", json={"answer": "答复"})
    assert answer.status_code == missing.status_code == 404
    assert answer.json() == missing.json()


def test_the_list_is_scoped_and_reads_in_a_fixed_number_of_queries(
    people, django_assert_max_num_queries
):
    for number in range(5):
        submit(people, subject=f"第 {number} 条")
    client = client_for(people.clerk)
    with django_assert_max_num_queries(8):
        answer = send(client, "GET", URL, {"status": "submitted"})
    assert len(answer.json()) == 5
    assert send(client_for(people.other_clerk), "GET", URL).json() == []
