"""Login throttling (docs/decisions/0009): per account and per address, the lock page, the
lock and the unlock in the audit chain, and no second door through the admin's login."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, otp_login
from onewindow.core.audit import AuditAction, audit_verify
from onewindow.core.models import AuditEvent
from onewindow.org.auth_services import login_unlock
from onewindow.org.constants import Role
from onewindow.org.login_throttle import username_mark

pytestmark = pytest.mark.django_db

WRONG = "wrong-Secret-4711"
ATTACKER = "203.0.113.66"
OTHER_ADDRESS = "198.51.100.7"
START = dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.UTC)


def log_in(client, username: str, password: str, address: str = ATTACKER):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def actions(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@time_machine.travel(START, tick=False)
def test_forty_wrong_passwords_then_the_right_one_does_not_log_in(client, clerk):
    for _attempt in range(40):
        log_in(client, "clerk", WRONG)

    response = log_in(client, "clerk", PASSWORD)

    assert response.status_code == 429
    assert not logged_in(client)
    html = response.content.decode()
    assert "已被暂时锁定" in html
    until = timezone.localtime(START + dt.timedelta(minutes=15))
    assert f"{until:%Y-%m-%d %H:%M}" in html
    # one lock (of the account and the address together), audited once
    (locked,) = actions(AuditAction.LOCKED_OUT)
    assert (locked.actor, locked.object_type, locked.object_id) == ("clerk", "user", "clerk")
    assert locked.data["locked"] == ["ip_address", "username"]
    assert locked.ip_address == ATTACKER
    assert audit_verify().ok


def test_the_fifth_failure_locks_and_the_fourth_does_not(client, clerk):
    for _attempt in range(4):
        assert log_in(client, "clerk", WRONG).status_code == 200
    assert log_in(client, "clerk", PASSWORD).status_code == 302  # four do not lock
    client.logout()

    # the fifth does: a right password in between does not clear the count
    assert log_in(client, "clerk", WRONG).status_code == 429
    assert log_in(client, "clerk", PASSWORD).status_code == 429


def test_an_account_is_locked_whatever_the_address(client, clerk):
    for number in range(5):
        log_in(client, "clerk", WRONG, address=f"192.0.2.{number + 1}")

    assert log_in(client, "clerk", PASSWORD, address=OTHER_ADDRESS).status_code == 429
    assert not logged_in(client)


def test_an_address_is_locked_whatever_the_account(client, clerk, make_staff):
    make_staff(Role.REVIEWER, username="reviewer")
    for name in ("a", "b", "c", "d", "e"):
        log_in(client, f"guess-{name}", WRONG)

    assert log_in(client, "reviewer", PASSWORD).status_code == 429
    (locked,) = actions(AuditAction.LOCKED_OUT)
    assert (locked.object_type, locked.object_id) == ("address", ATTACKER)
    # the account itself is not locked: from another address it logs in
    assert log_in(client, "reviewer", PASSWORD, address=OTHER_ADDRESS).status_code == 302


def test_the_lock_ends_after_the_lock_time_and_restarts_with_each_attempt(client, clerk):
    with time_machine.travel(START, tick=False) as clock:
        for _attempt in range(5):
            log_in(client, "clerk", WRONG)
        clock.shift(dt.timedelta(minutes=10))
        assert log_in(client, "clerk", WRONG).status_code == 429  # restarts the lock
        clock.shift(dt.timedelta(minutes=10))  # 20 minutes after the fifth failure
        assert log_in(client, "clerk", PASSWORD).status_code == 429  # and so does this
        clock.shift(dt.timedelta(minutes=16))
        assert log_in(client, "clerk", PASSWORD).status_code == 302
        assert logged_in(client)


def test_unknown_names_are_counted_under_a_mark_never_as_typed(client, db):
    for _attempt in range(2):
        log_in(client, "my-Secret-password", WRONG)

    attempt = AccessAttempt.objects.get()
    assert attempt.username == username_mark("my-Secret-password")
    assert attempt.failures_since_start == 2
    assert "my-Secret-password" not in attempt.post_data + attempt.get_data
    assert WRONG not in attempt.post_data


def test_the_lockout_answers_the_api_in_json(client, clerk, rf):
    from onewindow.org.login_throttle import lockout_response

    request = rf.post("/api/v1/anything")
    response = lockout_response(request)
    assert response.status_code == 429
    assert json.loads(response.content)["code"] == "login_locked"


# -- unlocking ----------------------------------------------------------------------------------


def lock_clerk(client) -> None:
    for _attempt in range(5):
        log_in(client, "clerk", WRONG)
    assert log_in(client, "clerk", PASSWORD).status_code == 429


def test_unlock_service_lifts_an_account_lock_and_is_audited(client, clerk, administrator):
    lock_clerk(client)

    cleared = login_unlock(actor=administrator, username="clerk", actor_ip="10.0.0.9")

    assert cleared >= 1
    (unlocked,) = actions(AuditAction.UNLOCKED)
    assert (unlocked.actor, unlocked.actor_id) == ("admin", str(administrator.pk))
    assert (unlocked.object_type, unlocked.object_id) == ("user", "clerk")
    assert unlocked.ip_address == "10.0.0.9"
    # the address stays locked; from another address the account logs in again
    assert log_in(client, "clerk", PASSWORD, address=OTHER_ADDRESS).status_code == 302


def test_unlock_needs_exactly_one_of_account_and_address(db):
    from onewindow.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        login_unlock(actor="cli:root")
    with pytest.raises(ValidationFailed):
        login_unlock(actor="cli:root", username="clerk", ip_address=ATTACKER)
    assert not actions(AuditAction.UNLOCKED)


def test_unlock_command_by_address_and_by_username(client, clerk, capsys):
    lock_clerk(client)

    call_command("unlock_login", address=ATTACKER)
    call_command("unlock_login", username="clerk")

    assert "已解除锁定" in capsys.readouterr().out
    by_address, by_name = actions(AuditAction.UNLOCKED)
    assert (by_address.object_type, by_address.object_id) == ("address", ATTACKER)
    assert by_name.object_id == "clerk" and by_name.actor.startswith("cli:")
    assert log_in(client, "clerk", PASSWORD).status_code == 302


def test_unlock_command_refuses_no_target(db):
    with pytest.raises(CommandError):
        call_command("unlock_login")


def test_admin_action_unlocks_with_the_actor(client, make_staff):
    locked_client = type(client)()
    make_staff(Role.WINDOW_CLERK, username="clerk")
    lock_clerk(locked_client)
    root = make_staff(Role.ADMINISTRATOR, username="root")
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    otp_login(client, root)
    attempt = AccessAttempt.objects.get(username="clerk")

    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock_accounts", "_selected_action": [attempt.pk]},
        REMOTE_ADDR="10.0.0.1",
    )

    assert response.status_code == 302
    (unlocked,) = actions(AuditAction.UNLOCKED)
    assert (unlocked.actor, unlocked.object_id) == ("root", "clerk")
    assert not AccessAttempt.objects.filter(username="clerk").exists()


def test_admin_attempts_page_cannot_delete_and_needs_the_permission(client, administrator):
    otp_login(client, administrator)  # staff, but without the axes permissions
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


# -- the admin's login is no second door ------------------------------------------------------


def test_forty_wrong_passwords_at_the_admin_login_cannot_bypass_the_throttle(client, administrator):
    for _attempt in range(40):
        response = client.post(
            "/admin/login/", {"username": "admin", "password": WRONG}, REMOTE_ADDR=ATTACKER
        )
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    response = client.post(
        "/admin/login/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 302 and not logged_in(client)
    # the only login is the site's, which counts
    for _attempt in range(5):
        log_in(client, "admin", WRONG)
    assert log_in(client, "admin", PASSWORD).status_code == 429
    assert not logged_in(client)


@override_settings(ONEWINDOW_TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR")
def test_behind_a_trusted_proxy_the_client_address_is_counted(client, clerk):
    for name in ("a", "b", "c", "d", "e"):
        client.post(
            reverse("login"),
            {"username": f"guess-{name}", "password": WRONG},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    other_client = client.post(
        reverse("login"),
        {"username": "clerk", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=OTHER_ADDRESS,
    )
    assert other_client.status_code == 302  # another client behind the same proxy
