"""The case page (办件详情) that every role who may see a case uses: applicants included,
with their own actions and without internal comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from onewindow.cases import notices, rules, selectors, services
from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    AcceptanceMode,
    CaseStatus,
    Decision,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.permissions import (
    actor_of,
    is_zone_clerk,
)
from onewindow.cases.views_staff import desk_flow
from onewindow.cases.views_staff.action_forms import (
    ACTION_TEXT,
    TASK_ACTIONS_BY_KIND,
    ActionForm,
    action_form,
    form_prefix,
)
from onewindow.cases.views_staff.common import CASE_TEMPLATE, access_case
from onewindow.cases.views_staff.timeline import timeline_rows
from onewindow.core.throttle import request_address
from onewindow.org.constants import UserKind
from onewindow.org.models import User
from onewindow.org.services import IdentifierChannel

TASK_OUTCOMES = {
    "approved": gettext_lazy("通过"),
    "accepted": gettext_lazy("已受理"),
    "delivered": gettext_lazy("已送达"),
}


@dataclass
class TaskPanel:
    """The actions the user may take on one active task of the case."""

    task: Task
    suspended: bool = False
    actions: list[ActionForm] = field(default_factory=list)
    #: What the 容缺 rule says here: the approval or delivery held for the supplement, or
    #: 先出证后补 going ahead of it (``supplement_notes``).
    notes: list[str] = field(default_factory=list)


def _task_outcome(task: Task, case: Case) -> str:
    if task.kind == TaskKind.DECISION and task.outcome in Decision.values:
        wording = case.decision_wording  # 准予登记 / 准予许可 / 准予 …
        return str(wording.approve if task.outcome == Decision.APPROVED else wording.deny)
    label = TASK_OUTCOMES.get(task.outcome)
    return str(label) if label else task.outcome


class CasePage:
    """Everything the case page shows, for one user; ``bound`` replaces the unbound form
    of the action that just failed, with its input and errors."""

    def __init__(self, request: HttpRequest, case: Case, *, bound=None, error=None) -> None:
        self.request = request
        self.user: User = request.user
        self.case = case
        self.bound = bound
        self.error = error

    def form(
        self, action: str, task: Task | None = None, material: CaseMaterial | None = None
    ) -> ActionForm:
        material_id = material.pk if material is not None else None
        key = form_prefix(action, task, material_id)
        if self.bound is not None and self.bound.prefix == key:
            form = self.bound
        else:
            form = action_form(action, self.case, self.user, task, material_id)
        title, button, collapsed, danger = ACTION_TEXT[action]
        if action == "request_correction" and form.initial.get("items"):
            collapsed = False  # drafted from the pre-review: open, ready to check and send
        if action == "deliver" and self.case.is_bundle:
            title, button = _("统一出件"), _("确认统一出件，办结")
        return ActionForm(action, form, str(title), str(button), collapsed, danger, task, material)

    def context(self) -> dict:
        case, user = self.case, self.user
        staff = user.kind == UserKind.STAFF
        view = selectors.case_view(
            viewer=user,
            case=case,
            channel=IdentifierChannel.PAGE,
            ip_address=request_address(self.request),
        )
        tasks = view.tasks
        for task in tasks:
            task.outcome_label = _task_outcome(task, case)
        context = {
            "case": case,
            "staff": staff,
            "clock": view.clock,
            "identifier": view.identifier.value,
            "commitment": (
                getattr(case, "commitment", None)
                if case.acceptance_mode == AcceptanceMode.COMMITMENT
                else None
            ),
            "materials": view.materials,
            "certificates": view.certificates,
            # The window's rating QR code (好差评), once the result is handed over.
            "rating_code": (
                case.status == CaseStatus.DELIVERED
                and case.parent_id is None
                and is_zone_clerk(self.request.user, case)
            ),
            "tasks": tasks,
            "children": view.children,
            "timeline": timeline_rows(case, tasks, staff=staff),
            "notices": [
                {
                    "kind": kind,
                    "label": notices.NoticeKind(kind).label,
                    "url": reverse("cases:notice", args=[case.number, kind]),
                }
                for kind in notices.available_notices(case)
            ],
            "error": self.error,
            # Opened from a desk queue: "next case" and the case handled just before.
            "desk": desk_flow.desk_place(self.request, case) if staff else None,
            "bound_prefix": self.bound.prefix if self.bound is not None else "",
        }
        context.update(self._actions(tasks, view.materials))
        context["any_action"] = any(
            context[key] for key in ("intake", "task_panels", "case_actions", "applicant_actions")
        ) or bool(context["receive_paper"] or context["upload_rows"])
        return context

    def _actions(self, tasks: list[Task], materials: list[CaseMaterial]) -> dict:
        """The forms of what the user may do now: ``cases.rules`` decides, as it does for
        the services; the page adds only which of them are of use where."""
        case = self.case
        actor = actor_of(self.user)
        active = {task.department_id for task in tasks if task.status in ACTIVE_TASK_STATUSES}
        verdicts = rules.case_actions(actor, case, active_departments=active)
        intake = [
            self.form(action)
            for action in ("on_the_spot", "accept", "request_correction", "refuse")
            if verdicts[action]
        ]
        pre_review = self.form("pre_review") if verdicts["pre_review"] else None
        if pre_review is not None:
            for row in materials:
                row.pre_review_inputs = pre_review.form.bound_row(row)
        # A bundle's materials are given on the parent's page.
        receive_paper, upload_rows = {}, {}
        for row in [] if case.is_child else materials:
            if self._offers(actor, row, "receive_paper"):
                row.paper_action = self.form("receive_paper", material=row)
                receive_paper[row.pk] = row.paper_action
            if self._offers(actor, row, "upload"):
                row.upload_action = self.form("upload", material=row)
                upload_rows[row.pk] = row.upload_action
        task_panels = []
        owed = None
        for task in tasks:
            work = rules.task_work(actor, task, case)
            if not work and work.code != "case_suspended":
                continue  # not the user's, or no longer active
            panel = TaskPanel(task=task)
            if not work:
                panel.suspended = True
            elif task.status == TaskStatus.OPEN and task.kind != TaskKind.DELIVERY:
                panel.actions.append(self.form("claim", task))
            else:
                if owed is None and task.kind in (TaskKind.DECISION, TaskKind.DELIVERY):
                    owed = services.owed_supplements(case)
                for action in TASK_ACTIONS_BY_KIND.get(task.kind, ()):
                    # A decision is offered whatever is owed: a denial needs no supplement.
                    facts = {"owed": owed or ()} if action == "deliver" else {}
                    if rules.task_action(actor, task, action, case=case, **facts):
                        panel.actions.append(self.form(action, task))
                if owed:
                    panel.notes = supplement_notes(case, task, owed)
            task_panels.append(panel)
        case_actions = [
            self.form(action) for action in ("suspend", "resume", "extend") if verdicts[action]
        ]
        applicant_actions = [
            self.form(action) for action in ("resubmit", "withdraw") if verdicts[action]
        ]
        return {
            "pre_review": pre_review,
            "intake": intake,
            "receive_paper": receive_paper,
            "upload_rows": upload_rows,
            "task_panels": task_panels,
            "case_actions": case_actions,
            "applicant_actions": applicant_actions,
        }

    def _offers(self, actor: rules.Actor, row: CaseMaterial, action: str) -> bool:
        return bool(rules.material_action(actor, self.case, row, action)) and (
            rules.material_wanted(self.case, row, action)
        )


def supplement_notes(case: Case, task: Task, owed: list[str]) -> list[str]:
    """What the decider or the clerk is told on a task while tolerated materials are owed:
    what is held until they are in, or that the item issues before them (先出证后补)."""
    names = "、".join(owed)
    due = case.tolerance_due_on.isoformat() if case.tolerance_due_on else ""
    version = case.item_version if case.item_version_id else None
    if task.kind == TaskKind.DECISION:
        hold = rules.supplement_hold(case, owed, "issue")
        if not rules.issues_certificate(case):
            hold = rules.supplement_hold(case, owed, "deliver")
            if hold:
                return [
                    _(
                        "先出证后补：容缺材料（{names}）尚未补齐，准予后即可送达；申请人仍须在 "
                        "{due} 前补齐。依据：{basis}。本决定将记录在案。"
                    ).format(names=names, due=due, basis=version.issue_before_supplement_basis)
                ]
            return [
                _("容缺材料（{names}）尚未补齐：可以作出决定，补齐后方可送达。").format(names=names)
            ]
        if hold:
            return [
                _(
                    "先出证后补：容缺材料（{names}）尚未补齐，准予后即签发证照；申请人仍须在 "
                    "{due} 前补齐。依据：{basis}。本决定将记录在案。"
                ).format(names=names, due=due, basis=version.issue_before_supplement_basis)
            ]
        return [
            _("{reason}（补齐期限 {due}）。现在只能作出不予决定。").format(
                reason=hold.reason, due=due
            )
        ]
    if task.kind == TaskKind.DELIVERY and case.decision == Decision.APPROVED:
        hold = rules.supplement_hold(case, owed, "deliver", children=list(case.children.all()))
        if not hold:
            return [_("{reason}（补齐期限 {due}）。").format(reason=hold.reason, due=due)]
    return []


@login_required
@require_GET
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    case = access_case(request.user, number)
    return render(request, CASE_TEMPLATE, CasePage(request, case).context())
