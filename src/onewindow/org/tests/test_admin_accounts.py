"""Accounts and role grants in the admin (ADR 0010): only the security administrator (or
the bootstrap superuser), every grant and revocation through the services and into the
audit chain, never to oneself, and the staff password policy on the admin's forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import PASSWORD, otp_login
from onewindow.core.audit import AuditAction
from onewindow.core.models import AuditEvent
from onewindow.org.constants import Role
from onewindow.org.models import RoleAssignment, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def security(make_staff) -> User:
    return make_staff(Role.SECURITY_ADMIN, username="security")


@pytest.fixture
def security_client(client, security):
    otp_login(client, security)
    return client


def user_form(user: User, rows: list[dict], initial: int = 0, **extra) -> dict:
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "phone": "",
        "email": "",
        "first_name": "",
        "last_name": "",
        "kind": user.kind,
        "zone": user.zone_id or "",
        "department": user.department_id or "",
        "window": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "role_assignments-TOTAL_FORMS": str(len(rows)),
        "role_assignments-INITIAL_FORMS": str(initial),
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data[f"role_assignments-{index}-id"] = row.get("id", "")
        data[f"role_assignments-{index}-user"] = user.pk
        data[f"role_assignments-{index}-role"] = row.get("role", "")
        data[f"role_assignments-{index}-department"] = row.get("department", "")
        if row.get("delete"):
            data[f"role_assignments-{index}-DELETE"] = "on"
    data.update(extra)
    return data


def change_url(user: User) -> str:
    return reverse("admin:org_user_change", args=[user.pk])


def grant_events(user: User) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(object_type="user", object_id=str(user.pk))
        .filter(action__in=[AuditAction.ROLE_GRANTED, AuditAction.ROLE_REVOKED])
        .order_by("id")
        .values_list("action", "actor", "data__role")
    )


# -- who manages accounts ---------------------------------------------------------------------


def test_the_system_administrator_no_longer_manages_accounts(client, make_staff):
    # the demo's administrator: a superuser holding the administrator role
    system = make_staff(Role.ADMINISTRATOR, username="system")
    system.is_superuser = True
    system.save(update_fields=["is_superuser"])
    otp_login(client, system)
    assert client.get(reverse("admin:org_user_changelist")).status_code == 403
    assert client.get(change_url(system)).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:org_user_changelist") not in index
    assert reverse("admin:org_department_changelist") in index  # the rest stays


def test_the_security_admin_manages_accounts(security_client):
    assert security_client.get(reverse("admin:org_user_changelist")).status_code == 200
    index = security_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:org_user_changelist") in index
    assert reverse("admin:org_department_changelist") not in index


def test_the_bootstrap_superuser_manages_accounts(client, db):
    root = User.objects.create_superuser("root", password="Root-pass-2026")
    otp_login(client, root)
    assert client.get(reverse("admin:org_user_changelist")).status_code == 200


# -- grants through the services ----------------------------------------------------------------


def test_an_admin_grant_writes_the_audit_event(security_client, make_staff, department):
    user = make_staff(username="li")
    response = security_client.post(
        change_url(user), user_form(user, [{"role": Role.REVIEWER, "department": department.pk}])
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).role_set() == {Role.REVIEWER}
    assert grant_events(user) == [(AuditAction.ROLE_GRANTED, "security", "reviewer")]


def test_an_admin_revocation_and_a_changed_row_write_audit_events(security_client, make_staff):
    user = make_staff(Role.ANALYST, Role.SUPERVISOR, username="li")
    analyst, supervisor = RoleAssignment.objects.filter(user=user).order_by("role")
    response = security_client.post(
        change_url(user),
        user_form(
            user,
            [
                {"id": analyst.pk, "role": Role.ANALYST, "delete": True},
                {"id": supervisor.pk, "role": Role.WINDOW_CLERK},
            ],
            initial=2,
        ),
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).role_set() == {Role.WINDOW_CLERK}
    assert grant_events(user)[-3:] == [
        (AuditAction.ROLE_REVOKED, "security", "analyst"),
        (AuditAction.ROLE_REVOKED, "security", "supervisor"),
        (AuditAction.ROLE_GRANTED, "security", "window_clerk"),
    ]


def test_a_self_grant_through_the_admin_is_refused_with_a_message(security_client, security):
    response = security_client.post(
        change_url(security),
        user_form(
            security,
            [
                {"id": security.role_assignments.get().pk, "role": Role.SECURITY_ADMIN},
                {"role": Role.ANALYST},
            ],
            initial=1,
        ),
    )
    assert response.status_code == 200
    assert "不能给自己授予角色" in response.content.decode()
    assert User.objects.get(pk=security.pk).role_set() == {Role.SECURITY_ADMIN}
    assert grant_events(security)[-1][1] == ""  # only its creation's grant


def test_separation_of_duties_through_the_admin(security_client, make_staff):
    user = make_staff(Role.ADMINISTRATOR, username="system")
    response = security_client.post(
        change_url(user),
        user_form(
            user,
            [
                {"id": user.role_assignments.get().pk, "role": Role.ADMINISTRATOR},
                {"role": Role.AUDIT_ADMIN},
            ],
            initial=1,
        ),
    )
    assert response.status_code == 200
    assert "三权分立" in response.content.decode()
    assert User.objects.get(pk=user.pk).role_set() == {Role.ADMINISTRATOR}


def test_a_security_admin_cannot_make_a_superuser(security_client, make_staff):
    user = make_staff(username="li")
    response = security_client.post(change_url(user), user_form(user, [], is_superuser="on"))
    assert response.status_code == 302
    assert not User.objects.get(pk=user.pk).is_superuser


# -- the password policy on the admin's forms -----------------------------------------------------


def test_admin_password_change_runs_the_staff_policy(security_client, make_staff):
    user = make_staff(username="li")
    url = reverse("admin:auth_user_password_change", args=[user.pk]).replace(
        "/auth/user/", "/org/user/"
    )
    weak = {"password1": "lowercase-only", "password2": "lowercase-only"}
    response = security_client.post(url, weak)
    assert response.status_code == 200
    assert "至少 3 类" in response.content.decode()
    reused = {"password1": PASSWORD, "password2": PASSWORD}
    assert "不能使用最近 5 次用过的密码" in security_client.post(url, reused).content.decode()
    fine = {"password1": "Brand-new-2026", "password2": "Brand-new-2026"}
    assert security_client.post(url, fine).status_code == 302
    assert User.objects.get(pk=user.pk).check_password("Brand-new-2026")
    # only the accepted change is an audit event, by the security administrator
    events = AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_CHANGED, object_id=str(user.pk)
    ).values_list("actor", "data")
    assert list(events) == [("security", {"set_by_administrator": True})]


def test_an_account_added_in_the_admin_is_an_audit_event(security_client, zone):
    data = {
        "username": "newbie",
        "usable_password": "true",
        "password1": "Brand-new-2026",
        "password2": "Brand-new-2026",
        "kind": "staff",
        "zone": zone.pk,
        "display_name": "新人",
        "department": "",
        "window": "",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
    }
    response = security_client.post(reverse("admin:org_user_add"), data)
    assert response.status_code == 302
    newbie = User.objects.get(username="newbie")
    event = AuditEvent.objects.get(action=AuditAction.STAFF_CREATED, object_id=str(newbie.pk))
    assert event.actor == "security"
    assert event.data == {"username": "newbie", "kind": "staff", "via": "admin"}
    assert "Brand-new-2026" not in str(event.data)


def test_admin_add_user_runs_the_staff_policy(security_client, zone):
    data = {
        "username": "newbie",
        "usable_password": "true",
        "password1": "short-1A",
        "password2": "short-1A",
        "kind": "staff",
        "zone": zone.pk,
        "display_name": "新人",
        "department": "",
        "window": "",
    }
    response = security_client.post(reverse("admin:org_user_add"), data)
    assert response.status_code == 200
    assert "工作人员密码至少需要 10 个字符" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_the_security_admins_home_leads_to_accounts(security_client):
    html = security_client.get(reverse("home")).content.decode()
    assert "安全管理工作台" in html
    assert reverse("admin:org_user_changelist") in html
