"""Case numbers without a hot row: a PostgreSQL sequence per zone and year, the counter row
on SQLite (``cases/services/numbering.py``, docs/cases.md)."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onewindow.cases.models import Case, CaseNumberSequence
from onewindow.cases.services import case_create
from onewindow.cases.services.numbering import (
    format_case_number,
    numbers_reserve,
    sequence_name,
)
from onewindow.core.audit import audit_verify
from onewindow.testing import worlds
from onewindow.testing.races import race, split

SHANGHAI = ZoneInfo("Asia/Shanghai")

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the sequence per zone and year, and threads that each have "
    "their own connection to one shared database",
)


def create(world) -> Case:
    return case_create(
        actor=world.applicant_user, applicant=world.applicant, item_version=world.item
    )


def sequence_exists(zone_id: int, year: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [sequence_name(zone_id, year)])
        return cursor.fetchone()[0]


# -- the format and the reservation, on both engines -----------------------------------------


def test_the_number_format_is_zone_year_and_seven_digits():
    assert format_case_number("SFQ", 2026, 42) == "SFQ-2026-0000042"
    assert sequence_name(12, 2026) == "case_number_z12_y2026"
    with pytest.raises(ValueError):
        sequence_name("1; DROP TABLE cases_case", 2026)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_bulk_creator_reserves_increasing_numbers_the_next_case_follows(world):
    year = dt.date.today().year

    with transaction.atomic():
        reserved = numbers_reserve(zone_id=world.zone.pk, year=year, count=5)
    case = create(world)

    assert reserved == [1, 2, 3, 4, 5]
    assert case.sequence == 6
    assert numbers_reserve(zone_id=world.zone.pk, year=year, count=0) == []


@pytest.mark.django_db
def test_two_zones_number_independently_and_a_year_restarts(world):
    other = worlds.zone("XQ", "另一开发区", "320193")

    with transaction.atomic():
        first = numbers_reserve(zone_id=world.zone.pk, year=2030, count=2)
        elsewhere = numbers_reserve(zone_id=other.pk, year=2030, count=1)
        next_year = numbers_reserve(zone_id=world.zone.pk, year=2031, count=1)
        again = numbers_reserve(zone_id=world.zone.pk, year=2030, count=1)

    assert first == [1, 2]
    assert elsewhere == [1]
    assert next_year == [1]
    assert again == [3]


@pytest.mark.django_db
def test_the_year_boundary_in_shanghai_starts_a_new_sequence(world):
    with time_machine.travel(dt.datetime(2027, 12, 31, 23, 59, tzinfo=SHANGHAI), tick=False):
        december = [create(world), create(world)]
    with time_machine.travel(dt.datetime(2028, 1, 1, 0, 1, tzinfo=SHANGHAI), tick=False):
        january = create(world)

    assert [case.number for case in december] == ["SFQ-2027-0000001", "SFQ-2027-0000002"]
    assert january.number == "SFQ-2028-0000001"
    assert (january.year, january.sequence) == (2028, 1)


# -- PostgreSQL: the sequence ----------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db
def test_on_postgresql_a_number_locks_no_row_and_takes_one_statement(world):
    create(world)  # the zone's year sequence exists from here on

    with CaptureQueriesContext(connection) as queries:
        create(world)

    statements = [query["sql"] for query in queries.captured_queries]
    numbering = [sql for sql in statements if "nextval" in sql]
    assert len(numbering) == 1
    assert not any("casenumbersequence" in sql.lower() for sql in statements)


@postgresql_only
@pytest.mark.django_db
def test_a_new_sequence_starts_after_the_numbers_already_given(world):
    # given: numbers given out by the counter row (SQLite data moved over) and a case
    year = dt.date.today().year
    CaseNumberSequence.objects.create(zone=world.zone, year=year, last=7)
    old = create(world)
    # when: the sequence is dropped (say, restored from a dump without it)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE {sequence_name(world.zone.pk, year)}")
    Case.objects.filter(pk=old.pk).update(sequence=12)
    new = create(world)

    assert old.sequence == 8
    assert new.sequence == 13


@postgresql_only
@pytest.mark.django_db
def test_the_sequences_command_creates_this_and_next_years_sequence(world):
    year = dt.date.today().year
    assert not sequence_exists(world.zone.pk, year + 1)

    call_command("case_number_sequences", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert sequence_exists(world.zone.pk, year)
    assert sequence_exists(world.zone.pk, year + 1)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_get_fifty_distinct_numbers(world):
    year = dt.date.today().year

    results = race(*[lambda: create(world) for _ in range(50)])

    successes, errors = split(results)
    assert errors == []
    numbers = {case.number for case in successes}
    assert len(numbers) == 50
    assert all(re.fullmatch(rf"SFQ-{year}-\d{{7}}", number) for number in numbers)
    stored = set(Case.objects.filter(zone=world.zone).values_list("number", flat=True))
    assert stored == numbers
    assert audit_verify().ok


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_number_held_in_an_open_transaction_does_not_block_the_next(world):
    create(world)  # the sequence exists
    year = dt.date.today().year
    taken = threading.Event()
    release = threading.Event()
    held: list[int] = []

    def slow_submission() -> None:
        try:
            with transaction.atomic():
                held.extend(numbers_reserve(zone_id=world.zone.pk, year=year, count=1))
                taken.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_submission)
    thread.start()
    try:
        assert taken.wait(timeout=30)
        started = time.perf_counter()
        case = create(world)  # would wait on the counter row until the other commits
        waited = time.perf_counter() - started
    finally:
        release.set()
        thread.join(timeout=30)

    assert held == [2]
    assert case.sequence == 3
    assert waited < 5


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_first_cases_of_a_year_racing_to_create_the_sequence_all_get_a_number(world):
    with time_machine.travel(dt.datetime(2029, 1, 2, 9, tzinfo=SHANGHAI), tick=True):
        assert not sequence_exists(world.zone.pk, 2029)
        results = race(*[lambda: create(world) for _ in range(8)])

    successes, errors = split(results)
    assert errors == []
    assert sorted(case.sequence for case in successes) == list(range(1, 9))
