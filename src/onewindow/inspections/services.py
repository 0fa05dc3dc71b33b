"""Writes of inspections (each one use-case, in a transaction)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from onewindow.inspections.models import CommitmentVerification
from onewindow.org.models import Applicant, Department, Zone


@transaction.atomic
def commitment_verification_open(
    *,
    zone: Zone,
    case_number: str,
    item_name: str,
    applicant: Applicant,
    department: Department,
    materials: list[str],
    commitment_sha256: str,
    due_on: dt.date,
) -> CommitmentVerification:
    """Open the regulator's verification of a commitment (once per case)."""
    verification, _created = CommitmentVerification.objects.get_or_create(
        zone=zone,
        case_number=case_number,
        defaults={
            "item_name": item_name,
            "applicant": applicant,
            "department": department,
            "materials": list(materials),
            "commitment_sha256": commitment_sha256,
            "due_on": due_on,
        },
    )
    return verification
