"""Writes of the organisation: one use-case per function, each in a transaction."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.core.audit import AuditAction, audit_append
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.identifiers import (
    validate_id_number,
    validate_passport_number,
    validate_uscc,
)
from onewindow.core.services import calendar_revision_bump
from onewindow.org.constants import (
    DEPARTMENT_ROLES,
    ApplicantKind,
    CalendarOverrideKind,
    Capacity,
    Role,
    UserKind,
)
from onewindow.org.models import (
    Applicant,
    Department,
    RoleAssignment,
    User,
    Zone,
    ZoneCalendarOverride,
)


def _require(field: str, value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed.for_field(field, _("{label}不能为空").format(label=label))
    return value


def _identifier_fields(
    kind: str, uscc: str, id_number: str, passport_number: str, nationality: str
) -> dict[str, str]:
    """The identifier columns for ``kind``, validated; the others must stay empty."""
    if kind == ApplicantKind.ENTERPRISE:
        return {
            "uscc": validate_uscc(uscc),
            "id_number": "",
            "passport_number": "",
            "nationality": "",
        }
    if kind == ApplicantKind.PERSON:
        return {
            "uscc": "",
            "id_number": validate_id_number(id_number),
            "passport_number": "",
            "nationality": "",
        }
    if kind == ApplicantKind.FOREIGNER:
        from django_countries import countries

        code = (nationality or "").strip().upper()
        if not code:
            raise ValidationFailed.for_field("nationality", _("国籍不能为空"))
        if code not in dict(countries) or code == "CN":
            raise ValidationFailed.for_field(
                "nationality",
                _("国籍应为 ISO 3166 两位国家代码（中国以外），收到 {code}").format(code=code),
            )
        return {
            "uscc": "",
            "id_number": "",
            "passport_number": validate_passport_number(passport_number),
            "nationality": code,
        }
    raise ValidationFailed.for_field("kind", _("申请人类型应为企业、个人或外国人"))


@transaction.atomic
def applicant_register(
    *,
    kind: str,
    name: str,
    uscc: str = "",
    id_number: str = "",
    passport_number: str = "",
    nationality: str = "",
    legal_representative: str = "",
    phone: str = "",
    address: str = "",
    user: User | None = None,
    capacity: str = Capacity.SELF,
) -> Applicant:
    """Register an applicant identity after validating its identifier.

    Refuses a duplicate identifier with a message naming the field.
    """
    name = _require("name", name, _("名称或姓名"))
    fields = _identifier_fields(kind, uscc, id_number, passport_number, nationality)
    duplicate = Applicant.objects.filter(
        **{key: value for key, value in fields.items() if value and key != "nationality"}
    )
    if kind == ApplicantKind.FOREIGNER:
        duplicate = duplicate.filter(nationality=fields["nationality"])
    field = {"enterprise": "uscc", "person": "id_number"}.get(kind, "passport_number")
    conflict = Conflict(
        _("该证件号码已登记"), code="applicant_exists", fields={field: [_("该证件号码已登记")]}
    )
    if duplicate.exists():
        raise conflict
    try:
        with transaction.atomic():
            applicant = Applicant.objects.create(
                kind=kind,
                name=name,
                legal_representative=legal_representative.strip(),
                phone=phone.strip(),
                address=address.strip(),
                **fields,
            )
    except IntegrityError:  # registered by a concurrent request since the check above
        raise conflict from None
    if user is not None:
        applicant.representations.create(user=user, capacity=capacity)
    return applicant


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
) -> User:
    """Create a staff account with its roles; department-bound roles need a department."""
    for role in roles:
        if role not in Role.values:
            raise ValidationFailed.for_field("roles", _("未知角色：{role}").format(role=role))
        if role in DEPARTMENT_ROLES and department is None:
            raise ValidationFailed.for_field(
                "department",
                _("角色“{role}”需要所在部门").format(role=Role(role).label),
            )
    if department is not None and department.zone_id != zone.pk:
        raise ValidationFailed.for_field("department", _("部门不属于该开发区"))
    if window is not None and window.zone_id != zone.pk:
        raise ValidationFailed.for_field("window", _("窗口不属于该开发区"))
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
        is_staff=Role.ADMINISTRATOR in roles or is_superuser,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError:  # taken by a concurrent request since the check above
        raise taken from None
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            user=user, role=role, department=department if role in DEPARTMENT_ROLES else None
        )
        for role in roles
    )
    return user


@transaction.atomic
def calendar_override_set(
    *, zone: Zone, date: dt.date, kind: str, reason: str, actor: User
) -> ZoneCalendarOverride:
    """Declare a zone closure or an extra working day (wins over the national notice)."""
    if kind not in CalendarOverrideKind.values:
        raise ValidationFailed.for_field("kind", _("调整类型应为停止办公或照常办公"))
    reason = _require("reason", reason, _("原因"))
    limit = ZoneCalendarOverride._meta.get_field("reason").max_length
    if len(reason) > limit:
        raise ValidationFailed.for_field("reason", _("原因不能超过 {limit} 字").format(limit=limit))
    override, _created = ZoneCalendarOverride.objects.update_or_create(
        zone=zone,
        date=date,
        defaults={"kind": kind, "reason": reason, "created_by": actor},
    )
    calendar_revision_bump(zone_id=zone.pk)
    audit_append(
        action=AuditAction.CALENDAR_OVERRIDE_SET,
        actor=actor.username,
        actor_id=actor.pk,
        object_type="zone_calendar",
        object_id=f"{zone.code}:{date.isoformat()}",
        data={"kind": kind, "reason": reason},
    )
    return override


@transaction.atomic
def calendar_override_remove(*, override: ZoneCalendarOverride, actor: User) -> None:
    key = f"{override.zone.code}:{override.date.isoformat()}"
    zone_id = override.zone_id
    override.delete()
    calendar_revision_bump(zone_id=zone_id)
    audit_append(
        action=AuditAction.CALENDAR_OVERRIDE_REMOVED,
        actor=actor.username,
        actor_id=actor.pk,
        object_type="zone_calendar",
        object_id=key,
    )
