"""Staff sessions (docs/decisions/0009): they end when the browser closes and after
``ONEWINDOW_STAFF_IDLE_MINUTES`` without a request; applicants keep the normal session."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from conftest import PASSWORD
from onewindow.core.audit import AuditAction
from onewindow.core.models import AuditEvent

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.UTC)


def log_in(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_a_staff_session_ends_with_the_browser(client, clerk):
    log_in(client, "clerk")
    assert client.session.get_expire_at_browser_close()
    assert client.cookies["sessionid"]["expires"] == ""


def test_an_applicant_keeps_the_normal_session(client, make_applicant_user):
    make_applicant_user("zhangming")
    log_in(client, "zhangming")
    assert not client.session.get_expire_at_browser_close()


def test_a_staff_session_ends_after_the_idle_time(client, clerk):
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "clerk")
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200  # activity restarts the clock
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(dt.timedelta(minutes=31))

        response = client.get(reverse("home"), follow=True)

        assert response.redirect_chain[0][0] == f"{reverse('login')}?next=/home/"
        assert "30 分钟未操作" in response.content.decode()
        assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.filter(action=AuditAction.LOGGED_OUT).get()
    assert (event.actor, event.data) == ("clerk", {"reason": "idle_timeout"})


@override_settings(ONEWINDOW_STAFF_IDLE_MINUTES=5)
def test_the_idle_time_is_a_setting_and_the_api_answers_401(client, clerk):
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "clerk")
        clock.shift(dt.timedelta(minutes=6))

        response = client.get("/api/v1/tasks")

    assert response.status_code == 401
    assert json.loads(response.content)["code"] == "session_expired"


def test_an_applicant_is_not_logged_out_when_idle(client, make_applicant_user):
    make_applicant_user("zhangming")
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "zhangming")
        clock.shift(dt.timedelta(hours=3))
        assert client.get(reverse("home")).status_code == 200
