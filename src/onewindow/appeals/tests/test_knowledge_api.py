"""The knowledge base and duplicate API: success, each bad input, each refused role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.appeals.constants import AppealStatus
from onewindow.appeals.services.knowledge import article_save
from onewindow.appeals.similarity import words_of
from onewindow.appeals.tests.factories import make_appeal
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

EARLIER = "营业执照办理进度咨询。我公司上周提交的设立登记至今没有消息，请帮忙催办。"
NEW_SUBJECT = "设立登记一直没有结果"
NEW_TEXT = "我们9月20日在网上提交了公司设立登记申请，到现在营业执照还没有下来，请催一下。"


def get(user, url, query=None):
    return send(client_for(user, csrf=True), "GET", url, query)


def post(user, url, body):
    return send(client_for(user, csrf=True), "POST", url, json=body)


@pytest.fixture
def article(aw):
    first = article_save(
        actor=aw.handler,
        zone=aw.zone,
        department=aw.lead,
        category=aw.category,
        title="营业执照遗失补领",
        body="执照遗失后在国家企业信用信息公示系统登报声明，再到窗口申请补领。",
    )
    return article_save(
        actor=aw.handler,
        article=first,
        zone=aw.zone,
        department=aw.lead,
        category=aw.category,
        title="营业执照遗失补领",
        body="执照遗失后在国家企业信用信息公示系统声明作废，再网上申请补领，无需登报。",
    )


# -- GET /api/v1/knowledge -------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["operator", "dispatcher", "handler", "other_handler", "supervisor"]
)
def test_staff_of_the_zone_search(aw, article, who):
    response = get(getattr(aw, who), "/api/v1/knowledge", {"q": "yyzz"})
    assert response.status_code == 200, response.content
    [hit] = response.json()
    assert hit["id"] == article.pk and hit["title"] == "营业执照遗失补领"
    assert hit["version"] == 2
    assert hit["matched_on"] == ["pinyin"]
    assert hit["category"] == "0101" and hit["department"] == "市场监督管理局"
    assert hit["snippet"].startswith("执照遗失后")


def test_search_by_body_and_category(aw, article):
    hits = get(aw.operator, "/api/v1/knowledge", {"q": "声明作废", "category": "01"}).json()
    assert [hit["matched_on"] for hit in hits] == [["body"]]
    assert get(aw.operator, "/api/v1/knowledge", {"q": "", "category": "0102"}).json() == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "长" * 51}, "q"),
        ({"q": "a b c d e f g h i"}, "q"),
        ({"category": "9999"}, "category"),
        ({"limit": "0"}, "limit"),
        ({"limit": "abc"}, "limit"),
    ],
)
def test_bad_search_input_is_named(aw, query, field):
    response = get(aw.operator, "/api/v1/knowledge", query)
    assert response.status_code == 422
    assert field in str(response.json()["fields"])


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("clerk", 403), ("requester", 403)])
def test_others_may_not_search(aw, who, status):
    user = getattr(aw, who) if who else None
    assert get(user, "/api/v1/knowledge").status_code == status


# -- GET /api/v1/knowledge/{id} --------------------------------------------------------------


def test_an_article_with_its_versions(aw, article):
    body = get(aw.operator, f"/api/v1/knowledge/{article.pk}").json()
    assert body["version"] == 2
    assert body["body"].endswith("无需登报。")
    assert [version["number"] for version in body["versions"]] == [2, 1]
    assert body["versions"][1]["body"].startswith("执照遗失后在国家企业信用信息公示系统登报声明")
    assert body["versions"][0]["created_by"] == "a_handler"


def test_an_unpublished_article_is_not_found_for_readers_but_seen_by_its_editors(aw, article):
    article.is_published = False
    article.save()
    assert get(aw.operator, f"/api/v1/knowledge/{article.pk}").status_code == 404
    assert get(aw.other_handler, f"/api/v1/knowledge/{article.pk}").status_code == 404
    assert get(aw.handler, f"/api/v1/knowledge/{article.pk}").status_code == 200
    assert get(aw.dispatcher, f"/api/v1/knowledge/{article.pk}").status_code == 200


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("clerk", 403), ("requester", 403)])
def test_others_may_not_read_an_article(aw, article, who, status):
    user = getattr(aw, who) if who else None
    assert get(user, f"/api/v1/knowledge/{article.pk}").status_code == status


def test_a_missing_article_is_404(aw, article):
    assert get(aw.operator, f"/api/v1/knowledge/{article.pk + 100}").status_code == 404
    assert get(aw.operator, f"/api/v1/knowledge/{2**63}").status_code == 404
    response = get(aw.operator, "/api/v1/knowledge/abc")
    assert response.status_code == 422 and "pk" in str(response.json()["fields"])


# -- duplicates ------------------------------------------------------------------------------


def order(aw, text, **fields):
    subject, _dot, description = text.partition("。")
    return make_appeal(
        aw,
        fields.pop("status", AppealStatus.HANDLING),
        received=timezone.now() - dt.timedelta(days=fields.pop("days_ago", 2)),
        subject=subject,
        description=description,
        words=" ".join(words_of(text)),
        **fields,
    )


@pytest.fixture
def pair(aw):
    earlier = order(aw, EARLIER, days_ago=3)
    new = order(aw, f"{NEW_SUBJECT}。{NEW_TEXT}", days_ago=1, status=AppealStatus.RECEIVED)
    return earlier, new


@pytest.mark.parametrize("who", ["operator", "dispatcher", "supervisor", "handler"])
def test_the_duplicates_of_an_order(aw, pair, who):
    earlier, new = pair
    response = get(getattr(aw, who), f"/api/v1/appeals/{earlier.number}/duplicates")
    assert response.status_code == 200, response.content
    if who == "handler":  # the department holds the earlier order, not the new one
        assert response.json() == []
    else:
        [found] = response.json()
        assert found["number"] == new.number and found["score"] == 0.5491
        assert found["status_label"] == "待派单"


@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), ("requester", 403), ("clerk", 403), ("other_handler", 404)]
)
def test_others_may_not_see_duplicates(aw, pair, who, status):
    user = getattr(aw, who) if who else None
    earlier, _new = pair
    assert get(user, f"/api/v1/appeals/{earlier.number}/duplicates").status_code == status


def test_duplicates_of_a_missing_order_is_404(aw):
    assert get(aw.dispatcher, "/api/v1/appeals/SFQ-SQ2026-999999/duplicates").status_code == 404


def check_body(aw, **fields):
    body = {
        "requester": aw.enterprise.pk,
        "category": "0101",
        "subject": NEW_SUBJECT,
        "description": NEW_TEXT,
    }
    body.update(fields)
    return body


@pytest.mark.parametrize("who", ["operator", "dispatcher"])
def test_intake_checks_before_saving(aw, who):
    earlier = order(aw, EARLIER)
    response = post(getattr(aw, who), "/api/v1/appeals/duplicates/check", check_body(aw))
    assert response.status_code == 200, response.content
    assert [row["number"] for row in response.json()] == [earlier.number]


def test_a_caller_by_phone_and_an_enterprise_by_its_code(aw):
    earlier = order(aw, EARLIER, subject_uscc=aw.enterprise.uscc)
    by_uscc = check_body(aw, requester=None, subject_uscc=aw.enterprise.uscc.lower())
    found = post(aw.operator, "/api/v1/appeals/duplicates/check", by_uscc).json()
    assert [row["number"] for row in found] == [earlier.number]
    nobody = check_body(aw, requester=None, contact_phone="13900000009")
    assert post(aw.operator, "/api/v1/appeals/duplicates/check", nobody).json() == []


@pytest.mark.parametrize(
    ("fields", "field", "status"),
    [
        ({"requester": 999999}, "requester", 422),
        ({"category": "9999"}, "category", 422),
        ({"subject": "", "description": "  "}, "description", 422),
        ({"subject": "长" * 201}, "subject", 422),
        ({"unknown": 1}, "unknown", 422),
        ({"requester": "abc"}, "requester", 422),
        ({"requester": "1"}, "requester", 422),
        ({"requester": True}, "requester", 422),
    ],
)
def test_bad_check_input_is_named(aw, fields, field, status):
    response = post(aw.operator, "/api/v1/appeals/duplicates/check", check_body(aw, **fields))
    assert response.status_code == status
    assert field in str(response.json()["fields"])


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("requester", 403), ("clerk", 403), ("handler", 403), ("supervisor", 403)],
)
def test_others_may_not_check(aw, who, status):
    user = getattr(aw, who) if who else None
    assert post(user, "/api/v1/appeals/duplicates/check", check_body(aw)).status_code == status


def test_a_check_without_the_csrf_token_is_refused(aw):
    client = client_for(aw.operator, csrf=True)
    response = send(
        client, "POST", "/api/v1/appeals/duplicates/check", json=check_body(aw), token=False
    )
    assert response.status_code == 403
