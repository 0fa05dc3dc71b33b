"""The tasks of the review: claim, complete, return, transfer and co-review (会签)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    CaseEventAction,
    TaskAction,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.models import (
    Case,
    Task,
)
from onewindow.cases.permissions import (
    actor_of,
    holds_task_role,
)
from onewindow.cases.rules import require, task_action
from onewindow.cases.services.common import _event, _lock_task, _task_transition, _text
from onewindow.cases.services.workflow import (
    _advance,
    _cancel_task,
    _finish_task,
    _open_task,
    _plan,
)
from onewindow.catalog.constants import (
    StepKind,
)
from onewindow.catalog.workflow import StepSpec
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.org.constants import Role
from onewindow.org.models import Department, User

# -- tasks --------------------------------------------------------------------------------


def _may_task(actor: User, case: Case, task: Task, action: str, **facts: Any) -> None:
    """Refuse unless ``cases.rules`` lets ``actor`` take ``action`` on the locked task."""
    require(task_action(actor_of(actor), task, action, case=case, **facts))


def _task_for(actor: User, task: Task, action: str, **facts: Any) -> tuple[Case, Task]:
    """Lock the task's case, then the task, and check that ``actor`` may act on it."""
    case, task = _lock_task(task)
    _may_task(actor, case, task, action, **facts)
    return case, task


@transaction.atomic
def task_claim(*, task: Task, actor: User) -> Task:
    _case, task = _task_for(actor, task, "claim")
    if task.status == TaskStatus.CLAIMED:
        return task  # claimed by the actor already
    task.assignee = actor
    _task_transition(
        task,
        TaskAction.CLAIM,
        actor=actor,
        event=CaseEventAction.TASK_CLAIMED,
        fields=["assignee"],
    )
    return task


@transaction.atomic
def task_complete(*, task: Task, actor: User, comment: str = "") -> Task:
    """Approve a review, inspection or co-review step; the next steps open."""
    case, task = _lock_task(task)
    pending = task.co_reviews.filter(status__in=ACTIVE_TASK_STATUSES).exists()
    _may_task(actor, case, task, "complete", co_reviews_pending=pending)
    _finish_task(task, actor=actor, outcome="approved", comment=(comment or "").strip()[:2000])
    if task.parent_task_id is None:
        _advance(case, actor=actor)
    return task


@transaction.atomic
def task_return(*, task: Task, actor: User, reason: str) -> Task:
    """Send the case back to the previous step(s) with a reason."""
    case, task = _task_for(actor, task, "return")
    reason = _text("reason", reason, _("退回理由"))
    plan = _plan(case)
    previous = [plan.steps[key] for key in plan.steps[task.step_key].after]
    targets = [step for step in previous if step.kind != StepKind.ACCEPTANCE]
    if not targets:
        raise Conflict(
            _("上一环节为窗口受理，不能退回；如材料有误，请联系申请人或作出决定"),
            code="cannot_return",
        )
    for co_review in task.co_reviews.filter(status__in=ACTIVE_TASK_STATUSES):
        _cancel_task(co_review, actor=actor, reason=reason)
    task.completed_at = timezone.now()
    task.completed_by = actor
    task.comment = reason
    _task_transition(
        task,
        TaskAction.RETURN,
        actor=actor,
        event=CaseEventAction.TASK_RETURNED,
        # ``steps``: the steps that open again (``from``/``to`` are the task's statuses)
        data={"step": task.step_key, "steps": [s.key for s in targets]},
        fields=["completed_at", "completed_by", "comment"],
    )
    for step in targets:
        _open_task(case, step, actor=actor)
    return task


@transaction.atomic
def task_transfer(*, task: Task, actor: User, to_user: User, reason: str) -> Task:
    """Hand the task to a colleague holding the same role in the same department."""
    _case, task = _task_for(actor, task, "transfer")
    reason = _text("reason", reason, _("转办理由"))
    if to_user.pk == actor.pk:
        raise ValidationFailed.for_field("to_user", _("不能转给自己"), code="same_user")
    if not to_user.is_active or not holds_task_role(to_user, task):
        raise ValidationFailed.for_field(
            "to_user", _("接收人不是该任务所在部门的办理人员"), code="not_a_holder"
        )
    task.assignee = to_user
    _task_transition(
        task,
        TaskAction.TRANSFER,
        actor=actor,
        event=CaseEventAction.TASK_TRANSFERRED,
        data={"assignee": to_user.get_username(), "reason": reason},
        fields=["assignee"],
    )
    return task


@transaction.atomic
def task_request_co_review(
    *, task: Task, actor: User, department: Department, reason: str, limit_days: int = 3
) -> Task:
    """会签: ask another department to review in parallel; this task waits for it."""
    case, task = _task_for(actor, task, "co_review")
    reason = _text("reason", reason, _("会签事由"))
    if department.zone_id != case.zone_id:
        raise ValidationFailed.for_field("department", _("部门不属于该开发区"))
    if department.pk == task.department_id:
        raise ValidationFailed.for_field(
            "department", _("请选择其他部门会签"), code="same_department"
        )
    if not 1 <= limit_days <= 20:
        raise ValidationFailed.for_field("limit_days", _("会签时限应为 1 至 20 个工作日"))
    if task.co_reviews.filter(department=department, status__in=ACTIVE_TASK_STATUSES).exists():
        raise Conflict(_("已向该部门发起会签"), code="co_review_exists")
    step = StepSpec(
        key=task.step_key,
        name=_("会签：{name}").format(name=task.name)[:100],
        kind=TaskKind.CO_REVIEW,
        role=Role.REVIEWER,
        limit_days=limit_days,
    )
    co_review = _open_task(
        case,
        step,
        actor=actor,
        kind=TaskKind.CO_REVIEW,
        department=department,
        parent_task=task,
    )
    _event(
        case,
        CaseEventAction.CO_REVIEW_REQUESTED,
        actor=actor,
        data={
            "task": task.pk,
            "co_review": co_review.pk,
            "department": department.name,
            "reason": reason,
        },
    )
    return co_review
