"""Logins, logouts and failed logins are recorded in the audit chain, passwords never."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import authenticate

from conftest import PASSWORD
from onewindow.core.audit import AuditAction, audit_verify
from onewindow.core.models import AuditEvent
from onewindow.org.constants import Role

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "wrong-Secret-4711"


def everything_recorded() -> str:
    """Every column of every audit event, as one text to search."""
    return json.dumps(list(AuditEvent.objects.values()), ensure_ascii=False, default=str)


def test_login_is_recorded_with_the_actor(client, make_staff):
    reviewer = make_staff(Role.REVIEWER, username="reviewer")

    assert client.login(username="reviewer", password=PASSWORD)

    event = AuditEvent.objects.get()
    assert event.action == AuditAction.LOGIN_SUCCEEDED
    assert (event.actor, event.actor_id) == ("reviewer", str(reviewer.pk))
    assert (event.object_type, event.object_id) == ("user", str(reviewer.pk))
    assert event.data == {"kind": "staff"}
    assert PASSWORD not in everything_recorded()


def test_applicant_login_records_the_user_kind(client, make_applicant_user):
    make_applicant_user("zhangming")

    assert client.login(username="zhangming", password=PASSWORD)

    assert AuditEvent.objects.get().data == {"kind": "applicant"}


def test_logout_is_recorded_with_the_actor(client, clerk):
    client.login(username="clerk", password=PASSWORD)

    client.logout()

    login, logout = AuditEvent.objects.all()
    assert login.action == AuditAction.LOGIN_SUCCEEDED
    assert logout.action == AuditAction.LOGGED_OUT
    assert (logout.actor, logout.actor_id) == ("clerk", str(clerk.pk))
    assert logout.previous_hash == login.hash


def test_anonymous_logout_records_nothing(client, db):
    client.logout()
    assert not AuditEvent.objects.exists()


def test_failed_login_is_recorded_without_the_password(rf, clerk):
    request = rf.post("/login/", REMOTE_ADDR="203.0.113.9")

    assert authenticate(request, username="clerk", password=WRONG_PASSWORD) is None

    event = AuditEvent.objects.get()
    assert event.action == AuditAction.LOGIN_FAILED
    assert event.actor == "clerk"
    assert event.actor_id == ""  # the attempt proves nobody's identity
    assert (event.object_type, event.object_id) == ("user", "clerk")
    assert event.ip_address == "203.0.113.9"
    assert event.data == {}
    recorded = everything_recorded()
    assert WRONG_PASSWORD not in recorded
    assert PASSWORD not in recorded


def test_failed_login_of_an_unknown_user_is_recorded(db):
    assert authenticate(username="nobody", password=WRONG_PASSWORD) is None

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.ip_address) == (
        AuditAction.LOGIN_FAILED,
        "nobody",
        None,
    )
    assert WRONG_PASSWORD not in everything_recorded()


def test_failed_login_with_an_oversized_username_is_still_recorded(db):
    username = "用" * 140  # longer than the object_id column (128)

    assert authenticate(username=username, password=WRONG_PASSWORD) is None

    event = AuditEvent.objects.get()
    assert event.actor == username
    assert event.object_id == username[:128]


def test_failed_client_login_is_recorded(client, clerk):
    assert not client.login(username="clerk", password=WRONG_PASSWORD)

    assert list(AuditEvent.objects.values_list("action", flat=True)) == [AuditAction.LOGIN_FAILED]
    assert WRONG_PASSWORD not in everything_recorded()


def test_a_session_of_logins_forms_an_intact_chain(client, clerk, make_staff):
    make_staff(Role.DECIDER, username="decider")
    client.login(username="clerk", password=WRONG_PASSWORD)
    client.login(username="clerk", password=PASSWORD)
    client.logout()
    client.login(username="decider", password=PASSWORD)

    assert list(AuditEvent.objects.values_list("action", "actor")) == [
        (AuditAction.LOGIN_FAILED, "clerk"),
        (AuditAction.LOGIN_SUCCEEDED, "clerk"),
        (AuditAction.LOGGED_OUT, "clerk"),
        (AuditAction.LOGIN_SUCCEEDED, "decider"),
    ]
    result = audit_verify()
    assert result.ok and result.checked == 4
    assert PASSWORD not in everything_recorded()
