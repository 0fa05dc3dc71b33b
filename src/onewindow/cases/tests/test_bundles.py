"""一件事: a parent case with one child case per item (DESIGN.md, "The spine").

world.bundle joins world.item (食品经营许可, department, 10 days) and world.other_item
(施工许可, other_department, 8 days); the bundle promises 15 working days. Time is frozen on
Monday 2 March 2026 (no holiday in March 2026).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.cases.constants import (
    AcceptanceMode,
    CaseEventAction,
    CaseStatus,
    Decision,
    MaterialState,
    SuspensionKind,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.services import (
    DEFAULT_REMEDY_NOTICE,
    case_accept,
    case_refuse,
    case_request_correction,
    case_resubmit,
    case_submit,
    case_suspend,
    case_withdraw,
    material_upload,
    task_claim,
    task_complete,
    task_decide,
    task_deliver,
)
from onewindow.cases.tests.factories import World, pdf_upload
from onewindow.core.audit import audit_verify
from onewindow.core.errors import Conflict
from onewindow.core.models import AuditEvent

pytestmark = pytest.mark.django_db

D = dt.date
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MERGED = ["申请表", "营业场所证明", "安全管理制度", "情况说明", "施工合同"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def children(parent: Case) -> tuple[Case, Case]:
    """(the 食品经营许可 child, the 施工许可 child)."""
    by_title = {child.title: child for child in Case.objects.filter(parent=parent)}
    return by_title["食品经营许可"], by_title["施工许可"]


def accepted_bundle(world: World, **accept) -> Case:
    parent = world.submit(bundle=world.bundle)
    case_accept(case=parent, actor=world.clerk, **accept)
    return fresh(parent)


def decide_child(world: World, child: Case, decision: str = Decision.APPROVED) -> None:
    food = child.item_version_id == world.item.pk
    reviewer = world.reviewer if food else world.other_reviewer
    decider = world.decider if food else world.other_decider
    review = world.task(child, "review")
    task_claim(task=review, actor=reviewer)
    task_complete(task=review, actor=reviewer)
    reason = "不符合条件" if decision == Decision.DENIED else ""
    task_decide(task=world.task(child, "decide"), actor=decider, decision=decision, reason=reason)


def test_a_bundle_application_is_a_parent_with_one_child_per_item(world):
    parent = world.submit(bundle=world.bundle)

    assert (parent.bundle, parent.item_version, parent.parent) == (world.bundle, None, None)
    assert parent.status == CaseStatus.SUBMITTED
    food, building = children(parent)
    assert (food.item_version, food.department) == (world.item, world.department)
    assert (building.item_version, building.department) == (
        world.other_item,
        world.other_department,
    )
    assert {food.status, building.status} == {CaseStatus.SUBMITTED}
    assert food.query_code == building.query_code == parent.query_code
    # The materials are merged on the parent: 申请表, asked by both items, once.
    names = list(CaseMaterial.objects.filter(case=parent).values_list("name", flat=True))
    assert names == MERGED
    assert not CaseMaterial.objects.filter(case__parent=parent).exists()


def test_acceptance_accepts_every_child_and_their_reviews_run_in_parallel(world):
    parent = accepted_bundle(world)

    assert parent.status == CaseStatus.IN_REVIEW
    # The bundle's one deadline: 15 working days after 2 Mar → 23 Mar.
    assert (parent.limit_days, parent.deadline) == (15, D(2026, 3, 23))
    assert not Task.objects.filter(case=parent).exists()
    food, building = children(parent)
    assert (food.status, food.accepted_on, food.deadline) == (
        CaseStatus.IN_REVIEW,
        NOW.date(),
        D(2026, 3, 16),  # 10 working days
    )
    assert (building.status, building.deadline) == (CaseStatus.IN_REVIEW, D(2026, 3, 12))  # 8
    food_review, building_review = world.task(food, "review"), world.task(building, "review")
    assert food_review.department == world.department
    assert building_review.department == world.other_department
    # Each department works on its own child, in any order.
    decide_child(world, building)
    assert fresh(building).status == CaseStatus.APPROVED
    assert world.task(food, "review").status == TaskStatus.OPEN


def test_the_unified_delivery_opens_only_when_every_child_is_decided(world):
    parent = accepted_bundle(world)
    food, building = children(parent)

    decide_child(world, food)

    assert fresh(parent).status == CaseStatus.IN_REVIEW
    assert not Task.objects.filter(case=parent).exists()
    assert not Task.objects.filter(case=food, kind=TaskKind.DELIVERY).exists()

    decide_child(world, building)

    parent = fresh(parent)
    assert (parent.status, parent.decision, parent.on_time) == (
        CaseStatus.APPROVED,
        Decision.APPROVED,
        True,
    )
    delivery = Task.objects.get(case=parent)
    assert (delivery.kind, delivery.role, delivery.name, delivery.department) == (
        TaskKind.DELIVERY,
        "window_clerk",
        "统一出件",
        world.department,
    )
    assert not Task.objects.filter(case__parent=parent, kind=TaskKind.DELIVERY).exists()


def test_delivering_the_bundle_delivers_the_parent_and_every_child_at_once(world):
    parent = accepted_bundle(world)
    food, building = children(parent)
    decide_child(world, food)
    decide_child(world, building)

    task_deliver(task=Task.objects.get(case=parent), actor=world.clerk, comment="当面领取")

    statuses = {fresh(case).status for case in (parent, food, building)}
    assert statuses == {CaseStatus.DELIVERED}
    assert {fresh(case).delivered_on for case in (parent, food, building)} == {NOW.date()}
    for case in (parent, food, building):
        assert CaseEventAction.DELIVERED in AuditEvent.objects.filter(
            object_id=case.number
        ).values_list("action", flat=True)
    assert audit_verify().ok


def test_one_denied_child_makes_the_bundle_decision_a_denial_with_a_partial_note(world):
    parent = accepted_bundle(world)
    food, building = children(parent)

    decide_child(world, food)
    decide_child(world, building, Decision.DENIED)

    parent = fresh(parent)
    assert (parent.status, parent.decision) == (CaseStatus.DENIED, Decision.DENIED)
    assert parent.decision_reason == "部分事项不予许可，详见各子件决定"
    assert parent.remedy_notice == DEFAULT_REMEDY_NOTICE
    assert (fresh(food).decision, fresh(building).decision) == (
        Decision.APPROVED,
        Decision.DENIED,
    )
    # The applicant still collects everything at once.
    task_deliver(task=Task.objects.get(case=parent), actor=world.clerk)
    assert {fresh(c).status for c in (parent, food, building)} == {CaseStatus.DELIVERED}


def test_a_child_is_never_submitted_corrected_refused_accepted_or_withdrawn_alone(world):
    draft_parent = world.submit(bundle=world.bundle)
    food, _building = children(draft_parent)
    attempts = [
        lambda: case_submit(case=food, actor=world.applicant_user),
        lambda: case_request_correction(case=food, actor=world.clerk, items=["缺少申请表"]),
        lambda: case_resubmit(case=food, actor=world.applicant_user),
        lambda: case_refuse(case=food, actor=world.clerk, reason="理由", legal_basis="依据"),
        lambda: case_accept(case=food, actor=world.clerk),
        lambda: case_withdraw(case=food, actor=world.applicant_user, reason="撤回"),
    ]
    before = AuditEvent.objects.count()

    for attempt in attempts:
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "child_case"

    assert fresh(food).status == CaseStatus.SUBMITTED
    assert AuditEvent.objects.count() == before


def test_a_decided_child_has_no_delivery_of_its_own(world):
    parent = accepted_bundle(world)
    food, _building = children(parent)

    decide_child(world, food)

    assert fresh(food).status == CaseStatus.APPROVED
    assert not Task.objects.filter(case=food).active().exists()
    with pytest.raises(Conflict) as refused:
        case_withdraw(case=food, actor=world.applicant_user, reason="撤回")
    assert refused.value.code == "child_case"


def test_withdrawing_the_parent_withdraws_every_child_and_cancels_their_tasks(world):
    parent = accepted_bundle(world)
    food, building = children(parent)
    case_suspend(
        case=building, actor=world.other_reviewer, kind=SuspensionKind.TESTING, reason="检测"
    )

    case_withdraw(case=parent, actor=world.applicant_user, reason="项目取消")

    for case in (parent, food, building):
        case = fresh(case)
        assert (case.status, case.withdrawal_reason) == (CaseStatus.WITHDRAWN, "项目取消")
    assert not Task.objects.filter(case__parent=parent).active().exists()
    assert Task.objects.filter(case__parent=parent, status=TaskStatus.CANCELLED).count() == 2


def test_a_bundle_cannot_be_withdrawn_once_a_child_is_decided(world):
    parent = accepted_bundle(world)
    food, building = children(parent)
    decide_child(world, food)

    with pytest.raises(Conflict) as refused:
        case_withdraw(case=parent, actor=world.applicant_user, reason="撤回")

    assert refused.value.code == "transition_not_allowed"
    assert fresh(parent).status == CaseStatus.IN_REVIEW
    assert (fresh(food).status, fresh(building).status) == (
        CaseStatus.APPROVED,
        CaseStatus.IN_REVIEW,
    )


def test_refusing_the_parent_refuses_every_child(world):
    parent = world.submit(bundle=world.bundle)

    case_refuse(
        case=parent, actor=world.clerk, reason="不属于本区", legal_basis="行政许可法第三十二条"
    )

    assert {fresh(c).status for c in (parent, *children(parent))} == {CaseStatus.NOT_ACCEPTED}
    assert {fresh(c).refusal_reason for c in children(parent)} == {"不属于本区"}


def test_a_tolerated_gap_of_the_bundle_is_supplied_once_on_the_parent(world):
    parent = world.submit(bundle=world.bundle, skip=("营业场所证明",))
    premises = CaseMaterial.objects.get(case=parent, name="营业场所证明")
    case_accept(
        case=parent, actor=world.clerk, mode=AcceptanceMode.TOLERATED, tolerated=[premises.pk]
    )
    food, building = children(parent)
    assert {fresh(c).tolerance_due_on for c in (parent, food, building)} == {D(2026, 3, 9)}

    # Given through a child's number, the material still lands on the parent.
    material_upload(
        case=food, material_id=premises.pk, uploaded=pdf_upload(), actor=world.applicant_user
    )

    assert CaseMaterial.objects.get(pk=premises.pk).state == MaterialState.UPLOADED
    assert {fresh(c).tolerance_due_on for c in (parent, food, building)} == {None}
    supplemented = AuditEvent.objects.get(action=CaseEventAction.MATERIAL_SUPPLEMENTED)
    assert supplemented.object_id == parent.number
