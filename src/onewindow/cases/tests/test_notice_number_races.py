"""Document numbers under races (PostgreSQL): notices issued at once get distinct,
gap-free numbers, one notice downloaded twice at once is numbered once, and the locks
are taken in the order of ADR 0019.

Each worker runs in its own thread, hence its own database connection
(``testing.races``); SQLite serialises writers and does not share its in-memory test
database between connections, so these tests only run on PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.db import connection

from onewindow.cases.constants import CaseEventAction
from onewindow.cases.models import IssuedNotice, NoticeNumberSequence
from onewindow.cases.services.notices import notice_issue
from onewindow.core.audit import audit_verify
from onewindow.core.models import AuditEvent
from onewindow.testing.locks import CHAIN_HEAD, locked_tables
from onewindow.testing.races import race, split

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers and does not share its "
        "in-memory test database between the threads' connections",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_notices_issued_at_once_get_gap_free_numbers(world):
    cases = [world.accepted() for _ in range(4)]

    results = race(
        *[
            (lambda case=case: notice_issue(case=case, kind="acceptance", actor=world.clerk))
            for case in cases
        ]
    )

    successes, errors = split(results)
    assert errors == []
    assert sorted(issued.sequence for issued in successes) == [1, 2, 3, 4]
    assert len({issued.number for issued in successes}) == 4
    assert NoticeNumberSequence.objects.get(zone=world.zone, kind="acceptance").last == 4
    assert audit_verify().ok


def test_one_notice_downloaded_at_once_is_numbered_once(world):
    case = world.accepted()

    results = race(
        *[(lambda: notice_issue(case=case, kind="acceptance", actor=world.clerk)) for _ in range(3)]
    )

    successes, errors = split(results)
    assert errors == []
    assert {issued.pk for issued in successes} == {IssuedNotice.objects.get(case=case).pk}
    assert NoticeNumberSequence.objects.get(zone=world.zone, kind="acceptance").last == 1
    assert AuditEvent.objects.filter(action=CaseEventAction.NOTICE_ISSUED).count() == 1
    assert audit_verify().ok


def test_issuing_locks_the_case_then_the_counter(world):
    """ADR 0019: the domain row first, then the counter; no audit chain head (ADR 0004)."""
    case = world.accepted()
    with locked_tables() as tables:
        notice_issue(case=case, kind="acceptance", actor=world.clerk)
    assert tables == ["cases_case", "cases_noticenumbersequence"]
    assert CHAIN_HEAD not in tables
