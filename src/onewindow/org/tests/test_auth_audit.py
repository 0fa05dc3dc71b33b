"""Logins, logouts and failed logins are recorded in the audit chain, passwords never."""

from __future__ import annotations

import json
import re

import pytest
from axes.exceptions import AxesBackendRequestParameterRequired
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import authenticate
from django.urls import reverse

from conftest import PASSWORD, login_request
from onewindow.core.audit import AuditAction, audit_verify
from onewindow.core.models import AuditEvent
from onewindow.org.constants import Role
from onewindow.org.login_throttle import username_mark

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "wrong-Secret-4711"


def auth_events():
    """The login events (creating the test's staff writes its own: ``org.*``)."""
    return AuditEvent.objects.filter(action__startswith="auth.")


def everything_recorded() -> str:
    """Every column of every audit event, as one text to search."""
    return json.dumps(list(AuditEvent.objects.values()), ensure_ascii=False, default=str)


def test_login_is_recorded_with_the_actor(client, make_staff):
    reviewer = make_staff(Role.REVIEWER, username="reviewer")

    assert client.login(request=login_request(), username="reviewer", password=PASSWORD)

    event = auth_events().get()
    assert event.action == AuditAction.LOGIN_SUCCEEDED
    assert (event.actor, event.actor_id) == ("reviewer", str(reviewer.pk))
    assert (event.object_type, event.object_id) == ("user", str(reviewer.pk))
    assert event.data == {"kind": "staff"}
    assert PASSWORD not in everything_recorded()


def test_applicant_login_records_the_user_kind(client, make_applicant_user):
    make_applicant_user("zhangming")

    assert client.login(request=login_request(), username="zhangming", password=PASSWORD)

    assert auth_events().get().data == {"kind": "applicant"}


def test_logout_is_recorded_with_the_actor(client, clerk):
    client.login(request=login_request(), username="clerk", password=PASSWORD)

    client.logout()

    login, logout = auth_events()
    assert login.action == AuditAction.LOGIN_SUCCEEDED
    assert logout.action == AuditAction.LOGGED_OUT
    assert (logout.actor, logout.actor_id) == ("clerk", str(clerk.pk))
    assert logout.pk > login.pk  # in order (linked by the chainer, ADR 0004)


def test_anonymous_logout_records_nothing(client, db):
    client.logout()
    assert not AuditEvent.objects.exists()


def test_failed_login_is_recorded_without_the_password(clerk):
    request = login_request("203.0.113.9")

    assert authenticate(request, username="clerk", password=WRONG_PASSWORD) is None

    event = auth_events().get()
    assert event.action == AuditAction.LOGIN_FAILED
    assert event.actor == "clerk"
    assert event.actor_id == ""  # the attempt proves nobody's identity
    assert (event.object_type, event.object_id) == ("user", "clerk")
    assert event.ip_address == "203.0.113.9"
    assert event.data == {}
    recorded = everything_recorded()
    assert WRONG_PASSWORD not in recorded
    assert PASSWORD not in recorded


def test_failed_login_of_an_unknown_user_is_recorded_as_a_mark(db):
    assert authenticate(login_request(), username="nobody", password=WRONG_PASSWORD) is None

    event = AuditEvent.objects.get()
    assert event.action == AuditAction.LOGIN_FAILED
    assert event.actor == event.object_id == username_mark("nobody")
    assert re.fullmatch(r"unknown:[0-9a-f]{12}", event.actor)
    assert event.ip_address == "127.0.0.1"
    recorded = everything_recorded()
    assert "nobody" not in recorded and WRONG_PASSWORD not in recorded


def test_a_password_typed_as_the_username_is_never_stored(client, clerk):
    # given: the password typed into the username field
    response = client.post(reverse("login"), {"username": PASSWORD, "password": PASSWORD})

    # then: neither the audit chain nor the throttle's records keep it
    assert response.status_code == 200
    stored = everything_recorded() + json.dumps(
        [list(model.objects.values()) for model in (AccessAttempt, AccessFailureLog, AccessLog)],
        default=str,
    )
    assert PASSWORD not in stored
    assert AccessAttempt.objects.get().username == username_mark(PASSWORD)


def test_the_same_unknown_name_gives_the_same_mark_and_an_account_keeps_its_name(clerk):
    assert username_mark("Nobody") == username_mark("Nobody") != username_mark("nobody")
    assert username_mark("clerk") == "clerk"
    assert username_mark("ｃｌｅｒｋ") == "clerk"  # full-width letters name the same account


def test_failed_login_with_an_oversized_username_is_still_recorded(db):
    username = "用" * 140

    assert authenticate(login_request(), username=username, password=WRONG_PASSWORD) is None

    event = AuditEvent.objects.get()
    assert event.actor == username_mark(username)
    assert username not in everything_recorded()


def test_authenticating_without_a_request_is_refused(clerk):
    # Every login is counted against an address: a code path without one must fail loudly.
    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username="clerk", password=PASSWORD)


def test_failed_client_login_is_recorded(client, clerk):
    assert not client.login(request=login_request(), username="clerk", password=WRONG_PASSWORD)

    assert list(auth_events().values_list("action", flat=True)) == [AuditAction.LOGIN_FAILED]
    assert WRONG_PASSWORD not in everything_recorded()


def test_a_session_of_logins_forms_an_intact_chain(client, clerk, make_staff):
    make_staff(Role.DECIDER, username="decider")
    client.login(request=login_request(), username="clerk", password=WRONG_PASSWORD)
    client.login(request=login_request(), username="clerk", password=PASSWORD)
    client.logout()
    client.login(request=login_request(), username="decider", password=PASSWORD)

    assert list(auth_events().values_list("action", "actor")) == [
        (AuditAction.LOGIN_FAILED, "clerk"),
        (AuditAction.LOGIN_SUCCEEDED, "clerk"),
        (AuditAction.LOGGED_OUT, "clerk"),
        (AuditAction.LOGIN_SUCCEEDED, "decider"),
    ]
    result = audit_verify()
    assert result.ok and result.checked + result.pending == AuditEvent.objects.count()
    assert PASSWORD not in everything_recorded()


def test_behind_the_trusted_proxy_the_forwarded_address_is_recorded(client, clerk, settings):
    # behind nginx every request comes from 127.0.0.1; the audit trail must name the client
    settings.ONEWINDOW_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.ONEWINDOW_TRUSTED_PROXY_COUNT = 1
    response = client.post(
        reverse("login"),
        {"username": "clerk", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert response.status_code == 302

    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_SUCCEEDED).latest("id")
    assert event.ip_address == "203.0.113.7"
