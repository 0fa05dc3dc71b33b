"""The online application as one use-case: create the case, attach the applicant's files,
submit; all or nothing (the applicant's apply page calls it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.cases.constants import CaseChannel
from onewindow.cases.models import ApplicationDraft, Case, material_storage
from onewindow.cases.services.commitments import OnlineCommitment, commitment_sign_online
from onewindow.cases.services.drafts import draft_submitted
from onewindow.cases.services.intake import case_create, case_submit
from onewindow.cases.services.materials import material_upload
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.locks import lock_first
from onewindow.org.models import Applicant, User


@dataclass(frozen=True)
class MaterialFile:
    """A file the applicant gives for one material line of the application."""

    merge_key: str  # the material line (``CaseMaterial.merge_key``)
    name: str  # the line's name, which the error messages start with
    field: str  # the input the errors are reported under
    file: UploadedFile


def case_apply(
    *,
    actor: User,
    applicant: Applicant,
    item_version: ItemVersion | None = None,
    bundle: Bundle | None = None,
    form_data: dict[str, Any] | None = None,
    files: Sequence[MaterialFile] = (),
    language: str = "zh-hans",
    idempotency_key: str = "",
    draft: ApplicationDraft | None = None,
    commitment: OnlineCommitment | None = None,
) -> Case:
    """网上申请: the case is created, every file attached and the case submitted in one
    transaction. A failure leaves no case, and the files already written are removed
    with the rows that named them. A file's refusal names its input (``field``).

    With the applicant's ``draft`` (申请草稿), the files kept there join those given now
    (a file given now for the same line wins) and the draft is deleted with the same
    commit; a line no longer in the material list is left out.

    With ``commitment`` (告知承诺 chosen online), the applicant's signature replaces the
    chosen materials, under the window's rule (``commitments``)."""
    if draft is not None and draft.user_id != actor.pk:
        raise ValidationFailed.for_field("draft", _("草稿不存在"), code="draft_not_found")
    stored: list[str] = []
    try:
        with transaction.atomic():
            if draft is not None:
                draft = _locked_draft(draft)
            case = case_create(
                actor=actor,
                applicant=applicant,
                item_version=item_version,
                bundle=bundle,
                channel=CaseChannel.ONLINE,
                form_data=form_data,
                language=language,
                idempotency_key=idempotency_key,
                submit=False,
            )
            rows = {row.merge_key: row for row in case.materials.all()}
            files = [*files, *_kept_files(draft, rows, given=files)]
            for given in files:
                row = rows.get(given.merge_key)
                if row is None:
                    raise ValidationFailed.for_field(
                        given.field,
                        _("{name}：材料清单已更新，请刷新页面后重新提交").format(name=given.name),
                        code="material_list_changed",
                    )
                saved = _attach(case, row.pk, given, actor=actor)
                stored.append(saved.file.name)
            if commitment is not None:
                commitment_sign_online(case=case, actor=actor, commitment=commitment)
            case_submit(case=case, actor=actor)
            if draft is not None:
                draft_submitted(draft=draft, actor=actor, case_number=case.number)
    except Exception:
        storage = material_storage()
        for name in stored:
            storage.delete(name)
        raise
    finally:
        for given in files:
            if isinstance(given.file, File) and not isinstance(given.file, UploadedFile):
                given.file.close()
    return case


def _locked_draft(draft: ApplicationDraft) -> ApplicationDraft:
    """The draft, locked; gone (submitted a moment ago, removed, expired) is a conflict."""
    locked = lock_first(ApplicationDraft, pk=draft.pk, user_id=draft.user_id)
    if locked is None:
        raise Conflict(_("草稿已提交或已删除，请到“我的办件”查看"), code="draft_gone")
    return locked


def _kept_files(
    draft: ApplicationDraft | None, rows: dict, *, given: Sequence[MaterialFile]
) -> list[MaterialFile]:
    """The draft's files for the lines of the case that no file given now fills."""
    if draft is None:
        return []
    taken = {entry.merge_key for entry in given}
    kept = []
    for row in draft.files.all().order_by("pk"):
        if row.merge_key in taken or row.merge_key not in rows:
            continue
        handle = row.file.storage.open(row.file.name, "rb")
        kept.append(
            MaterialFile(
                merge_key=row.merge_key,
                name=row.name,
                field=f"draft_file_{row.pk}",
                file=File(handle, name=row.original_name or row.file.name),
            )
        )
    return kept


def _attach(case: Case, material_id: int, given: MaterialFile, *, actor: User):
    try:
        return material_upload(case=case, material_id=material_id, uploaded=given.file, actor=actor)
    except ValidationFailed as error:
        messages = error.fields.get("file") or [error.message]
        raise ValidationFailed(
            error.message,
            code=error.code,
            fields={
                given.field: [
                    _("{name}：{message}").format(name=given.name, message=message)
                    for message in messages
                ]
            },
        ) from error
