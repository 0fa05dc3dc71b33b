"""Races on shared rows (PostgreSQL): the services lock before they decide (STYLE.md).

Each worker runs in its own thread, hence its own database connection, lined up on a
``threading.Barrier`` so the calls really overlap; errors are collected and checked in the
test's thread. SQLite serialises every writer and its in-memory test database is not shared
between the threads' connections, so these tests only run on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from onewindow.cases.constants import (
    AcceptanceMode,
    CaseEventAction,
    CaseStatus,
    Decision,
    SuspensionKind,
    TaskStatus,
)
from onewindow.cases.models import Case, Task
from onewindow.cases.services import (
    case_accept,
    case_create,
    case_suspend,
    case_withdraw,
    delivery,
    material_upload,
    materials,
    task_claim,
    task_complete,
    task_decide,
)
from onewindow.cases.tests.factories import World, pdf_upload
from onewindow.core.audit import audit_verify
from onewindow.core.errors import Conflict
from onewindow.core.models import AuditEvent
from onewindow.testing.races import TIMEOUT, race, split

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers and does not share its "
        "in-memory test database between the threads' connections",
    ),
    pytest.mark.django_db(transaction=True),
]


def task_events(action: str, task: Task) -> int:
    return sum(
        1
        for data in AuditEvent.objects.filter(action=action).values_list("data", flat=True)
        if data.get("task") == task.pk
    )


def ready_to_decide(world: World) -> Case:
    case = world.accepted()
    review = world.task(case, "review")
    task_claim(task=review, actor=world.reviewer)
    task_complete(task=review, actor=world.reviewer)
    return case


def test_two_reviewers_claiming_one_task_at_once_get_it_once(world):
    case = world.accepted()
    task = world.task(case, "review")

    results = race(
        lambda: task_claim(task=task, actor=world.reviewer),
        lambda: task_claim(task=task, actor=world.reviewer2),
    )

    successes, errors = split(results)
    assert len(successes) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict)
    assert (errors[0].status, errors[0].code) == (409, "task_taken")
    task.refresh_from_db()
    assert task.status == TaskStatus.CLAIMED
    assert task.assignee_id == successes[0].assignee_id
    assert task_events(CaseEventAction.TASK_CLAIMED, task) == 1
    assert audit_verify().ok


def test_completing_one_task_twice_at_once_moves_the_workflow_once(world):
    case = world.accepted()
    review = task_claim(task=world.task(case, "review"), actor=world.reviewer)

    results = race(
        lambda: task_complete(task=review, actor=world.reviewer, comment="一"),
        lambda: task_complete(task=review, actor=world.reviewer, comment="二"),
    )

    successes, errors = split(results)
    assert len(successes) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and errors[0].code == "task_not_active"
    assert task_events(CaseEventAction.TASK_COMPLETED, review) == 1
    assert Task.objects.filter(case=case, step_key="decide").count() == 1


def test_deciding_one_task_twice_at_once_decides_once(world):
    case = ready_to_decide(world)
    decide = world.task(case, "decide")

    results = race(
        lambda: task_decide(task=decide, actor=world.decider, decision=Decision.APPROVED),
        lambda: task_decide(
            task=decide, actor=world.decider, decision=Decision.DENIED, reason="不符合"
        ),
    )

    successes, errors = split(results)
    assert len(successes) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict) and errors[0].code == "task_not_active"
    case.refresh_from_db()
    assert case.decision == successes[0].decision
    decisions = AuditEvent.objects.filter(
        object_id=case.number, action__in=[CaseEventAction.APPROVED, CaseEventAction.DENIED]
    )
    assert decisions.count() == 1
    assert Task.objects.filter(case=case, step_key="deliver").count() == 1
    assert audit_verify().ok


def test_twenty_concurrent_applications_get_twenty_gapless_numbers(world):
    year = timezone.localdate().year

    results = race(
        *[
            lambda: case_create(
                actor=world.applicant_user, applicant=world.applicant, item_version=world.item
            )
            for _ in range(20)
        ]
    )

    successes, errors = split(results)
    assert errors == []
    numbers = sorted(case.number for case in successes)
    assert numbers == [f"SFQ-{year}-{n:07d}" for n in range(1, 21)]
    sequences = sorted(Case.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 21))
    assert Case.objects.filter(status=CaseStatus.SUBMITTED).count() == 20
    assert audit_verify().ok


def test_a_child_decision_and_the_bundle_withdrawal_at_once_do_not_deadlock(world, monkeypatch):
    """The child's decision holds its case while the parent's withdrawal takes the parent
    and waits for the children; the decision then needs the parent. Both lock the parent
    first, so one waits for the other instead of a deadlock (PostgreSQL aborts one of two
    deadlocked transactions with an error, which ``split`` would report)."""
    parent = world.submit(bundle=world.bundle)
    case_accept(case=parent, actor=world.clerk)
    food = Case.objects.get(parent=parent, item_version=world.item)
    review = task_claim(task=world.task(food, "review"), actor=world.reviewer)
    task_complete(task=review, actor=world.reviewer)
    decide = world.task(food, "decide")

    deciding = threading.Event()
    original = delivery._decide

    def slow_decide(*args, **kwargs):
        deciding.set()  # the decision holds its locks from here on
        threading.Event().wait(0.5)  # let the withdrawal start meanwhile
        return original(*args, **kwargs)

    monkeypatch.setattr(delivery, "_decide", slow_decide)

    def withdraw():
        assert deciding.wait(TIMEOUT)
        return case_withdraw(case=parent, actor=world.applicant_user, reason="撤回")

    results = race(
        lambda: task_decide(task=decide, actor=world.decider, decision=Decision.APPROVED),
        withdraw,
    )

    successes, errors = split(results)
    # The decision came first; the withdrawal then finds a decided child and is refused.
    assert len(successes) == 1 and isinstance(successes[0], Case)
    assert [error.code for error in errors] == ["transition_not_allowed"]
    assert Case.objects.get(pk=food.pk).status == CaseStatus.APPROVED
    assert Case.objects.get(pk=parent.pk).status == CaseStatus.IN_REVIEW


def test_a_child_suspension_during_a_bundle_supplement_does_not_deadlock(world, monkeypatch):
    """The supplement holds the parent and the audit chain while it clears the children's
    due dates; a child's suspension takes the parent first, so it waits its turn instead
    of holding the child while waiting for the audit chain."""
    parent = world.submit(bundle=world.bundle, skip=("营业场所证明",))
    premises = parent.materials.get(name="营业场所证明")
    case_accept(
        case=parent, actor=world.clerk, mode=AcceptanceMode.TOLERATED, tolerated=[premises.pk]
    )
    food = Case.objects.get(parent=parent, item_version=world.item)

    supplementing = threading.Event()
    original = materials._clear_tolerance_when_supplied

    def slow_clear(case):
        supplementing.set()  # the supplement holds the parent and the audit chain here
        threading.Event().wait(0.5)
        return original(case)

    monkeypatch.setattr(materials, "_clear_tolerance_when_supplied", slow_clear)

    def suspend():
        assert supplementing.wait(TIMEOUT)
        return case_suspend(
            case=food, actor=world.reviewer, kind=SuspensionKind.TESTING, reason="送检"
        )

    results = race(
        lambda: material_upload(
            case=parent, material_id=premises.pk, uploaded=pdf_upload(), actor=world.applicant_user
        ),
        suspend,
    )

    successes, errors = split(results)
    assert errors == []
    assert len(successes) == 2
    food.refresh_from_db()
    assert (food.status, food.tolerance_due_on) == (CaseStatus.SUSPENDED, None)
    assert audit_verify().ok
