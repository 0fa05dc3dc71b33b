"""The forms of the actions on a case: which form, its prefix and its choices, and the
heading and button the case page shows it with."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from onewindow.cases import deadlines, selectors, services
from onewindow.cases.constants import (
    DEFAULT_TOLERANCE_DAYS,
    SATISFIED_MATERIAL_STATES,
    Decision,
    TaskKind,
)
from onewindow.cases.forms_pre_review import PreReviewForm
from onewindow.cases.forms_staff import (
    AcceptForm,
    CompleteForm,
    CoReviewForm,
    CorrectionForm,
    DecideForm,
    DeliverForm,
    EmptyForm,
    ExtendForm,
    OnTheSpotForm,
    RefuseForm,
    ReturnForm,
    SuspendForm,
    TransferForm,
    UploadForm,
    WithdrawForm,
)
from onewindow.cases.models import Case, CaseMaterial, Commitment, Task
from onewindow.cases.services.acceptance import acceptance_deadline
from onewindow.certificates.facts import fact_inputs
from onewindow.org.models import Department, User
from onewindow.org.selectors import calendar_for_zone


@dataclass
class ActionForm:
    """One action's form on the case page, with its heading and button."""

    action: str
    form: object
    title: str
    button: str
    collapsed: bool
    danger: bool
    task: Task | None = None
    material: CaseMaterial | None = None

    @property
    def key(self) -> str:
        return self.form.prefix


#: (heading, button, shown folded, destructive) of each action's form.
ACTION_TEXT = {
    "claim": (gettext_lazy("签收"), gettext_lazy("签收办理"), False, False),
    "complete": (gettext_lazy("提交审查意见"), gettext_lazy("同意，提交下一环节"), False, False),
    "return": (gettext_lazy("退回上一环节"), gettext_lazy("退回"), True, True),
    "transfer": (gettext_lazy("转办给同事"), gettext_lazy("转办"), True, False),
    "co_review": (gettext_lazy("发起会签"), gettext_lazy("发起会签"), True, False),
    "decide": (gettext_lazy("作出决定"), gettext_lazy("确认决定"), False, False),
    "deliver": (gettext_lazy("送达"), gettext_lazy("确认送达，办结"), False, False),
    "suspend": (
        gettext_lazy("启动特别程序"),
        gettext_lazy("启动特别程序（暂停计时）"),
        True,
        False,
    ),
    "resume": (gettext_lazy("结束特别程序"), gettext_lazy("结束特别程序，恢复计时"), False, False),
    "extend": (gettext_lazy("延长办理期限"), gettext_lazy("批准延长"), True, False),
    "request_correction": (
        gettext_lazy("一次性告知补正"),
        gettext_lazy("发出补正告知"),
        True,
        False,
    ),
    "refuse": (gettext_lazy("不予受理"), gettext_lazy("作出不予受理决定"), True, True),
    "accept": (gettext_lazy("受理"), gettext_lazy("受理并开始计时"), False, False),
    "pre_review": (gettext_lazy("材料预审"), gettext_lazy("保存预审结论"), False, False),
    "on_the_spot": (gettext_lazy("即办件当场办结"), gettext_lazy("当场办结"), False, False),
    "receive_paper": (gettext_lazy("收取纸质材料"), gettext_lazy("收取纸质材料"), False, False),
    "upload": (gettext_lazy("上传文件"), gettext_lazy("上传"), True, False),
    "withdraw": (gettext_lazy("撤回申请"), gettext_lazy("确认撤回"), True, True),
    "resubmit": (gettext_lazy("补正完成，重新提交"), gettext_lazy("重新提交"), False, False),
}


#: The form of each action on a case (what it does: ``actions.ACTIONS``).
FORMS: dict[str, type] = {
    "claim": EmptyForm,
    "complete": CompleteForm,
    "return": ReturnForm,
    "transfer": TransferForm,
    "co_review": CoReviewForm,
    "decide": DecideForm,
    "deliver": DeliverForm,
    "suspend": SuspendForm,
    "resume": EmptyForm,
    "extend": ExtendForm,
    "request_correction": CorrectionForm,
    "refuse": RefuseForm,
    "accept": AcceptForm,
    "pre_review": PreReviewForm,
    "on_the_spot": OnTheSpotForm,
    "receive_paper": EmptyForm,
    "upload": UploadForm,
    "withdraw": WithdrawForm,
    "resubmit": EmptyForm,
}

