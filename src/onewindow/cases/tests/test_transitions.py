"""The lifecycle table (``constants.ALLOWED_TRANSITIONS``) as the services enforce it.

Real cases are driven into every status through the services, then every case-level
service is tried on them: a pair in the table moves the case to its target; any other pair
is refused with ``Conflict("transition_not_allowed")`` naming the status and the action in
Chinese, and changes nothing (status and audit trail as they were).

Deciding and delivering act on a task, so they can only be tried where such a task
exists; their pairs are covered separately below. "accepted" is transient (acceptance
starts the review in the same transaction): the matrix reaches it by setting the status
directly, the one place a test does so, to check the table's two rows from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.cases.constants import (
    ALLOWED_TRANSITIONS,
    CaseAction,
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
    case_refuse,
    case_request_correction,
    case_resubmit,
    case_resume,
    case_submit,
    case_suspend,
    case_withdraw,
    task_claim,
    task_complete,
    task_decide,
    task_deliver,
)
from onewindow.cases.tests.factories import World
from onewindow.core.audit import audit_verify
from onewindow.core.errors import Conflict
from onewindow.core.models import AuditEvent

pytestmark = pytest.mark.django_db

S, A = CaseStatus, CaseAction
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday
CORRECTION = "申请表缺少法定代表人签字"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def events(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="case", object_id=case.number))


# -- driving a case into each status through the services -----------------------------------


def ready_to_decide(world: World) -> Case:
    case = world.accepted()
    review = world.task(case, "review")
    task_claim(task=review, actor=world.reviewer)
    task_complete(task=review, actor=world.reviewer, comment="符合条件")
    return fresh(case)


def decide(world: World, case: Case, decision: str) -> Case:
    reason = "经审查不符合条件" if decision == Decision.DENIED else ""
    task_decide(
        task=world.task(case, "decide"), actor=world.decider, decision=decision, reason=reason
    )
    return fresh(case)


def in_draft(world: World) -> Case:
    return case_create(
        actor=world.applicant_user,
        applicant=world.applicant,
        item_version=world.item,
        form_data={"contact": "张三"},
        submit=False,
    )


def in_correction_requested(world: World) -> Case:
    case = world.submit()
    case_request_correction(case=case, actor=world.clerk, items=[CORRECTION])
    return fresh(case)


def in_not_accepted(world: World) -> Case:
    case = world.submit()
    case_refuse(
        case=case,
        actor=world.clerk,
        reason="不属于本机关职权范围",
        legal_basis="行政许可法第三十二条",
    )
    return fresh(case)


def in_accepted(world: World) -> Case:
    case = world.accepted()
    Case.objects.filter(pk=case.pk).update(status=S.ACCEPTED)  # see the module docstring
    return fresh(case)


def in_suspended(world: World) -> Case:
    case = world.accepted()
    case_suspend(case=case, actor=world.reviewer, kind=SuspensionKind.TESTING, reason="送检")
    return fresh(case)


def in_delivered(world: World) -> Case:
    case = world.decided()
    task_deliver(task=world.task(case, "deliver"), actor=world.clerk)
    return fresh(case)


def in_withdrawn(world: World) -> Case:
    case = world.submit()
    case_withdraw(case=case, actor=world.applicant_user, reason="不再需要")
    return fresh(case)


DRIVERS: dict[str, Callable[[World], Case]] = {
    S.DRAFT: in_draft,
    S.SUBMITTED: lambda world: world.submit(),
    S.CORRECTION_REQUESTED: in_correction_requested,
    S.NOT_ACCEPTED: in_not_accepted,
    S.ACCEPTED: in_accepted,
    S.IN_REVIEW: lambda world: world.accepted(),
    S.SUSPENDED: in_suspended,
    S.APPROVED: lambda world: world.decided(),
    S.DENIED: lambda world: decide(world, ready_to_decide(world), Decision.DENIED),
    S.DELIVERED: in_delivered,
    S.WITHDRAWN: in_withdrawn,
}

#: The case-level services, each called by the role that may take the action.
SERVICES: dict[str, Callable[[World, Case], object]] = {
    A.SUBMIT: lambda w, c: case_submit(case=c, actor=w.applicant_user),
    A.REQUEST_CORRECTION: lambda w, c: case_request_correction(
        case=c, actor=w.clerk, items=[CORRECTION]
    ),
    A.RESUBMIT: lambda w, c: case_resubmit(case=c, actor=w.applicant_user),
    A.REFUSE: lambda w, c: case_refuse(
        case=c, actor=w.clerk, reason="材料虚假", legal_basis="行政许可法第三十二条"
    ),
    A.ACCEPT: lambda w, c: case_accept(case=c, actor=w.clerk),
    A.SUSPEND: lambda w, c: case_suspend(
        case=c, actor=w.reviewer, kind=SuspensionKind.EXPERT_REVIEW, reason="组织专家评审"
    ),
    A.RESUME: lambda w, c: case_resume(case=c, actor=w.reviewer),
    A.WITHDRAW: lambda w, c: case_withdraw(case=c, actor=w.applicant_user, reason="撤回"),
}

MATRIX = [(status, action) for status in DRIVERS for action in SERVICES]


def test_every_status_and_every_row_of_the_table_is_exercised():
    task_pairs = {(S.IN_REVIEW, A.APPROVE), (S.IN_REVIEW, A.DENY)}
    task_pairs |= {(S.APPROVED, A.DELIVER), (S.DENIED, A.DELIVER)}
    transient = {(S.ACCEPTED, A.START_REVIEW)}  # test_acceptance_starts_the_review_at_once
    covered = {pair for pair in MATRIX if pair in ALLOWED_TRANSITIONS} | task_pairs | transient
    assert covered == set(ALLOWED_TRANSITIONS)
    assert set(DRIVERS) == set(S.values)


ALLOWED = [pair for pair in MATRIX if pair in ALLOWED_TRANSITIONS]


@pytest.mark.parametrize(("status", "action"), ALLOWED)
def test_case_services_make_every_move_of_the_table(world, status, action):
    # given a real case in ``status``
    case = DRIVERS[status](world)
    assert case.status == status
    trail = events(case)
    target = ALLOWED_TRANSITIONS[(status, action)]

    SERVICES[action](world, case)

    after = fresh(case)
    if action == A.ACCEPT:  # accepted is transient: the review starts at once
        assert after.status == S.IN_REVIEW
    else:
        assert after.status == target
    moves = [(e.data.get("from"), e.data.get("to")) for e in events(case)[len(trail) :]]
    assert (status, target) in moves
    assert audit_verify().ok


@pytest.mark.parametrize("status", list(DRIVERS))
def test_case_services_refuse_every_move_not_in_the_table(world, status):
    # given a real case in ``status`` (one per status: a refusal changes nothing)
    case = DRIVERS[status](world)
    assert case.status == status
    trail = events(case)
    refused_actions = [a for s, a in MATRIX if s == status and (s, a) not in ALLOWED_TRANSITIONS]
    problems = []

    for action in refused_actions:
        # when the service is asked for a move the table does not have
        try:
            SERVICES[action](world, case)
        except Conflict as error:
            # then it is refused, naming the status and the action, and nothing changed
            if error.code != "transition_not_allowed":
                problems.append((action, error.code, error.message))
            elif str(S(status).label) not in error.message:
                problems.append((action, "status not named", error.message))
            elif str(A(action).label) not in error.message:
                problems.append((action, "action not named", error.message))
        except Exception as error:  # any other refusal is a problem, named below
            problems.append((action, type(error).__name__, str(error)))
        else:
            problems.append((action, "not refused", ""))
        if fresh(case).status != status or events(case) != trail:
            problems.append((action, "changed the case", fresh(case).status))
            break

    assert problems == []


def test_acceptance_starts_the_review_at_once_and_the_trail_shows_both_moves(world):
    case = world.submit()

    case_accept(case=case, actor=world.clerk)

    case_moves = [
        (e.action, e.data["from"], e.data["to"], e.actor)
        for e in events(case)
        if e.action in (CaseEventAction.ACCEPTED, CaseEventAction.REVIEW_STARTED)
    ]
    assert case_moves == [
        (CaseEventAction.ACCEPTED, S.SUBMITTED, S.ACCEPTED, world.clerk.username),
        (CaseEventAction.REVIEW_STARTED, S.ACCEPTED, S.IN_REVIEW, world.clerk.username),
    ]
    actions = [e.action for e in events(case)]
    accepted = actions.index(CaseEventAction.ACCEPTED)
    assert actions[accepted + 1] == CaseEventAction.REVIEW_STARTED
    assert fresh(case).status == S.IN_REVIEW


# -- deciding and delivering (task actions) ---------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "status"), [(Decision.APPROVED, S.APPROVED), (Decision.DENIED, S.DENIED)]
)
def test_a_case_in_review_is_decided(world, decision, status):
    case = ready_to_decide(world)

    case = decide(world, case, decision)

    assert case.status == status
    moves = [(e.data.get("from"), e.data.get("to")) for e in events(case)]
    assert (S.IN_REVIEW, status) in moves


@pytest.mark.parametrize("decision", [Decision.APPROVED, Decision.DENIED])
def test_a_suspended_case_cannot_be_decided(world, decision):
    case = ready_to_decide(world)
    case_suspend(case=case, actor=world.decider, kind=SuspensionKind.HEARING, reason="听证")
    trail = events(case)
    action = A.APPROVE if decision == Decision.APPROVED else A.DENY

    with pytest.raises(Conflict) as refused:
        task_decide(
            task=world.task(case, "decide"),
            actor=world.decider,
            decision=decision,
            reason="理由",
        )

    assert refused.value.code == "transition_not_allowed"
    assert str(S.SUSPENDED.label) in refused.value.message
    assert str(A(action).label) in refused.value.message
    assert fresh(case).status == S.SUSPENDED
    assert events(case) == trail


@pytest.mark.parametrize("status", [S.APPROVED, S.DENIED, S.DELIVERED, S.WITHDRAWN])
def test_the_decision_task_of_a_decided_or_withdrawn_case_is_closed(world, status):
    case = ready_to_decide(world)
    if status == S.WITHDRAWN:
        case_withdraw(case=case, actor=world.applicant_user, reason="撤回")
    else:
        case = decide(world, case, Decision.DENIED if status == S.DENIED else Decision.APPROVED)
    if status == S.DELIVERED:
        task_deliver(task=world.task(case, "deliver"), actor=world.clerk)
    task = Task.objects.get(case=case, step_key="decide")
    trail = events(case)

    with pytest.raises(Conflict) as refused:
        task_decide(task=task, actor=world.decider, decision=Decision.APPROVED)

    assert refused.value.code == "task_not_active"
    assert fresh(case).status == status
    assert events(case) == trail


@pytest.mark.parametrize("decision", [Decision.APPROVED, Decision.DENIED])
def test_a_decided_case_is_delivered_once(world, decision):
    case = decide(world, ready_to_decide(world), decision)
    task = world.task(case, "deliver")

    task_deliver(task=task, actor=world.clerk)

    case = fresh(case)
    assert case.status == S.DELIVERED
    assert (case.decision, case.delivered_on) == (decision, NOW.date())
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE
    trail = events(case)
    with pytest.raises(Conflict) as refused:
        task_deliver(task=task, actor=world.clerk)
    assert refused.value.code == "task_not_active"
    assert events(case) == trail
