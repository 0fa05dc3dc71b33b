"""The public progress (办件进度查询, page and API) shows the decision's result once the case
is decided (准予 / 不予许可), and nothing of its reasons."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases.services import task_claim, task_complete, task_decide
from onewindow.cases.tests.factories import World

pytestmark = pytest.mark.django_db


def page(client, case) -> str:
    response = client.get(reverse("cases:track"), {"number": case.number, "code": case.query_code})
    assert response.status_code == 200
    return response.content.decode()


def api(client, case) -> dict:
    response = client.get(f"/api/v1/track/{case.number}", {"code": case.query_code})
    assert response.status_code == 200
    return response.json()


def test_an_undecided_case_shows_no_result(client, world: World):
    case = world.accepted()
    assert "决定结果" not in page(client, case)
    body = api(client, case)
    assert (body["decision"], body["decision_label"]) == ("", "")


def test_an_approval_shows_its_result(client, world: World):
    case = world.decided()
    assert '<dd class="decision decision--approved">准予许可</dd>' in page(client, case)
    body = api(client, case)
    assert (body["decision"], body["decision_label"]) == ("approved", "准予许可")


def test_a_denial_shows_its_result_but_not_its_reasons(client, world: World):
    case = world.accepted()
    review = world.task(case, "review")
    task_claim(task=review, actor=world.reviewer)
    task_complete(task=review, actor=world.reviewer)
    task_decide(
        task=world.task(case, "decide"),
        actor=world.decider,
        decision="denied",
        reason="经营场所与证明材料不一致",
        remedy_notice="可申请行政复议",
    )
    html = page(client, case)
    assert '<dd class="decision decision--denied">不予许可</dd>' in html
    assert "经营场所与证明材料不一致" not in html and "可申请行政复议" not in html
    body = api(client, case)
    assert body["decision"] == "denied"
    assert "经营场所与证明材料不一致" not in str(body)
