"""Writes of the organisation: one use-case per function, each in a transaction."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.core.audit import (
    AuditAction,
    VerifyResult,
    audit_append,
    audit_lock_chain,
    audit_record_verification,
    audit_verify,
)
from onewindow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from onewindow.core.identifiers import (
    validate_id_number,
    validate_passport_number,
    validate_uscc,
)
from onewindow.core.services import calendar_revision_bump
from onewindow.org.admin_roles import can_manage_accounts, can_view_audit_trail, grant_conflict
from onewindow.org.constants import (
    ADMIN_SITE_ROLES,
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
    Park,
    Representation,
    RoleAssignment,
    User,
    Zone,
    ZoneCalendarOverride,
)
from onewindow.org.permissions import (
    full_view_is_audited,
    is_personal,
    represents_applicant,
    shown_identifier,
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
    park: Park | None = None,
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
                park=park,
                **fields,
            )
    except IntegrityError:  # registered by a concurrent request since the check above
        raise conflict from None
    if user is not None:
        applicant.representations.create(user=user, capacity=capacity)
    return applicant


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
    user._role_cache = None
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
    audit_lock_chain()  # lock order: the chain head first, as every audited service
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
    audit_append(
        action=AuditAction.STAFF_CREATED,
        actor=actor.get_username() if actor is not None else "",
        actor_id=actor.pk if actor is not None else "",
        object_type="user",
        object_id=user.pk,
        data={"username": username, "zone": zone.code, "is_superuser": is_superuser},
    )
    for assignment in assignments:
        _audit_grant(
            AuditAction.ROLE_GRANTED,
            actor=actor,
            user=user,
            role=assignment.role,
            department=assignment.department,
        )
    return user


@transaction.atomic
def role_grant(
    *, actor: User, user: User, role: str, department: Department | None = None
) -> RoleAssignment:
    """Grant ``role`` to ``user``: only a security administrator (or the bootstrap
    superuser), never to themselves, within 三权分立; an ``org.role_granted`` event."""
    _require_account_manager(actor)
    if actor.pk == user.pk:
        raise Forbidden(_("不能给自己授予角色"), code="self_grant")
    audit_lock_chain()
    user = User.objects.select_for_update().get(pk=user.pk)
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
    audit_lock_chain()
    user = User.objects.select_for_update().get(pk=user.pk)
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
    audit_lock_chain()
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


# -- personal identifiers and applicant records (ADR 0015) -----------------------------------


class IdentifierChannel:
    """Where a full number left the server (the ``channel`` of ``org.identifier_viewed``)."""

    PAGE = "page"
    API = "api"
    PDF = "pdf"
    ADMIN = "admin"
    EXPORT = "export"

    ALL = frozenset({PAGE, API, PDF, ADMIN, EXPORT})


@dataclass(frozen=True)
class ShownIdentifier:
    """An applicant's identifier as one viewer sees it in one response."""

    value: str
    full: bool  # the complete number (a USCC is always complete)
    audited: bool  # this response wrote ``org.identifier_viewed``


def _actor_fields(actor: User) -> dict:
    return {"actor": actor.get_username(), "actor_id": actor.pk}


@transaction.atomic
def identifier_view_record(
    *,
    actor: User,
    applicant: Applicant,
    channel: str,
    purpose: str = "",
    ip_address: str | None = None,
):
    """Append ``org.identifier_viewed``: ``actor`` was shown ``applicant``'s full number
    through ``channel`` (page, api, pdf, admin, export), for ``purpose`` (a case number, a
    certificate identifier, a page). The number itself never goes into the event."""
    if channel not in IdentifierChannel.ALL:
        raise ValueError(f"unknown identifier channel {channel!r}")
    return audit_append(
        action=AuditAction.IDENTIFIER_VIEWED,
        **_actor_fields(actor),
        object_type="applicant",
        object_id=applicant.pk,
        data={"channel": channel, "purpose": purpose[:200], "kind": applicant.kind},
        ip_address=ip_address,
    )


def identifier_show(
    *,
    viewer: User,
    applicant: Applicant,
    channel: str,
    purpose: str = "",
    ip_address: str | None = None,
) -> ShownIdentifier:
    """The identifier for one response to ``viewer``: full where the rule in
    ``org.permissions`` allows it, else masked; a staff member's full view of a personal
    number is recorded (one event per call: call it once per applicant per response)."""
    if full_view_is_audited(viewer, applicant):
        identifier_view_record(
            actor=viewer,
            applicant=applicant,
            channel=channel,
            purpose=purpose,
            ip_address=ip_address,
        )
        return ShownIdentifier(applicant.identifier, full=True, audited=True)
    full = not is_personal(applicant) or represents_applicant(viewer, applicant)
    return ShownIdentifier(shown_identifier(viewer, applicant), full=full, audited=False)


#: A query that may be a personal number: ASCII letters and digits, at least one digit.
_NUMBER_LIKE = re.compile(r"^(?=.*\d)[0-9A-Z]{5,20}$")


def fold_query(value: str) -> str:
    """What a person typed, folded (NFKC: full-width letters and digits become ASCII)."""
    return unicodedata.normalize("NFKC", value or "").strip()


def identifier_query(value: str) -> str:
    """A typed number as stored: folded, without spaces, upper case."""
    return re.sub(r"\s+", "", fold_query(value)).upper()


