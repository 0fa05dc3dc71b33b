"""The certificate PDF: the holder's copy in full, a staff copy masked unless the rule
allows, every download recorded."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.certificates.identifiers import normalise
from onewindow.certificates.models import (
    Certificate,
)
from onewindow.certificates.pdf import render_certificate_pdf
from onewindow.certificates.permissions import (
    can_view,
)
from onewindow.certificates.services import (
    certificate_record_download,
)
from onewindow.certificates.views.common import (
    _staff_identifier_view,
)
from onewindow.org.services import (
    IdentifierChannel,
)

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
