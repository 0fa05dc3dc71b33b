"""What an order shows its readers, shared by the API and the pages: its history as people
read it, its reply once there is one, and the public lookup by number and query code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from onewindow.appeals.constants import STEP_LABELS, AppealAction, AppealStatus
from onewindow.appeals.models import Appeal, AppealStep
from onewindow.core.errors import NotFound
from onewindow.core.identifiers import codes_match, fold_code

#: Statuses in which the requester has been answered (the reply is theirs to read).
ANSWERED_STATUSES = frozenset(
    {AppealStatus.ANSWERED, AppealStatus.CLOSED, AppealStatus.NOT_ACCEPTED}
)


@dataclass(frozen=True)
class Step:
    action: str
    action_label: str
    status_label: str
    at: dt.datetime
    department: str
    note: str


def _label(choices, value: str, fallback: dict | None = None) -> str:
    if fallback and value in fallback:
        return str(fallback[value])
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def steps_of(appeal: Appeal, *, with_notes: bool) -> list[Step]:
    """The order's history, oldest first; notes (reasons, internal remarks) for staff only."""
    rows = AppealStep.objects.filter(appeal=appeal).select_related("department").order_by("pk")
    return [
        Step(
            action=row.action,
            action_label=_label(AppealAction, row.action, STEP_LABELS),
            status_label=_label(AppealStatus, row.to_status) if row.to_status else "",
            at=row.created_at,
            department=row.department.name if row.department_id else "",
            note=row.note if with_notes else "",
        )
        for row in rows
    ]


def reply_of(appeal: Appeal) -> str | None:
    """The reply the requester may read: once it went out (approved, closed, not accepted)."""
    if appeal.status in ANSWERED_STATUSES or appeal.answered_at is not None:
        return appeal.reply
    return None


def public_appeal(*, number: str, code: str) -> Appeal:
    """The order ``number`` for whoever holds its query code; one and the same "not found"
    for a missing number, a wrong or empty code. Both are folded as typed (full-width
    letters and digits count as ASCII) and the code compared in constant time."""
    number, code = fold_code(number or "")[:40], fold_code(code or "")[:40]
    appeal = (
        Appeal.objects.select_related("category").filter(number=number).first() if number else None
    )
    if appeal is None or not codes_match(appeal.query_code, code):
        raise NotFound(_("工单编号或查询码不正确"), code="appeal_not_found")
    return appeal
