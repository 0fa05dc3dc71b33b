"""The holder's wallet (我的证照): their certificates and each one's use log."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.certificates import selectors
from onewindow.certificates.identifiers import normalise
from onewindow.certificates.models import (
    Certificate,
)
from onewindow.certificates.views.common import (
    _holder_identifier,
    _page,
    _signed_facts,
    _uses_page,
    _with_states,
    applicant_required,
)
from onewindow.org.permissions import represented_applicant_ids

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
