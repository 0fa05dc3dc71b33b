"""What the certificate pages share: page sizes, templates, access decorators, paging and
how a certificate's holder and facts are shown (masked by the one rule, ADR 0015)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse

from onewindow.certificates.models import (
    Certificate,
    CertificateStatus,
    HolderKind,
)
from onewindow.certificates.permissions import (
    is_zone_staff,
)
from onewindow.certificates.services import (
    mask_holder_identifier,
    mask_personal_facts,
)
from onewindow.core.throttle import request_address
from onewindow.org.services import (
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
        ip_address=request_address(request),
    )
    return shown.full


def _uses_page(request: HttpRequest, certificate: Certificate) -> Page:
    return _page(request, certificate.uses.select_related("used_by").order_by("-used_at", "-id"))
