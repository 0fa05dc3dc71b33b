"""Staff pages: the list with filters, a certificate's page with its use log and
revocation, and the statistics."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from onewindow.certificates import selectors
from onewindow.certificates.identifiers import normalise
from onewindow.certificates.models import (
    CERTIFICATE_TRANSITIONS,
    Certificate,
    CertificateAction,
    CertificateStatus,
    CertificateType,
    HolderKind,
)
from onewindow.certificates.permissions import (
    can_revoke,
    can_see_stats,
    can_view,
)
from onewindow.certificates.services import (
    certificate_revoke,
)
from onewindow.certificates.views.common import (
    DETAIL_TEMPLATE,
    _holder_identifier,
    _page,
    _signed_facts,
    _staff_identifier_view,
    _uses_page,
    _with_states,
    zone_staff_required,
)
from onewindow.certificates.views.public import typed_identifier
from onewindow.core.errors import ApplicationError, Conflict, Forbidden
from onewindow.core.throttle import request_address
from onewindow.org.models import Applicant, User
from onewindow.org.permissions import can_search_by_identifier
from onewindow.org.services import (
    IdentifierChannel,
    identifier_lookup_record,
    identifier_query,
)

# -- staff -------------------------------------------------------------------------------------

STATUS_FILTERS = [
    ("", gettext_lazy("全部")),
    (CertificateStatus.VALID, CertificateStatus.VALID.label),
    (CertificateStatus.REVOKED, CertificateStatus.REVOKED.label),
    (CertificateStatus.EXPIRED, CertificateStatus.EXPIRED.label),
]


class ListFilterForm(forms.Form):
    type = forms.ModelChoiceField(
        label=gettext_lazy("证照类型"),
        required=False,
        queryset=CertificateType.objects.order_by("name"),
        empty_label=gettext_lazy("全部类型"),
        error_messages={"invalid_choice": gettext_lazy("证照类型：请从列表中选择")},
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=STATUS_FILTERS,
        error_messages={"invalid_choice": gettext_lazy("状态：请从列表中选择")},
    )
    q = forms.CharField(
        label=gettext_lazy("持证主体"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("名称的一部分、证件号码，或证照标识、办件编号"),
        error_messages={"max_length": gettext_lazy("持证主体：不能超过 100 个字")},
    )


def _by_holder_number(request: HttpRequest, certificates: QuerySet, query: str) -> Q:
    """The certificates whose holder has the number ``query``: any staff finds an
    enterprise's USCC (public); only the roles that may see full numbers find a person or a
    foreigner by theirs, and that search is recorded (ADR 0015)."""
    number = identifier_query(query)
    condition = Q(holder_kind=HolderKind.ENTERPRISE, holder_identifier__iexact=number)
    if not can_search_by_identifier(request.user):
        return condition
    personal = ~Q(holder_kind=HolderKind.ENTERPRISE) & (
        Q(holder_identifier__iexact=number) | Q(holder_identifier__iendswith=":" + number)
    )
    found = list(
        Applicant.objects.filter(pk__in=certificates.filter(personal).values("holder_id")).order_by(
            "pk"
        )
    )
    identifier_lookup_record(
        actor=request.user,
        query=number,
        found=found,
        ip_address=request_address(request),
    )
    return condition | personal


def _filtered(request: HttpRequest, certificates: QuerySet, data: dict, today) -> QuerySet:
    if data.get("type"):
        certificates = certificates.filter(certificate_type=data["type"])
    status = data.get("status")
    if status == CertificateStatus.REVOKED:
        certificates = certificates.filter(status=CertificateStatus.REVOKED)
    elif status == CertificateStatus.VALID:
        certificates = certificates.filter(status=CertificateStatus.VALID).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
    elif status == CertificateStatus.EXPIRED:
        certificates = certificates.filter(status=CertificateStatus.VALID, valid_until__lt=today)
    query = (data.get("q") or "").strip()
    if query:
        certificates = certificates.filter(
            Q(holder_name__icontains=query)
            | _by_holder_number(request, certificates, query)
            | Q(identifier=typed_identifier(query))
            | Q(case_number__iexact=query)
        )
    return certificates


@zone_staff_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    """``/certificates/``: the zone's certificates, newest first, with filters."""
    today = timezone.localdate()
    form = ListFilterForm(request.GET or None)
    certificates = (
        Certificate.objects.filter(zone_id=request.user.zone_id)
        .select_related("certificate_type", "issuing_department")
        .defer("payload", "facts", "signature")
        .order_by("-issued_on", "-id")
    )
    filtered = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filtered = bool(data.get("type") or data.get("status") or data.get("q"))
        certificates = _filtered(request, certificates, data, today)
    status = 422 if form.is_bound and not form.is_valid() else 200
    page = _page(request, certificates)
    page.object_list = _with_states(page.object_list, today)
    for certificate in page.object_list:
        certificate.shown_identifier = _holder_identifier(certificate, masked=True)
    context = {"form": form, "page": page, "filtered": filtered}
    return render(request, "certificates/list.html", context, status=status)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("注销原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("将记入证照和审计记录；公开查验页面只显示注销日期。"),
        error_messages={
            "required": gettext_lazy("注销原因：请填写"),
            "max_length": gettext_lazy("注销原因：不能超过 500 个字"),
        },
    )


