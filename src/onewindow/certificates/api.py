"""Certificates over HTTP: the public check of one certificate.

``GET /api/v1/certificates/{identifier}/verify?c=<查验码>``: anyone, no login, with the
verification code printed on the certificate (identifiers are sequential; the code keeps
the check from being a register). The answer is the certificate's status (valid, revoked
with its date, expired), the facts it certifies (a person's name and numbers masked), the
key that signed it and whether the signature holds. An identifier that is malformed, has a
wrong check character or names no certificate, and a wrong code, are one and the same 404.
Requests are limited per client address (429), together with the verification page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from onewindow.certificates import throttle
from onewindow.certificates.identifiers import parse_identifier
from onewindow.certificates.schemas import VerificationOut, VerifyQuery
from onewindow.certificates.services import Verification, certificate_verify
from onewindow.core.errors import NotFound
from onewindow.core.schemas import Error

router = Router(tags=["certificates"])


def not_found() -> NotFound:
    """The one answer for every identifier that names no certificate (the service's)."""
    return NotFound(_("未找到该电子证照"), code="not_found")


def throttled_message() -> str:
    return _("查验过于频繁，请 1 分钟后再试。")


def verification_out(verification: Verification) -> dict:
    certificate = verification.certificate
    revoked_at = verification.revoked_at
    return {
        "identifier": verification.identifier,
        "status": verification.status,
        "status_label": verification.status_label,
        "signature_valid": verification.signature_valid,
        "trustworthy": verification.trustworthy,
        "type": {"code": certificate.certificate_type.code, "name": verification.type_name},
        "issuer": {"code": certificate.issuing_department.uscc, "name": verification.issuer_name},
        "holder_name": verification.holder_name,
        "holder_identifier": verification.holder_identifier,
        "issued_on": verification.issued_on,
        "valid_until": verification.valid_until,
        "revoked_on": timezone.localdate(revoked_at) if revoked_at else None,
        "facts": verification.facts,
        "key_id": verification.key_id,
    }


@router.get(
    "/certificates/{identifier}/verify",
    response={200: VerificationOut, 404: Error, 422: Error, 429: Error},
    summary="电子证照查验（无需登录；标识不存在、格式有误或查验码不符均答复 404；按来源地址限流）",
    auth=None,
)
def verify(
    request: HttpRequest, identifier: str, query: Query[VerifyQuery], response: HttpResponse
):
    if not throttle.VERIFY.allow(request):
        response["Retry-After"] = str(throttle.VERIFY.retry_after())
        return Status(429, {"message": throttled_message(), "code": "throttled", "fields": {}})
    if parse_identifier(identifier) is None:
        raise not_found()
    return verification_out(certificate_verify(identifier, code=query.c, channel="api"))
