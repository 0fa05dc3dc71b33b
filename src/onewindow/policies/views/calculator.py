"""The calculator's pages: 政策计算器 for an enterprise's representative (from its profile),
and 公开试算 for anyone (typed facts, throttled with the API)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.org.models import Applicant
from onewindow.org.permissions import represented_applicant_ids
from onewindow.org.selectors import zone_by_code
from onewindow.policies.constants import CASE_WAYS
from onewindow.policies.forms_calculator import TryForm
from onewindow.policies.models import Subscription
from onewindow.policies.services import applications, calculator, subscriptions
from onewindow.policies.services.common import exclusions_held


def _link(name: str, *args) -> str:
    """A page of another part of the app, or "" before that part is on the site."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _rows(results, held=None) -> list[dict]:
    """Each result with its links; ``held`` (item id → the enterprise's redemption of an item
    it may not be combined with) turns 去申请 into the exclusion, linked to that redemption."""
    rows = []
    for result in results:
        row = {"result": result, "detail": _link("policies:detail", result.code), "apply": ""}
        if result.proposed and result.version.way in CASE_WAYS:
            blocking = (held or {}).get(result.version.item_id)
            if blocking is None:
                row["apply"] = _link("policies:apply_start", result.version.pk)
            else:
                row["excluded_by"] = blocking
                row["excluded_message"] = applications.exclusion_message(blocking)
                row["excluded_link"] = _link("policies:my_redemption", blocking.number)
        rows.append(row)
    return rows


def _groups_context(results, held=None) -> dict:
    groups = calculator.grouped(results)
    return {
        "groups": groups,
        "eligible": _rows(groups.eligible, held),
        "excluded": _rows(groups.excluded, held),
        "near": _rows(groups.near, held),
        "unknown": _rows(groups.unknown, held),
    }


@login_required
@never_cache
@require_GET
def calculator_page(request: HttpRequest) -> HttpResponse:
    """``policies/calculator/``: the representative's enterprise (``?enterprise=<uscc>`` when
    the user acts for several) against the items in force today."""
    user = request.user
    if not user.is_applicant:
        raise PermissionDenied
    enterprises = list(
        Applicant.objects.filter(pk__in=represented_applicant_ids(user), uscc__gt="").order_by(
            "name", "pk"
        )
    )
    if not enterprises:
        raise PermissionDenied
    wanted = request.GET.get("enterprise", "")
    if wanted:
        enterprise = next((e for e in enterprises if e.uscc == calculator.fold(wanted)), None)
        if enterprise is None:
            raise Http404
    else:
        enterprise = enterprises[0]
    on = timezone.localdate()
    results = calculator.evaluate_enterprise(enterprise, on)
    held = exclusions_held(
        enterprise.pk,
        [r.version.item_id for r in results if r.proposed and r.version.way in CASE_WAYS],
    )
    context = {
        "enterprise": enterprise,
        "enterprises": enterprises,
        "on": on,
        "profile_link": _link("policies:profile"),
        "subscribed": Subscription.objects.filter(enterprise=enterprise, user=user).exists(),
        "subscribe_link": _link("policies:subscription"),
        **_groups_context(results, held),
    }
    return render(request, "policies/calculator/enterprise.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def try_page(request: HttpRequest) -> HttpResponse:
    """``policies/try/``: anyone types facts and sees indicative results."""
    on = timezone.localdate()
    form = TryForm(request.POST if request.method == "POST" else None, on=on)
    context: dict = {"form": form, "on": on}
    status = 200
    if form.is_bound:
        if not calculator.TRY_LIMIT.allow(request):
            context["refusal"] = _("试算过于频繁，请 1 分钟后再试。")
            response = render(request, "policies/calculator/try.html", context, status=429)
            response["Retry-After"] = str(calculator.TRY_LIMIT.retry_after())
            return response
        if form.is_valid():
            zone = zone_by_code(None)
            context.update(_groups_context(calculator.evaluate_facts(form.facts, zone, on)))
            context["evaluated"] = True
        else:
            status = 422
    return render(request, "policies/calculator/try.html", context, status=status)


@login_required
@require_POST
def subscription_toggle(request: HttpRequest) -> HttpResponse:
    """``policies/calculator/subscription/`` (POST ``enterprise``, ``subscribe`` 1 or 0,
    ``include_near``): the representative turns the enterprise's reminders on or off."""
    user = request.user
    if not user.is_applicant:
        raise PermissionDenied
    wanted = calculator.fold(request.POST.get("enterprise", "")).upper()
    enterprise = Applicant.objects.filter(uscc=wanted).first() if wanted else None
    if enterprise is None or enterprise.pk not in represented_applicant_ids(user):
        raise Http404
    choice = request.POST.get("subscribe", "")
    if choice not in ("0", "1"):
        messages.error(request, _("订阅政策提醒：请选择订阅或取消。"))
    elif choice == "1":
        include_near = request.POST.get("include_near") == "1"
        subscriptions.subscribe(user, enterprise, include_near=include_near)
        messages.success(request, _("已订阅政策提醒：有新的符合事项时，将在“我的消息”中通知您。"))
    else:
        subscriptions.unsubscribe(user, enterprise)
        messages.success(request, _("已取消政策提醒。"))
    return redirect(f"{reverse('policies:calculator')}?enterprise={enterprise.uscc}")
