"""Reads of certificates: a holder's wallet, a case's certificates, the stats by type."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from onewindow.certificates.models import (
    Certificate,
    CertificateStatus,
    CertificateType,
    CertificateUse,
    VerificationTally,
)
from onewindow.org.models import Applicant


def wallet(holder: Applicant, *, today: date | None = None) -> QuerySet[Certificate]:
    """证照库: the holder's certificates valid today (not revoked, not expired), newest first."""
    today = today or timezone.localdate()
    return (
        Certificate.objects.filter(holder=holder, status=CertificateStatus.VALID)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("certificate_type", "issuing_department")
        .order_by("-issued_on", "-id")
    )


def holder_certificates(holder_ids) -> QuerySet[Certificate]:
    """Every certificate of the given holders (valid, revoked and expired)."""
    return (
        Certificate.objects.filter(holder_id__in=holder_ids)
        .select_related("certificate_type", "issuing_department", "holder")
        .order_by("-issued_on", "-id")
    )


def certificates_for_case(case_number: str) -> QuerySet[Certificate]:
    return Certificate.objects.filter(case_number=case_number).select_related(
        "certificate_type", "issuing_department"
    )


def stats_by_type(
    zone_id: int, *, date_from: date | None = None, date_to: date | None = None
) -> list[dict]:
    """Per certificate type of the zone, what happened in the period (bounds included):
    certificates issued, revoked, verifications (page and API) and reuses in place of a
    material (免提交). Four grouped queries; a type appears when any count is not zero."""

    def within(field: str) -> dict:
        bounds = {}
        if date_from:
            bounds[f"{field}__gte"] = date_from
        if date_to:
            bounds[f"{field}__lte"] = date_to
        return bounds

    def by_type(queryset, type_field: str, total) -> dict[int, int]:
        return {
            type_id: n
            for type_id, n in queryset.values_list(type_field)
            .annotate(n=total)
            .values_list(type_field, "n")
            .order_by()
            if n
        }

    certificates = Certificate.objects.filter(zone_id=zone_id)
    issued = by_type(certificates.filter(**within("issued_on")), "certificate_type", Count("id"))
    revoked = by_type(
        certificates.filter(status=CertificateStatus.REVOKED, **within("revoked_at__date")),
        "certificate_type",
        Count("id"),
    )
    # Tallies are kept per type (types belong to one zone through their certificates).
    verified = by_type(
        VerificationTally.objects.filter(
            certificate_type__in=certificates.values("certificate_type"), **within("day")
        ),
        "certificate_type",
        Sum("count"),
    )
    reused = by_type(
        CertificateUse.objects.filter(
            certificate__zone_id=zone_id,
            kind=CertificateUse.Kind.MATERIAL,
            **within("used_at__date"),
        ),
        "certificate__certificate_type",
        Count("id"),
    )
    type_ids = set(issued) | set(revoked) | set(verified) | set(reused)
    return [
        {
            "type": certificate_type,
            "issued": issued.get(certificate_type.pk, 0),
            "revoked": revoked.get(certificate_type.pk, 0),
            "verified": verified.get(certificate_type.pk, 0),
            "reused": reused.get(certificate_type.pk, 0),
        }
        for certificate_type in CertificateType.objects.filter(pk__in=type_ids).order_by("name")
    ]
