"""Materials: uploads, paper received at the window, tolerated gaps supplemented, and the
materials filled from the applicant's certificate wallet at submission (免提交).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.constants import (
    CASE_OBJECT_TYPE,
    CaseEventAction,
    MaterialState,
)
from onewindow.cases.models import (
    Case,
    CaseMaterial,
)
from onewindow.cases.permissions import (
    actor_of,
)
from onewindow.cases.rules import (
    material_giver,
    material_open,
    require,
    supplements,
)
from onewindow.cases.services.common import _event, _lock
from onewindow.catalog.bundles import merge_materials
from onewindow.catalog.constants import (
    MaterialSource,
)
from onewindow.catalog.models import ItemVersion
from onewindow.catalog.published import version_materials
from onewindow.certificates.models import CertificateType
from onewindow.certificates.services import certificate_use_for_material
from onewindow.core.audit import audit_append
from onewindow.core.errors import ValidationFailed
from onewindow.core.locks import lock_first, lock_rows
from onewindow.org.constants import UserKind
from onewindow.org.models import User

# -- the material list of a new case ------------------------------------------------------


def _material_rows(case: Case, versions: Sequence[ItemVersion]) -> list[CaseMaterial]:
    """The case's material list: one item's, or the bundle's merged (asked once)."""
    rows = []
    # In a bundle, a certificate that another item of the same bundle issues (the work
    # permit before the residence permit) is not asked of the applicant.
    produced = {version.certificate_type_id for version in versions if version.certificate_type_id}
    lines = merge_materials(versions, materials_of=version_materials)
    for position, line in enumerate(lines, start=1):
        state = MaterialState.MISSING
        reference = ""
        if line.source in (MaterialSource.DEPARTMENT, MaterialSource.NOT_NEEDED):
            state = MaterialState.SHARED
        elif len(versions) > 1 and line.certificate_type_id in produced:
            state = MaterialState.SHARED
            reference = "本一件事内其他事项的办理结果"  # stored data: the binding Chinese
        rows.append(
            CaseMaterial(
                case=case,
                material=line.materials[0],
                position=position,
                name=line.name,
                merge_key=line.key,
                required=line.required,
                tolerable=line.tolerable,
                commitment_allowed=line.commitment_allowed,
                state=state,
                reference=reference,
            )
        )
    return rows


# -- 免提交: materials filled from the applicant's certificate wallet ----------------------


def _case_versions(case: Case, children: Sequence[Case] | None = None) -> list[ItemVersion]:
    """The item versions a case applies for: its own, or its children's (a bundle)."""
    if not case.is_bundle:
        return [case.item_version]
    if children is None:
        children = list(Case.objects.filter(parent=case).select_related("item_version"))
    return [child.item_version for child in sorted(children, key=lambda child: child.pk)]


def wallet_material_lines(versions: Sequence[ItemVersion]) -> dict[str, int]:
    """merge key → certificate type of the material lines a certificate may fill: those
    whose source is an e-certificate type (a bundle asks the strictest source of its
    items, so a line another item wants brought in person is not among them)."""
    return {
        line.key: line.certificate_type_id
        for line in merge_materials(versions, materials_of=version_materials)
        if line.source == MaterialSource.CERTIFICATE and line.certificate_type_id
    }


def _missing_materials(case: Case) -> list[CaseMaterial]:
    """The case's materials still missing, locked (before the submission's first event:
    ADR 0019), in the list's order."""
    rows = lock_rows(CaseMaterial, case=case)
    return sorted(
        (row for row in rows if row.state == MaterialState.MISSING), key=lambda row: row.position
    )


def _fill_from_wallet(
    case: Case,
    *,
    actor: User,
    rows: Sequence[CaseMaterial],
    children: Sequence[Case] | None = None,
) -> None:
    """免提交 at submission: every material still missing (``rows``, locked by
    ``_missing_materials``) whose source is a certificate type the applicant holds (its
    own, valid today) is filled by reference to that certificate, and the use is logged
    (调用记录: who, which case, what for). Revoked, expired and other holders'
    certificates never fill anything."""
    if not rows:
        return
    lines = wallet_material_lines(_case_versions(case, children))
    wanted = [row for row in rows if row.merge_key in lines]
    if not wanted:
        return
    types = CertificateType.objects.in_bulk({lines[row.merge_key] for row in wanted})
    now = timezone.now()
    for row in wanted:
        certificate = certificate_use_for_material(
            holder=case.applicant,
            certificate_type=types[lines[row.merge_key]],
            actor=actor,
            case_number=case.number,
            purpose=f"{case.title}：{row.name}",
        )
        if certificate is None:
            continue
        row.state = MaterialState.CERTIFICATE
        row.reference = certificate.identifier
        row.uploaded_by = actor
        row.uploaded_at = now
        row.save(update_fields=["state", "reference", "uploaded_by", "uploaded_at"])
        _event(
            case,
            CaseEventAction.MATERIAL_FROM_CERTIFICATE,
            actor=actor,
            data={
                "material": row.name,
                "identifier": certificate.identifier,
                "type": certificate.certificate_type.name,
            },
        )