@transaction.atomic
def identifier_lookup_record(
    *,
    actor: User,
    query: str,
    found: list[Applicant],
    channel: str = IdentifierChannel.PAGE,
    ip_address: str | None = None,
) -> int:
    """Append ``org.identifier_looked_up`` for a search by a full number: one event per
    person found by their number, or one event (no object) when a number-like query found
    nobody. Returns the number of events written; the query is never stored."""
    if channel not in IdentifierChannel.ALL:
        raise ValueError(f"unknown identifier channel {channel!r}")
    people = [applicant for applicant in found if is_personal(applicant)]
    if not people and not _NUMBER_LIKE.match(identifier_query(query)):
        return 0
    for applicant in people or [None]:
        audit_append(
            action=AuditAction.IDENTIFIER_LOOKED_UP,
            **_actor_fields(actor),
            object_type="applicant",
            object_id=applicant.pk if applicant is not None else "",
            data={"channel": channel, "found": applicant is not None},
            ip_address=ip_address,
        )
    return len(people) or 1


#: What the admin edits of an applicant (the identifier columns are validated together).
APPLICANT_FIELDS = (
    "kind",
    "name",
    "park",
    "uscc",
    "id_number",
    "passport_number",
    "nationality",
    "legal_representative",
    "phone",
    "address",
)
_IDENTIFIER_COLUMNS = ("kind", "uscc", "id_number", "passport_number", "nationality")


@transaction.atomic
def applicant_add(*, actor: User, **fields) -> Applicant:
    """Register an applicant on behalf of staff (the admin): ``applicant_register``'s
    rules, and ``org.applicant_added`` with the fields given (names only)."""
    applicant = applicant_register(**fields)
    audit_append(
        action=AuditAction.APPLICANT_ADDED,
        **_actor_fields(actor),
        object_type="applicant",
        object_id=applicant.pk,
        data={"kind": applicant.kind, "fields": sorted(k for k, v in fields.items() if v)},
    )
    return applicant


@transaction.atomic
def applicant_change(*, actor: User, applicant: Applicant, changes: dict) -> Applicant:
    """Change an applicant's record (the admin). Identifiers are validated again as at
    registration; ``org.applicant_changed`` names the changed fields, never their values."""
    unknown = set(changes) - set(APPLICANT_FIELDS)
    if unknown:
        raise ValidationFailed.for_field(
            sorted(unknown)[0], _("不能修改此项：{field}").format(field=sorted(unknown)[0])
        )
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    current = {name: getattr(applicant, name) for name in APPLICANT_FIELDS}
    current["nationality"] = applicant.nationality.code or ""
    merged = {**current, **changes}
    if "name" in changes:
        merged["name"] = _require("name", changes["name"], _("名称或姓名"))
    if set(changes) & set(_IDENTIFIER_COLUMNS):
        merged.update(
            _identifier_fields(
                merged["kind"],
                merged["uscc"],
                merged["id_number"],
                merged["passport_number"],
                str(merged["nationality"] or ""),
            )
        )
    changed = sorted(name for name in APPLICANT_FIELDS if merged[name] != current[name])
    if not changed:
        return applicant
    for name in changed:
        setattr(applicant, name, merged[name])
    try:
        with transaction.atomic():
            applicant.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:
        message = _("该证件号码已登记")
        raise Conflict(message, code="applicant_exists", fields={"identifier": [message]}) from None
    audit_append(
        action=AuditAction.APPLICANT_CHANGED,
        **_actor_fields(actor),
        object_type="applicant",
        object_id=applicant.pk,
        data={"fields": changed},
    )
    return applicant


@transaction.atomic
def applicant_remove(*, actor: User, applicant: Applicant) -> None:
    """Delete an applicant record (one no case or certificate names: those protect it)."""
    pk, kind = applicant.pk, applicant.kind
    applicant.delete()
    audit_append(
        action=AuditAction.APPLICANT_REMOVED,
        **_actor_fields(actor),
        object_type="applicant",
        object_id=pk,
        data={"kind": kind},
    )


def _representation_data(representation: Representation) -> dict:
    return {"user": representation.user.get_username(), "capacity": representation.capacity}


@transaction.atomic
def representation_add(
    *, actor: User, applicant: Applicant, user: User, capacity: str
) -> Representation:
    """``user`` acts for ``applicant`` from now on (it also ties the applicant to the
    user's zone)."""
    if capacity not in Capacity.values:
        raise ValidationFailed.for_field("capacity", _("身份应为本人、法定代表人、经办人或代办员"))
    if Representation.objects.filter(user=user, applicant=applicant).exists():
        raise Conflict(
            _("该用户已代表该申请人"),
            code="representation_exists",
            fields={"user": [_("该用户已代表该申请人")]},
        )
    representation = Representation.objects.create(
        user=user, applicant=applicant, capacity=capacity
    )
    audit_append(
        action=AuditAction.REPRESENTATION_ADDED,
        **_actor_fields(actor),
        object_type="applicant",
        object_id=applicant.pk,
        data=_representation_data(representation),
    )
    return representation


@transaction.atomic
def representation_change(
    *, actor: User, representation: Representation, capacity: str
) -> Representation:
    if capacity not in Capacity.values:
        raise ValidationFailed.for_field("capacity", _("身份应为本人、法定代表人、经办人或代办员"))
    if capacity == representation.capacity:
        return representation
    representation.capacity = capacity
    representation.save(update_fields=["capacity"])
    audit_append(
        action=AuditAction.REPRESENTATION_CHANGED,
        **_actor_fields(actor),
        object_type="applicant",
        object_id=representation.applicant_id,
        data={**_representation_data(representation), "fields": ["capacity"]},
    )
    return representation


@transaction.atomic
def representation_remove(*, actor: User, representation: Representation) -> None:
    data = _representation_data(representation)
    applicant_id = representation.applicant_id
    representation.delete()
    audit_append(
        action=AuditAction.REPRESENTATION_REMOVED,
        **_actor_fields(actor),
        object_type="applicant",
        object_id=applicant_id,
        data=data,
    )
