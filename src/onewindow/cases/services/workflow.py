"""The workflow engine: a case's steps open as tasks when their predecessors are done."""

from __future__ import annotations

from django.utils import timezone

from onewindow.cases import deadlines
from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    TASK_TRANSITIONS,
    CaseAction,
    CaseEventAction,
    CaseStatus,
    TaskAction,
    TaskStatus,
)
from onewindow.cases.models import (
    Case,
    Task,
)
from onewindow.cases.services.common import _event, _task_transition, _today, _transition
from onewindow.catalog.constants import (
    StepKind,
)
from onewindow.catalog.published import version_plan
from onewindow.catalog.workflow import StepSpec, WorkflowPlan
from onewindow.core.transitions import transition_new
from onewindow.org.models import Department, User
from onewindow.org.selectors import calendar_for_zone

# -- the workflow engine --------------------------------------------------------------------


def _plan(case: Case) -> WorkflowPlan:
    """The case's workflow, from the per-process cache of published versions (read only)."""
    return version_plan(case.item_version)


def _start(case: Case, *, actor: User) -> None:
    """Accepted → in review: the acceptance step is done by the acceptance itself (its
    task is written already completed); the steps after it open as tasks at once (in
    parallel where the DAG allows)."""
    _transition(case, CaseAction.START_REVIEW, actor=actor, event=CaseEventAction.REVIEW_STARTED)
    plan = _plan(case)
    start = plan.steps[plan.order[0]]
    latest: dict[str, Task] = {}  # a case starts its review once: no task before these
    if start.kind == StepKind.ACCEPTANCE:
        latest[start.key] = _open_task(case, start, actor=actor, completed=("accepted", ""))
    _advance(case, actor=actor, plan=plan, latest=latest)


def _open_task(
    case: Case,
    step: StepSpec,
    *,
    actor: User | None,
    kind: str | None = None,
    department: Department | None = None,
    parent_task: Task | None = None,
    completed: tuple[str, str] | None = None,
) -> Task:
    """A new task for ``step``; with ``completed`` (outcome, comment) it is written done
    by ``actor`` in the same insert (the table's open → done), with both events."""
    today = _today()
    now = timezone.now()
    result = deadlines.clock(calendar_for_zone(case.zone), start=today, limit_days=step.limit_days)
    task = Task(
        case=case,
        step_key=step.key,
        name=step.name,
        kind=kind or step.kind,
        role=step.role,
        department_id=(department.pk if department else step.department_id or case.department_id),
        parent_task=parent_task,
        limit_days=step.limit_days,
        opened_at=now,
        opened_on=today,
        deadline=result.deadline,
        yellow_from=result.yellow_from,
    )
    opened = task.status
    if completed is not None:
        transition_new(task, TaskAction.COMPLETE, table=TASK_TRANSITIONS)
        task.assignee = task.completed_by = actor
        task.completed_at = now
        task.outcome, task.comment = completed
    task.save(force_insert=True)
    _event(
        case,
        CaseEventAction.TASK_OPENED,
        actor=actor,
        data={
            "task": task.pk,
            "step": step.key,
            "name": step.name,
            "department": task.department_id,
            "deadline": str(task.deadline),
        },
    )
    if completed is not None:
        _event(
            case,
            CaseEventAction.TASK_COMPLETED,
            actor=actor,
            data={
                "from": str(opened),
                "to": str(task.status),
                "task": task.pk,
                "step": task.step_key,
                "outcome": task.outcome,
                "comment": task.comment,
            },
        )
    return task


def _finish_task(task: Task, *, actor: User, outcome: str, comment: str) -> None:
    task.assignee = task.assignee or actor
    task.completed_at = timezone.now()
    task.completed_by = actor
    task.outcome = outcome
    task.comment = comment
    _task_transition(
        task,
        TaskAction.COMPLETE,
        actor=actor,
        event=CaseEventAction.TASK_COMPLETED,
        data={"step": task.step_key, "outcome": outcome, "comment": comment},
        fields=["assignee", "completed_at", "completed_by", "outcome", "comment"],
    )


def _latest_tasks(case: Case) -> dict[str, Task]:
    latest: dict[str, Task] = {}
    for task in case.tasks.filter(parent_task__isnull=True).order_by("opened_at", "pk"):
        latest[task.step_key] = task
    return latest


def _advance(
    case: Case,
    *,
    actor: User | None,
    plan: WorkflowPlan | None = None,
    latest: dict[str, Task] | None = None,
) -> None:
    """Open every step whose predecessors are all done and that is not open or done.
    ``latest``: the case's latest task per step when the caller knows them (read
    otherwise)."""
    if case.status != CaseStatus.IN_REVIEW:
        return
    plan = plan or _plan(case)
    latest = _latest_tasks(case) if latest is None else latest
    for key in plan.order:
        step = plan.steps[key]
        current = latest.get(key)
        if current is not None and current.status in (*ACTIVE_TASK_STATUSES, TaskStatus.DONE):
            continue
        before = plan.predecessors.get(key) or list(step.after)
        if not all(
            latest.get(b) is not None and latest[b].status == TaskStatus.DONE for b in before
        ):
            continue
        if step.kind == StepKind.DELIVERY:
            continue  # delivery follows the decision (see _after_decision)
        latest[key] = _open_task(case, step, actor=actor)


def _cancel_task(task: Task, *, actor: User | None, reason: str) -> None:
    task.completed_at = timezone.now()
    task.comment = reason
    _task_transition(
        task,
        TaskAction.CANCEL,
        actor=actor,
        event=CaseEventAction.TASK_CANCELLED,
        fields=["completed_at", "comment"],
    )
