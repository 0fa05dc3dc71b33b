"""Reminders run by the background job (``cases.tasks.send_reminders``).

- A task whose light turns yellow or red notifies its holder: the assignee, or else every
  active staff member who holds the task's role in the task's department (for the window
  clerk's steps: the clerks of the case's zone, as ``permissions.holds_task_role``). One
  in-app notification per task, light and person (a dedup key, unique per recipient), so
  the job may run twice; the notifier backends are told only of new ones, after commit
  (``core.notifications.notify``).
- A tolerated (容缺) material not supplied by its due date is recorded once per case as
  ``case.supplement_overdue`` (the credit module reads these) and the applicant's
  representatives are told in the inbox (``cases.applicant_messages``); a few days
  before the due date they are reminded once.

Each task or case is handled in its own transaction: one failure is logged and the rest
are still processed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from onewindow.cases import applicant_messages
from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    CASE_OBJECT_TYPE,
    CaseEventAction,
    CaseStatus,
    Light,
    MaterialState,
)
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.notifications import (
    TASK_KINDS,
    case_link,
    case_subject,
    task_key,
)
from onewindow.cases.rules import supplement_owed
from onewindow.cases.services import SUPPLEMENT_STATUSES
from onewindow.core.audit import audit_append
from onewindow.core.locks import lock_first
from onewindow.core.notifications import notify
from onewindow.org.constants import Role, UserKind
from onewindow.org.models import User

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"
WARNED_LIGHTS = (Light.YELLOW, Light.RED)
#: A 容缺 due date this many days ahead (or today) is reminded.
SUPPLEMENT_DUE_SOON_DAYS = 3


# --- task lights ----------------------------------------------------------------------


def remind_warned_tasks(*, today: dt.date | None = None) -> int:
    """Notify the holders of active tasks that turned yellow or red since the last run;
    return the number of notifications created."""
    today = today or timezone.localdate()
    tasks = (
        Task.objects.with_light(today)
        .filter(status__in=ACTIVE_TASK_STATUSES, light__in=WARNED_LIGHTS)
        .exclude(case__status=CaseStatus.SUSPENDED)
        .exclude(light_notified=F("light"))
        .select_related("case", "assignee", "department")
        .order_by("pk")
    )
    created = 0
    for task in tasks.iterator(chunk_size=500):
        try:
            created += _remind_task(task, light=task.light, today=today)
        except Exception:
            logger.exception("reminder for task %s failed", task.pk)
    return created


@transaction.atomic
def _remind_task(task: Task, *, light: str, today: dt.date) -> int:
    # Lock the task and decide again: since the query, another run may have handled it,
    # or the task may have been completed, its case suspended or its deadline extended.
    current = lock_first(Task.objects.with_light(today), pk=task.pk)
    if current is None or current.light != light or current.light_notified == light:
        return 0
    case = task.case
    kind = TASK_KINDS[light]
    context = task_reminder_context(task)
    created = 0
    for recipient in task_recipients(task):
        notification = notify(
            recipient,
            kind,
            context,
            link=case_link(case.number),
            subject=case_subject(case.number),
            key=task_key(task.pk, kind),
        )
        if notification is not None:
            created += 1
    Task.objects.filter(pk=task.pk).update(light_notified=light)
    audit_append(
        action=CaseEventAction.TASK_LIGHT_CHANGED,
        actor=SYSTEM_ACTOR,
        object_type=CASE_OBJECT_TYPE,
        object_id=case.number,
        data={
            "task": task.pk,
            "step": task.step_key,
            "light": light,
            "deadline": str(task.deadline),
        },
    )
    return created


def task_recipients(task: Task) -> list[User]:
    """Who is told about ``task``: its assignee, or else everyone who may act on it."""
    if task.assignee is not None and task.assignee.is_active:
        return [task.assignee]
    holds = Q(role_assignments__role=task.role, role_assignments__department=task.department_id)
    if task.role == Role.WINDOW_CLERK:
        holds |= Q(role_assignments__role=Role.WINDOW_CLERK, zone_id=task.case.zone_id)
    return list(
        User.objects.filter(holds, is_active=True, kind=UserKind.STAFF).distinct().order_by("pk")
    )


def task_reminder_context(task: Task) -> dict[str, Any]:
    """What a task reminder says (``cases.notifications`` words it per light)."""
    return {"number": task.case.number, "step": task.name, "deadline": task.deadline}


# --- overdue supplements --------------------------------------------------------------


def remind_overdue_supplements(*, today: dt.date | None = None) -> int:
    """Record (once) each case whose tolerated materials were not supplied by the due
    date; return the number of cases recorded."""
    today = today or timezone.localdate()
    tolerated = CaseMaterial.objects.filter(case=OuterRef("pk"), state=MaterialState.TOLERATED)
    cases = (
        Case.objects.supplement_owed()
        .filter(tolerance_due_on__lt=today, supplement_overdue_recorded=False)
        .filter(Exists(tolerated))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    recorded = 0
    for case_id in cases.iterator(chunk_size=500):
        try:
            recorded += _record_overdue_supplement(case_id, today=today)
        except Exception:
            logger.exception("overdue supplement of case %s failed", case_id)
    return recorded


@transaction.atomic
def _record_overdue_supplement(case_id: int, *, today: dt.date) -> int:
    case = lock_first(
        Case,
        pk=case_id,
        status__in=SUPPLEMENT_STATUSES,
        tolerance_due_on__lt=today,
        supplement_overdue_recorded=False,
    )
    if case is None or not supplement_owed(case):  # recorded or moved on since the query
        return 0
    names = list(
        case.materials.filter(state=MaterialState.TOLERATED)
        .order_by("position")
        .values_list("name", flat=True)
    )
    if not names:  # supplied since the query
        return 0
    audit_append(
        action=CaseEventAction.SUPPLEMENT_OVERDUE,
        actor=SYSTEM_ACTOR,
        object_type=CASE_OBJECT_TYPE,
        object_id=case.number,
        data={"materials": names, "due_on": str(case.tolerance_due_on)},
    )
    Case.objects.filter(pk=case.pk).update(supplement_overdue_recorded=True)
    applicant_messages.supplement_overdue(case, names)
    return 1


# --- supplements due soon -------------------------------------------------------------


def remind_supplements_due_soon(*, today: dt.date | None = None) -> int:
    """Remind the applicant's accounts of tolerated materials due within
    ``SUPPLEMENT_DUE_SOON_DAYS`` days (once per case and due date); return how many
    messages were written."""
    today = today or timezone.localdate()
    tolerated = CaseMaterial.objects.filter(case=OuterRef("pk"), state=MaterialState.TOLERATED)
    cases = (
        Case.objects.filter(
            status__in=SUPPLEMENT_STATUSES,
            tolerance_due_on__gte=today,
            tolerance_due_on__lte=today + dt.timedelta(days=SUPPLEMENT_DUE_SOON_DAYS),
        )
        .filter(Exists(tolerated))
        .select_related("applicant")
        .order_by("pk")
    )
    told = 0
    for case in cases.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                names = list(
                    case.materials.filter(state=MaterialState.TOLERATED)
                    .order_by("position")
                    .values_list("name", flat=True)
                )
                told += applicant_messages.supplement_due_soon(case, names)
        except Exception:
            logger.exception("supplement reminder of case %s failed", case.pk)
    return told
