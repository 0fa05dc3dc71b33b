"""我的消息 (``notifications/``): every signed-in user's in-app messages, whichever app sent
them (core.notifications); the page lists one's own, newest first, and marks them read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.core.models import Notification
from onewindow.testing.clients import client_for

pytestmark = pytest.mark.django_db


def about(case) -> dict:
    """The fields of a notification about ``case`` (as cases.notifications writes them)."""
    link = reverse("cases:case", args=[case.number])
    return {"link": link, "subject_type": "case", "subject_id": case.number}


def test_notifications_list_own_newest_first_and_mark_all_read(client, world):
    case = world.submit()
    old = Notification.objects.create(
        recipient=world.applicant_user, kind="status", text="您的申请已提交", **about(case)
    )
    new = Notification.objects.create(
        recipient=world.applicant_user,
        kind="supplement_overdue",
        text="请补齐营业场所证明",
        **about(case),
    )
    Notification.objects.create(recipient=world.stranger, kind="status", text="别人的消息")
    client_for(world.applicant_user, client=client)
    html = client.get(reverse("notifications")).content.decode()
    assert html.index(new.text) < html.index(old.text)
    assert "别人的消息" not in html
    # with the submission's own message (cases.applicant_messages)
    assert html.count("notification--unread") == 3 and "3 条未读" in html
    assert reverse("cases:case", args=[case.number]) in html
    assert "查看办件" in html  # the link words the kind registered
    response = client.post(reverse("notifications"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=world.applicant_user, read_at=None).exists()
    assert Notification.objects.filter(recipient=world.stranger, read_at=None).exists()
    html = client.get(reverse("notifications")).content.decode()
    assert "notification--unread" not in html and "没有未读消息" in html


def test_notifications_need_login(client, world):
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post(reverse("notifications")).status_code == 302


def test_staff_see_their_own_notifications(client, world):
    Notification.objects.create(
        recipient=world.reviewer, kind="task_yellow", text="审查任务即将到期", read_at=None
    )
    client_for(world.reviewer, client=client)
    assert "审查任务即将到期" in client.get(reverse("notifications")).content.decode()


def test_every_staff_role_and_the_applicant_reach_their_messages(client, world):
    people = [
        world.applicant_user,
        world.clerk,
        world.reviewer,
        world.decider,
        world.supervisor,
        world.stranger,
    ]
    for person in people:
        Notification.objects.create(recipient=person, kind="status", text=f"给{person.pk}的消息")
    for person in people:
        client_for(person, client=client)
        html = client.get(reverse("notifications")).content.decode()
        assert f"给{person.pk}的消息" in html
        assert sum(f"给{other.pk}的消息" in html for other in people) == 1
        assert client.post(reverse("notifications")).status_code == 302
        client.logout()


def test_pages_of_messages(client, world, monkeypatch):
    monkeypatch.setattr("onewindow.portal.views.MESSAGES_PAGE_SIZE", 2)
    for index in range(3):
        Notification.objects.create(recipient=world.reviewer, kind="status", text=f"第{index}条")
    client_for(world.reviewer, client=client)
    first = client.get(reverse("notifications")).content.decode()
    second = client.get(reverse("notifications"), {"page": 2}).content.decode()
    assert "第2条" in first and "第1条" in first and "第0条" not in first
    assert "第0条" in second and "第2条" not in second


def test_only_get_and_post(client, world):
    client_for(world.reviewer, client=client)
    assert client.put(reverse("notifications")).status_code == 405
