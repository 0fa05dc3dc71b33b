"""The actions on a case (POST handlers): one POST to ``cases/<number>/do/<action>/``
calls the matching service; a refusal is shown next to the field it names (HTTP 422 or
409), a success redirects back to the case page with a message (or, for a case opened
from a desk queue, to the queue's next case: ``desk_flow``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.cases import selectors, services
from onewindow.cases.constants import AcceptanceMode, Decision, MaterialVerdict
from onewindow.cases.forms_pre_review import PreReviewForm
from onewindow.cases.forms_staff import CertificateFactsMixin, CorrectionForm
from onewindow.cases.models import Case, Task
from onewindow.cases.views_staff import desk_flow
from onewindow.cases.views_staff.action_forms import action_form
from onewindow.cases.views_staff.case_page import CasePage
from onewindow.cases.views_staff.common import CASE_TEMPLATE, access_case
from onewindow.core.errors import ApplicationError
from onewindow.core.forms import add_service_error


@dataclass(frozen=True)
class Action:
    """What an action does (its form: ``action_forms.FORMS``); ``task``, ``material``:
    the POST names the task or the material it acts on."""

    run: Callable
    task: bool = False
    material: bool = False


def _run_claim(user, case, task, data):
    services.task_claim(task=task, actor=user)
    return _("已签收“{name}”，请办理").format(name=task.name)


def _run_complete(user, case, task, data):
    services.task_complete(task=task, actor=user, comment=data["comment"])
    return _("“{name}”已完成，已流转至下一环节").format(name=task.name)


def _run_return(user, case, task, data):
    services.task_return(task=task, actor=user, reason=data["reason"])
    return _("已退回上一环节")


def _run_transfer(user, case, task, data):
    services.task_transfer(task=task, actor=user, to_user=data["to_user"], reason=data["reason"])
    return _("已转给{name}办理").format(name=data["to_user"])


def _run_co_review(user, case, task, data):
    services.task_request_co_review(
        task=task,
        actor=user,
        department=data["department"],
        reason=data["reason"],
        limit_days=data["limit_days"],
    )
    return _("已发起会签：{name}").format(name=data["department"].name)


def _run_decide(user, case, task, data):
    decided = services.task_decide(
        task=task,
        actor=user,
        decision=data["decision"],
        reason=data["reason"],
        remedy_notice=data["remedy_notice"],
        certificate_facts=data.get("certificate_facts"),
    )
    message = _("已作出决定：{decision}").format(decision=decided.decision_display())
    return message + _issued_text(decided)


def _issued_text(case: Case) -> str:
    """ "，已签发电子证照《…》…" after an approval that issued one."""
    if case.decision != Decision.APPROVED or services.certificate_type_of(case) is None:
        return ""
    issued = selectors.case_certificates(case)
    if not issued:
        return ""
    certificate = issued[-1]
    return _("，已签发电子证照《{name}》{identifier}").format(
        name=certificate.certificate_type.name, identifier=certificate.identifier
    )


def _run_deliver(user, case, task, data):
    services.task_deliver(task=task, actor=user, comment=data["comment"])
    return _("已送达，办件办结")


def _run_suspend(user, case, task, data):
    services.case_suspend(case=case, actor=user, kind=data["kind"], reason=data["reason"])
    return _("已启动特别程序，办理时限暂停计算")


def _run_resume(user, case, task, data):
    suspension = services.case_resume(case=case, actor=user)
    return _("特别程序已结束，不计时 {n} 个工作日").format(n=suspension.paused_days)


def _run_extend(user, case, task, data):
    extended = services.case_extend(case=case, actor=user, days=data["days"], reason=data["reason"])
    return _("办理期限已延长至 {date}").format(date=extended.deadline)


def _run_request_correction(user, case, task, data):
    services.case_request_correction(case=case, actor=user, items=data["items_list"])
    return _("已一次性告知补正内容，可打印补正材料通知书")


def _run_pre_review(user, case, task, data):
    rows = services.case_pre_review(case=case, actor=user, verdicts=data["verdicts"])
    failed = [row.name for row in rows if row.review_verdict == MaterialVerdict.FAILED]
    if failed:
        return _("已保存预审结论，不通过：{names}；补正告知内容已据此预填").format(
            names="、".join(failed)
        )
    return _("已保存预审结论")


def _run_refuse(user, case, task, data):
    services.case_refuse(
        case=case, actor=user, reason=data["reason"], legal_basis=data["legal_basis"]
    )
    return _("已作出不予受理决定，可打印不予受理通知书")


def _run_accept(user, case, task, data):
    mode = data["mode"]
    accepted = services.case_accept(
        case=case,
        actor=user,
        mode=mode,
        tolerated=data["tolerated"] if mode == AcceptanceMode.TOLERATED else (),
        tolerance_due_on=data["tolerance_due_on"] if mode == AcceptanceMode.TOLERATED else None,
        committed=data["committed"] if mode == AcceptanceMode.COMMITMENT else (),
        commitment_text=data["commitment_text"] if mode == AcceptanceMode.COMMITMENT else "",
        commitment_signed_name=(
            data["commitment_signed_name"] if mode == AcceptanceMode.COMMITMENT else ""
        ),
    )
    return _("已受理，办结期限 {date}").format(date=accepted.deadline)


def _run_on_the_spot(user, case, task, data):
    handled = services.case_handle_on_the_spot(
        case=case,
        actor=user,
        decision=data["decision"],
        reason=data["reason"],
        certificate_facts=data.get("certificate_facts"),
    )
    return _("即办件已当场办结") + _issued_text(handled)


def _run_receive_paper(user, case, task, data):
    row = services.material_receive_paper(case=case, material_id=data["material"], actor=user)
    return _("已收取纸质材料：{name}").format(name=row.name)


def _run_upload(user, case, task, data):
    row = services.material_upload(
        case=case, material_id=data["material"], uploaded=data["file"], actor=user
    )
    return _("已上传材料：{name}").format(name=row.name)


def _run_withdraw(user, case, task, data):
    services.case_withdraw(case=case, actor=user, reason=data["reason"])
    return _("申请已撤回")


def _run_resubmit(user, case, task, data):
    services.case_resubmit(case=case, actor=user)
    return _("已重新提交，等待窗口预审")


ACTIONS: dict[str, Action] = {
    "claim": Action(_run_claim, task=True),
    "complete": Action(_run_complete, task=True),
    "return": Action(_run_return, task=True),
    "transfer": Action(_run_transfer, task=True),
    "co_review": Action(_run_co_review, task=True),
    "decide": Action(_run_decide, task=True),
    "deliver": Action(_run_deliver, task=True),
    "suspend": Action(_run_suspend),
    "resume": Action(_run_resume),
    "extend": Action(_run_extend),
    "request_correction": Action(_run_request_correction),
    "pre_review": Action(_run_pre_review),
    "refuse": Action(_run_refuse),
    "accept": Action(_run_accept),
    "on_the_spot": Action(_run_on_the_spot),
    "receive_paper": Action(_run_receive_paper, material=True),
    "upload": Action(_run_upload, material=True),
    "withdraw": Action(_run_withdraw),
    "resubmit": Action(_run_resubmit),
}


def _posted_task(request: HttpRequest, case: Case) -> Task:
    value = request.POST.get("task", "").strip()
    task = None
    if value.isascii() and value.isdigit():
        task = Task.objects.select_related("case", "department").filter(case=case, pk=value).first()
    if task is None:
        raise Http404(_("该办件没有这项任务"))
    task.case = case
    return task


def _posted_material(request: HttpRequest) -> int:
    value = request.POST.get("material", "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise Http404(_("该办件没有这项材料"))
    return int(value)


@login_required
@require_POST
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One action on a case: parse its form, call its service, redirect (PRG); or show
    the page again with the refusal beside the field (422, 409, 403)."""
    user = request.user
    case = access_case(user, number)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404(_("没有这项操作"))
    task = _posted_task(request, case) if spec.task else None
    material = _posted_material(request) if spec.material else None
    form = action_form(action, case, user, task, material, data=request.POST, files=request.FILES)
    status = 422
    error_message = _("请按提示修改后重新提交")
    if form.is_valid():
        data = dict(form.cleaned_data)
        if isinstance(form, PreReviewForm):
            data["verdicts"] = form.verdicts()
        if isinstance(form, CorrectionForm):
            data["items_list"] = form.cleaned_items()
        if isinstance(form, CertificateFactsMixin):
            data["certificate_facts"] = form.certificate_facts()
        if material is not None:
            data["material"] = material
        try:
            message = spec.run(user, case, task, data)
        except ApplicationError as error:
            add_service_error(form, error)
            status = error.status
            error_message = error.message
        else:
            messages.success(request, desk_flow.handled_message(case, message, request, action))
            return desk_flow.after_action(request, case, action)
    case = access_case(user, number)  # fresh: the failed service rolled its changes back
    page = CasePage(request, case, bound=form, error={"message": error_message, "form": form})
    return render(request, CASE_TEMPLATE, page.context(), status=status)
