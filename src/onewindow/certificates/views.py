"""Certificate pages: the public check, the published keys, the holder's wallet (我的证照),
the staff list, a certificate's page with its use log and revocation, the statistics, and
the PDF.

Each view parses input, checks access (a role per page, then the certificate itself:
"not found" for missing and forbidden alike), calls one service or selector and renders.
The public check answers every identifier that names no certificate (malformed, a wrong
check character, unknown) with one and the same page, and is limited per client address.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from onewindow.certificates import selectors, throttle
from onewindow.certificates.identifiers import check_character, normalise, parse_identifier
from onewindow.certificates.keys import published_keys
from onewindow.certificates.models import (
    Certificate,
    CertificateStatus,
    CertificateType,
    HolderKind,
)
from onewindow.certificates.pdf import render_certificate_pdf
from onewindow.certificates.permissions import (
    can_revoke,
    can_see_stats,
    can_view,
    is_zone_staff,
)
from onewindow.certificates.services import (
    certificate_record_download,
    certificate_revoke,
    certificate_verify,
    mask_holder_identifier,
    mask_personal_facts,
)
from onewindow.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from onewindow.core.identifiers import fold_code
from onewindow.core.middleware import public_cache
from onewindow.org.models import Applicant, User
from onewindow.org.permissions import can_search_by_identifier, represented_applicant_ids
from onewindow.org.services import (
    IdentifierChannel,
    identifier_lookup_record,
    identifier_query,
    identifier_show,
)

#: Rows per page of every list (wallet, staff list, use log).
PAGE_SIZE = 25
VERIFY_TEMPLATE = "certificates/verify.html"
NOT_FOUND_TEMPLATE = "certificates/verify_not_found.html"
DETAIL_TEMPLATE = "certificates/detail.html"

#: The headline of the public check: its mark (beside the words, never colour alone).
MARKS = {"valid": "✓", "revoked": "✕", "expired": "!", "invalid": "✕"}


# -- helpers ---------------------------------------------------------------------------------


def applicant_required(view: Callable) -> Callable:
    """Signed-in applicant users only: anonymous users go to the login page, staff get 403."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_applicant:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def zone_staff_required(view: Callable) -> Callable:
    """Signed-in staff with a role in their zone: anonymous users go to the login page,
    applicants and staff without a role get 403."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if user.zone_id is None or not is_zone_staff(user, user.zone_id):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _page(request: HttpRequest, rows, size: int = PAGE_SIZE) -> Page:
    """One page of ``rows`` with the links to its neighbours (the other filters kept)."""
    page = Paginator(rows, size).get_page(request.GET.get("page"))

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return "?" + query.urlencode()

    page.previous_url = link(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = link(page.next_page_number()) if page.has_next() else ""
    return page


def _with_states(certificates, today) -> list[Certificate]:
    rows = list(certificates)
    for certificate in rows:
        certificate.state = certificate.effective_status(today)
        certificate.state_label = CertificateStatus(certificate.state).label
    return rows


def _signed_facts(certificate: Certificate, *, masked: bool) -> list[dict]:
    """The facts as signed (their order and labels), personal numbers masked if asked."""
    facts = json.loads(certificate.payload)["facts"]
    return mask_personal_facts(facts, certificate.holder_kind) if masked else facts


def _holder_identifier(certificate: Certificate, *, masked: bool) -> str:
    value = certificate.holder_identifier
    if masked:
        value = mask_holder_identifier(value, certificate.holder_kind)
    if certificate.holder_kind == HolderKind.ENTERPRISE:
        return value
    return value.split(":")[-1]


def _staff_identifier_view(request: HttpRequest, certificate: Certificate, channel: str) -> bool:
    """Whether this response to staff may carry the holder's full number (the one rule);
    a full view of a personal number is recorded once for the response (ADR 0015)."""
    shown = identifier_show(
        viewer=request.user,
        applicant=certificate.holder,
        channel=channel,
        purpose=certificate.identifier,
        ip_address=request.META.get("REMOTE_ADDR"),
    )
    return shown.full


def _uses_page(request: HttpRequest, certificate: Certificate) -> Page:
    return _page(request, certificate.uses.select_related("used_by").order_by("-used_at", "-id"))


# -- public: the published keys ----------------------------------------------------------------


@require_safe
@public_cache(max_age=300)
def public_keys(request: HttpRequest) -> JsonResponse:
    """``/.well-known/onewindow-keys.json``: every zone's public keys (signing and
    rotated-out) as JWKs, for checking a downloaded certificate offline."""
    response = JsonResponse({"keys": published_keys()}, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


# -- public: the check -------------------------------------------------------------------------

_IDEOGRAPHIC_DOTS = str.maketrans({"。": ".", "｡": ".", "、": "."})
_PASTED_URL = re.compile(r"/verify/([^/?#\s]+)")
_PASTED_CODE = re.compile(r"[?&]c=([^&#\s]+)")


def typed_identifier(value: str) -> str:
    """What a person typed or pasted, as an identifier: a verification address gives its
    last part; full-width characters and ideographic full stops become ASCII; spaces go."""
    text = unicodedata.normalize("NFKC", value or "").translate(_IDEOGRAPHIC_DOTS)
    match = _PASTED_URL.search(text)
    if match:
        text = match.group(1)
    return normalise(re.sub(r"\s+", "", text))


def pasted_code(value: str) -> str:
    """The 查验码 inside a pasted verification address (``…/verify/<id>?c=…``), or ""."""
    match = _PASTED_CODE.search(unicodedata.normalize("NFKC", value or ""))
    return fold_code(match.group(1)) if match else ""


def verification_query(code: str) -> str:
    return "?" + urlencode({"c": code})


class VerifyForm(forms.Form):
    id = forms.CharField(
        label=gettext_lazy("证照标识"),
        max_length=200,
        help_text=gettext_lazy(
            "证照上二维码下方的编号，以 1.2.156.3005.2 开头；也可粘贴扫码得到的查验网址。"
        ),
        error_messages={
            "required": gettext_lazy("证照标识：请填写"),
            "max_length": gettext_lazy("证照标识：过长，请核对"),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    c = forms.CharField(
        label=gettext_lazy("查验码"),
        required=False,
        help_text=gettext_lazy("证照上印在证照标识旁的 8 位字母或数字；扫码打开时已自动带入。"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "maxlength": 20,
            }
        ),
    )

    def clean_id(self) -> str:
        identifier = typed_identifier(self.cleaned_data["id"])
        if not identifier:
            raise forms.ValidationError(_("证照标识：请填写"))
        if parse_identifier(identifier) is not None:
            return identifier
        body = identifier.rsplit(".", 1)[0]
        try:
            corrected = f"{body}.{check_character(body)}"
        except Exception:  # characters outside 0-9A-Z: not an identifier at all
            corrected = ""
        if corrected and parse_identifier(corrected) is not None:
            raise forms.ValidationError(_("证照标识：校验位不符，请逐位核对是否输错"))
        raise forms.ValidationError(
            _("证照标识：格式不正确，应以 1.2.156.3005.2 开头，各段以英文句点分隔")
        )

    def clean(self):
        data = super().clean()
        code = fold_code(data.get("c") or "") or pasted_code(self.data.get("id", ""))
        if not code and "c" not in self.errors:
            self.add_error("c", _("查验码：请填写证照上印制的查验码"))
        data["c"] = code
        return data


@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    """``/verify/``: type or paste an identifier and its 查验码; ``?id=…&c=…`` goes to
    the check page."""
    form = VerifyForm(request.GET if "id" in request.GET else None)
    if not form.is_bound:
        return render(request, "certificates/verify_form.html", {"form": form})
    if not form.is_valid():
        return render(request, "certificates/verify_form.html", {"form": form}, status=422)
    path = reverse("certificates:verify", kwargs={"identifier": form.cleaned_data["id"]})
    return redirect(path + verification_query(form.cleaned_data["c"]))


def _not_found_page(request: HttpRequest) -> HttpResponse:
    response = render(request, NOT_FOUND_TEMPLATE, {"form": VerifyForm()}, status=404)
    response["X-Robots-Tag"] = "noindex"
    return response


def _code_page(request: HttpRequest, identifier: str) -> HttpResponse:
    """The check without its 查验码: the form, the identifier filled in, nothing about any
    certificate (the same page whether the identifier names one or not)."""
    form = VerifyForm(initial={"id": identifier})
    form.fields["c"].widget.attrs["autofocus"] = True  # the one field left to fill
    context = {"form": form, "asking_code": True}
    response = render(request, "certificates/verify_form.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_safe
def verify_page(request: HttpRequest, identifier: str) -> HttpResponse:
    """``/verify/<identifier>?c=<查验码>``: the certificate's status at once (有效 / 已注销 /
    已过期 / 签名无效), then what it certifies, who issued it, and the key that signed it.
    Without a code it asks for one; a wrong code is answered as an unknown identifier."""
    if not request.GET.get("c", "").strip():
        return _code_page(request, identifier)
    if not throttle.VERIFY.allow(request):
        context = {"form": VerifyForm(), "error": _("查验过于频繁，请 1 分钟后再试。")}
        response = render(request, "certificates/verify_form.html", context, status=429)
        response["Retry-After"] = str(throttle.VERIFY.retry_after())
        return response
    if parse_identifier(identifier) is None:
        return _not_found_page(request)
    try:
        verification = certificate_verify(identifier, code=request.GET["c"], channel="page")
    except NotFound:
        return _not_found_page(request)
    certificate = verification.certificate
    state = verification.status if verification.signature_valid else "invalid"
    context = {
        "v": verification,
        "state": state,
        "mark": MARKS[state],
        "holder_kind": certificate.get_holder_kind_display(),
        "revoked_on": timezone.localdate(verification.revoked_at)
        if verification.revoked_at
        else None,
        "checked_at": timezone.localtime(),
    }
    response = render(request, VERIFY_TEMPLATE, context)
    response["X-Robots-Tag"] = "noindex"  # holder names are not for search engines
    return response


# -- the holder: 我的证照 ------------------------------------------------------------------------


@applicant_required
@require_GET
def wallet(request: HttpRequest) -> HttpResponse:
    """``/my/certificates/``: every certificate of the applicants the user represents."""
    today = timezone.localdate()
    holders = represented_applicant_ids(request.user)
    certificates = selectors.holder_certificates(holders).defer("payload", "facts", "signature")
    page = _page(request, certificates)
    page.object_list = _with_states(page.object_list, today)
    context = {"page": page, "several_holders": len(holders) > 1}
    return render(request, "certificates/wallet.html", context)


@applicant_required
@require_GET
def wallet_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    """``/my/certificates/<identifier>/``: the facts of one of the user's certificates
    and its use log (调用记录: who, for which case, when, for what)."""
    certificate = (
        Certificate.objects.select_related("certificate_type", "issuing_department", "signing_key")
        .filter(
            identifier=normalise(identifier),
            holder_id__in=represented_applicant_ids(request.user),
        )
        .first()
    )
    if certificate is None:
        raise Http404(_("未找到该电子证照"))
    _with_states([certificate], timezone.localdate())
    context = {
        "certificate": certificate,
        "facts": _signed_facts(certificate, masked=False),
        "holder_identifier": _holder_identifier(certificate, masked=False),
        "uses": _uses_page(request, certificate),
    }
    return render(request, "certificates/wallet_detail.html", context)


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
        ip_address=request.META.get("REMOTE_ADDR"),
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
    revocable = certificate.status == CertificateStatus.VALID and can_revoke(user, certificate)
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


# -- the file ----------------------------------------------------------------------------------

_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def pdf_filename(certificate: Certificate) -> str:
    """``食品经营许可证-<identifier>.pdf``, without characters a file system refuses."""
    name = _UNSAFE_IN_FILENAME.sub("_", certificate.certificate_type.name).strip(" ._") or "证照"
    return f"{name[:60]}-{certificate.identifier}.pdf"


@login_required
@require_GET
def pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    """``/certificates/<identifier>/pdf``: the certificate file (QR code, signed data
    embedded) for the holder's representatives and the zone's staff; the download is
    recorded in the use log."""
    user = request.user
    certificate = (
        Certificate.objects.select_related(
            "zone", "certificate_type", "issuing_department", "signing_key", "holder"
        )
        .filter(identifier=normalise(identifier))
        .first()
    )
    if certificate is None or not can_view(user, certificate):
        raise Http404(_("未找到该电子证照"))
    # The holder's own copy carries the full number and the signed envelope; a staff copy
    # is masked unless the one rule lets the user see the number (then it is recorded).
    masked = not user.is_applicant and not _staff_identifier_view(
        request, certificate, IdentifierChannel.PDF
    )
    content = render_certificate_pdf(certificate, masked=masked)
    certificate_record_download(certificate=certificate, actor=user, masked=masked)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, pdf_filename(certificate))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
