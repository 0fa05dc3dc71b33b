"""Public progress (办件进度查询): what anyone with the number and query code may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.constants import CaseStatus, Decision, TaskStatus
from onewindow.cases.models import Case, Task
from onewindow.core.errors import NotFound
from onewindow.core.identifiers import codes_match, fold_code


@dataclass(frozen=True)
class PublicProgress:
    """What anyone with the number and query code may see: no names, identifiers,
    materials or comments; the decision's result (准予 / 不予) but not its reasons."""

    number: str
    item: str
    status: str
    status_label: str
    submitted_on: dt.date | None
    accepted_on: dt.date | None
    deadline: dt.date | None
    deadline_provisional: bool
    extension_days: int
    extension_reason: str
    suspended: bool
    decided_on: dt.date | None
    decision: str  # "approved", "denied" or "" (not decided): the result, never the reasons
    decision_label: str
    delivered_on: dt.date | None
    steps: list[dict]


def public_progress(*, number: str, code: str) -> PublicProgress:
    """The public progress of a case; one and the same "not found" for a missing or
    malformed number and a wrong, empty or non-ASCII code. Both are folded as typed
    (full-width digits and letters count as ASCII) and the code compared as bytes."""
    number = fold_code(number)
    code = fold_code(code)
    case = (
        Case.objects.filter(number=number, parent__isnull=True)
        .only(
            "number",
            "title",
            "status",
            "query_code",
            "submitted_at",
            "accepted_on",
            "deadline",
            "deadline_provisional",
            "extension_days",
            "extension_reason",
            "decided_on",
            "decision",
            "delivered_on",
            "zone_id",
        )
        .first()
    )
    if case is None or not codes_match(case.query_code, code):
        raise NotFound(_("办件编号或查询码不正确"), code="case_not_found")
    steps = [
        {"name": name, "status": TaskStatus(status).label, "done": status == TaskStatus.DONE}
        for name, status in Task.objects.filter(
            Q(case=case) | Q(case__parent=case), parent_task__isnull=True
        )
        .exclude(status=TaskStatus.CANCELLED)
        .order_by("opened_at", "pk")
        .values_list("name", "status")
    ]
    return PublicProgress(
        number=case.number,
        item=case.title,
        status=case.status,
        status_label=CaseStatus(case.status).label,
        submitted_on=timezone.localdate(case.submitted_at) if case.submitted_at else None,
        accepted_on=case.accepted_on,
        deadline=case.deadline,
        deadline_provisional=case.deadline_provisional,
        extension_days=case.extension_days,
        extension_reason=case.extension_reason,
        suspended=case.status == CaseStatus.SUSPENDED,
        decided_on=case.decided_on,
        decision=case.decision or "",
        decision_label=str(Decision(case.decision).label) if case.decision else "",
        delivered_on=case.delivered_on,
        steps=steps,
    )
