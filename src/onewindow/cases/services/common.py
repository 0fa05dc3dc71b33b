"""What the case services share: the audit event, the status transition, the locks (case
first, then tasks by primary key), the guards and the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases import deadlines
from onewindow.cases.constants import (
    CASE_OBJECT_TYPE,
    CASE_TRANSITIONS,
    TASK_TRANSITIONS,
)
from onewindow.cases.models import (
    Case,
    Task,
)
from onewindow.cases.permissions import active_departments, actor_of
from onewindow.cases.rules import case_action, require
from onewindow.core.audit import audit_append
from onewindow.core.errors import ValidationFailed
from onewindow.core.locks import lock_row, lock_rows
from onewindow.core.transitions import transition
from onewindow.org.models import User
from onewindow.org.selectors import calendar_for_zone

# -- helpers ------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _actor_name(actor: User | None) -> str:
    if actor is None:
        return "system"
    return actor.get_username()


def _event(
    case: Case,
    action: str,
    *,
    actor: User | None,
    data: dict[str, Any] | None = None,
) -> None:
    audit_append(
        action=action,
        actor=_actor_name(actor),
        actor_id=actor.pk if actor is not None else "",
        object_type=CASE_OBJECT_TYPE,
        object_id=case.number,
        data=data or {},
    )


def _transition(
    case: Case,
    action: str,
    *,
    actor: User | None,
    event: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: Sequence[str] = (),
) -> None:
    """The only place a case's status changes: ``CASE_TRANSITIONS`` through
    ``core.transitions`` (checks the table, writes, records), on the locked case."""
    transition(
        case,
        action,
        table=CASE_TRANSITIONS,
        event=event,
        object_type=CASE_OBJECT_TYPE,
        object_id=case.number,
        actor=_actor_name(actor),
        actor_id=actor.pk if actor is not None else "",
        reason=reason,
        data=data,
        fields=fields,
    )


def _task_transition(
    task: Task,
    action: str,
    *,
    actor: User | None,
    event: str,
    data: dict[str, Any] | None = None,
    fields: Sequence[str] = (),
) -> None:
    """The only place a task's status changes: ``TASK_TRANSITIONS`` through
    ``core.transitions``; the event goes on the case's trail, naming the task."""
    transition(
        task,
        action,
        table=TASK_TRANSITIONS,
        event=event,
        object_type=CASE_OBJECT_TYPE,
        object_id=task.case.number,
        actor=_actor_name(actor),
        actor_id=actor.pk if actor is not None else "",
        data={"task": task.pk, **(data or {})},
        fields=fields,
    )


def _lock(case: Case) -> Case:
    """The case row, locked and fresh (read → decide → write under the lock).

    A bundle child's parent is locked first: every bundle-wide service (acceptance,
    withdrawal, unified delivery, materials) holds the parent while it locks or updates the
    children, and a child's decision may decide the parent; child-then-parent against
    parent-then-children deadlocks (so does a child row against the audit chain head).
    """
    if case.parent_id is not None:  # a case's parent never changes
        lock_row(Case.objects.only("pk"), pk=case.parent_id)
    # Only the case row (core.locks): the zone, department and applicant read along are
    # not locked, or every case of the zone would wait for one another.
    return lock_row(
        Case, pk=case.pk, related=("zone", "item_version", "bundle", "department", "applicant")
    )


def _lock_task(task: Task) -> tuple[Case, Task]:
    """Lock the task's case, then the task (the fixed order: case, then tasks by pk)."""
    case = _lock(task.case)
    locked = lock_row(Task, pk=task.pk, related=("department",))
    locked.case = case
    return case, locked


def _may(actor: User, case: Case, action: str) -> None:
    """Refuse unless ``cases.rules`` lets ``actor`` take ``action`` on the locked case."""
    departments = active_departments(case) if action in ("suspend", "resume") else ()
    require(case_action(actor_of(actor), case, action, active_departments=departments))


def _text(field: str, value: str | None, label: str, *, max_length: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed.for_field(
            field, _("{label}不能为空").format(label=label), code="required"
        )
    if len(value) > max_length:
        raise ValidationFailed.for_field(
            field,
            _("{label}不能超过 {max} 个字").format(label=label, max=max_length),
            code="too_long",
        )
    return value


def _children(case: Case) -> list[Case]:
    if not case.is_bundle:
        return []
    return lock_rows(Case, parent=case, related=("zone", "item_version", "department", "applicant"))


def _set_clock(case: Case, *, start: dt.date) -> None:
    result = deadlines.clock(
        calendar_for_zone(case.zone),
        start=start,
        limit_days=case.limit_days or 0,
        paused_days=case.paused_days,
        extension_days=case.extension_days,
    )
    case.deadline = result.deadline
    case.yellow_from = result.yellow_from
    case.deadline_provisional = result.provisional


CLOCK_FIELDS = ["deadline", "yellow_from", "deadline_provisional"]
