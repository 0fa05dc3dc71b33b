"""The online application as one use-case: create the case, attach the applicant's files,
submit; all or nothing (the applicant's apply page calls it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.cases.constants import CaseChannel
from onewindow.cases.models import Case, material_storage
from onewindow.cases.services.intake import case_create, case_submit
from onewindow.cases.services.materials import material_upload
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.core.errors import ValidationFailed
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
) -> Case:
    """网上申请: the case is created, every file attached and the case submitted in one
    transaction. A failure leaves no case, and the files already written are removed
    with the rows that named them. A file's refusal names its input (``field``)."""
    stored: list[str] = []
    try:
        with transaction.atomic():
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
            case_submit(case=case, actor=actor)
    except Exception:
        storage = material_storage()
        for name in stored:
            storage.delete(name)
        raise
    return case


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
