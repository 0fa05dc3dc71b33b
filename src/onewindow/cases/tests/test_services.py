"""The case services: the rules of acceptance, the workflow engine, the clock, the trail.

Time is frozen on Monday 2 March 2026, 10:00 in Shanghai (no holiday in March 2026).
Dates are counted by hand in the comments; the standard item (world.item, 食品经营许可) has a
promised limit of 10 working days and a review step of 7 (``standard_steps(10)``), so a case
accepted on 2 Mar has its deadline on Mon 16 Mar (3, 4, 5, 6, 9, 10, 11, 12, 13, 16) and its
review task on Wed 11 Mar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.cases.constants import (
    AcceptanceMode,
    CaseEventAction,
    CaseStatus,
    Decision,
    Light,
    MaterialState,
    SuspensionKind,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.models import Case, CaseMaterial, Commitment, Suspension, Task
from onewindow.cases.services import (
    DEFAULT_REMEDY_NOTICE,
    case_accept,
    case_create,
    case_extend,
    case_handle_on_the_spot,
    case_refuse,
    case_request_correction,
    case_resubmit,
    case_resume,
    case_submit,
    case_suspend,
    case_withdraw,
    material_receive_paper,
    material_upload,
    recompute_deadlines,
    task_claim,
    task_complete,
    task_decide,
    task_deliver,
    task_request_co_review,
    task_return,
    task_transfer,
)
from onewindow.cases.tests.factories import World, pdf_upload
from onewindow.catalog.tests.factories import make_item, material
from onewindow.core.audit import audit_verify
from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.core.services import holiday_notice_load
from onewindow.inspections.models import CommitmentVerification

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date
TODAY = D(2026, 3, 2)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def events(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="case", object_id=case.number))


def actions(case: Case) -> list[str]:
    return [event.action for event in events(case)]


def row(case: Case, name: str) -> CaseMaterial:
    return CaseMaterial.objects.get(case=case, name=name)


def open_tasks(case: Case) -> dict[str, Task]:
    return {task.step_key: task for task in Task.objects.filter(case=case).active()}


def review_done(world: World, case: Case) -> None:
    review = world.task(case, "review")
    task_claim(task=review, actor=world.reviewer)
    task_complete(task=review, actor=world.reviewer, comment="符合条件")


# -- acceptance -----------------------------------------------------------------------------


def test_a_complete_application_is_accepted_and_its_clock_starts_today(world):
    case = world.submit()

    case_accept(case=case, actor=world.clerk)

    case = fresh(case)
    assert case.status == CaseStatus.IN_REVIEW
    assert (case.acceptance_mode, case.accepted_on, case.accepted_by) == (
        AcceptanceMode.NORMAL,
        TODAY,
        world.clerk,
    )
    assert (case.limit_days, case.legal_limit_days) == (10, 20)
    assert case.deadline == D(2026, 3, 16)
    assert case.yellow_from == D(2026, 3, 12)  # threshold 2: 13 and 16 Mar remain
    assert case.deadline_provisional is False
    accept = Task.objects.get(case=case, step_key="accept")
    assert (accept.status, accept.completed_by) == (TaskStatus.DONE, world.clerk)
    review = world.task(case, "review")
    assert (review.status, review.department, review.deadline) == (
        TaskStatus.OPEN,
        world.department,
        D(2026, 3, 11),
    )


def test_an_optional_material_may_be_missing(world):
    case = world.submit(skip=("情况说明",))

    case_accept(case=case, actor=world.clerk)

    assert fresh(case).status == CaseStatus.IN_REVIEW


def test_missing_required_materials_are_named_and_nothing_changes(world):
    case = world.submit(skip=("申请表", "营业场所证明"))
    trail = events(case)

    with pytest.raises(ValidationFailed) as refused:
        case_accept(case=case, actor=world.clerk)

    listed = "".join(refused.value.fields["materials"])
    assert "申请表" in listed and "营业场所证明" in listed
    assert "情况说明" not in listed and "安全管理制度" not in listed
    assert fresh(case).status == CaseStatus.SUBMITTED
    assert events(case) == trail


def test_tolerated_acceptance_marks_the_material_and_gives_five_working_days(world):
    case = world.submit(skip=("营业场所证明",))
    premises = row(case, "营业场所证明")

    case_accept(
        case=case, actor=world.clerk, mode=AcceptanceMode.TOLERATED, tolerated=[premises.pk]
    )

    case = fresh(case)
    assert case.status == CaseStatus.IN_REVIEW
    assert case.acceptance_mode == AcceptanceMode.TOLERATED
    # 5 working days after Mon 2 Mar: 3, 4, 5, 6, 9 Mar.
    assert case.tolerance_due_on == D(2026, 3, 9)
    assert row(case, "营业场所证明").state == MaterialState.TOLERATED
    accepted = next(e for e in events(case) if e.action == CaseEventAction.ACCEPTED)
    assert accepted.data["tolerated"] == ["营业场所证明"]


def test_tolerated_acceptance_takes_an_explicit_due_date_after_today(world):
    case = world.submit(skip=("营业场所证明",))
    premises = row(case, "营业场所证明")

    for due in (TODAY, TODAY - dt.timedelta(days=1)):
        with pytest.raises(ValidationFailed) as refused:
            case_accept(
                case=case,
                actor=world.clerk,
                mode=AcceptanceMode.TOLERATED,
                tolerated=[premises.pk],
                tolerance_due_on=due,
            )
        assert "tolerance_due_on" in refused.value.fields
        assert fresh(case).status == CaseStatus.SUBMITTED

    case_accept(
        case=case,
        actor=world.clerk,
        mode=AcceptanceMode.TOLERATED,
        tolerated=[premises.pk],
        tolerance_due_on=D(2026, 3, 3),
    )
    assert fresh(case).tolerance_due_on == D(2026, 3, 3)


def test_only_tolerable_missing_materials_may_be_tolerated(world):
    case = world.submit(skip=("申请表",))
    form = row(case, "申请表")  # required, not tolerable
    uploaded = row(case, "营业场所证明")  # tolerable but already uploaded

    cases = [
        ({"tolerated": [form.pk]}, "tolerated", "申请表"),
        ({"tolerated": [uploaded.pk]}, "tolerated", "营业场所证明"),
        ({"tolerated": []}, "tolerated", ""),
    ]
    for kwargs, field, name in cases:
        with pytest.raises(ValidationFailed) as refused:
            case_accept(case=case, actor=world.clerk, mode=AcceptanceMode.TOLERATED, **kwargs)
        assert name in "".join(refused.value.fields[field])
    # Tolerated materials belong to the tolerated mode only.
    with pytest.raises(ValidationFailed) as refused:
        case_accept(case=case, actor=world.clerk, tolerated=[uploaded.pk])
    assert "tolerated" in refused.value.fields
    assert fresh(case).status == CaseStatus.SUBMITTED
    assert row(case, "营业场所证明").state == MaterialState.UPLOADED


def test_commitment_acceptance_records_the_signed_text_and_opens_a_verification(world):
    case = world.submit(skip=("安全管理制度",))
    rules = row(case, "安全管理制度")
    text = "本人承诺已建立食品安全管理制度，如有不实，愿承担相应法律责任。"

    case_accept(
        case=case,
        actor=world.clerk,
        mode=AcceptanceMode.COMMITMENT,
        committed=[rules.pk],
        commitment_text=f"  {text}  ",
        commitment_signed_name="李四",
    )

    case = fresh(case)
    assert case.status == CaseStatus.IN_REVIEW
    assert row(case, "安全管理制度").state == MaterialState.COMMITTED
    commitment = Commitment.objects.get(case=case)
    assert commitment.text == text
    assert commitment.text_sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert (commitment.signed_name, commitment.signed_at) == ("李四", at(TODAY))
    assert commitment.materials == ["安全管理制度"]
    verification = CommitmentVerification.objects.get(case_number=case.number)
    assert verification.department == world.department
    assert verification.commitment_sha256 == commitment.text_sha256
    assert verification.materials == ["安全管理制度"]
    # 20 working days after Mon 2 Mar: 3–6 (4), 9–13 (9), 16–20 (14), 23–27 (19), 30 Mar.
    assert verification.due_on == D(2026, 3, 30)
    assert CaseEventAction.COMMITMENT_SIGNED in actions(case)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"commitment_text": ""}, "commitment_text"),
        ({"commitment_text": "   "}, "commitment_text"),
        ({"commitment_signed_name": ""}, "commitment_signed_name"),
        ({"committed": []}, "committed"),
    ],
)
def test_a_commitment_needs_its_text_its_signer_and_its_materials(world, kwargs, field):
    case = world.submit(skip=("安全管理制度",))
    values = {
        "committed": [row(case, "安全管理制度").pk],
        "commitment_text": "本人承诺所填信息真实。",
        "commitment_signed_name": "李四",
    } | kwargs

    with pytest.raises(ValidationFailed) as refused:
        case_accept(case=case, actor=world.clerk, mode=AcceptanceMode.COMMITMENT, **values)

    assert field in refused.value.fields
    assert fresh(case).status == CaseStatus.SUBMITTED
    assert not Commitment.objects.filter(case=case).exists()
    assert not CommitmentVerification.objects.exists()


def test_only_materials_that_allow_it_may_be_replaced_by_a_commitment(world):
    case = world.submit(skip=("营业场所证明",))
    premises = row(case, "营业场所证明")  # tolerable, but not commitment_allowed

    with pytest.raises(ValidationFailed) as refused:
        case_accept(
            case=case,
            actor=world.clerk,
            mode=AcceptanceMode.COMMITMENT,
            committed=[premises.pk],
            commitment_text="承诺",
            commitment_signed_name="李四",
        )

    assert "营业场所证明" in "".join(refused.value.fields["committed"])
    assert fresh(case).status == CaseStatus.SUBMITTED


def test_materials_of_another_case_cannot_be_tolerated(world):
    case = world.submit(skip=("营业场所证明",))
    other = world.submit(skip=("营业场所证明",))

    with pytest.raises(ValidationFailed) as refused:
        case_accept(
            case=case,
            actor=world.clerk,
            mode=AcceptanceMode.TOLERATED,
            tolerated=[row(other, "营业场所证明").pk],
        )

    assert "materials" in refused.value.fields
    assert row(other, "营业场所证明").state == MaterialState.MISSING


# -- pre-review: correction and refusal ------------------------------------------------------


def test_correction_is_asked_at_once_and_a_second_request_may_only_repeat_it(world):
    case = world.submit()
    first = ["申请表缺少签字", "营业场所证明不清晰"]
    case_request_correction(case=case, actor=world.clerk, items=first)
    case = fresh(case)
    assert (case.status, case.correction_items) == (CaseStatus.CORRECTION_REQUESTED, first)
    case_resubmit(case=case, actor=world.applicant_user)

    # Adding an item the first notice did not list is refused, naming it.
    with pytest.raises(ValidationFailed) as refused:
        case_request_correction(case=case, actor=world.clerk, items=["申请表缺少签字", "缺少公章"])
    assert refused.value.code == "correction_not_at_once"
    assert "缺少公章" in "".join(refused.value.fields["items"])
    assert fresh(case).status == CaseStatus.SUBMITTED

    # Repeating what is still not put right is allowed.
    case_request_correction(case=case, actor=world.clerk, items=["营业场所证明不清晰"])
    case = fresh(case)
    assert (case.status, case.correction_items) == (
        CaseStatus.CORRECTION_REQUESTED,
        ["营业场所证明不清晰"],
    )


@pytest.mark.parametrize("items", [[], ["", "   "]])
def test_a_correction_lists_something(world, items):
    case = world.submit()

    with pytest.raises(ValidationFailed) as refused:
        case_request_correction(case=case, actor=world.clerk, items=items)

    assert "items" in refused.value.fields
    assert fresh(case).status == CaseStatus.SUBMITTED


@pytest.mark.parametrize(
    ("reason", "legal_basis", "field"),
    [("", "行政许可法第三十二条", "reason"), ("不属于本机关职权", "  ", "legal_basis")],
)
def test_refusal_needs_a_reason_and_a_legal_basis(world, reason, legal_basis, field):
    case = world.submit()

    with pytest.raises(ValidationFailed) as refused:
        case_refuse(case=case, actor=world.clerk, reason=reason, legal_basis=legal_basis)

    assert field in refused.value.fields
    assert fresh(case).status == CaseStatus.SUBMITTED


def test_refusal_keeps_its_reason_and_basis_on_the_case_and_the_trail(world):
    case = world.submit()

    case_refuse(
        case=case, actor=world.clerk, reason="不属于本机关职权", legal_basis="行政许可法第三十二条"
    )

    case = fresh(case)
    assert case.status == CaseStatus.NOT_ACCEPTED
    assert (case.refusal_reason, case.refusal_legal_basis) == (
        "不属于本机关职权",
        "行政许可法第三十二条",
    )
    refused = next(e for e in events(case) if e.action == CaseEventAction.REFUSED)
    assert refused.data["reason"] == "不属于本机关职权"
    assert refused.data["legal_basis"] == "行政许可法第三十二条"


# -- the workflow engine ---------------------------------------------------------------------


def test_parallel_steps_open_at_once_and_the_decision_waits_for_both(world):
    case = world.accepted(world.parallel)

    tasks = open_tasks(case)
    assert set(tasks) == {"review", "inspect"}
    assert tasks["review"].department == world.department
    assert tasks["inspect"].department == world.other_department

    task_claim(task=tasks["review"], actor=world.reviewer)
    task_complete(task=tasks["review"], actor=world.reviewer)
    assert set(open_tasks(case)) == {"inspect"}

    task_claim(task=tasks["inspect"], actor=world.other_reviewer)
    task_complete(task=tasks["inspect"], actor=world.other_reviewer, comment="现场符合")
    decide = open_tasks(case)["decide"]
    assert set(open_tasks(case)) == {"decide"}
    assert (decide.kind, decide.department) == (TaskKind.DECISION, world.department)


def test_return_sends_the_case_back_to_the_previous_step(world):
    case = world.accepted()
    review_done(world, case)
    decide = world.task(case, "decide")

    task_return(task=decide, actor=world.decider, reason="请补充核查意见")

    assert Task.objects.get(pk=decide.pk).status == TaskStatus.RETURNED
    reopened = open_tasks(case)
    assert set(reopened) == {"review"}
    assert reopened["review"].assignee is None
    returned = next(e for e in events(case) if e.action == CaseEventAction.TASK_RETURNED)
    assert returned.data["steps"] == ["review"]
    assert (returned.data["from"], returned.data["to"]) == (TaskStatus.OPEN, TaskStatus.RETURNED)
    # Once reviewed again, the decision opens again.
    review_done(world, case)
    assert set(open_tasks(case)) == {"decide"}


def test_return_from_a_join_reopens_every_parallel_step(world):
    case = world.accepted(world.parallel)
    tasks = open_tasks(case)
    task_complete(task=tasks["review"], actor=world.reviewer)
    task_complete(task=tasks["inspect"], actor=world.other_reviewer)

    task_return(task=world.task(case, "decide"), actor=world.decider, reason="意见不一致")

    assert set(open_tasks(case)) == {"review", "inspect"}


def test_return_is_refused_when_the_previous_step_is_the_window_acceptance(world):
    case = world.accepted()
    review = world.task(case, "review")
    trail = events(case)

    with pytest.raises(Conflict) as refused:
        task_return(task=review, actor=world.reviewer, reason="材料不全")

    assert refused.value.code == "cannot_return"
    assert Task.objects.get(pk=review.pk).status == TaskStatus.OPEN
    assert events(case) == trail


def test_return_needs_a_reason(world):
    case = world.accepted()
    review_done(world, case)

    with pytest.raises(ValidationFailed) as refused:
        task_return(task=world.task(case, "decide"), actor=world.decider, reason=" ")

    assert "reason" in refused.value.fields


def test_a_task_is_transferred_only_to_a_holder_of_its_role_in_its_department(world):
    case = world.accepted()
    review = task_claim(task=world.task(case, "review"), actor=world.reviewer)

    for to_user in (world.other_reviewer, world.decider, world.clerk, world.reviewer):
        with pytest.raises(ValidationFailed) as refused:
            task_transfer(task=review, actor=world.reviewer, to_user=to_user, reason="出差")
        assert "to_user" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        task_transfer(task=review, actor=world.reviewer, to_user=world.reviewer2, reason="")
    assert "reason" in refused.value.fields
    assert Task.objects.get(pk=review.pk).assignee == world.reviewer

    task_transfer(task=review, actor=world.reviewer, to_user=world.reviewer2, reason="出差")

    review = Task.objects.get(pk=review.pk)
    assert (review.status, review.assignee) == (TaskStatus.CLAIMED, world.reviewer2)
    # The former holder can no longer act on it.
    with pytest.raises(Conflict) as refused:
        task_complete(task=review, actor=world.reviewer)
    assert refused.value.code == "task_taken"


def test_a_co_review_blocks_the_step_until_it_is_done(world):
    case = world.accepted()
    review = task_claim(task=world.task(case, "review"), actor=world.reviewer)

    co_review = task_request_co_review(
        task=review,
        actor=world.reviewer,
        department=world.other_department,
        reason="涉及施工安全",
        limit_days=3,
    )

    assert (co_review.kind, co_review.department, co_review.parent_task_id) == (
        TaskKind.CO_REVIEW,
        world.other_department,
        review.pk,
    )
    assert co_review.deadline == D(2026, 3, 5)  # 3, 4, 5 Mar
    with pytest.raises(Conflict) as refused:
        task_complete(task=review, actor=world.reviewer)
    assert refused.value.code == "co_review_pending"
    assert "decide" not in open_tasks(case)

    task_complete(task=co_review, actor=world.other_reviewer, comment="同意")
    assert "decide" not in open_tasks(case)  # the co-review alone moves nothing
    task_complete(task=review, actor=world.reviewer)
    assert "decide" in open_tasks(case)


@pytest.mark.parametrize(
    ("target", "limit_days", "field"),
    [("same", 3, "department"), ("other", 0, "limit_days"), ("other", 21, "limit_days")],
)
def test_a_co_review_goes_to_another_department_within_twenty_days(
    world, target, limit_days, field
):
    case = world.accepted()
    review = task_claim(task=world.task(case, "review"), actor=world.reviewer)
    department = world.department if target == "same" else world.other_department

    with pytest.raises(ValidationFailed) as refused:
        task_request_co_review(
            task=review,
            actor=world.reviewer,
            department=department,
            reason="会签",
            limit_days=limit_days,
        )

    assert field in refused.value.fields
    assert not Task.objects.filter(kind=TaskKind.CO_REVIEW).exists()


# -- suspension and extension ----------------------------------------------------------------


def test_suspension_pauses_the_case_and_its_open_tasks_by_the_paused_working_days(world):
    case = world.accepted()  # deadline Mon 16 Mar, review task Wed 11 Mar

    with time_machine.travel(at(D(2026, 3, 4)), tick=False):
        case_suspend(case=case, actor=world.reviewer, kind=SuspensionKind.TESTING, reason="送检")
        lit = Case.objects.with_light(D(2026, 3, 4)).get(pk=case.pk)
        assert (lit.status, lit.light) == (CaseStatus.SUSPENDED, Light.PAUSED)
        with pytest.raises(Conflict) as refused:
            task_complete(task=world.task(case, "review"), actor=world.reviewer)
        assert refused.value.code == "case_suspended"
    with time_machine.travel(at(D(2026, 3, 10)), tick=False):
        suspension = case_resume(case=case, actor=world.reviewer)

    # Not counted: working days after Wed 4 Mar up to the resume on Tue 10 Mar:
    # 5, 6, 9, 10 Mar = 4.
    assert (suspension.started_on, suspension.ended_on, suspension.paused_days) == (
        D(2026, 3, 4),
        D(2026, 3, 10),
        4,
    )
    case = fresh(case)
    assert (case.status, case.paused_days) == (CaseStatus.IN_REVIEW, 4)
    # 14 working days after 2 Mar: …16 Mar (10), 17, 18, 19, 20 Mar.
    assert case.deadline == D(2026, 3, 20)
    assert case.yellow_from == D(2026, 3, 18)  # threshold of the 10-day limit: 19, 20 remain
    # The review task: 11 Mar pushed by 4 working days: 12, 13, 16, 17 Mar.
    review = world.task(case, "review")
    assert review.deadline == D(2026, 3, 17)
    resumed = next(e for e in events(case) if e.action == CaseEventAction.RESUMED)
    assert (resumed.data["paused_days"], resumed.data["deadline"]) == (4, "2026-03-20")


def test_a_suspension_needs_a_known_kind_and_a_reason(world):
    case = world.accepted()

    with pytest.raises(ValidationFailed) as refused:
        case_suspend(case=case, actor=world.reviewer, kind="holiday", reason="理由")
    assert "kind" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        case_suspend(case=case, actor=world.reviewer, kind=SuspensionKind.HEARING, reason="")
    assert "reason" in refused.value.fields
    assert fresh(case).status == CaseStatus.IN_REVIEW
    assert not Suspension.objects.exists()


def test_a_decider_extends_the_deadline_once_with_a_reason(world):
    case = world.accepted()  # deadline Mon 16 Mar

    case_extend(case=case, actor=world.decider, days=5, reason="情况复杂，需进一步核实")

    case = fresh(case)
    assert (case.extension_days, case.extended_by) == (5, world.decider)
    assert case.extension_reason == "情况复杂，需进一步核实"
    assert case.deadline == D(2026, 3, 23)  # 17, 18, 19, 20, 23 Mar
    assert case.yellow_from == D(2026, 3, 18)  # threshold of 15 days is 3: 19, 20, 23 remain
    extended = next(e for e in events(case) if e.action == CaseEventAction.EXTENDED)
    assert extended.data == {
        "days": 5,
        "reason": "情况复杂，需进一步核实",
        "deadline": "2026-03-23",
    }
    with pytest.raises(Conflict) as refused:
        case_extend(case=case, actor=world.decider, days=1, reason="再延长")
    assert refused.value.code == "already_extended"
    assert fresh(case).deadline == D(2026, 3, 23)


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [(11, "复杂", "days"), (0, "复杂", "days"), (-1, "复杂", "days"), (5, "  ", "reason")],
)
def test_an_extension_is_one_to_ten_days_with_a_reason(world, days, reason, field):
    case = world.accepted()

    with pytest.raises(ValidationFailed) as refused:
        case_extend(case=case, actor=world.decider, days=days, reason=reason)

    assert field in refused.value.fields
    assert (fresh(case).extension_days, fresh(case).deadline) == (0, D(2026, 3, 16))


def test_ten_extension_days_are_allowed(world):
    case = world.accepted()

    case_extend(case=case, actor=world.decider, days=10, reason="依法延长")

    assert fresh(case).deadline == D(2026, 3, 30)  # 17–20, 23–27, 30 Mar


def test_a_decided_case_cannot_be_extended(world):
    case = world.decided()

    with pytest.raises(Conflict):
        case_extend(case=case, actor=world.decider, days=3, reason="延长")

    assert fresh(case).extension_days == 0


# -- decision and delivery -------------------------------------------------------------------


def test_approval_records_the_decision_and_opens_the_delivery(world):
    case = world.accepted()
    review_done(world, case)
    decide = world.task(case, "decide")

    task_decide(task=decide, actor=world.decider, decision=Decision.APPROVED)

    case = fresh(case)
    assert (case.status, case.decision, case.decided_by) == (
        CaseStatus.APPROVED,
        Decision.APPROVED,
        world.decider,
    )
    assert (case.decided_on, case.on_time, case.remedy_notice) == (TODAY, True, "")
    assert Task.objects.get(pk=decide.pk).status == TaskStatus.DONE
    delivery = world.task(case, "deliver")
    assert (delivery.kind, delivery.role) == (TaskKind.DELIVERY, "window_clerk")


def test_a_denial_needs_a_reason_and_tells_the_remedies(world):
    case = world.accepted()
    review_done(world, case)
    decide = world.task(case, "decide")

    with pytest.raises(ValidationFailed) as refused:
        task_decide(task=decide, actor=world.decider, decision=Decision.DENIED, reason=" ")
    assert "reason" in refused.value.fields
    assert fresh(case).status == CaseStatus.IN_REVIEW

    task_decide(task=decide, actor=world.decider, decision=Decision.DENIED, reason="场所不符合要求")

    case = fresh(case)
    assert (case.status, case.decision_reason) == (CaseStatus.DENIED, "场所不符合要求")
    assert case.remedy_notice == DEFAULT_REMEDY_NOTICE
    assert "行政复议" in case.remedy_notice and "行政诉讼" in case.remedy_notice


def test_a_denial_keeps_a_remedy_text_given_by_the_decider(world):
    case = world.accepted()
    review_done(world, case)

    task_decide(
        task=world.task(case, "decide"),
        actor=world.decider,
        decision=Decision.DENIED,
        reason="不符合条件",
        remedy_notice="可于六十日内向区人民政府申请行政复议。",
    )

    assert fresh(case).remedy_notice == "可于六十日内向区人民政府申请行政复议。"


def test_an_unknown_decision_is_refused(world):
    case = world.accepted()
    review_done(world, case)

    with pytest.raises(ValidationFailed) as refused:
        task_decide(task=world.task(case, "decide"), actor=world.decider, decision="maybe")

    assert "decision" in refused.value.fields
    assert fresh(case).status == CaseStatus.IN_REVIEW


@pytest.mark.parametrize(("decided", "on_time"), [(D(2026, 3, 16), True), (D(2026, 3, 17), False)])
def test_on_time_is_fixed_when_the_decision_is_made(world, decided, on_time):
    case = world.accepted()  # deadline Mon 16 Mar

    with time_machine.travel(at(decided, 17), tick=False):
        review_done(world, case)
        task_decide(task=world.task(case, "decide"), actor=world.decider, decision="approved")
    assert fresh(case).on_time is on_time
    # A late delivery does not change it.
    with time_machine.travel(at(D(2026, 4, 20)), tick=False):
        task_deliver(task=world.task(case, "deliver"), actor=world.clerk)

    case = fresh(case)
    assert (case.status, case.decided_on, case.on_time) == (
        CaseStatus.DELIVERED,
        decided,
        on_time,
    )
    assert case.delivered_on == D(2026, 4, 20)


def test_an_on_the_spot_item_is_delivered_the_same_day(world):
    case = world.submit(world.immediate, actor=world.clerk)

    case_handle_on_the_spot(case=case, actor=world.clerk)

    case = fresh(case)
    assert case.status == CaseStatus.DELIVERED
    assert case.accepted_on == case.decided_on == case.delivered_on == case.deadline == TODAY
    assert (case.decision, case.on_time) == (Decision.APPROVED, True)
    assert not Task.objects.filter(case=case).active().exists()
    trail = actions(case)
    assert trail.index(CaseEventAction.ACCEPTED) < trail.index(CaseEventAction.APPROVED)
    assert trail[-1] == CaseEventAction.DELIVERED


def test_only_an_on_the_spot_item_is_handled_on_the_spot(world):
    case = world.submit()

    with pytest.raises(Conflict) as refused:
        case_handle_on_the_spot(case=case, actor=world.clerk)

    assert refused.value.code == "not_immediate"
    assert fresh(case).status == CaseStatus.SUBMITTED


# -- withdrawal ------------------------------------------------------------------------------


def test_withdrawal_before_the_decision_cancels_the_active_tasks(world):
    case = world.accepted(world.parallel)

    case_withdraw(case=case, actor=world.applicant_user, reason="经营计划调整")

    case = fresh(case)
    assert (case.status, case.withdrawal_reason) == (CaseStatus.WITHDRAWN, "经营计划调整")
    assert case.withdrawn_at == at(TODAY)
    statuses = {task.step_key: task.status for task in Task.objects.filter(case=case)}
    assert statuses == {
        "accept": TaskStatus.DONE,
        "review": TaskStatus.CANCELLED,
        "inspect": TaskStatus.CANCELLED,
    }
    assert actions(case).count(CaseEventAction.TASK_CANCELLED) == 2


def test_withdrawing_a_suspended_case_ends_its_suspension(world):
    case = world.accepted()
    case_suspend(case=case, actor=world.reviewer, kind=SuspensionKind.HEARING, reason="听证")

    case_withdraw(case=case, actor=world.clerk, reason="申请人书面撤回")

    assert fresh(case).status == CaseStatus.WITHDRAWN
    assert Suspension.objects.get(case=case).ended_on == TODAY


def test_withdrawal_is_refused_after_the_decision(world):
    case = world.decided()

    with pytest.raises(Conflict) as refused:
        case_withdraw(case=case, actor=world.applicant_user, reason="撤回")

    assert refused.value.code == "transition_not_allowed"
    assert fresh(case).status == CaseStatus.APPROVED
    assert world.task(case, "deliver").status == TaskStatus.OPEN


# -- materials after acceptance --------------------------------------------------------------


@pytest.fixture
def two_gaps(world):
    """An item with two tolerable materials, both tolerated at acceptance."""
    item = make_item(
        world.zone,
        world.department,
        name="公共场所卫生许可",
        materials=[
            material("申请表"),
            material("卫生检测报告", tolerable=True),
            material("从业人员健康证明", tolerable=True),
        ],
        promised_limit_days=10,
    )
    case = world.submit(item, skip=("卫生检测报告", "从业人员健康证明"))
    gaps = [row(case, "卫生检测报告").pk, row(case, "从业人员健康证明").pk]
    case_accept(case=case, actor=world.clerk, mode=AcceptanceMode.TOLERATED, tolerated=gaps)
    return fresh(case)


def test_supplying_every_tolerated_material_clears_the_due_date(world, two_gaps):
    case = two_gaps
    assert case.tolerance_due_on == D(2026, 3, 9)

    with time_machine.travel(at(D(2026, 3, 4)), tick=False):
        material_upload(
            case=case,
            material_id=row(case, "卫生检测报告").pk,
            uploaded=pdf_upload(),
            actor=world.applicant_user,
        )
    supplied = row(case, "卫生检测报告")
    assert (supplied.state, supplied.supplemented_at) == (MaterialState.UPLOADED, at(D(2026, 3, 4)))
    assert fresh(case).tolerance_due_on == D(2026, 3, 9)  # one is still missing

    material_receive_paper(
        case=case, material_id=row(case, "从业人员健康证明").pk, actor=world.clerk
    )

    assert row(case, "从业人员健康证明").state == MaterialState.PAPER
    assert fresh(case).tolerance_due_on is None
    assert actions(case).count(CaseEventAction.MATERIAL_SUPPLEMENTED) == 2
    assert fresh(case).status == CaseStatus.IN_REVIEW


def test_a_material_that_was_not_tolerated_is_locked_after_acceptance(world):
    case = world.accepted()
    form = row(case, "申请表")
    before = (form.sha256, form.file.name)
    trail = events(case)

    with pytest.raises(Conflict) as refused:
        material_upload(
            case=case,
            material_id=form.pk,
            uploaded=pdf_upload("新.pdf"),
            actor=world.applicant_user,
        )

    assert refused.value.code == "material_locked"
    form = row(case, "申请表")
    assert (form.sha256, form.file.name) == before
    assert events(case) == trail
    with pytest.raises(Conflict):
        material_receive_paper(case=case, material_id=form.pk, actor=world.clerk)


def test_the_clerk_takes_paper_originals_while_a_correction_is_pending(world):
    case = world.submit(skip=("申请表",))
    case_request_correction(case=case, actor=world.clerk, items=["缺少申请表"])

    material_receive_paper(case=case, material_id=row(case, "申请表").pk, actor=world.clerk)

    assert row(case, "申请表").state == MaterialState.PAPER
    case_resubmit(case=case, actor=world.applicant_user)
    case_accept(case=case, actor=world.clerk)
    assert fresh(case).status == CaseStatus.IN_REVIEW


def test_a_tolerated_material_is_supplemented_on_paper_during_a_suspension(world):
    case = world.submit(skip=("营业场所证明",))
    premises = row(case, "营业场所证明")
    case_accept(
        case=case, actor=world.clerk, mode=AcceptanceMode.TOLERATED, tolerated=[premises.pk]
    )
    case_suspend(case=case, actor=world.reviewer, kind=SuspensionKind.TESTING, reason="送检")

    material_receive_paper(case=case, material_id=premises.pk, actor=world.clerk)

    assert row(case, "营业场所证明").state == MaterialState.PAPER
    assert fresh(case).tolerance_due_on is None


def test_a_provisional_deadline_is_recomputed_when_the_year_s_notice_is_loaded(world):
    with time_machine.travel(at(D(2026, 12, 21)), tick=False):
        case = world.accepted()
    # 2027 has no notice yet: 22–25, 28–31 Dec (8), 1 Jan assumed 元旦, 4 Jan 9, 5 Jan 10.
    case = fresh(case)
    assert (case.deadline, case.deadline_provisional) == (D(2027, 1, 5), True)
    holiday_notice_load(
        payload={
            "year": 2027,
            "title": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
            "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-04"}],
        },
        actor="管理员",
    )

    changed = recompute_deadlines(zone_id=world.zone.pk)

    # With 1–4 Jan off: 5 Jan 9, 6 Jan 10.
    case = fresh(case)
    assert changed == 1
    assert (case.deadline, case.deadline_provisional) == (D(2027, 1, 6), False)
    event = AuditEvent.objects.get(action=CaseEventAction.DEADLINE_RECOMPUTED)
    assert (event.object_id, event.data) == (
        case.number,
        {"from": "2027-01-05", "to": "2027-01-06"},
    )
    assert recompute_deadlines(zone_id=world.zone.pk) == 0


# -- numbers and the audit trail -------------------------------------------------------------


def test_case_numbers_are_the_zone_the_year_and_an_increasing_sequence(world):
    first, second = world.submit(), world.submit()
    parent = world.submit(bundle=world.bundle)
    children = sorted(parent.children.values_list("number", flat=True))

    numbers = [first.number, second.number, parent.number, *children]
    assert numbers == [f"SFQ-2026-{n:07d}" for n in range(1, 6)]
    assert all(re.fullmatch(r"SFQ-2026-\d{7}", number) for number in numbers)
    assert len({first.query_code, second.query_code}) == 2
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", first.query_code)


def test_a_new_year_starts_a_new_sequence(world):
    with time_machine.travel(at(D(2025, 12, 31), 23), tick=False):
        last_year = world.submit()

    this_year = world.submit()

    assert last_year.number == "SFQ-2025-0000001"
    assert this_year.number == "SFQ-2026-0000001"


def test_every_transition_is_on_the_audit_trail_with_from_to_and_actor(world):
    case = case_create(
        actor=world.applicant_user,
        applicant=world.applicant,
        item_version=world.item,
        submit=False,
    )
    case_submit(case=case, actor=world.applicant_user)
    for material_row in CaseMaterial.objects.filter(case=case):
        material_upload(
            case=case, material_id=material_row.pk, uploaded=pdf_upload(), actor=world.clerk
        )
    case_request_correction(case=case, actor=world.clerk, items=["申请表缺少签字"])
    case_resubmit(case=case, actor=world.applicant_user)
    case_accept(case=case, actor=world.clerk)
    case_suspend(case=case, actor=world.reviewer, kind=SuspensionKind.EXPERT_REVIEW, reason="评审")
    case_resume(case=case, actor=world.reviewer)
    review_done(world, case)
    task_decide(task=world.task(case, "decide"), actor=world.decider, decision="approved")
    task_deliver(task=world.task(case, "deliver"), actor=world.clerk)

    trail = events(case)
    moves = [
        (e.data["from"], e.data["to"], e.actor, e.actor_id)
        for e in trail
        if e.action.startswith("case.") and "from" in e.data
    ]
    a, c, r, d = world.applicant_user, world.clerk, world.reviewer, world.decider
    assert moves == [
        ("draft", "submitted", a.username, str(a.pk)),
        ("submitted", "correction_requested", c.username, str(c.pk)),
        ("correction_requested", "submitted", a.username, str(a.pk)),
        ("submitted", "accepted", c.username, str(c.pk)),
        ("accepted", "in_review", c.username, str(c.pk)),
        ("in_review", "suspended", r.username, str(r.pk)),
        ("suspended", "in_review", r.username, str(r.pk)),
        ("in_review", "approved", d.username, str(d.pk)),
        ("approved", "delivered", c.username, str(c.pk)),
    ]
    assert trail[0].action == CaseEventAction.CREATED
    assert all(e.object_type == "case" and e.object_id == case.number for e in trail)
    assert audit_verify().ok


def test_a_refused_service_writes_nothing_to_the_trail(world):
    case = world.accepted()
    before = AuditEvent.objects.count()

    with pytest.raises(Forbidden):
        case_extend(case=case, actor=world.reviewer, days=3, reason="延长")

    assert AuditEvent.objects.count() == before
    assert audit_verify().ok
