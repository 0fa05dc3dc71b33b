"""Applicants and who acts for them: registration, the admin's edits, representations
(every change an audit event, ADR 0015)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.core.audit import (
    AuditAction,
    audit_append,
)
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.identifiers import (
    validate_id_number,
    validate_passport_number,
    validate_uscc,
)
from onewindow.core.locks import lock_row
from onewindow.org.constants import (
    ApplicantKind,
    Capacity,
)
from onewindow.org.models import (
    Applicant,
    Park,
    Representation,
    User,
)
from onewindow.org.services.common import _actor_fields, _require


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
    applicant = lock_row(Applicant, pk=applicant.pk)
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
