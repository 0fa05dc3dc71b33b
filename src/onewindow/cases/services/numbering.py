"""Case numbers (zone-year-sequence, under a row lock on the counter) and query codes."""

from __future__ import annotations

import secrets

from django.utils import timezone

from onewindow.cases.models import (
    Case,
    CaseNumberSequence,
)
from onewindow.core.locks import lock_counter

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


def _new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def _next_number(case: Case, year: int) -> tuple[int, str]:
    """The next sequence of the zone's year, under the counter's lock, taken after the
    audit chain head as every counter is (``core.locks.lock_counter``, ADR 0019)."""
    counter = lock_counter(
        CaseNumberSequence, zone_id=case.zone_id, year=year, defaults={"last": 0}
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{case.zone.code}-{year}-{counter.last:07d}"


def _number(case: Case) -> None:
    year = timezone.localdate().year
    case.year = year
    case.sequence, case.number = _next_number(case, year)
    case.query_code = _new_query_code()
