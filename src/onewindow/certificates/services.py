"""Every write of certificates: issue (sign), revoke, record a use, count a verification.

Each runs in a transaction and appends to the audit chain. Callers above this app (cases)
pass the case number as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.certificates import facts as facts_module
from onewindow.certificates.documents import signed_document
from onewindow.certificates.identifiers import build_identifier, normalise
from onewindow.certificates.keys import active_key, load_private_key
from onewindow.certificates.models import (
    CERTIFICATE_TRANSITIONS,
    Certificate,
    CertificateAction,
    CertificateSequence,
    CertificateStatus,
    CertificateType,
    CertificateUse,
    HolderKind,
    VerificationTally,
)
from onewindow.certificates.permissions import can_revoke
from onewindow.certificates.signing import sign, verify
from onewindow.core.audit import audit_append
from onewindow.core.errors import Forbidden, NotFound, ValidationFailed
from onewindow.core.identifiers import codes_match, fold_code, mask_identifier, mask_name
from onewindow.core.locks import lock_counter, lock_row
from onewindow.core.transitions import transition
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant, Department, User


def holder_identity(holder: Applicant) -> tuple[str, str]:
    if holder.kind == ApplicantKind.ENTERPRISE:
        return HolderKind.ENTERPRISE, holder.uscc
    if holder.kind == ApplicantKind.FOREIGNER:
        return HolderKind.FOREIGNER, f"{holder.nationality.code}:{holder.passport_number}"
    return HolderKind.PERSON, holder.id_number


def _next_serial(zone_id: int, certificate_type: CertificateType) -> int:
    # A counter: locked after the domain rows (core.locks, ADR 0019), so a decision that
    # issues a certificate (case, task, serial) and a certificate issued alone (serial)
    # take them in one order.
    counter = lock_counter(
        CertificateSequence,
        zone_id=zone_id,
        certificate_type=certificate_type,
        defaults={"last": 0},
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def certificate_issue(
    *,
    certificate_type: CertificateType,
    holder: Applicant,
    actor: User | None,
    facts: dict[str, Any] | None = None,
    form_data: dict[str, Any] | None = None,
    department: Department | None = None,
    case_number: str = "",
    issued_on: date | None = None,
) -> Certificate:
    """Issue and sign a certificate of ``certificate_type`` to ``holder``.

    ``facts`` are what the decider gave; ``form_data`` the application's form (used for
    facts not given). Refused, naming the fields, when a required fact is missing; refused
    when the zone has no signing key or the issuing department no credit code."""
    department = _issuing_department(certificate_type, department)
    zone = department.zone
    key = active_key(zone)
    private_key = load_private_key(key)
    issued_on = issued_on or timezone.localdate()
    valid_until = facts_module.valid_until_for(certificate_type, issued_on)
    serial = _next_serial(zone.pk, certificate_type)
    certified = facts_module.assemble_facts(
        certificate_type=certificate_type,
        holder=holder,
        issued_on=issued_on,
        valid_until=valid_until,
        number=facts_module.certificate_number(zone.code, certificate_type, issued_on.year, serial),
        given=facts,
        form_data=form_data,
    )
    holder_kind, holder_identifier = holder_identity(holder)
    certificate = Certificate(
        zone=zone,
        certificate_type=certificate_type,
        identifier=build_identifier(
            type_code=certificate_type.code, issuer_code=department.uscc, serial=serial, version=1
        ),
        serial=serial,
        version=1,
        issuing_department=department,
        holder=holder,
        holder_kind=holder_kind,
        holder_identifier=holder_identifier,
        holder_name=holder.name,
        issued_on=issued_on,
        valid_until=valid_until,
        facts={fact["key"]: fact["value"] for fact in certified},
        signing_key=key,
        case_number=case_number,
        issued_by=actor,
    )
    certificate.payload = signed_document(certificate, certified)
    certificate.signature = sign(private_key, certificate.payload)
    certificate.save(force_insert=True)
    _record_issued(certificate, actor=actor)
    return certificate


def _record_issued(certificate: Certificate, *, actor: User | None) -> None:
    audit_append(
        action="certificate.issued",
        actor=actor.username if actor else "system",
        actor_id=actor.pk if actor else "",
        object_type="certificates.Certificate",
        object_id=certificate.identifier,
        data={
            "type": certificate.certificate_type.code,
            "case": certificate.case_number,
            "kid": certificate.signing_key.key_id,
        },
    )


def _issuing_department(
    certificate_type: CertificateType, department: Department | None
) -> Department:
    """The department that issues (the type's, unless given), refused without a credit
    code: the certificate's identifier is built from it."""
    department = department or certificate_type.issuing_department
    if department is None:
        raise ValidationFailed.for_field(
            "certificate_type", _("证照类型未设置发证部门"), code="no_issuing_department"
        )
    if not department.uscc:
        raise ValidationFailed.for_field(
            "certificate_type",
            _("发证部门「%(name)s」缺少统一社会信用代码，无法生成证照标识")
            % {"name": department.name},
            code="issuer_without_uscc",
        )
    return department


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    """注销: by a decider of the issuing department or an administrator, with a reason."""
    certificate = lock_row(Certificate, pk=certificate.pk)
    if not can_revoke(actor, certificate):
        raise Forbidden(_("只有发证部门的审批决定人或管理员可以注销证照"), code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.for_field("reason", _("请填写注销原因"))
    if len(reason) > 500:
        raise ValidationFailed.for_field("reason", _("注销原因不能超过 500 个字"))
    CERTIFICATE_TRANSITIONS.check(certificate, CertificateAction.REVOKE)
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.revoked_by = actor
    # The only place a certificate's status changes (CERTIFICATE_TRANSITIONS).
    transition(
        certificate,
        CertificateAction.REVOKE,
        table=CERTIFICATE_TRANSITIONS,
        event="certificate.revoked",
        object_type="certificates.Certificate",
        object_id=certificate.identifier,
        actor=actor.username,
        actor_id=actor.pk,
        reason=reason,
        fields=["revoked_at", "revoked_reason", "revoked_by"],
    )
    return certificate


def certificate_use_for_material(
    *,
    holder: Applicant,
    certificate_type: CertificateType,
    actor: User,
    case_number: str,
    purpose: str,
    today: date | None = None,
) -> Certificate | None:
    """免提交: the holder's own valid certificate of the type, its use logged; else None.

    Only ``holder``'s certificates are looked at; revoked and expired ones never count.
    Call inside the caller's transaction (the case being created)."""
    from onewindow.certificates.selectors import wallet

    certificate = wallet(holder, today=today).filter(certificate_type=certificate_type).first()
    if certificate is None:
        return None
    CertificateUse.objects.create(
        certificate=certificate,
        kind=CertificateUse.Kind.MATERIAL,
        used_by=actor,
        case_number=case_number,
        purpose=purpose[:300],
    )
    return certificate


@transaction.atomic
def certificate_record_download(
    *, certificate: Certificate, actor: User, masked: bool = False
) -> None:
    """A download of the file: in the certificate's use log (the holder sees it) and in
    the audit chain, with the copy given (``full`` or ``masked``, ADR 0015)."""
    CertificateUse.objects.create(
        certificate=certificate,
        kind=CertificateUse.Kind.DOWNLOAD,
        used_by=actor,
        purpose=_("下载证照文件（证件号码已脱敏）") if masked else _("下载证照文件"),
    )
    audit_append(
        action="certificate.downloaded",
        actor=actor.username,
        actor_id=actor.pk,
        object_type="certificates.Certificate",
        object_id=certificate.identifier,
        data={"copy": "masked" if masked else "full", "holder": certificate.holder_id},
    )


# -- verification -------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What a verifier sees: status, the facts, the key, and whether the signature holds."""

    identifier: str
    status: str
    status_label: str
    type_name: str
    issuer_name: str
    holder_name: str  # masked for persons and foreigners
    holder_identifier: str  # masked for persons and foreigners
    issued_on: date
    valid_until: date | None
    revoked_at: datetime | None
    facts: list[dict[str, str]]
    key_id: str
    signature_valid: bool
    certificate: Certificate

    @property
    def trustworthy(self) -> bool:
        return self.signature_valid and self.status == CertificateStatus.VALID


PERSONAL_FACT_KEYS = frozenset({"passport_number", "id_number", "birth_date"})


def mask_personal_facts(facts: list[dict[str, str]], holder_kind: str) -> list[dict[str, str]]:
    """A person's or a foreigner's facts with their personal numbers masked."""
    if holder_kind == HolderKind.ENTERPRISE:
        return facts
    return [
        {**fact, "value": mask_identifier(fact["value"])}
        if fact["key"] in PERSONAL_FACT_KEYS
        else fact
        for fact in facts
    ]


def mask_holder_identifier(value: str, holder_kind: str) -> str:
    """The stored holder identifier masked (``DE:C01X00T47`` → ``DE:C0*****47``); a USCC
    is public and stays as it is."""
    if holder_kind == HolderKind.ENTERPRISE:
        return value
    prefix, _sep, number = value.rpartition(":")
    return f"{prefix}:{mask_identifier(number)}" if prefix else mask_identifier(number)


def masked_payload(certificate: Certificate) -> dict[str, Any]:
    """The signed payload as a staff copy shows it: the holder's number and personal facts
    masked. What is signed is unchanged; a masked copy carries no signature (ADR 0015)."""
    import json

    payload = json.loads(certificate.payload)
    kind = certificate.holder_kind
    payload["holder"] = {
        **payload["holder"],
        "id": mask_holder_identifier(payload["holder"]["id"], kind),
    }
    payload["facts"] = mask_personal_facts(payload["facts"], kind)
    return payload


def _public_facts(certificate: Certificate) -> list[dict[str, str]]:
    import json

    return mask_personal_facts(json.loads(certificate.payload)["facts"], certificate.holder_kind)


#: Facts that name the holder (read from the applicant's name at issue).
NAME_FACT_KEYS = frozenset(
    key for key, attribute in facts_module.HOLDER_KEYS.items() if attribute == "name"
)


def _verification_facts(certificate: Certificate) -> list[dict[str, str]]:
    """The facts as the public check shows them: a person's numbers and name masked."""
    facts = _public_facts(certificate)
    if certificate.holder_kind == HolderKind.ENTERPRISE:
        return facts
    return [
        {**fact, "value": mask_name(fact["value"])} if fact["key"] in NAME_FACT_KEYS else fact
        for fact in facts
    ]


def certificate_verify(
    identifier: str, *, code: str, channel: str, today: date | None = None, count: bool = True
) -> Verification:
    """Check one certificate by its identifier and 查验码: signature against its key,
    revocation, expiry. An unknown identifier and a wrong or missing code raise the same
    NotFound with nothing else said; the code is folded as typed (full-width, lower case).
    A person's or foreigner's name and numbers come masked, an enterprise's in full."""
    certificate = (
        Certificate.objects.select_related("certificate_type", "issuing_department", "signing_key")
        .filter(identifier=normalise(identifier))
        .first()
    )
    if certificate is None or not codes_match(certificate.verification_code, fold_code(code)):
        raise NotFound(_("未找到该电子证照"), code="not_found")
    status = certificate.effective_status(today)
    signature_valid = verify(
        bytes(certificate.signing_key.public_key), certificate.payload, certificate.signature
    )
    if count:
        tally(certificate.certificate_type_id, channel)
    holder_identifier = certificate.holder_identifier
    if certificate.holder_kind != HolderKind.ENTERPRISE:
        holder_identifier = mask_identifier(holder_identifier.split(":")[-1])
    return Verification(
        identifier=certificate.identifier,
        status=status,
        status_label=str(CertificateStatus(status).label),
        type_name=certificate.certificate_type.name,
        issuer_name=certificate.issuing_department.name,
        holder_name=certificate.holder_name
        if certificate.holder_kind == HolderKind.ENTERPRISE
        else mask_name(certificate.holder_name),
        holder_identifier=holder_identifier,
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        revoked_at=certificate.revoked_at,
        facts=_verification_facts(certificate),
        key_id=certificate.signing_key.key_id,
        signature_valid=signature_valid,
        certificate=certificate,
    )


def tally(certificate_type_id: int, channel: str) -> None:
    day = timezone.localdate()
    updated = VerificationTally.objects.filter(
        certificate_type_id=certificate_type_id, day=day, channel=channel
    ).update(count=F("count") + 1)
    if not updated:
        VerificationTally.objects.bulk_create(
            [
                VerificationTally(
                    certificate_type_id=certificate_type_id, day=day, channel=channel, count=0
                )
            ],
            ignore_conflicts=True,
        )
        VerificationTally.objects.filter(
            certificate_type_id=certificate_type_id, day=day, channel=channel
        ).update(count=F("count") + 1)