def _staff_certificate(user: User, identifier: str) -> Certificate:
    """The certificate of the user's zone; "not found" for another zone's and a missing one."""
    certificate = (
        Certificate.objects.select_related(
            "certificate_type",
            "issuing_department",
            "signing_key",
            "holder",
            "revoked_by",
            "issued_by",
        )
        .filter(identifier=normalise(identifier), zone_id=user.zone_id)
        .first()
    )
    if certificate is None or not can_view(user, certificate):
        raise Http404(_("未找到该电子证照"))
    return certificate


def _render_detail(
    request: HttpRequest, certificate: Certificate, form: RevokeForm | None = None, status=200
) -> HttpResponse:
    user = request.user
    _with_states([certificate], timezone.localdate())
    full = _staff_identifier_view(request, certificate, IdentifierChannel.PAGE)
    revocable = CERTIFICATE_TRANSITIONS.allows(
        certificate.status, CertificateAction.REVOKE
    ) and can_revoke(user, certificate)
    context = {
        "certificate": certificate,
        "facts": _signed_facts(certificate, masked=not full),
        "holder_identifier": _holder_identifier(certificate, masked=not full),
        "uses": _uses_page(request, certificate),
        "revocable": revocable,
        "form": form or (RevokeForm() if revocable else None),
    }
    return render(request, DETAIL_TEMPLATE, context, status=status)


@zone_staff_required
@require_GET
def staff_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    """``/certificates/<identifier>/``: facts, issue and revocation, the use log, and the
    revocation form for a decider of the issuing department or an administrator."""
    return _render_detail(request, _staff_certificate(request.user, identifier))


@zone_staff_required
@require_POST
def revoke(request: HttpRequest, identifier: str) -> HttpResponse:
    """``POST /certificates/<identifier>/revoke``: 注销 with a reason."""
    user = request.user
    certificate = _staff_certificate(user, identifier)
    if not can_revoke(user, certificate):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, certificate, form, status=422)
    try:
        certificate_revoke(certificate=certificate, actor=user, reason=form.cleaned_data["reason"])
    except Forbidden:
        raise PermissionDenied from None
    except ApplicationError as error:
        target = "reason" if "reason" in error.fields else None
        form.add_error(target, error.message)
        status = 409 if isinstance(error, Conflict) else error.status
        return _render_detail(request, certificate, form, status=status)
    messages.success(
        request,
        _("已注销证照 {identifier}；公开查验将显示“已注销”。").format(
            identifier=certificate.identifier
        ),
    )
    return redirect("certificates:detail", identifier=certificate.identifier)


class StatsForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("开始日期：日期格式应为 YYYY-MM-DD")},
    )
    date_to = forms.DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("结束日期：日期格式应为 YYYY-MM-DD")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期：不能早于开始日期"))
        return data


@login_required
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    """``/certificates/stats/``: issued, revoked, verified and reused (免提交) by type."""
    user = request.user
    if not can_see_stats(user) or user.zone_id is None:
        raise PermissionDenied
    form = StatsForm(request.GET or None)
    date_from = date_to = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        else:
            status = 422
    rows = []
    if status == 200:
        rows = sorted(
            selectors.stats_by_type(user.zone_id, date_from=date_from, date_to=date_to),
            key=lambda row: (-row["issued"], row["type"].name),
        )
    totals = {
        key: sum(row[key] for row in rows) for key in ("issued", "revoked", "verified", "reused")
    }
    context = {
        "form": form,
        "rows": rows,
        "totals": totals,
        "date_from": date_from,
        "date_to": date_to,
    }
    return render(request, "certificates/stats.html", context, status=status)
