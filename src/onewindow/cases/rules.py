"""Which actions a user may take on a case, a task or a material now, and if not, why.

Pure: no queries, no writes. The rules read the attributes of the objects the caller
loaded and the facts about the user it gathered once (:class:`Actor`, built by
``permissions.actor_of``). The services ask them for their guards and raise the
refusal (:meth:`Refused.raise_`); the case page asks them which forms to offer. One
place, so the page never offers what the service refuses, nor hides what it allows.

A verdict is :data:`ALLOWED` or a :class:`Refused` with the message, the stable code and
the error class the service raises (``Conflict`` for the state of things, 409;
``Forbidden`` for the user, 403). The checks run in the order the services always ran
them, so the first refusal is the one the service gives.

Facts that need other rows (the departments with an active task, a task's open
co-reviews, a bundle's children) are passed in by the caller, who has them loaded.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn

from django.utils.translation import gettext as _

from onewindow.cases.constants import (
    CASE_TRANSITIONS,
    SATISFIED_MATERIAL_STATES,
    CaseAction,
    CaseStatus,
    Decision,
    MaterialState,
    TaskKind,
    TaskStatus,
)
from onewindow.core.errors import ApplicationError, Conflict, Forbidden
from onewindow.org.constants import Role

if TYPE_CHECKING:
    from onewindow.cases.models import Case, CaseMaterial, Task


# -- verdicts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class Refused:
    """Why not: the message shown, the stable code, and the error a service raises."""

    reason: str
    code: str
    error: type[ApplicationError] = Conflict

    def __bool__(self) -> bool:
        return False

    def raise_(self) -> NoReturn:
        raise self.error(self.reason, code=self.code)


ALLOWED = Allowed()
Verdict = Allowed | Refused


def require(verdict: Verdict) -> None:
    """Raise the refusal, if it is one (the services' guard)."""
    if isinstance(verdict, Refused):
        verdict.raise_()


def _forbidden(message: str) -> Refused:
    return Refused(message, "not_permitted", Forbidden)


# -- who is acting ------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """What the rules need to know of a user, gathered once (``permissions.actor_of``).

    ``roles`` are the zone-wide staff roles (empty unless an active staff member);
    ``department_roles`` the (role, department id) pairs; ``applicant_ids`` the applicants
    an applicant user represents.
    """

    pk: int | None = None
    zone_id: int | None = None
    is_applicant: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    department_roles: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    applicant_ids: frozenset[int] = field(default_factory=frozenset)


def is_zone_clerk(actor: Actor, case: Case) -> bool:
    return Role.WINDOW_CLERK in actor.roles and actor.zone_id == case.zone_id


def represents_applicant(actor: Actor, case: Case) -> bool:
    return actor.is_applicant and case.applicant_id in actor.applicant_ids


def holds_task_role(actor: Actor, task: Task, case: Case | None = None) -> bool:
    """The task's role in the task's department (a window task: any clerk of the zone;
    only then is the case, by default the task's, read)."""
    if (task.role, task.department_id) in actor.department_roles:
        return True
    if task.role != Role.WINDOW_CLERK:
        return False
    return is_zone_clerk(actor, case if case is not None else task.case)


def handles_case(actor: Actor, active_departments: Collection[int]) -> bool:
    """A reviewer or decider of a department with an active task of the case."""
    return any(
        (role, department) in actor.department_roles
        for department in active_departments
        for role in (Role.REVIEWER, Role.DECIDER)
    )


def decides_for_case(actor: Actor, case: Case) -> bool:
    return (Role.DECIDER, case.department_id) in actor.department_roles


# -- the case -----------------------------------------------------------------------------


def transition_verdict(case: Case, action: str) -> Verdict:
    """The transition table's answer (``CASE_TRANSITIONS``) for ``action`` from the case's
    status, with the refusal ``core.transitions`` gives."""
    try:
        CASE_TRANSITIONS.check(case, action)
    except Conflict as refusal:
        return Refused(refusal.message, refusal.code)
    return ALLOWED


def _child(case: Case, message: str) -> Verdict:
    return Refused(message, "child_case") if case.is_child else ALLOWED


def _first(*verdicts) -> Verdict:
    """The first refusal of ``verdicts`` (callables, evaluated in order), or allowed."""
    for verdict in verdicts:
        result = verdict()
        if not result:
            return result
    return ALLOWED


def _applicant_or_clerk(actor: Actor, case: Case) -> bool:
    return represents_applicant(actor, case) or is_zone_clerk(actor, case)


def _intake(actor: Actor, case: Case, action: str, forbidden: str, child: str) -> Verdict:
    return _first(
        lambda: ALLOWED if is_zone_clerk(actor, case) else _forbidden(forbidden),
        lambda: _child(case, child),
        lambda: transition_verdict(case, action),
    )


def case_action(
    actor: Actor, case: Case, action: str, *, active_departments: Collection[int] = ()
) -> Verdict:
    """May ``actor`` take ``action`` on ``case`` now? ``active_departments``: the
    departments with an active task of the case (only suspend and resume ask)."""
    if action in ("submit", "resubmit"):
        forbidden = {
            "submit": _("只有申请人或窗口人员可以提交申请"),
            "resubmit": _("只有申请人或窗口人员可以重新提交"),
        }[action]
        return _first(
            lambda: ALLOWED if _applicant_or_clerk(actor, case) else _forbidden(forbidden),
            lambda: _child(case, _("一件事的子件随主件一并提交")),
            lambda: transition_verdict(case, action),
        )
    if action == "request_correction":
        return _intake(
            actor,
            case,
            CaseAction.REQUEST_CORRECTION,
            _("只有窗口人员可以作出补正告知"),
            _("一件事的子件随主件一并处理"),
        )
    if action == "refuse":
        return _intake(
            actor,
            case,
            CaseAction.REFUSE,
            _("只有窗口人员可以作出不予受理决定"),
            _("一件事的子件随主件一并处理"),
        )
    if action == "pre_review":
        # Before the intake decision, in the same status as a correction notice.
        return _intake(
            actor,
            case,
            CaseAction.REQUEST_CORRECTION,
            _("只有窗口人员可以预审材料"),
            _("一件事的材料由主件统一预审"),
        )
    if action == "accept":
        return _intake(
            actor,
            case,
            CaseAction.ACCEPT,
            _("只有窗口人员可以受理"),
            _("一件事的子件随主件一并受理"),
        )
    if action == "on_the_spot":
        immediate = not case.is_bundle and case.item_version.is_immediate
        if not immediate:
            return Refused(_("只有即办件可以当场办结"), "not_immediate")
        return case_action(actor, case, "accept")
    if action == "withdraw":
        return _first(
            lambda: (
                ALLOWED
                if _applicant_or_clerk(actor, case)
                else _forbidden(_("只有申请人或窗口人员可以撤回申请"))
            ),
            lambda: _child(case, _("一件事须整体撤回")),
            lambda: transition_verdict(case, CaseAction.WITHDRAW),
        )
    if action in ("suspend", "resume"):
        # The status first: in a status without active tasks no one "handles" the case,
        # and the role check would wrongly blame the user instead of the status.
        forbidden = {
            "suspend": _("只有正在办理该办件的审查或决定人员可以启动特别程序"),
            "resume": _("只有正在办理该办件的审查或决定人员可以结束特别程序"),
        }[action]
        return _first(
            lambda: transition_verdict(case, action),
            lambda: ALLOWED if handles_case(actor, active_departments) else _forbidden(forbidden),
        )
    if action == "extend":
        if not decides_for_case(actor, case):
            return _forbidden(_("延长办理期限须经本部门审批决定人批准"))
        if case.status not in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW):
            return Refused(_("只有审查中的办件可以延长期限"), "transition_not_allowed")
        if case.extension_days:
            return Refused(_("办理期限只能延长一次"), "already_extended")
        return ALLOWED
    raise ValueError(f"unknown case action {action!r}")


#: The actions on a case as a whole (the case page's and the API's names).
CASE_ACTIONS = (
    "submit",
    "resubmit",
    "request_correction",
    "pre_review",
    "refuse",
    "accept",
    "on_the_spot",
    "withdraw",
    "suspend",
    "resume",
    "extend",
)


def case_actions(
    actor: Actor, case: Case, *, active_departments: Collection[int] = ()
) -> dict[str, Verdict]:
    """Every case action's verdict for ``actor`` now."""
    return {
        action: case_action(actor, case, action, active_departments=active_departments)
        for action in CASE_ACTIONS
    }


# -- tasks --------------------------------------------------------------------------------


def _not_a_holder() -> Refused:
    return _forbidden(_("您不是该任务所在部门的办理人员"))


def _taken(task: Task) -> Refused:
    return Refused(_("该任务已由{name}签收办理").format(name=task.assignee), "task_taken")


def task_work(actor: Actor, task: Task, case: Case, decision: str | None = None) -> Verdict:
    """The checks every act on a claimed (or open) task passes first: active, the
    holder's, not taken by another, the case not suspended (but for the delivery). A
    decision is also refused by the table when the case's status does not allow it."""
    if task.status not in (TaskStatus.OPEN, TaskStatus.CLAIMED):
        return Refused(
            _("该任务已{status}，不能再办理").format(status=TaskStatus(task.status).label),
            "task_not_active",
        )
    if not holds_task_role(actor, task, case):
        return _not_a_holder()
    if task.assignee_id is not None and task.assignee_id != actor.pk:
        return _taken(task)
    if case.status == CaseStatus.SUSPENDED and task.kind != TaskKind.DELIVERY:
        if decision is not None:
            refused = transition_verdict(case, _decision_action(decision))
            if not refused:
                return refused
        return Refused(_("办件处于特别程序中，请先结束特别程序"), "case_suspended")
    return ALLOWED


def _decision_action(decision: str) -> str:
    return CaseAction.DENY if decision == Decision.DENIED else CaseAction.APPROVE


def _wrong(message: str) -> Refused:
    return Refused(message, "wrong_task_action")


def task_action(
    actor: Actor,
    task: Task,
    action: str,
    *,
    case: Case | None = None,
    decision: str = Decision.APPROVED,
    co_reviews_pending: bool = False,
    children: Sequence[Case] = (),
    owed: Sequence[str] = (),
) -> Verdict:
    """May ``actor`` take ``action`` on ``task`` now? ``case`` defaults to the task's;
    ``co_reviews_pending``: the task waits for a co-review (complete asks);
    ``children``: a bundle's child cases (the unified delivery asks); ``owed``: the
    tolerated (容缺) materials still owed (an approval that issues a certificate and the
    delivery of an approval ask, :func:`supplement_hold`)."""
    case = case if case is not None else task.case
    if action == "claim":
        if task.status == TaskStatus.CLAIMED and task.assignee_id == actor.pk:
            return ALLOWED  # claiming again changes nothing
        if task.status == TaskStatus.CLAIMED:
            return _taken(task)
        if task.status != TaskStatus.OPEN:
            return Refused(
                _("该任务已{status}，不能签收").format(status=TaskStatus(task.status).label),
                "task_not_active",
            )
        return ALLOWED if holds_task_role(actor, task, case) else _not_a_holder()
    if action == "decide":
        return _first(
            lambda: task_work(actor, task, case, decision),
            lambda: ALLOWED if task.kind == TaskKind.DECISION else _wrong(_("该任务不是决定环节")),
            lambda: transition_verdict(case, _decision_action(decision)),
            lambda: (
                supplement_hold(case, owed, "issue")
                if decision == Decision.APPROVED and issues_certificate(case)
                else ALLOWED
            ),
        )
    verdict = task_work(actor, task, case)
    if not verdict:
        return verdict
    if action == "complete":
        if task.kind in (TaskKind.DECISION, TaskKind.DELIVERY):
            return _wrong(_("决定和送达环节请使用对应的操作"))
        if co_reviews_pending:
            return Refused(_("会签尚未全部完成，不能提交"), "co_review_pending")
        return ALLOWED
    if action == "return":
        if task.parent_task_id is not None:
            return _wrong(_("会签任务不能退回，请填写会签意见"))
        return ALLOWED
    if action == "transfer":
        return ALLOWED
    if action == "co_review":
        if task.kind not in (TaskKind.REVIEW, TaskKind.INSPECTION):
            return _wrong(_("只有审查环节可以发起会签"))
        return ALLOWED
    if action == "deliver":
        if task.kind != TaskKind.DELIVERY:
            return _wrong(_("该任务不是送达环节"))
        decided = (CaseStatus.APPROVED, CaseStatus.DENIED)
        if any(child.status not in decided for child in children):
            return Refused(_("一件事的事项尚未全部办结，不能统一出件"), "bundle_not_ready")
        return _first(
            lambda: transition_verdict(case, CaseAction.DELIVER),
            lambda: (
                supplement_hold(case, owed, "deliver", children=children)
                if case.decision == Decision.APPROVED
                else ALLOWED
            ),
        )
    raise ValueError(f"unknown task action {action!r}")


#: The actions on a task (the case page's and the API's names).
TASK_ACTIONS = ("claim", "complete", "return", "transfer", "co_review", "decide", "deliver")


def task_actions(
    actor: Actor, task: Task, *, case: Case | None = None, co_reviews_pending: bool = False
) -> dict[str, Verdict]:
    """Every task action's verdict for ``actor`` now (a decision as an approval)."""
    return {
        action: task_action(actor, task, action, case=case, co_reviews_pending=co_reviews_pending)
        for action in TASK_ACTIONS
    }


# -- materials ------------------------------------------------------------------------------

#: Before acceptance any material may be given; after it, only a tolerated (容缺) one.
MATERIAL_OPEN_STATUSES = (CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED)
#: A tolerated (容缺) material is owed from acceptance on: the case goes on without it and
#: the applicant supplies it (or it becomes a credit record); after an approval too, and
#: after its delivery (先出证后补). Not after a denial (:func:`supplement_owed`).
SUPPLEMENT_STATUSES = (
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.SUSPENDED,
    CaseStatus.APPROVED,
    CaseStatus.DELIVERED,
)


def supplement_owed(case: Case) -> bool:
    """Whether the case's tolerated (容缺) materials are owed: from acceptance on, until
    supplied, also after an approval and its delivery (先出证后补); not after a denial (the
    application it would complete has been refused) nor a withdrawal. The same rule in SQL:
    ``Case.objects.supplement_owed()``."""
    return case.status in SUPPLEMENT_STATUSES and case.decision != Decision.DENIED


def supplements(case: Case, row: CaseMaterial) -> bool:
    """Whether giving ``row`` now supplements a tolerated gap (after acceptance)."""
    return row.state == MaterialState.TOLERATED and supplement_owed(case)


def issues_certificate(case: Case) -> bool:
    """Whether an approval of ``case`` issues a certificate (its item version's type)."""
    version = case.item_version if case.item_version_id else None
    return version is not None and version.certificate_type_id is not None


def issues_before_supplement(case: Case, children: Sequence[Case] = ()) -> bool:
    """先出证后补: the item allows issuing and delivering before the tolerated materials are
    in (a bundle: every item approved in it does)."""
    if case.is_bundle:
        approved = [child for child in children if child.decision == Decision.APPROVED]
        return bool(approved) and all(
            child.item_version.issue_before_supplement for child in approved
        )
    version = case.item_version if case.item_version_id else None
    return version is not None and version.issue_before_supplement


def supplement_hold(
    case: Case, owed: Sequence[str], step: str, *, children: Sequence[Case] = ()
) -> Verdict:
    """容缺 by default: the certificate is issued (``step`` "issue") and the result
    delivered ("deliver") only once the tolerated materials ``owed`` are in, unless the
    item is marked 先出证后补."""
    if not owed or issues_before_supplement(case, children):
        return ALLOWED
    names = "、".join(owed)
    if step == "issue":
        message = _("容缺材料尚未补齐：{names}；补齐后方可准予并签发证照").format(names=names)
    else:
        message = _("容缺材料尚未补齐：{names}；补齐后方可送达办理结果").format(names=names)
    return Refused(message, "supplement_pending")


def material_open(case: Case, row: CaseMaterial) -> Verdict:
    """Whether ``row`` may be given now, whoever gives it."""
    if case.status in MATERIAL_OPEN_STATUSES or supplements(case, row):
        return ALLOWED
    return Refused(
        _("办件当前状态为“{status}”，该材料不能再上传").format(
            status=CaseStatus(case.status).label
        ),
        "material_locked",
    )


#: The actions on one material of a case.
MATERIAL_ACTIONS = ("upload", "receive_paper")


def material_giver(actor: Actor, case: Case, action: str) -> Verdict:
    """May ``actor`` give materials of ``case`` this way at all (``case``: the one
    holding the materials, a bundle's parent)? A file from the applicant or a clerk;
    paper only at the window."""
    if action == "upload":
        if _applicant_or_clerk(actor, case):
            return ALLOWED
        return _forbidden(_("无权为该办件上传材料"))
    if action == "receive_paper":
        if is_zone_clerk(actor, case):
            return ALLOWED
        return _forbidden(_("只有窗口人员可以收取纸质材料"))
    raise ValueError(f"unknown material action {action!r}")


def material_action(actor: Actor, case: Case, row: CaseMaterial, action: str) -> Verdict:
    """May ``actor`` give ``row`` of ``case`` now, by ``action``?"""
    return _first(
        lambda: material_giver(actor, case, action),
        lambda: material_open(case, row),
    )


def material_wanted(case: Case, row: CaseMaterial, action: str) -> bool:
    """Whether offering ``action`` on ``row`` is of use (the page offers only those): a
    tolerated gap to supplement, paper for a material not yet satisfied, a file for a
    missing one (or to replace the applicant's own file while drafting or correcting)."""
    if supplements(case, row):
        return True
    if action == "receive_paper":
        return row.state not in SATISFIED_MATERIAL_STATES
    replacing = case.status in (CaseStatus.DRAFT, CaseStatus.CORRECTION_REQUESTED)
    return row.state == MaterialState.MISSING or (replacing and row.state == MaterialState.UPLOADED)
