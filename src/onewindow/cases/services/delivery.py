"""Decision and delivery: 决定 (with the certificate it issues), 送达 / 统一出件, and the
on-the-spot item (即办件) accepted, decided and delivered at once.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases import applicant_messages, deadlines, signals
from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    CaseAction,
    CaseEventAction,
    CaseStatus,
    Decision,
    MaterialState,
    TaskKind,
)
from onewindow.cases.models import (
    Case,
    CaseMaterial,
    Task,
)
from onewindow.cases.rules import supplement_owed
from onewindow.cases.services.acceptance import case_accept
from onewindow.cases.services.common import (
    _children,
    _event,
    _lock,
    _lock_task,
    _may,
    _text,
    _transition,
)
from onewindow.cases.services.review import _may_task
from onewindow.cases.services.workflow import _cancel_task, _finish_task, _open_task, _plan
from onewindow.catalog.constants import (
    HandlingKind,
    StepKind,
)
from onewindow.catalog.workflow import StepSpec
from onewindow.certificates.models import Certificate, CertificateType
from onewindow.certificates.services import certificate_issue
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.locks import lock_rows
from onewindow.org.constants import Role
from onewindow.org.models import User

#: 行政复议法 art. 20 (60 days) and 行政诉讼法 art. 46 (6 months): told with every denial.
DEFAULT_REMEDY_NOTICE = (
    "申请人如对本决定不服，可以自收到本决定之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


# -- decision and delivery ------------------------------------------------------------------


@transaction.atomic
def task_decide(
    *,
    task: Task,
    actor: User,
    decision: str,
    reason: str = "",
    remedy_notice: str = "",
    certificate_facts: dict[str, Any] | None = None,
) -> Case:
    """决定: approve, or deny with reasons and the rights to review and litigation.

    Approving an item that issues a certificate (its version's ``certificate_type``)
    issues and signs it in the same transaction: ``certificate_facts`` are the facts the
    decider gives (the rest come from the applicant, the application form and the issue
    itself). A missing fact refuses the whole decision, naming ``certificate_facts.<key>``.
    """
    case, task = _lock_task(task)
    owed = owed_supplements(case)
    _may_task(actor, case, task, "decide", decision=decision, owed=owed)
    _decide(case, actor=actor, decision=decision, reason=reason, remedy_notice=remedy_notice)
    if decision == Decision.APPROVED:
        _issue_certificate(case, actor=actor, facts=certificate_facts)
        if owed:
            _record_before_supplement(case, actor=actor, owed=owed)
    _finish_task(task, actor=actor, outcome=decision, comment=case.decision_reason)
    _after_decision(case, actor=actor)
    return case


def owed_supplements(case: Case) -> list[str]:
    """The names of the tolerated (容缺) materials ``case`` still owes (a bundle child:
    its parent's, where the bundle's materials are), in their order."""
    if not supplement_owed(case):
        return []
    return list(
        CaseMaterial.objects.filter(
            case_id=case.parent_id or case.pk, state=MaterialState.TOLERATED
        )
        .order_by("position", "pk")
        .values_list("name", flat=True)
    )


def _record_before_supplement(case: Case, *, actor: User, owed: list[str]) -> None:
    """先出证后补: the approval went ahead of the tolerated materials (only an item marked so
    gets here, ``rules.supplement_hold``); recorded with the basis and the due date."""
    version = case.item_version
    _event(
        case,
        CaseEventAction.ISSUED_BEFORE_SUPPLEMENT,
        actor=actor,
        data={
            "materials": owed,
            "basis": version.issue_before_supplement_basis if version else "",
            "due_on": str(case.tolerance_due_on or ""),
        },
    )


def certificate_type_of(case: Case) -> CertificateType | None:
    """The certificate an approval of ``case`` issues (a bundle parent issues none: each
    child issues its own item's)."""
    if case.item_version_id is None:
        return None
    return case.item_version.certificate_type


def _issue_certificate(case: Case, *, actor: User, facts: dict[str, Any] | None) -> None:
    certificate_type = certificate_type_of(case)
    if certificate_type is None:
        return
    if facts is not None and not isinstance(facts, dict):
        raise ValidationFailed.for_field("certificate_facts", _("证照信息格式无效"))
    certificate: Certificate = certificate_issue(
        certificate_type=certificate_type,
        holder=case.applicant,
        actor=actor,
        facts=facts,
        form_data=case.form_data,
        department=certificate_type.issuing_department or case.department,
        case_number=case.number,
    )
    _event(
        case,
        CaseEventAction.CERTIFICATE_ISSUED,
        actor=actor,
        data={
            "identifier": certificate.identifier,
            "type": certificate_type.name,
            "type_code": certificate_type.code,
        },
    )
    applicant_messages.certificate_issued(case, certificate)


def _decide(case: Case, *, actor: User, decision: str, reason: str, remedy_notice: str) -> None:
    if decision not in Decision.values:
        raise ValidationFailed.for_field("decision", _("请选择准予或不予许可"), code="invalid")
    reason = (reason or "").strip()
    if decision == Decision.DENIED:
        reason = _text("reason", reason, _("不予许可理由"))
        remedy_notice = (remedy_notice or "").strip() or DEFAULT_REMEDY_NOTICE
    else:
        remedy_notice = ""
    if len(reason) > 2000:
        raise ValidationFailed.for_field("reason", _("理由不能超过 2000 个字"))
    now = timezone.now()
    case.decision = decision
    case.decision_reason = reason
    case.remedy_notice = remedy_notice
    case.decided_at = now
    case.decided_on = timezone.localdate(now)
    case.decided_by = actor
    case.on_time = deadlines.on_time(decided_on=case.decided_on, deadline=case.deadline)
    # The case's other active tasks, locked before the decision's event (ADR 0019).
    others = [
        task
        for task in lock_rows(Task, case=case, status__in=ACTIVE_TASK_STATUSES)
        if task.kind != TaskKind.DECISION
    ]
    _transition(
        case,
        CaseAction.APPROVE if decision == Decision.APPROVED else CaseAction.DENY,
        actor=actor,
        event=CaseEventAction.APPROVED if decision == Decision.APPROVED else CaseEventAction.DENIED,
        reason=reason,
        data={"on_time": case.on_time, "deadline": str(case.deadline)},
        fields=[
            "decision",
            "decision_reason",
            "remedy_notice",
            "decided_at",
            "decided_on",
            "decided_by",
            "on_time",
        ],
    )
    for task in others:
        task.case = case
        _cancel_task(task, actor=actor, reason="已作出决定")  # stored: Chinese
    applicant_messages.case_decided(case)
    signals.case_decided.send(sender=Case, case=case)


def _delivery_step(case: Case) -> StepSpec | None:
    plan = _plan(case)
    for key in plan.order:
        if plan.steps[key].kind == StepKind.DELIVERY:
            return plan.steps[key]
    return None


def _after_decision(case: Case, *, actor: User) -> None:
    """Open the delivery: the item's delivery step, the bundle's unified delivery once
    every child is decided, or none for an on-the-spot item (delivered at once)."""
    if case.is_child:
        parent = _lock(case.parent)
        siblings = list(Case.objects.filter(parent=parent).values_list("status", "decision"))
        if all(status in (CaseStatus.APPROVED, CaseStatus.DENIED) for status, _d in siblings):
            decision = (
                Decision.APPROVED
                if all(d == Decision.APPROVED for _s, d in siblings)
                else Decision.DENIED
            )
            reason = "" if decision == Decision.APPROVED else _("部分事项不予许可，详见各子件决定")
            _decide(parent, actor=actor, decision=decision, reason=reason, remedy_notice="")
            step = StepSpec(
                key="unified_delivery",
                name=_("统一出件"),
                kind=StepKind.DELIVERY,
                role=Role.WINDOW_CLERK,
                limit_days=1,
            )
            _open_task(parent, step, actor=actor, department=parent.department)
            applicant_messages.case_ready(parent)
        return
    step = _delivery_step(case)
    if step is None or case.item_version.handling_kind == HandlingKind.IMMEDIATE:
        _deliver(case, actor=actor)
        return
    _open_task(case, step, actor=actor)
    applicant_messages.case_ready(case)


def _deliver(case: Case, *, actor: User) -> None:
    now = timezone.now()
    case.delivered_at = now
    case.delivered_on = timezone.localdate(now)
    _transition(
        case,
        CaseAction.DELIVER,
        actor=actor,
        event=CaseEventAction.DELIVERED,
        fields=["delivered_at", "delivered_on"],
    )
    applicant_messages.case_delivered(case)


@transaction.atomic
def task_deliver(*, task: Task, actor: User, comment: str = "") -> Case:
    """送达 / 统一出件: hand over the result; a bundle's children are delivered together."""
    case, task = _lock_task(task)
    children = _children(case)
    _may_task(actor, case, task, "deliver", children=children, owed=owed_supplements(case))
    _finish_task(task, actor=actor, outcome="delivered", comment=(comment or "").strip()[:500])
    _deliver(case, actor=actor)
    for child in children:
        _deliver(child, actor=actor)
    return case


@transaction.atomic
def case_handle_on_the_spot(
    *,
    case: Case,
    actor: User,
    decision: str = Decision.APPROVED,
    reason: str = "",
    certificate_facts: dict[str, Any] | None = None,
) -> Case:
    """即办件: accepted, decided and delivered at the window in one go (an item that
    issues a certificate issues it then, as any approval does)."""
    locked = _lock(case)
    _may(actor, locked, "on_the_spot")
    case_accept(case=locked, actor=actor)
    task = locked.tasks.filter(kind=TaskKind.DECISION, status__in=ACTIVE_TASK_STATUSES).first()
    if task is None:
        raise Conflict(_("即办件的办理流程缺少决定环节"), code="workflow_invalid")
    return task_decide(
        task=task,
        actor=actor,
        decision=decision,
        reason=reason,
        certificate_facts=certificate_facts,
    )
