"""What an order shows its readers, shared by the API and the pages: its history as people
read it, its reply once there is one, and the public lookup by number and query code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.appeals.constants import (
    STEP_LABELS,
    STEP_SUPERVISED,
    STEP_SUPERVISION_ANSWERED,
    STEP_SUPERVISION_CLOSED,
    AppealAction,
    AppealStatus,
    HandlingStep,
)
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


#: The steps that are no verb of the transition table, in words.
_OTHER_STEPS = {
    **STEP_LABELS,
    **{step.value: step.label for step in HandlingStep},
    STEP_SUPERVISED: gettext_lazy("督办"),
    STEP_SUPERVISION_ANSWERED: gettext_lazy("督办反馈"),
    STEP_SUPERVISION_CLOSED: gettext_lazy("督办销号"),
}


def step_label(action: str, *, moved: bool = True) -> str:
    """A history step in words, for every page and the API. A return visit that did not
    close the order (``moved`` false: 不满意 or 未解决, the order reopens in the next step)
    is a plain 回访, not 回访办结."""
    if action == AppealAction.VISIT and not moved:
        return _("回访")
    if action in _OTHER_STEPS:
        return str(_OTHER_STEPS[action])
    if action in AppealAction.values:
        return str(AppealAction(action).label)
    return action


def _status_label(value: str) -> str:
    try:
        return str(AppealStatus(value).label)
    except ValueError:
        return value


def steps_of(appeal: Appeal, *, with_notes: bool) -> list[Step]:
    """The order's history, oldest first; notes (reasons, internal remarks) for staff only."""
    rows = AppealStep.objects.filter(appeal=appeal).select_related("department").order_by("pk")
    return [
        Step(
            action=row.action,
            action_label=step_label(row.action, moved=bool(row.to_status)),
            status_label=_status_label(row.to_status) if row.to_status else "",
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
