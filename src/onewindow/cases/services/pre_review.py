"""材料预审: the window clerk marks each submitted material of an application pass or
fail, with the reason for a failure, before accepting it or sending the one-time
correction notice (一次性告知), whose list is then drafted from the failed and the missing
materials (``correction_items_from``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.constants import (
    SATISFIED_MATERIAL_STATES,
    CaseEventAction,
    MaterialState,
    MaterialVerdict,
)
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services.common import _event, _lock, _may
from onewindow.core.errors import ValidationFailed
from onewindow.org.models import User

#: The longest reason (the correction notice prints it as one line).
MAX_REASON = 200


def reason_field(material_id: int) -> str:
    """The input name a refusal about a material's reason is reported under."""
    return f"materials.{material_id}.reason"


def verdict_field(material_id: int) -> str:
    return f"materials.{material_id}.verdict"


@transaction.atomic
def case_pre_review(
    *, case: Case, actor: User, verdicts: Mapping[int, tuple[str, str]]
) -> list[CaseMaterial]:
    """Record the clerk's verdict on the materials named in ``verdicts`` (material id →
    (verdict, reason)); a blank verdict clears one. Every failure needs a reason; only a
    submitted material can be judged. All or nothing: one bad entry changes no row."""
    case = _lock(case)
    _may(actor, case, "pre_review")
    rows = {row.pk: row for row in case.materials.all()}
    errors: dict[str, list[str]] = {}
    changed: list[CaseMaterial] = []
    now = timezone.now()
    for material_id, (verdict, reason) in verdicts.items():
        row = rows.get(material_id)
        if row is None:
            raise ValidationFailed.for_field(
                "material", _("该办件没有这项材料"), code="no_material"
            )
        verdict = verdict or ""
        reason = unicodedata.normalize("NFKC", reason or "").strip()
        if verdict not in ("", *MaterialVerdict.values):
            errors[verdict_field(row.pk)] = [
                _("预审结论：材料「{name}」请选择通过或不通过").format(name=row.name)
            ]
            continue
        if verdict and row.state not in SATISFIED_MATERIAL_STATES:
            errors[verdict_field(row.pk)] = [
                _("预审结论：材料「{name}」尚未提交，不能预审").format(name=row.name)
            ]
            continue
        if verdict == MaterialVerdict.FAILED and not reason:
            errors[reason_field(row.pk)] = [
                _("不通过原因：请写明材料「{name}」不通过的原因").format(name=row.name)
            ]
            continue
        if len(reason) > MAX_REASON:
            errors[reason_field(row.pk)] = [
                _("不通过原因：材料「{name}」的原因不能超过 {n} 个字").format(
                    name=row.name, n=MAX_REASON
                )
            ]
            continue
        if verdict != MaterialVerdict.FAILED:
            reason = ""
        if (row.review_verdict, row.review_reason) == (verdict, reason):
            continue
        row.review_verdict, row.review_reason = verdict, reason
        row.reviewed_at, row.reviewed_by = (now, actor) if verdict else (None, None)
        changed.append(row)
    if errors:
        raise ValidationFailed(
            _("预审结论有误，请按提示修改"), code="pre_review_invalid", fields=errors
        )
    for row in changed:
        row.save(update_fields=["review_verdict", "review_reason", "reviewed_at", "reviewed_by"])
    if changed:
        _event(
            case,
            CaseEventAction.MATERIALS_PRE_REVIEWED,
            actor=actor,
            data={
                "passed": [row.name for row in changed if row.review_verdict == "passed"],
                "failed": [
                    {"material": row.name, "reason": row.review_reason}
                    for row in changed
                    if row.review_verdict == MaterialVerdict.FAILED
                ],
                "cleared": [row.name for row in changed if not row.review_verdict],
            },
        )
    return sorted(rows.values(), key=lambda row: row.position)


def correction_items_from(rows: Iterable[CaseMaterial]) -> list[str]:
    """The correction notice's draft: every material failed at pre-review with its reason,
    then every required material not submitted (tolerated and committed ones are not
    missing), in the materials' order."""
    items = []
    for row in sorted(rows, key=lambda row: row.position):
        if row.review_verdict == MaterialVerdict.FAILED and row.state in SATISFIED_MATERIAL_STATES:
            items.append(_("{name}：{reason}").format(name=row.name, reason=row.review_reason))
        elif row.required and row.state == MaterialState.MISSING:
            items.append(_("{name}：未提交").format(name=row.name))
    return items
