"""Staff accounts, role grants, passwords, the audit trail's viewing and verification
(ADR 0010)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.core.audit import (
    AuditAction,
    VerifyResult,
    audit_append,
    audit_record_verification,
    audit_verify,
)
from onewindow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from onewindow.core.locks import lock_shared_row
from onewindow.org.admin_roles import can_manage_accounts, can_view_audit_trail, grant_conflict
from onewindow.org.constants import (
    ADMIN_SITE_ROLES,
    DEPARTMENT_ROLES,
    Role,
    UserKind,
)
from onewindow.org.models import (
    Department,
    RoleAssignment,
    User,
    Zone,
)
from onewindow.org.services.common import _require

# -- staff accounts and role grants (ADR 0010) ---------------------------------------------


def _password_errors(password: str, user: User) -> list[str]:
    """The password policy's messages for ``password`` of ``user`` (empty when it passes)."""
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as error:
        return [str(message) for message in error.messages]
    return []


def _require_account_manager(actor: User) -> None:
    if not can_manage_accounts(actor):
        raise Forbidden(_("只有安全管理员可以管理账号和角色"), code="not_security_admin")


def _check_role(*, user: User, role: str, department: Department | None, held) -> None:
    if role not in Role.values:
        raise ValidationFailed.for_field("role", _("未知角色：{role}").format(role=role))
    if role in DEPARTMENT_ROLES and department is None:
        raise ValidationFailed.for_field(
            "department", _("角色“{role}”需要所在部门").format(role=Role(role).label)
        )
    if department is not None and department.zone_id != user.zone_id:
        raise ValidationFailed.for_field("department", _("部门不属于该开发区"))
    conflict = grant_conflict(held, role)
    if conflict:
        raise ValidationFailed.for_field("role", conflict, code="separation_of_duties")


def _audit_grant(action: str, *, actor: User | None, user: User, role: str, department) -> None:
    audit_append(
        action=action,
        actor=actor.get_username() if actor is not None else "",
        actor_id=actor.pk if actor is not None else "",
        object_type="user",
        object_id=user.pk,
        data={
            "username": user.get_username(),
            "role": role,
            "department": department.code if department is not None else None,
        },
    )


def _sync_admin_site_access(user: User) -> None:
    """``is_staff`` (admin-site login) follows the roles: system and security administrators."""
    user.forget_roles()
    is_staff = user.is_superuser or bool(user.role_set() & ADMIN_SITE_ROLES)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def staff_create(
    *,
    zone: Zone,
    username: str,
    password: str,
    display_name: str,
    roles: list[str],
    department: Department | None = None,
    window=None,
    is_superuser: bool = False,
    actor: User | None = None,
) -> User:
    """Create a staff account with its roles; department-bound roles need a department.

    ``actor`` is the security administrator creating it; None only for the installation's
    own set-up code (demo data, management commands), recorded as the system. The
    password must pass the staff password policy; each role is an ``org.role_granted``
    event.
    """
    if actor is not None:
        _require_account_manager(actor)
    _check_staff_roles(zone=zone, roles=roles, department=department, window=window)
    username = _require("username", username, _("用户名"))
    taken = Conflict(
        _("用户名已被使用"), code="username_taken", fields={"username": [_("用户名已被使用")]}
    )
    if User.objects.filter(username=username).exists():
        raise taken
    user = User(
        username=username,
        display_name=display_name,
        kind=UserKind.STAFF,
        zone=zone,
        department=department,
        window=window,
        is_staff=bool(ADMIN_SITE_ROLES & set(roles)) or is_superuser,
        is_superuser=is_superuser,
    )
    errors = _password_errors(password, user)
    if errors:
        raise ValidationFailed(errors[0], code="password_invalid", fields={"password": errors})
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError:  # taken by a concurrent request since the check above
        raise taken from None
    assignments = RoleAssignment.objects.bulk_create(
        RoleAssignment(
            user=user, role=role, department=department if role in DEPARTMENT_ROLES else None
        )
        for role in dict.fromkeys(roles)
    )
    _record_staff_created(user, actor=actor, assignments=assignments)
    return user


def _check_staff_roles(
    *, zone: Zone, roles: list[str], department: Department | None, window
) -> None:
    """A new account's roles (known, with the department they need, within 三权分立), and
    its department and window in its zone."""
    for role in roles:
        if role not in Role.values:
            raise ValidationFailed.for_field("roles", _("未知角色：{role}").format(role=role))
        if role in DEPARTMENT_ROLES and department is None:
            raise ValidationFailed.for_field(
                "department",
                _("角色“{role}”需要所在部门").format(role=Role(role).label),
            )
        conflict = grant_conflict(roles, role)
        if conflict:
            raise ValidationFailed.for_field("roles", conflict, code="separation_of_duties")
    if department is not None and department.zone_id != zone.pk:
        raise ValidationFailed.for_field("department", _("部门不属于该开发区"))
    if window is not None and window.zone_id != zone.pk:
        raise ValidationFailed.for_field("window", _("窗口不属于该开发区"))


