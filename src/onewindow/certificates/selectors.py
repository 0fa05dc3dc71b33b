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


def certificates_by_identifiers(identifiers) -> dict[str, Certificate]:
    return {
        c.identifier: c
        for c in Certificate.objects.filter(identifier__in=list(identifiers)).select_related(
            "certificate_type"
        )
    }


def stats_by_type(zone_id: int, *, date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    """Issued, verified and reused counts per certificate type of the zone, in SQL."""
    issued = Certificate.objects.filter(zone_id=zone_id)
    used = CertificateUse.objects.filter(
        certificate__zone_id=zone_id, kind=CertificateUse.Kind.MATERIAL
    )
    if date_from:
        issued = issued.filter(issued_on__gte=date_from)
        used = used.filter(used_at__date__gte=date_from)
    if date_to:
        issued = issued.filter(issued_on__lte=date_to)
        used = used.filter(used_at__date__lte=date_to)
    issued_by_type = dict(
        issued.values_list("certificate_type").annotate(n=Count("id")).values_list(
            "certificate_type", "n"
        )
    )
    revoked_by_type = dict(
        issued.filter(status=CertificateStatus.REVOKED)
        .values_list("certificate_type")
        .annotate(n=Count("id"))
        .values_list("certificate_type", "n")
    )
    type_ids = set(issued_by_type)
    verified_by_type = dict(
        VerificationTally.objects.filter(certificate_type_id__in=type_ids)
        .filter(**({"day__gte": date_from} if date_from else {}))
        .filter(**({"day__lte": date_to} if date_to else {}))
        .values_list("certificate_type")
        .annotate(n=Sum("count"))
        .values_list("certificate_type", "n")
    )
    used_by_type = dict(
        used.values_list("certificate__certificate_type")
        .annotate(n=Count("id"))
        .values_list("certificate__certificate_type", "n")
    )
    rows = []
    for certificate_type in CertificateType.objects.filter(pk__in=type_ids | set(used_by_type)):
        rows.append(
            {
                "type": certificate_type,
                "issued": issued_by_type.get(certificate_type.pk, 0),
                "revoked": revoked_by_type.get(certificate_type.pk, 0),
                "verified": verified_by_type.get(certificate_type.pk, 0) or 0,
                "reused": used_by_type.get(certificate_type.pk, 0),
            }
        )
    return rows