# -- materials ------------------------------------------------------------------------------


def _material(case: Case, material_id: int) -> CaseMaterial:
    owner = case.parent if case.is_child else case
    row = lock_first(CaseMaterial, case=owner, pk=material_id)
    if row is None:
        raise ValidationFailed.for_field("material", _("该办件没有这项材料"), code="no_material")
    return row


def _giving(actor: User, case: Case, material_id: int, action: str) -> tuple[CaseMaterial, bool]:
    """The locked material row ``actor`` may give now by ``action`` (``cases.rules``),
    and whether it supplements a tolerated gap."""
    facts = actor_of(actor)
    require(material_giver(facts, case, action))
    row = _material(case, material_id)
    require(material_open(case, row))
    return row, supplements(case, row)


def _clear_tolerance_when_supplied(case: Case) -> None:
    """Every tolerated gap is filled: no due date any more (on a bundle's children too)."""
    if case.materials.filter(state=MaterialState.TOLERATED).exists():
        return
    case.tolerance_due_on = None
    case.save(update_fields=["tolerance_due_on", "updated_at"])
    Case.objects.filter(parent=case).update(tolerance_due_on=None, updated_at=timezone.now())


@transaction.atomic
def material_upload(*, case: Case, material_id: int, uploaded, actor: User) -> CaseMaterial:
    """Attach a file to a material; checked by content first, so a bad file changes
    nothing. After acceptance only a tolerated (容缺) material may be supplemented."""
    from onewindow.cases.uploads import inspect_upload

    info = inspect_upload(uploaded)  # raises before anything is written
    # A bundle's materials live on its parent: given through a child, they go there.
    case = _lock(case.parent if case.is_child else case)
    row, supplementing = _giving(actor, case, material_id, "upload")
    old_file = row.file.name if row.file else ""
    row.token = secrets.token_hex(16)
    row.file.save(row.token + info.extension, uploaded, save=False)
    stored = row.file.name
    if old_file:  # the replaced file goes once the new one is committed
        transaction.on_commit(lambda: _delete_file(row, old_file))
    now = timezone.now()
    row.original_name = (getattr(uploaded, "name", "") or "")[:255]
    row.content_type = info.content_type
    row.size = info.size
    row.sha256 = info.sha256
    row.uploaded_by = actor
    row.uploaded_at = now
    event = CaseEventAction.MATERIAL_UPLOADED
    if supplementing:
        row.supplemented_at = now
        event = CaseEventAction.MATERIAL_SUPPLEMENTED
    row.state = MaterialState.UPLOADED
    row.review_verdict, row.review_reason = "", ""  # a new file is reviewed anew
    row.reviewed_at = row.reviewed_by = None
    try:
        row.save()
        _event(
            case,
            event,
            actor=actor,
            data={"material": row.name, "sha256": info.sha256, "size": info.size},
        )
    except Exception:
        _delete_file(row, stored)
        raise
    if supplementing:
        _clear_tolerance_when_supplied(case)
    return row


def _delete_file(row: CaseMaterial, name: str) -> None:
    if name:
        row.file.storage.delete(name)


@transaction.atomic
def material_receive_paper(*, case: Case, material_id: int, actor: User) -> CaseMaterial:
    """The clerk received the paper original at the window (the same states as an upload)."""
    case = _lock(case.parent if case.is_child else case)
    row, supplementing = _giving(actor, case, material_id, "receive_paper")
    row.state = MaterialState.PAPER
    row.uploaded_by = actor
    row.uploaded_at = timezone.now()
    if supplementing:
        row.supplemented_at = row.uploaded_at
    row.review_verdict, row.review_reason = "", ""  # the original is reviewed anew
    row.reviewed_at = row.reviewed_by = None
    row.save(
        update_fields=[
            "state",
            "uploaded_by",
            "uploaded_at",
            "supplemented_at",
            "review_verdict",
            "review_reason",
            "reviewed_at",
            "reviewed_by",
        ]
    )
    _event(
        case,
        CaseEventAction.MATERIAL_SUPPLEMENTED
        if supplementing
        else CaseEventAction.MATERIAL_UPLOADED,
        actor=actor,
        data={"material": row.name, "paper": True},
    )
    if supplementing:
        _clear_tolerance_when_supplied(case)
    return row


def material_file_viewed(
    *, case: Case, actor: User, filed_by_id: int | None, data: dict, ip_address: str | None
) -> None:
    """A stored file of ``case`` (a material, an agent's authorisation) opened: staff
    other than the one who filed it are recorded in the audit trail (``data`` names the
    file); applicants opening their own files are not."""
    if actor.kind != UserKind.STAFF or filed_by_id == actor.pk:
        return
    audit_append(
        action=CaseEventAction.MATERIAL_VIEWED,
        actor=actor.get_username(),
        actor_id=actor.pk,
        object_type=CASE_OBJECT_TYPE,
        object_id=case.number,
        data=data,
        ip_address=ip_address,
    )
