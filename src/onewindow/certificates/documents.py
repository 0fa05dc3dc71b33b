"""The document a certificate's signature covers: its canonical JSON (``signing.py``'s
rules), which the verifier (``offline.py``, ``docs/certificates.md``) reads back."""

from __future__ import annotations

from onewindow.certificates.models import Certificate
from onewindow.certificates.signing import canonical_json

PAYLOAD_FORMAT = "onewindow-certificate/1"


def signed_document(certificate: Certificate, certified: list[dict[str, str]]) -> str:
    """The canonical JSON of a new certificate (not yet saved): identifier, zone, type,
    issuer, holder, dates, the certified facts in order, and the signing key's id."""
    certificate_type, department = certificate.certificate_type, certificate.issuing_department
    return canonical_json(
        {
            "format": PAYLOAD_FORMAT,
            "id": certificate.identifier,
            "zone": certificate.zone.code,
            "type": {"code": certificate_type.code, "name": certificate_type.name},
            "issuer": {"name": department.name, "code": department.uscc},
            "holder": {
                "kind": certificate.holder_kind,
                "id": certificate.holder_identifier,
                "name": certificate.holder_name,
            },
            "issued_on": certificate.issued_on.isoformat(),
            "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else None,
            "facts": certified,
            "kid": certificate.signing_key.key_id,
        }
    )
