"""The enterprise profile's pages (企业画像).

- ``profile`` (``/policies/profile/``): the signed-in enterprise's own facts with their
  source and day, the derived size class, and a form to declare (申报) or correct them.
  A user who represents several enterprises picks one (``?uscc=``); staff are refused.
- ``enterprise_profile`` (``/policies/enterprises/<uscc>/``): the zone's staff who read
  facts see the same; those who write facts (policy officers, the administrator) get the
  form with a source. An enterprise one may not see is "not found", like a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.forms import add_service_error
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant
from onewindow.org.permissions import represented_applicant_ids
from onewindow.policies import permissions
from onewindow.policies.forms_profile import ProfileForm
from onewindow.policies.models import FactSource
from onewindow.policies.services import profile as service


def _current(enterprise: Applicant) -> dict:
    return {fact.name: fact.row.value for fact in service.profile_rows(enterprise) if fact.row}


def _save(request: HttpRequest, form: ProfileForm, enterprise: Applicant, *, staff: bool) -> bool:
    """Record the changed facts; False (errors on the form) when refused."""
    if not form.is_valid():
        return False
    changed = form.changed_facts()
    if not changed:
        messages.info(request, _("没有修改任何事实。"))
        return True
    try:
        result = service.record_facts(
            request.user,
            enterprise,
            changed,
            source=form.cleaned_data["source"] if staff else FactSource.DECLARED,
            source_detail=form.cleaned_data.get("source_detail", ""),
            as_of=form.cleaned_data["as_of"],
        )
    except ApplicationError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from None
        add_service_error(form, error)
        return False
    messages.success(
        request, _("已更新 %(count)s 项企业档案事实。") % {"count": len(result.changed)}
    )
    return True


def _render(request, template, enterprise, form, **context) -> HttpResponse:
    rows = service.profile_rows(enterprise)
    size = next(row for row in rows if row.name == service.SIZE_CLASS)
    return render(
        request,
        template,
        {
            "enterprise": enterprise,
            "rows": [row for row in rows if not row.derived],
            "size": size,
            "changes": service.recent_changes(enterprise, 20),
            "form": form,
            **context,
        },
        status=422 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    if not request.user.is_applicant:
        raise PermissionDenied(_("企业画像是企业用户的页面。"))
    enterprises = list(
        Applicant.objects.filter(
            pk__in=represented_applicant_ids(request.user), kind=ApplicantKind.ENTERPRISE
        ).order_by("name")
    )
    if not enterprises:
        return render(request, "policies/profile/none.html", {})
    wanted = (request.GET.get("uscc") or "").strip().upper()
    enterprise = next((row for row in enterprises if row.uscc == wanted), None)
    if wanted and enterprise is None:
        raise Http404(_("没有找到该企业的档案。"))
    enterprise = enterprise or enterprises[0]
    form = ProfileForm(request.POST or None, current=_current(enterprise), staff=False)
    if request.method == "POST" and _save(request, form, enterprise, staff=False):
        return redirect(f"{reverse('policies:profile')}?uscc={enterprise.uscc}")
    return _render(
        request, "policies/profile/profile.html", enterprise, form, enterprises=enterprises
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_profile(request: HttpRequest, uscc: str) -> HttpResponse:
    try:
        enterprise = service.profile_enterprise_for(request.user, uscc)
    except NotFound as error:
        raise Http404(error.message) from None
    if permissions.represents(request.user, enterprise):
        return redirect(f"{reverse('policies:profile')}?uscc={enterprise.uscc}")
    writer = permissions.can_write_facts(request.user, enterprise)
    if request.method == "POST" and not writer:
        raise PermissionDenied(_("您不能修改该企业的档案。"))
    form = None
    if writer:
        form = ProfileForm(request.POST or None, current=_current(enterprise), staff=True)
        if request.method == "POST" and _save(request, form, enterprise, staff=True):
            return redirect("policies:enterprise_profile", uscc=enterprise.uscc)
    return _render(request, "policies/profile/enterprise.html", enterprise, form)