def _record_staff_created(
    user: User, *, actor: User | None, assignments: list[RoleAssignment]
) -> None:
    """An ``org.staff_created`` event, then an ``org.role_granted`` event per role."""
    audit_append(
        action=AuditAction.STAFF_CREATED,
        actor=actor.get_username() if actor is not None else "",
        actor_id=actor.pk if actor is not None else "",
        object_type="user",
        object_id=user.pk,
        data={
            "username": user.username,
            "zone": user.zone.code,
            "is_superuser": user.is_superuser,
        },
    )
    for assignment in assignments:
        _audit_grant(
            AuditAction.ROLE_GRANTED,
            actor=actor,
            user=user,
            role=assignment.role,
            department=assignment.department,
        )


@transaction.atomic
def role_grant(
    *, actor: User, user: User, role: str, department: Department | None = None
) -> RoleAssignment:
    """Grant ``role`` to ``user``: only a security administrator (or the bootstrap
    superuser), never to themselves, within 三权分立; an ``org.role_granted`` event."""
    _require_account_manager(actor)
    if actor.pk == user.pk:
        raise Forbidden(_("不能给自己授予角色"), code="self_grant")
    user = lock_shared_row(User, pk=user.pk)  # a shared row (core.locks)
    if user.kind != UserKind.STAFF:
        raise ValidationFailed.for_field("user", _("只能给工作人员授予角色"))
    department = department if role in DEPARTMENT_ROLES else None
    held = set(user.role_assignments.values_list("role", flat=True))
    _check_role(user=user, role=role, department=department, held=held)
    if user.role_assignments.filter(role=role, department=department).exists():
        message = _("该用户已有此角色")
        raise Conflict(message, code="role_held", fields={"role": [message]})
    assignment = RoleAssignment.objects.create(user=user, role=role, department=department)
    _sync_admin_site_access(user)
    _audit_grant(AuditAction.ROLE_GRANTED, actor=actor, user=user, role=role, department=department)
    return assignment


@transaction.atomic
def role_revoke(
    *, actor: User, user: User, role: str, department: Department | None = None
) -> None:
    """Revoke ``role`` (in ``department``) from ``user``: the same guards as ``role_grant``;
    an ``org.role_revoked`` event."""
    _require_account_manager(actor)
    if actor.pk == user.pk:
        raise Forbidden(_("不能撤销自己的角色"), code="self_revoke")
    user = lock_shared_row(User, pk=user.pk)  # a shared row (core.locks)
    department = department if role in DEPARTMENT_ROLES else None
    assignment = user.role_assignments.filter(role=role, department=department).first()
    if assignment is None:
        raise NotFound(_("该用户没有此角色"), code="role_not_held")
    assignment.delete()
    _sync_admin_site_access(user)
    _audit_grant(AuditAction.ROLE_REVOKED, actor=actor, user=user, role=role, department=department)


@transaction.atomic
def password_change(*, user: User, password: str, ip_address: str | None = None) -> None:
    """``user`` sets a new password (already checked against the policy by the form, and
    checked again here); an ``org.password_changed`` event, never the password."""
    errors = _password_errors(password, user)
    if errors:
        raise ValidationFailed(errors[0], code="password_invalid", fields={"password": errors})
    user.set_password(password)
    # Saving runs the validators' password_changed hooks: the history keeps the new hash.
    user.save(update_fields=["password", "password_changed_at"])
    audit_append(
        action=AuditAction.PASSWORD_CHANGED,
        actor=user.get_username(),
        actor_id=user.pk,
        object_type="user",
        object_id=user.pk,
        ip_address=ip_address,
    )


def account_recorded(
    *, actor: User, user: User, password_set: bool = False, ip_address: str | None = None
) -> None:
    """A security administrator added an account (``password_set`` False) or set another
    user's password (True) on the admin's own forms, which saved it already (the password
    policy ran there): the audit-chain event, never the password."""
    _require_account_manager(actor)
    audit_append(
        action=AuditAction.PASSWORD_CHANGED if password_set else AuditAction.STAFF_CREATED,
        actor=actor.get_username(),
        actor_id=actor.pk,
        object_type="user",
        object_id=user.pk,
        data=(
            {"set_by_administrator": True}
            if password_set
            else {"username": user.get_username(), "kind": user.kind, "via": "admin"}
        ),
        ip_address=ip_address,
    )


def audit_chain_verify(*, actor: User) -> VerifyResult:
    """The audit administrator walks the whole chain now; the outcome is recorded as an
    ``audit.chain_verified`` event (the audit trail page shows the newest)."""
    if not can_view_audit_trail(actor):
        raise Forbidden(_("只有审计管理员可以校验审计链"), code="not_audit_admin")
    result = audit_verify()
    audit_record_verification(result, actor=actor.get_username(), actor_id=actor.pk)
    return result


def audit_trail_view_record(
    *,
    actor: User,
    filters: dict,
    before: int | None,
    shown: int,
    ip_address: str | None = None,
) -> None:
    """The audit administrator opened a page of the audit trail: the viewing is itself an
    ``audit.trail_viewed`` event, with the filters as typed, the page (``before``) and how
    many events were shown. Refused to anyone else, as the page is."""
    if not can_view_audit_trail(actor):
        raise Forbidden(_("只有审计管理员可以查阅审计日志"), code="not_audit_admin")
    audit_append(
        action=AuditAction.AUDIT_TRAIL_VIEWED,
        actor=actor.get_username(),
        actor_id=actor.pk,
        object_type="audit_trail",
        data={"filters": filters, "before": before, "shown": shown},
        ip_address=ip_address,
    )
