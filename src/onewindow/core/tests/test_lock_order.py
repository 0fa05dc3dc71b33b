"""The lock order of core.locks on PostgreSQL (ADR 0019): domain rows, then counters and
shared rows; appending an audit event locks nothing (ADR 0004)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from onewindow.core.audit import audit_append
from onewindow.core.locks import lock_counter, lock_row, lock_rows, lock_shared_row
from onewindow.org.models import Department, Zone
from onewindow.testing.locks import CHAIN_HEAD, locked_tables, postgresql_only

pytestmark = postgresql_only


def test_rows_then_a_counter_and_no_chain_head(zone, department, other_department):
    with transaction.atomic(), locked_tables() as tables:
        lock_row(Zone, pk=zone.pk)
        lock_rows(Department, pk__in=[other_department.pk, department.pk])
        audit_append(action="test.locked")
        lock_counter(Zone, code="TST", defaults={"name": "测试区"})
    assert tables == ["org_zone", "org_department", "org_zone"]
    assert CHAIN_HEAD not in tables


@pytest.mark.parametrize("lock", [lock_counter, lock_shared_row])
def test_a_counter_or_a_shared_row_takes_no_chain_head(zone, lock):
    with transaction.atomic(), locked_tables() as tables:
        lock(Zone, code=zone.code)
        audit_append(action="test.locked")
    assert tables == ["org_zone"]


def test_only_the_queried_rows_are_locked(zone, department):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lock_row(Department, pk=department.pk, related=("zone",))
    (sql,) = [query["sql"] for query in queries.captured_queries]
    assert 'JOIN "org_zone"' in sql  # read along…
    assert sql.endswith('FOR UPDATE OF "org_department"')  # …but not locked


def test_a_lock_outside_a_transaction_is_refused(zone):
    with pytest.raises(TransactionManagementError):
        lock_row(Zone, pk=zone.pk)
