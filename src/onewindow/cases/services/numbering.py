"""Case numbers (``{zone code}-{year}-{7-digit sequence}``) and query codes.

The sequence is taken without holding a row for the rest of the create:

- **PostgreSQL**: one database sequence per zone and year, created on demand (the first
  case of the zone's year), ``nextval`` at insert. ``nextval`` is not transactional: it
  locks nothing until the commit, so concurrent submissions do not wait for each other.
  A rolled-back submission leaves a gap in the sequence; the rules tolerate gaps (the
  number stays readable and unique: the ``case_sequence_unique`` constraint holds it).
- **SQLite** (one writer at a time anyway): the ``CaseNumberSequence`` row, incremented in
  the caller's transaction; a rolled-back submission gives its number back.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models import Max
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


def format_case_number(zone_code: str, year: int, sequence: int) -> str:
    """``SFQ-2026-0000042`` (GLOSSARY: case number)."""
    return f"{zone_code}-{year}-{sequence:07d}"


def sequence_name(zone_id: int, year: int) -> str:
    """The PostgreSQL sequence of a zone's year: built from two integers only, so the
    name needs no escaping (``case_number_z12_y2026``)."""
    return f"case_number_z{int(zone_id)}_y{int(year)}"


def _uses_database_sequence() -> bool:
    return connection.vendor == "postgresql"


# -- PostgreSQL: a sequence per zone and year ------------------------------------------------


def _sequence_values(zone_id: int, year: int, count: int) -> list[int]:
    """``count`` values of the zone's year sequence; an empty list when the sequence does
    not exist yet (``nextval(NULL)`` is NULL, so a missing sequence is no error that would
    abort the caller's transaction)."""
    with connection.cursor() as cursor:
        if count == 1:
            cursor.execute("SELECT nextval(to_regclass(%s))", [sequence_name(zone_id, year)])
        else:
            cursor.execute(
                "SELECT nextval(to_regclass(%s)) FROM generate_series(1, %s)",
                [sequence_name(zone_id, year), count],
            )
        values = [row[0] for row in cursor.fetchall()]
    return [] if not values or values[0] is None else sorted(values)


def _first_free_sequence(zone_id: int, year: int) -> int:
    """Where a new sequence starts: after every number already given out for the zone's
    year, by the counter row (numbers taken before the sequence existed) or by a case."""
    counted = (
        CaseNumberSequence.objects.filter(zone_id=zone_id, year=year)
        .values_list("last", flat=True)
        .first()
    )
    stored = Case.objects.filter(zone_id=zone_id, year=year).aggregate(last=Max("sequence"))["last"]
    return max(counted or 0, stored or 0) + 1


def ensure_number_sequence(zone_id: int, year: int) -> None:
    """Create the zone's year sequence if it does not exist (PostgreSQL only).

    Two first cases of a year may create it at once: the second ``CREATE`` waits for the
    first transaction and then fails on the catalogue's unique index even with ``IF NOT
    EXISTS``; the savepoint takes that failure back and the sequence the first one made is
    used. A zone may call this ahead of the year (``onewindow case-number-sequences``) so
    no submission waits at all."""
    if not _uses_database_sequence():
        return
    name = connection.ops.quote_name(sequence_name(zone_id, year))
    start = _first_free_sequence(zone_id, year)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"CREATE SEQUENCE IF NOT EXISTS {name} AS bigint START WITH {int(start)} "
                "MINVALUE 1 NO CYCLE"
            )
    except (IntegrityError, ProgrammingError):
        # Created by a concurrent transaction that has committed by now.
        pass


def _take_from_sequence(zone_id: int, year: int, count: int) -> list[int]:
    values = _sequence_values(zone_id, year, count)
    if not values:
        ensure_number_sequence(zone_id, year)
        values = _sequence_values(zone_id, year, count)
    return values


# -- SQLite: the counter row -----------------------------------------------------------------


def _take_from_counter(zone_id: int, year: int, count: int) -> list[int]:
    """``count`` consecutive values of the counter row, locked after the audit chain head
    as every counter is (``core.locks.lock_counter``, ADR 0019)."""
    counter = lock_counter(CaseNumberSequence, zone_id=zone_id, year=year, defaults={"last": 0})
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return list(range(first, counter.last + 1))


# -- taking numbers --------------------------------------------------------------------------


def numbers_reserve(*, zone_id: int, year: int, count: int) -> list[int]:
    """``count`` sequence values of the zone's year for a bulk creator (the demo loader,
    an import), in increasing order, taken in one statement. Consecutive on SQLite; on
    PostgreSQL consecutive unless another submission takes a number in between. Format
    each with ``format_case_number`` and set ``year`` and ``sequence`` on the case."""
    if count < 1:
        return []
    if _uses_database_sequence():
        return _take_from_sequence(zone_id, year, count)
    return _take_from_counter(zone_id, year, count)


def _next_number(case: Case, year: int) -> tuple[int, str]:
    """The next sequence of the case's zone and year and the number it makes."""
    (sequence,) = numbers_reserve(zone_id=case.zone_id, year=year, count=1)
    return sequence, format_case_number(case.zone.code, year, sequence)


def _number(case: Case) -> None:
    """Give a new case its year, sequence, number and query code (before its insert)."""
    year = timezone.localdate().year
    case.year = year
    case.sequence, case.number = _next_number(case, year)
    case.query_code = _new_query_code()