#: The work forms of a claimed task, by its kind.
TASK_ACTIONS_BY_KIND = {
    TaskKind.REVIEW: ("complete", "return", "co_review", "transfer"),
    TaskKind.INSPECTION: ("complete", "return", "co_review", "transfer"),
    TaskKind.CO_REVIEW: ("complete", "transfer"),
    TaskKind.DECISION: ("decide", "return", "transfer"),
    TaskKind.DELIVERY: ("deliver",),
}


def form_prefix(action: str, task: Task | None = None, material: int | None = None) -> str:
    if task is not None:
        return f"t{task.pk}-{action}"
    if material is not None:
        return f"m{material}-{action}"
    return action


def _accept_kwargs(case: Case) -> dict:
    rows = list(case.materials.all())
    open_rows = [row for row in rows if row.state not in SATISFIED_MATERIAL_STATES]
    today = selectors.today()
    calendar = calendar_for_zone(case.zone)
    children = list(case.children.select_related("item_version")) if case.is_bundle else []
    deadline = acceptance_deadline(case, children, calendar=calendar, today=today)
    due = deadlines.tolerance_due_default(
        calendar, today=today, deadline=deadline, days=DEFAULT_TOLERANCE_DAYS
    )
    return {
        "tolerable": [row for row in open_rows if row.tolerable],
        "committable": [row for row in open_rows if row.commitment_allowed],
        "due_on": due,
        "deadline": deadline,
        "signer": case.applicant.legal_representative or case.applicant.name,
        # 告知承诺 signed online with the application: accepted on it, as signed.
        "signed": Commitment.objects.filter(case=case).first(),
    }


def _colleagues(task: Task, user: User):
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=task.role,
            role_assignments__department_id=task.department_id,
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("username")
    )


def _co_review_departments(case: Case, task: Task):
    return Department.objects.filter(zone_id=case.zone_id, is_active=True).exclude(
        pk=task.department_id
    )


def action_form(
    action: str,
    case: Case,
    user: User,
    task: Task | None = None,
    material: int | None = None,
    data=None,
    files=None,
):
    """The form of ``action``, unbound for the page or bound to a POST (same prefix)."""
    kwargs: dict = {"prefix": form_prefix(action, task, material)}
    if data is not None:
        kwargs["data"] = data
        kwargs["files"] = files
    if action == "accept":
        kwargs.update(_accept_kwargs(case))
    elif action == "pre_review":
        kwargs["materials"] = list(case.materials.all())
    elif action == "request_correction" and data is None:
        # 一次性告知: drafted from the failed and the missing materials, editable.
        items = services.correction_items_from(case.materials.all())
        kwargs["initial"] = {"items": "\n".join(items)}
    elif action == "transfer":
        kwargs["colleagues"] = _colleagues(task, user)
    elif action == "co_review":
        kwargs["departments"] = _co_review_departments(case, task)
    elif action in ("decide", "on_the_spot"):
        kwargs.update(_decision_kwargs(case))
    return FORMS[action](**kwargs)


def _decision_kwargs(case: Case) -> dict:
    """The decision's choices in the item's words, and the certificate's facts to give."""
    wording = case.decision_wording
    kwargs: dict = {
        "decision_choices": [
            (Decision.APPROVED, wording.approve),
            (Decision.DENIED, wording.deny),
        ]
    }
    certificate_type = services.certificate_type_of(case)
    if certificate_type is not None:
        kwargs["certificate_type"] = certificate_type
        kwargs["facts"] = fact_inputs(
            certificate_type,
            holder=case.applicant,
            issued_on=selectors.today(),
            form_data=case.form_data,
        )
    return kwargs
