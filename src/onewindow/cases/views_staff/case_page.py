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

from onewindow.cases import notices, selectors
from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    DECIDED_STATUSES,
    SATISFIED_MATERIAL_STATES,
    TERMINAL_STATUSES,
    AcceptanceMode,
    CaseStatus,
    Decision,
    MaterialState,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.permissions import (
    can_extend,
    can_intake,
    can_suspend,
    can_upload,
    can_withdraw,
    holds_task_role,
    is_zone_clerk,
    represents_case_applicant,
)
from onewindow.cases.services import SUPPLEMENT_STATUSES
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


def _task_outcome(task: Task) -> str:
    if task.kind == TaskKind.DECISION and task.outcome in Decision.values:
        return str(Decision(task.outcome).label)
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
            task.outcome_label = _task_outcome(task)
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
            "bound_prefix": self.bound.prefix if self.bound is not None else "",
        }
        context.update(self._actions(tasks, view.materials))
        context["any_action"] = any(
            context[key] for key in ("intake", "task_panels", "case_actions", "applicant_actions")
        ) or bool(context["receive_paper"] or context["upload_rows"])
        return context

    def _actions(self, tasks: list[Task], materials: list[CaseMaterial]) -> dict:
        case, user = self.case, self.user
        status = case.status
        clerk = bool(can_intake(user, case))
        intake = []
        if clerk and status == CaseStatus.SUBMITTED and not case.is_child:
            intake = [self.form("accept"), self.form("request_correction"), self.form("refuse")]
            if case.item_version is not None and case.item_version.is_immediate:
                intake.insert(0, self.form("on_the_spot"))
        receive_paper = {}
        if clerk and not case.is_child:
            for row in materials:
                before = status in (CaseStatus.DRAFT, CaseStatus.SUBMITTED)
                supplement = row.state == MaterialState.TOLERATED and status in SUPPLEMENT_STATUSES
                if (before and row.state not in SATISFIED_MATERIAL_STATES) or supplement:
                    row.paper_action = self.form("receive_paper", material=row)
                    receive_paper[row.pk] = row.paper_action
        upload_rows = {}
        if not case.is_child and can_upload(user, case):
            before = status in (
                CaseStatus.DRAFT,
                CaseStatus.SUBMITTED,
                CaseStatus.CORRECTION_REQUESTED,
            )
            after = status in SUPPLEMENT_STATUSES
            # A submitted file is replaced only while the applicant corrects (补正).
            replacing = status in (CaseStatus.DRAFT, CaseStatus.CORRECTION_REQUESTED)
            for row in materials:
                replaceable = before and (
                    row.state == MaterialState.MISSING
                    or (replacing and row.state == MaterialState.UPLOADED)
                )
                supplement = after and row.state == MaterialState.TOLERATED
                if replaceable or supplement:
                    row.upload_action = self.form("upload", material=row)
                    upload_rows[row.pk] = row.upload_action
        task_panels = []
        for task in tasks:
            if task.status not in ACTIVE_TASK_STATUSES or not holds_task_role(user, task):
                continue
            if task.assignee_id not in (None, user.pk):
                continue
            panel = TaskPanel(task=task)
            if status == CaseStatus.SUSPENDED and task.kind != TaskKind.DELIVERY:
                panel.suspended = True
            elif task.status == TaskStatus.OPEN and task.kind != TaskKind.DELIVERY:
                panel.actions.append(self.form("claim", task))
            else:
                for action in TASK_ACTIONS_BY_KIND.get(task.kind, ()):
                    if action == "return" and task.parent_task_id is not None:
                        continue
                    panel.actions.append(self.form(action, task))
            task_panels.append(panel)
        case_actions = []
        if status == CaseStatus.IN_REVIEW and can_suspend(user, case):
            case_actions.append(self.form("suspend"))
        if status == CaseStatus.SUSPENDED and can_suspend(user, case):
            case_actions.append(self.form("resume"))
        if (
            status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)
            and not case.extension_days
            and can_extend(user, case)
        ):
            case_actions.append(self.form("extend"))
        applicant_actions = []
        if (
            not case.is_child
            and status == CaseStatus.CORRECTION_REQUESTED
            and (clerk or represents_case_applicant(user, case))
        ):
            applicant_actions.append(self.form("resubmit"))
        if (
            not case.is_child
            and status not in TERMINAL_STATUSES
            and status not in DECIDED_STATUSES
            and can_withdraw(user, case)
        ):
            applicant_actions.append(self.form("withdraw"))
        return {
            "intake": intake,
            "receive_paper": receive_paper,
            "upload_rows": upload_rows,
            "task_panels": task_panels,
            "case_actions": case_actions,
            "applicant_actions": applicant_actions,
        }


@login_required
@require_GET
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    case = access_case(request.user, number)
    return render(request, CASE_TEMPLATE, CasePage(request, case).context())
