"""我的消息 over HTTP (``/api/v1/me/messages``, ``/api/v1/me/messages/read``): one's own
messages only, newest first, paged; marking read one's own (all or by id); bad paging and
bad ids are a 422 naming the field; anonymous is 401; and the unread count beside 我的消息
in every page's header."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onewindow.core.models import Notification
from onewindow.testing.clients import client_for, send

pytestmark = pytest.mark.django_db

LIST = "/api/v1/me/messages"
READ = "/api/v1/me/messages/read"


def message(user, text: str, *, minutes: int = 0, read: bool = False, kind: str = "task_yellow"):
    return Notification.objects.create(
        recipient=user,
        kind=kind,
        title=f"标题 {text}",
        text=text,
        link="/cases/X/",
        subject_type="case",
        subject_id="X",
        created_at=timezone.now() - dt.timedelta(minutes=minutes),
        read_at=timezone.now() if read else None,
    )


@pytest.fixture
def inbox(world):
    """Three messages of the applicant (one read), one of a stranger."""
    return {
        "old": message(world.applicant_user, "最早", minutes=30, read=True),
        "middle": message(world.applicant_user, "其次", minutes=20),
        "new": message(world.applicant_user, "最新", minutes=10),
        "theirs": message(world.stranger, "别人的消息", minutes=5),
    }


def test_the_list_is_ones_own_newest_first(world, inbox):
    client = client_for(world.applicant_user)
    body = client.get(LIST).json()
    assert body["count"] == 3 and body["unread"] == 2
    assert [row["text"] for row in body["results"]] == ["最新", "其次", "最早"]
    first = body["results"][0]
    assert first["id"] == inbox["new"].pk and first["link"] == "/cases/X/"
    assert first["link_label"] == "查看办件" and first["read_at"] is None
    assert body["results"][2]["read_at"] is not None


def test_the_list_pages_and_filters_unread(world, inbox):
    client = client_for(world.applicant_user)
    page = client.get(LIST, {"limit": 2, "offset": 1}).json()
    assert (page["count"], page["limit"], page["offset"]) == (3, 2, 1)
    assert [row["text"] for row in page["results"]] == ["其次", "最早"]
    unread = client.get(LIST, {"unread": "true"}).json()
    assert unread["count"] == 2 and [row["text"] for row in unread["results"]] == ["最新", "其次"]


def test_the_list_counts_its_queries(world, inbox):
    client = client_for(world.applicant_user)
    client.get(LIST)  # the session and the user, once
    for index in range(30):
        message(world.applicant_user, f"第{index}条")
    with CaptureQueriesContext(connection) as queries:
        assert len(client.get(LIST, {"limit": 50}).json()["results"]) == 33
    with CaptureQueriesContext(connection) as fewer:
        client.get(LIST, {"limit": 1})
    assert len(queries) == len(fewer)  # the page's size costs no query


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "十"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"unread": "maybe"}, "unread"),
    ],
)
def test_bad_paging_is_refused_naming_the_field(world, query, field):
    response = client_for(world.applicant_user).get(LIST, query)
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_anonymous_is_refused(client):
    assert client.get(LIST).status_code == 401
    response = send(client, "POST", READ, json={})
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_staff_read_their_own_messages(world, inbox):
    message(world.reviewer, "审查任务即将到期")
    body = client_for(world.reviewer).get(LIST).json()
    assert [row["text"] for row in body["results"]] == ["审查任务即将到期"]


@pytest.mark.parametrize("body", [{}, {"ids": None}, None])
def test_marking_all_read_touches_only_ones_own(world, inbox, body):
    client = client_for(world.applicant_user, csrf=True)
    # None: no body at all
    response = send(client, "POST", READ, **({} if body is None else {"json": body}))
    assert response.status_code == 200 and response.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.filter(recipient=world.stranger, read_at=None).count() == 1


def test_marking_by_id_never_touches_anothers_message(world, inbox):
    client = client_for(world.applicant_user, csrf=True)
    ids = [inbox["middle"].pk, inbox["theirs"].pk, 999_999]
    response = send(client, "POST", READ, json={"ids": ids})
    assert response.json() == {"marked": 1, "unread": 1}
    inbox["theirs"].refresh_from_db()
    inbox["new"].refresh_from_db()
    assert inbox["theirs"].read_at is None and inbox["new"].read_at is None


@pytest.mark.parametrize(
    "body",
    [
        {"ids": "all"},
        {"ids": ["一"]},
        {"ids": ["1"]},
        {"ids": [True]},
        {"ids": [0]},
        {"ids": list(range(1, 102))},
        {"ids": [None]},
        {"everything": True},
    ],
)
def test_bad_ids_are_refused_naming_the_field(world, inbox, body):
    client = client_for(world.applicant_user, csrf=True)
    response = send(client, "POST", READ, json=body)
    assert response.status_code == 422
    named = next(iter(body))
    assert any(name.startswith(named) for name in response.json()["fields"])
    assert Notification.objects.filter(read_at=None).count() == 3


def test_marking_without_the_csrf_token_is_refused(world, inbox):
    client = client_for(world.applicant_user, csrf=True)
    response = send(client, "POST", READ, json={}, token=False)
    assert response.status_code == 403
    assert Notification.objects.filter(read_at=None).count() == 3


# --- the unread count in the header ----------------------------------------------------


def test_the_header_shows_the_unread_count_beside_my_messages(world, inbox):
    client = client_for(world.applicant_user)
    html = client.get(reverse("home")).content.decode()
    assert 'class="account__messages" href="/notifications/"' in html
    assert '<span class="account__unread" title="未读消息">2<' in html
    Notification.objects.filter(recipient=world.applicant_user).update(read_at=timezone.now())
    html = client.get(reverse("home")).content.decode()
    assert "account__unread" not in html and "我的消息" in html


def test_the_header_count_is_one_query_and_none_for_anonymous(client, world, inbox):
    assert "account__messages" not in client.get(reverse("portal")).content.decode()
    client = client_for(world.applicant_user)
    client.get(reverse("portal"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("portal"))
    counting = [q["sql"] for q in queries if "core_notification" in q["sql"]]
    assert len(counting) == 1


def test_the_audit_administrator_is_offered_no_messages(client, make_staff):
    # confined to the audit trail (ADR 0010): 我的消息 would answer 403
    auditor = make_staff("audit_admin", username="auditor")
    html = client_for(auditor, client=client).get(reverse("home")).content.decode()
    assert "account__messages" not in html
