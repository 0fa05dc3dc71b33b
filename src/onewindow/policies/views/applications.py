"""快申快享 / 依申请: the confirmation page before an enterprise starts its application.

``policies/apply/<version id>/`` (``apply_start``): GET shows what will be filled from the
enterprise's profile, the materials, the item's conditions as judged today, the amount and the
time limit, and asks to confirm — or, when the enterprise holds a redemption of an item this
one may not be combined with (互斥), says so and links to that redemption instead. POST starts
the application and lands on the online application's page (the draft, prefilled), or
re-renders with the refusal (422 not eligible; 409 mutually exclusive or already redeemed;
nothing written). Applicants only (staff 403, anonymous to the login page); an enterprise the
user does not represent, or a version that is not open, is a 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.catalog.constants import VersionStatus
from onewindow.core.decorators import applicant_required
from onewindow.core.errors import Conflict, NotFound, ValidationFailed
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant, User
from onewindow.org.permissions import represented_applicant_ids
from onewindow.policies.constants import CASE_WAYS
from onewindow.policies.facts import FACTS_BY_NAME
from onewindow.policies.models import PolicyItemVersion
from onewindow.policies.services.applications import plan_application, start_application


def _version(user: User, pk: int) -> PolicyItemVersion:
    version = (
        PolicyItemVersion.objects.select_related("item__policy", "catalog_item")
        .filter(
            pk=pk,
            item__zone_id=user.zone_id,
            status=VersionStatus.PUBLISHED,
            way__in=CASE_WAYS,
            catalog_item__isnull=False,
        )
        .first()
    )
    if version is None:
        raise Http404(_("兑现事项不存在"))
    return version


def _enterprise(request: HttpRequest) -> Applicant:
    """The enterprise asked for (``enterprise`` = its id), else the user's only one."""
    ids = represented_applicant_ids(request.user)
    enterprises = Applicant.objects.filter(pk__in=ids, kind=ApplicantKind.ENTERPRISE)
    given = (request.POST.get("enterprise") or request.GET.get("enterprise") or "").strip()
    if given:
        enterprise = enterprises.filter(pk=int(given)).first() if given.isdigit() else None
    else:
        enterprise = enterprises.order_by("pk").first()
    if enterprise is None:
        raise Http404(_("企业不存在"))
    return enterprise


def _plan_context(plan) -> dict:
    labels = {name: str(fact.label) for name, fact in FACTS_BY_NAME.items()}
    return {
        "plan": plan,
        "version": plan.version,
        "enterprise": plan.enterprise,
        "prefill": [(labels.get(name, name), value) for name, value in plan.prefill.items()],
        "materials": plan.materials,
        "reasons": plan.judgement.reasons,
        "outcome": plan.judgement.outcome,
        "amount": plan.judgement.amount,
        "excluded_by": plan.excluded_by,
        "excluded_link": reverse("policies:my_redemption", args=[plan.excluded_by.number])
        if plan.excluded_by is not None
        else "",
    }


@applicant_required
@require_http_methods(["GET", "POST"])
def apply_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    version = _version(user, pk)
    enterprise = _enterprise(request)
    try:
        plan = plan_application(user=user, enterprise=enterprise, version=version)
    except NotFound as error:
        raise Http404(error.message) from None
    except ValidationFailed as error:
        return render(
            request,
            "policies/applications/start.html",
            {"version": version, "enterprise": enterprise, "error": error.message},
            status=422,
        )
    context = _plan_context(plan)
    if request.method == "POST":
        try:
            start_application(user, enterprise, version, on=plan.on)
        except ValidationFailed as error:
            context["error"] = error.message
            return render(request, "policies/applications/start.html", context, status=422)
        except Conflict as error:
            context["error"] = error.message
            return render(request, "policies/applications/start.html", context, status=409)
        code = version.catalog_item.implementation_code
        return redirect(reverse("cases:apply_item", args=[code]))
    return render(request, "policies/applications/start.html", context)
