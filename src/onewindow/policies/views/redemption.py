"""Pages of 免申即享 redemptions: the enterprise's (我的政策兑现, confirm or decline), the
officer's desk (by version; open a 公示, answer objections, pay, claw back, withdraw) and the
public 公示 with its objection form.

A redemption one may not see is "not found" (404), like a missing one; a refused action
shows the page again with the refusal and its status (403, 409; 422 next to the field).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.forms import add_service_error
from onewindow.core.throttle import request_address
from onewindow.policies import forms_redemption as f
from onewindow.policies.constants import REDEMPTION_TRANSITIONS, RedemptionStatus
from onewindow.policies.models import Objection, PolicyItemVersion, Publicity
from onewindow.policies.permissions import (
    can_manage_policy,
    can_work_redemption,
    is_officer,
    represents,
    visible_redemptions,
)
from onewindow.policies.selectors_redemption import (
    DESK_STATUSES,
    desk_versions,
    public_publicities,
    publicity_for,
    redemption_for,
    worked_redemptions,
)
from onewindow.policies.services import redemptions as service
from onewindow.policies.services.redemptions import publicity_is_open
from onewindow.policies.throttle import OBJECTION

PAGE_SIZE = 25

#: Each action's form (its prefix is the action: several share one page).
ENTERPRISE_FORMS = {"confirm": f.ConfirmForm, "decline": f.DeclineForm}
OFFICER_FORMS = {
    "pay": f.PayForm,
    "claw_back": f.ClawBackForm,
    "withdraw": f.WithdrawForm,
    "answer": f.AnswerForm,
    "end_publicity": f.EndPublicityForm,
}
DONE = {
    "confirm": _("已确认兑现，我们将按时拨付。"),
    "decline": _("已放弃本次兑现。"),
    "pay": _("拨付已登记，并已通知企业。"),
    "claw_back": _("追回已登记，并已通知企业。"),
    "withdraw": _("兑现已撤销。"),
    "answer": _("异议已答复。"),
    "end_publicity": _("公示已结束，名单中的兑现转为待拨付。"),
}


def _redemption(request: HttpRequest, number: str):
    try:
        return redemption_for(request.user, number)
    except NotFound as error:
        raise Http404(error.message) from None


def _run(action: str, redemption, user, data: dict) -> None:
    """The one service of ``action`` (the same the API calls)."""
    if action == "confirm":
        service.redemption_confirm(
            redemption,
            actor=user,
            account_name=data["account_name"],
            bank=data["bank"],
            account_number=data["account_number"],
            statement=data["statement"],
        )
    elif action == "decline":
        service.redemption_decline(redemption, actor=user, reason=data["reason"])
    elif action == "pay":
        service.redemption_pay(
            redemption, actor=user, voucher=data["voucher"], paid_on=data["paid_on"]
        )
    elif action == "claw_back":
        service.redemption_claw_back(
            redemption,
            actor=user,
            amount=data["amount"],
            reason=data["reason"],
            voucher=data["voucher"],
            paid_on=data["paid_on"],
        )
    elif action == "withdraw":
        service.redemption_withdraw(redemption, actor=user, reason=data["reason"])
    elif action == "answer":
        objection = Objection.objects.filter(pk=data["objection"], redemption=redemption).first()
        if objection is None:
            raise NotFound(_("没有找到该异议"))
        service.objection_answer(
            objection, actor=user, upheld=data["upheld"], answer=data["answer"]
        )
    elif action == "end_publicity":
        publicity = redemption.publicities.filter(pk=data["publicity"]).first()
        if publicity is None:
            raise NotFound(_("没有找到该公示"))
        service.publicity_end(publicity, actor=user)


# -- the enterprise ------------------------------------------------------------------------------


@login_required
@require_GET
def my_redemptions(request: HttpRequest) -> HttpResponse:
    if not request.user.is_applicant:
        raise PermissionDenied
    rows = visible_redemptions(request.user).select_related("version", "enterprise")
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "policies/redemption/mine.html", {"page": page})


def _detail_context(request, redemption, forms: dict) -> dict:
    return {
        "redemption": redemption,
        "reasons": (redemption.result or {}).get("reasons", []),
        "forms": forms,
        "payments": list(redemption.payments.order_by("paid_on", "id")),
        "publicities": list(redemption.publicities.all()),
        "objections": list(redemption.objections.order_by("created_at")),
        "allowed": REDEMPTION_TRANSITIONS.actions_from(redemption.status),
    }


@login_required
@require_GET
def my_redemption(request: HttpRequest, number: str) -> HttpResponse:
    redemption = _redemption(request, number)
    if not request.user.is_applicant:
        return redirect("policies:redemption_manage", number=redemption.number)
    forms = {}
    if redemption.status == RedemptionStatus.PENDING and represents(
        request.user, redemption.enterprise
    ):
        forms = {name: form(prefix=name) for name, form in ENTERPRISE_FORMS.items()}
    return render(
        request, "policies/redemption/detail.html", _detail_context(request, redemption, forms)
    )


# -- the officer ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def redemption_desk(request: HttpRequest) -> HttpResponse:
    """By version: counts; the rows of one version and status; a 公示 of chosen rows."""
    if not is_officer(request.user):
        raise PermissionDenied
    versions = desk_versions(request.user)
    version_id = request.GET.get("version") or request.POST.get("version")
    status = request.GET.get("status") or RedemptionStatus.PAYABLE
    version = None
    rows = None
    error = None
    http_status = 200
    if version_id and str(version_id).isdigit():
        version = (
            PolicyItemVersion.objects.select_related("item__policy").filter(pk=version_id).first()
        )
        if version is None or not can_manage_policy(request.user, version.item.policy):
            raise Http404
        if request.method == "POST":
            try:
                publicity = service.publicity_open(
                    version,
                    actor=request.user,
                    numbers=request.POST.getlist("numbers"),
                    title=request.POST.get("title", ""),
                )
            except ApplicationError as refusal:
                error, http_status = refusal, refusal.status
            else:
                messages.success(request, _("公示已发布。"))
                return redirect("policies:publicity_detail", pk=publicity.pk)
        rows = (
            worked_redemptions(request.user)
            .filter(version=version, status=status)
            .select_related("enterprise")
            .order_by("number")
        )
        rows = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {
        "versions": versions,
        "version": version,
        "status": status,
        "statuses": [(value, RedemptionStatus(value).label) for value in DESK_STATUSES],
        "page": rows,
        "error": error,
    }
    return render(request, "policies/redemption/desk.html", context, status=http_status)


@login_required
@require_GET
def redemption_manage(request: HttpRequest, number: str) -> HttpResponse:
    redemption = _redemption(request, number)
    if request.user.is_applicant:
        return redirect("policies:my_redemption", number=redemption.number)
    forms = {}
    if can_work_redemption(request.user, redemption):
        forms = {name: form(prefix=name) for name, form in OFFICER_FORMS.items()}
    return render(
        request, "policies/redemption/manage.html", _detail_context(request, redemption, forms)
    )


@login_required
@require_POST
def redemption_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """``policies/redemptions/<number>/actions/<action>/``: one form, one service; back to
    the page it came from (post/redirect/get)."""
    redemption = _redemption(request, number)
    applicant = request.user.is_applicant
    forms = ENTERPRISE_FORMS if applicant else OFFICER_FORMS
    if action not in forms:
        raise Http404("no such action")
    if not applicant and not can_work_redemption(request.user, redemption):
        raise PermissionDenied  # who may not act is told so before the form is read
    back = "policies:my_redemption" if applicant else "policies:redemption_manage"
    form = forms[action](request.POST, prefix=action)
    status = 422
    if form.is_valid():
        try:
            _run(action, redemption, request.user, form.cleaned_data)
        except NotFound as error:
            raise Http404(error.message) from None
        except ApplicationError as error:
            add_service_error(form, error)
            status = error.status
        else:
            messages.success(request, DONE[action])
            return redirect(back, number=redemption.number)
    if status == 403:
        raise PermissionDenied
    context = _detail_context(request, redemption, {action: form})
    template = "policies/redemption/detail.html" if applicant else "policies/redemption/manage.html"
    return render(request, template, context, status=status)


# -- the public 公示 ------------------------------------------------------------------------------


@require_GET
def publicity_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(public_publicities(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "policies/redemption/publicity_list.html", {"page": page})


def _publicity_choices(publicity: Publicity) -> list[tuple[str, str]]:
    return [
        (row.number, f"{row.number} {row.enterprise.name}")
        for row in publicity.redemptions.select_related("enterprise").order_by("number")
    ]


@require_http_methods(["GET", "POST"])
def publicity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        publicity = publicity_for(pk)
    except NotFound as error:
        raise Http404(error.message) from None
    choices = _publicity_choices(publicity)
    is_open = publicity_is_open(publicity)
    form = f.ObjectionForm(choices=choices, prefix="objection") if is_open else None
    status = 200
    if request.method == "POST":
        form = f.ObjectionForm(request.POST, choices=choices, prefix="objection")
        status = 422
        if not OBJECTION.allow(request):
            form.add_error(None, _("提交过于频繁，请稍后再试"))
            status = 429
        elif form.is_valid():
            try:
                service.objection_file(
                    publicity,
                    number=form.cleaned_data["number"],
                    text=form.cleaned_data["text"],
                    contact=form.cleaned_data["contact"],
                    user=request.user,
                    ip_address=request_address(request),
                )
            except ApplicationError as error:
                add_service_error(form, error)
                status = error.status
            else:
                messages.success(request, _("异议已提交，我们将核实后答复。"))
                return redirect("policies:publicity_detail", pk=publicity.pk)
    rows = publicity.redemptions.select_related("enterprise", "version").order_by("number")
    context = {"publicity": publicity, "rows": rows, "form": form, "is_open": is_open}
    return render(request, "policies/redemption/publicity_detail.html", context, status=status)
