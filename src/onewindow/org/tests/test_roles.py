"""Role grants (ADR 0010): only the security administrator grants, never to themselves,
within 三权分立, each grant and revocation an audit event; the bootstrap path."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from onewindow.core.audit import AuditAction
from onewindow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.admin_roles import (
    can_manage_accounts,
    grant_conflict,
    is_audit_admin,
    is_security_admin,
    is_system_admin,
)
from onewindow.org.constants import Role
from onewindow.org.models import RoleAssignment, User
from onewindow.org.services import role_grant, role_revoke, staff_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def security(make_staff) -> User:
    return make_staff(Role.SECURITY_ADMIN, username="security")


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root", password="Root-pass-2026")


def grants(user: User) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(
            action__in=[AuditAction.ROLE_GRANTED, AuditAction.ROLE_REVOKED], object_id=str(user.pk)
        )
        .order_by("id")
        .values_list("action", "actor", "data")
    )


# -- predicates ------------------------------------------------------------------------------


def test_one_predicate_per_administrator(make_staff, security, root):
    system = make_staff(Role.ADMINISTRATOR, username="system")
    auditor = make_staff(Role.AUDIT_ADMIN, username="auditor")
    assert [is_system_admin(u) for u in (system, security, auditor)] == [True, False, False]
    assert [is_security_admin(u) for u in (system, security, auditor)] == [False, True, False]
    assert [is_audit_admin(u) for u in (system, security, auditor)] == [False, False, True]
    assert [can_manage_accounts(u) for u in (system, security, auditor, root)] == [
        False,
        True,
        False,
        True,
    ]


def test_a_superuser_with_a_role_is_no_bootstrap_account(make_staff):
    system = make_staff(Role.ADMINISTRATOR, username="system")
    system.is_superuser = True
    system.save(update_fields=["is_superuser"])
    assert not can_manage_accounts(system)


@pytest.mark.parametrize(
    ("held", "role", "refused"),
    [
        ({Role.REVIEWER}, Role.DECIDER, False),
        ({Role.ADMINISTRATOR}, Role.ANALYST, False),
        ({Role.ADMINISTRATOR}, Role.SECURITY_ADMIN, True),
        ({Role.SECURITY_ADMIN}, Role.ADMINISTRATOR, True),
        ({Role.SECURITY_ADMIN}, Role.AUDIT_ADMIN, True),
        ({Role.WINDOW_CLERK}, Role.AUDIT_ADMIN, True),
        ({Role.AUDIT_ADMIN}, Role.ANALYST, True),
        ({Role.AUDIT_ADMIN}, Role.AUDIT_ADMIN, False),
    ],
)
def test_separation_of_duties(held, role, refused):
    assert (grant_conflict(held, role) is not None) is refused


# -- role_grant / role_revoke ----------------------------------------------------------------------


def test_security_admin_grants_and_it_is_audited(security, make_staff, department):
    user = make_staff(username="li")
    role_grant(actor=security, user=user, role=Role.REVIEWER, department=department)
    assert User.objects.get(pk=user.pk).role_set() == {Role.REVIEWER}
    assert grants(user)[-1] == (
        AuditAction.ROLE_GRANTED,
        "security",
        {"username": "li", "role": "reviewer", "department": department.code},
    )


def test_security_admin_revokes_and_it_is_audited(security, make_staff, department):
    user = make_staff(Role.REVIEWER, username="li")
    role_revoke(actor=security, user=user, role=Role.REVIEWER, department=department)
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert grants(user)[-1] == (
        AuditAction.ROLE_REVOKED,
        "security",
        {"username": "li", "role": "reviewer", "department": department.code},
    )


def test_nobody_grants_themselves_a_role(security):
    with pytest.raises(Forbidden) as caught:
        role_grant(actor=security, user=security, role=Role.ANALYST)
    assert caught.value.message == "不能给自己授予角色"
    with pytest.raises(Forbidden):
        role_revoke(actor=security, user=security, role=Role.SECURITY_ADMIN)
    assert security.role_assignments.count() == 1


@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATOR, Role.AUDIT_ADMIN, Role.ANALYST, Role.WINDOW_CLERK]
)
def test_other_roles_may_not_grant(make_staff, role):
    actor = make_staff(role, username="actor")
    user = make_staff(username="li")
    with pytest.raises(Forbidden):
        role_grant(actor=actor, user=user, role=Role.ANALYST)
    assert not user.role_assignments.exists()
    assert grants(user) == []


def test_the_security_admin_cannot_also_hold_another_administrator_role(security, make_staff):
    other = make_staff(Role.SECURITY_ADMIN, username="security2")
    with pytest.raises(ValidationFailed) as caught:
        role_grant(actor=other, user=security, role=Role.AUDIT_ADMIN)
    assert caught.value.code == "separation_of_duties"
    with pytest.raises(ValidationFailed):
        role_grant(actor=other, user=security, role=Role.ADMINISTRATOR)


def test_bad_grants_are_refused(security, make_staff, make_applicant_user):
    user = make_staff(Role.ANALYST, username="li")
    with pytest.raises(ValidationFailed):
        role_grant(actor=security, user=user, role="emperor")
    with pytest.raises(ValidationFailed):
        role_grant(actor=security, user=user, role=Role.REVIEWER)  # needs a department
    with pytest.raises(Conflict):
        role_grant(actor=security, user=user, role=Role.ANALYST)
    with pytest.raises(ValidationFailed):
        role_grant(actor=security, user=make_applicant_user(), role=Role.ANALYST)
    with pytest.raises(NotFound):
        role_revoke(actor=security, user=user, role=Role.DECIDER)


def test_admin_site_access_follows_the_roles(security, make_staff):
    user = make_staff(username="li")
    role_grant(actor=security, user=user, role=Role.ADMINISTRATOR)
    assert User.objects.get(pk=user.pk).is_staff
    role_revoke(actor=security, user=user, role=Role.ADMINISTRATOR)
    assert not User.objects.get(pk=user.pk).is_staff
    auditor = make_staff(username="auditor")
    role_grant(actor=security, user=auditor, role=Role.AUDIT_ADMIN)
    assert not User.objects.get(pk=auditor.pk).is_staff  # never the admin site


def test_staff_create_audits_its_grants_and_checks_its_actor(zone, security, make_staff):
    user = staff_create(
        zone=zone,
        username="wang",
        password="Wang-pass-2026",
        display_name="王",
        roles=[Role.ANALYST],
        actor=security,
    )
    assert grants(user) == [
        (
            AuditAction.ROLE_GRANTED,
            "security",
            {"username": "wang", "role": "analyst", "department": None},
        )
    ]
    assert AuditEvent.objects.filter(
        action=AuditAction.STAFF_CREATED, object_id=str(user.pk)
    ).exists()
    with pytest.raises(Forbidden):
        staff_create(
            zone=zone,
            username="zhao",
            password="Zhao-pass-2026",
            display_name="赵",
            roles=[],
            actor=make_staff(Role.ADMINISTRATOR, username="system"),
        )
    with pytest.raises(ValidationFailed):
        staff_create(
            zone=zone,
            username="qian",
            password="Qian-pass-2026",
            display_name="钱",
            roles=[Role.AUDIT_ADMIN, Role.ANALYST],
        )


# -- the bootstrap path: createsuperuser, then grant-role ----------------------------------------


def test_bootstrap_superuser_grants_the_first_security_admin(root, make_staff, capsys):
    alice = make_staff(username="alice")
    call_command("grant_role", "alice", "security_admin", "--by", "root")
    assert User.objects.get(pk=alice.pk).role_set() == {Role.SECURITY_ADMIN}
    assert grants(alice)[-1][:2] == (AuditAction.ROLE_GRANTED, "root")
    assert "已授予 alice 角色：安全管理员" in capsys.readouterr().out
    # the new security administrator takes over; the grant command revokes too
    bob = make_staff(Role.ANALYST, username="bob")
    call_command("grant_role", "bob", "analyst", "--by", "alice", "--revoke")
    assert not User.objects.get(pk=bob.pk).role_set()


def test_grant_role_command_refusals(root, make_staff, department):
    make_staff(Role.ADMINISTRATOR, username="system")
    make_staff(username="li")
    with pytest.raises(CommandError, match="只有安全管理员"):
        call_command("grant_role", "li", "analyst", "--by", "system")
    with pytest.raises(CommandError, match="不存在"):
        call_command("grant_role", "nobody", "analyst", "--by", "root")
    with pytest.raises(CommandError, match="不存在"):
        call_command("grant_role", "li", "reviewer", "--by", "root", "--department", "NOPE")
    call_command("grant_role", "li", "reviewer", "--by", "root", "--department", department.code)
    with pytest.raises(CommandError, match="不能给自己授予角色"):
        call_command("grant_role", "root", "analyst", "--by", "root")
