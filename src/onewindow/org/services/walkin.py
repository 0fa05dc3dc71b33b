"""A walk-in applicant registered by a window clerk at the desk (窗口登记, ADR 0026).

The clerk holds the applicant's document: a new identifier becomes a new applicant of the
clerk's zone; an identifier already registered opens that applicant instead of a
duplicate. The same validation and messages as the admin's form (``applicant_register``);
full-width input is folded; two clerks registering the same number at once get one
applicant (the unique constraints decide, the loser opens the winner's record).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from onewindow.core.audit import AuditAction, audit_append
from onewindow.core.errors import Conflict, Forbidden
from onewindow.org.constants import ApplicantKind, Role
from onewindow.org.models import Applicant, User
from onewindow.org.permissions import is_personal, zone_applicants
from onewindow.org.services.applicants import _identifier_fields, applicant_register
from onewindow.org.services.common import _actor_fields, _require
from onewindow.org.services.identifiers import IdentifierChannel, identifier_lookup_record

#: The field that names the identifier of each kind (errors and the API's 409 name it).
IDENTIFIER_FIELD = {
    ApplicantKind.ENTERPRISE: "uscc",
    ApplicantKind.PERSON: "id_number",
    ApplicantKind.FOREIGNER: "passport_number",
}


@dataclass(frozen=True)
class WalkInRegistration:
    """The applicant the desk continues with, and whether this call created it."""

    applicant: Applicant
    created: bool


def _fold(value: str) -> str:
    """Typed text as stored: full-width letters and digits folded (NFKC), the blanks
    around it dropped."""
    return unicodedata.normalize("NFKC", value or "").strip()


def _fold_name(value: str) -> str:
    """A name as stored: folded like any typed text, but a Chinese name keeps the
    full-width brackets of its licence (示范科技（苏州）有限公司), whichever the clerk typed."""
    name = " ".join(_fold(value).split())
    if any("\u4e00" <= character <= "\u9fff" for character in name):
        name = name.replace("(", "（").replace(")", "）")
    return name


def _same_name(left: str, right: str) -> bool:
    def key(value: str) -> str:
        return "".join(_fold(value).split()).casefold()

    return key(left) == key(right)


def _existing(kind: str, fields: dict[str, str]) -> Applicant | None:
    if kind == ApplicantKind.ENTERPRISE:
        condition = Q(uscc=fields["uscc"])
    elif kind == ApplicantKind.PERSON:
        condition = Q(id_number=fields["id_number"])
    else:
        condition = Q(passport_number=fields["passport_number"], nationality=fields["nationality"])
    return Applicant.objects.filter(condition).first()


def _open_existing(
    *, actor: User, applicant: Applicant, name: str, channel: str, ip_address: str | None
) -> Applicant | Conflict:
    """The clerk typed the number of a registered applicant: open it. One of another zone
    joins the clerk's zone only when the name on the document is the registered name;
    otherwise the refusal is returned (raised once the search by number is recorded)
    and nothing of the record is shown."""
    if is_personal(applicant):
        identifier_lookup_record(
            actor=actor,
            query=applicant.identifier,
            found=[applicant],
            channel=channel,
            ip_address=ip_address,
        )
    in_zone = zone_applicants(actor.zone_id, Applicant.objects.filter(pk=applicant.pk)).exists()
    if in_zone:
        return applicant
    field = IDENTIFIER_FIELD[applicant.kind]
    if not _same_name(name, applicant.name):
        message = _(
            "该证件号码已在其他开发区登记，名称或姓名与登记信息不一致，请核对证件后重新输入"
        )
        return Conflict(message, code="applicant_exists_elsewhere", fields={"name": [message]})
    applicant.registered_zones.add(actor.zone_id)
    audit_append(
        action=AuditAction.APPLICANT_ZONE_LINKED,
        **_actor_fields(actor),
        object_type="applicant",
        object_id=applicant.pk,
        data={"kind": applicant.kind, "zone": actor.zone.code, "channel": channel, "via": field},
        ip_address=ip_address,
    )
    return applicant


def applicant_register_walk_in(
    *,
    actor: User,
    kind: str,
    name: str,
    uscc: str = "",
    id_number: str = "",
    passport_number: str = "",
    nationality: str = "",
    legal_representative: str = "",
    phone: str = "",
    address: str = "",
    channel: str = IdentifierChannel.PAGE,
    ip_address: str | None = None,
) -> WalkInRegistration:
    """Register the applicant standing at ``actor``'s window, or open the registered one.

    Only a window clerk of a zone may; the new applicant belongs to the clerk's zone
    (``registered_zones``) and ``org.applicant_added`` records it (field names only).
    A number already registered is never a second applicant: the result says
    ``created=False`` and names the existing one (a search by that number, audited as
    such for a person's number). Errors name the field, as the admin's form does.
    """
    outcome = _register_walk_in(
        actor=actor,
        kind=kind,
        name=name,
        uscc=uscc,
        id_number=id_number,
        passport_number=passport_number,
        nationality=nationality,
        legal_representative=legal_representative,
        phone=phone,
        address=address,
        channel=channel,
        ip_address=ip_address,
    )
    if isinstance(outcome, Conflict):  # after the commit: the search by number stays recorded
        raise outcome
    return outcome


@transaction.atomic
def _register_walk_in(
    *,
    actor: User,
    kind: str,
    name: str,
    uscc: str,
    id_number: str,
    passport_number: str,
    nationality: str,
    legal_representative: str,
    phone: str,
    address: str,
    channel: str,
    ip_address: str | None,
) -> WalkInRegistration | Conflict:
    if not (actor.is_authenticated and actor.has_role(Role.WINDOW_CLERK) and actor.zone_id):
        raise Forbidden(_("只有窗口人员可以登记申请人"), code="window_clerk_only")
    name = _require("name", _fold_name(name), _("名称或姓名"))
    fields = _identifier_fields(kind, uscc, id_number, passport_number, _fold(nationality))
    existing = _existing(kind, fields)
    if existing is None:
        try:
            applicant = applicant_register(
                kind=kind,
                name=name,
                legal_representative=_fold(legal_representative),
                phone=_fold(phone),
                address=_fold(address),
                **fields,
            )
        except Conflict:  # registered by another clerk since the look-up above
            existing = _existing(kind, fields)
            if existing is None:
                raise
        else:
            applicant.registered_zones.add(actor.zone_id)
            given = {
                "name": name,
                "legal_representative": legal_representative,
                "phone": phone,
                "address": address,
                **fields,
            }
            audit_append(
                action=AuditAction.APPLICANT_ADDED,
                **_actor_fields(actor),
                object_type="applicant",
                object_id=applicant.pk,
                data={
                    "kind": applicant.kind,
                    "fields": sorted(key for key, value in given.items() if value),
                    "channel": channel,
                    "zone": actor.zone.code,
                },
                ip_address=ip_address,
            )
            return WalkInRegistration(applicant=applicant, created=True)
    opened = _open_existing(
        actor=actor, applicant=existing, name=name, channel=channel, ip_address=ip_address
    )
    if isinstance(opened, Conflict):
        return opened
    return WalkInRegistration(applicant=opened, created=False)
