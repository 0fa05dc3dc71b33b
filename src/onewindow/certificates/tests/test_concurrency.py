"""Races on the serial counter (PostgreSQL): certificates issued at once get distinct serials.

Each issue runs in its own thread, hence its own database connection, lined up on a
``threading.Barrier`` so the calls overlap (the pattern of cases/tests/test_concurrency.py).
SQLite serialises every writer and its in-memory test database is not shared between the
threads' connections, so this only runs on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from onewindow.certificates.identifiers import parse_identifier
from onewindow.certificates.models import Certificate, CertificateSequence
from onewindow.certificates.services import certificate_issue
from onewindow.core.audit import audit_verify
from onewindow.testing.races import race

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers and does not share its "
        "in-memory test database between the threads' connections",
    ),
    pytest.mark.django_db(transaction=True),
]

WORKERS = 6


def test_certificates_issued_at_once_get_distinct_serials(signing_key, food_licence, enterprise):
    def issue(n: int) -> Callable[[], Certificate]:
        return lambda: certificate_issue(
            certificate_type=food_licence,
            holder=enterprise,
            actor=None,
            facts={"premises": f"示范路 {n} 号", "area": str(10 + n)},
        )

    # The very first issue of the type creates the counter row: race on that too.
    results = race(*(issue(n) for n in range(WORKERS)))

    errors = [result for result in results if isinstance(result, BaseException)]
    assert errors == []
    serials = sorted(result.serial for result in results)
    assert serials == list(range(1, WORKERS + 1))
    identifiers = {result.identifier for result in results}
    assert len(identifiers) == WORKERS
    assert all(parse_identifier(identifier) for identifier in identifiers)
    numbers = {result.facts["licence_number"] for result in results}
    assert len(numbers) == WORKERS
    assert CertificateSequence.objects.get(certificate_type=food_licence).last == WORKERS
    assert audit_verify().ok
