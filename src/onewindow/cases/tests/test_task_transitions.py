"""The task table (``constants.ALLOWED_TASK_TRANSITIONS``) as the services use it.

Every pair of the table is made by the service that makes it, on a real task: the task
ends in the pair's target and the move is on the case's trail with ``from`` and ``to``.
Every other pair is refused by ``core.transitions`` with a 409 naming the task's status
and the action, and changes nothing. No other code of cases assigns a status.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import transaction

import onewindow.cases
from onewindow.cases.constants import (
    ALLOWED_TASK_TRANSITIONS,
    TASK_TRANSITIONS,
    CaseEventAction,
    TaskAction,
    TaskStatus,
)
from onewindow.cases.models import Case, Task
from onewindow.cases.services import (
    case_withdraw,
    task_claim,
    task_complete,
    task_return,
    task_transfer,
)
from onewindow.cases.tests.factories import World
from onewindow.core.audit import audit_verify
from onewindow.core.errors import Conflict
from onewindow.core.models import AuditEvent
from onewindow.core.transitions import transition

pytestmark = pytest.mark.django_db

T, TA = TaskStatus, TaskAction


def task_events(task: Task) -> list[AuditEvent]:
    return [
        event
        for event in AuditEvent.objects.filter(object_type="case", object_id=task.case.number)
        if (event.data or {}).get("task") == task.pk
    ]


def review(world: World, status: str) -> Task:
    """The review task of an accepted case, open or claimed by the reviewer."""
    task = world.task(world.accepted(), "review")
    if status == T.CLAIMED:
        task_claim(task=task, actor=world.reviewer)
    return Task.objects.get(pk=task.pk)


def decision(world: World, status: str) -> Task:
    """The decision task (its step has a review before it to return to)."""
    case = world.accepted()
    reviewed = world.task(case, "review")
    task_claim(task=reviewed, actor=world.reviewer)
    task_complete(task=reviewed, actor=world.reviewer)
    task = world.task(case, "decide")
    if status == T.CLAIMED:
        task_claim(task=task, actor=world.decider)
    return Task.objects.get(pk=task.pk)


#: action → (the task it acts on, in a given status; the service making the move).
MOVES: dict[str, tuple[Callable[[World, str], Task], Callable[[World, Task], object]]] = {
    TA.CLAIM: (review, lambda w, t: task_claim(task=t, actor=w.reviewer)),
    TA.COMPLETE: (review, lambda w, t: task_complete(task=t, actor=w.reviewer)),
    TA.RETURN: (decision, lambda w, t: task_return(task=t, actor=w.decider, reason="请补充")),
    TA.TRANSFER: (
        review,
        lambda w, t: task_transfer(task=t, actor=w.reviewer, to_user=w.reviewer2, reason="休假"),
    ),
    TA.CANCEL: (
        review,
        lambda w, t: case_withdraw(case=t.case, actor=w.applicant_user, reason="不办了"),
    ),
}


def test_every_action_of_the_table_has_its_service():
    assert set(MOVES) == set(TaskAction.values)
    assert {action for _status, action in ALLOWED_TASK_TRANSITIONS} == set(TaskAction.values)


@pytest.mark.parametrize(("pair", "target"), list(ALLOWED_TASK_TRANSITIONS.items()))
def test_each_pair_of_the_table_moves_the_task_through_its_service(world, pair, target):
    status, action = pair
    make, act = MOVES[action]
    task = make(world, status)
    assert task.status == status

    act(world, task)

    assert Task.objects.get(pk=task.pk).status == target
    moves = [(event.data.get("from"), event.data.get("to")) for event in task_events(task)]
    assert (status, target) in moves
    assert audit_verify().ok


def test_a_transfer_names_the_colleague_and_the_reason(world):
    task = review(world, T.CLAIMED)

    task_transfer(task=task, actor=world.reviewer, to_user=world.reviewer2, reason="休假")

    event = task_events(task)[-1]
    assert event.action == CaseEventAction.TASK_TRANSFERRED
    assert event.data == {
        "from": T.CLAIMED,
        "to": T.CLAIMED,
        "task": task.pk,
        "assignee": world.reviewer2.username,
        "reason": "休假",
    }
    assert Task.objects.get(pk=task.pk).assignee == world.reviewer2


REFUSED = [
    (status, action)
    for status in TaskStatus.values
    for action in TaskAction.values
    if (status, action) not in ALLOWED_TASK_TRANSITIONS
]


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_every_other_pair_is_refused_naming_the_status_and_the_action(status, action):
    with pytest.raises(Conflict) as refused:
        TASK_TRANSITIONS.target(status, action)

    assert refused.value.status == 409
    assert refused.value.code == "transition_not_allowed"
    assert refused.value.message == (
        f"任务当前状态为“{TaskStatus(status).label}”，不能执行“{TaskAction(action).label}”"
    )


def test_a_refused_move_changes_nothing(world):
    task = review(world, T.OPEN)
    task_complete(task=task, actor=world.reviewer)
    done = Task.objects.select_related("case").get(pk=task.pk)
    trail = AuditEvent.objects.count()

    with pytest.raises(Conflict) as refused, transaction.atomic():
        transition(
            done,
            TA.CLAIM,
            table=TASK_TRANSITIONS,
            event=CaseEventAction.TASK_CLAIMED,
            object_type="case",
            object_id=done.case.number,
        )

    assert "已完成" in refused.value.message and "签收" in refused.value.message
    assert Task.objects.get(pk=task.pk).status == T.DONE
    assert AuditEvent.objects.count() == trail


def test_no_code_of_cases_but_the_helper_assigns_a_status():
    root = Path(onewindow.cases.__file__).parent
    assignment = re.compile(r"\.status\s*=(?!=)")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(root).parts)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if assignment.search(line)
    ]
    assert offenders == []


def test_a_withdrawal_cancels_every_active_task_through_the_table(world):
    task = review(world, T.CLAIMED)
    case = Case.objects.get(pk=task.case_id)

    case_withdraw(case=case, actor=world.applicant_user, reason="不办了")

    cancelled = [e for e in task_events(task) if e.action == CaseEventAction.TASK_CANCELLED]
    assert [(e.data["from"], e.data["to"]) for e in cancelled] == [(T.CLAIMED, T.CANCELLED)]
