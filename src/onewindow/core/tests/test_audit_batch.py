"""core.audit.audit_batch: several events of one use-case in one INSERT (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onewindow.core.audit import AuditEvent, audit_append, audit_batch

pytestmark = pytest.mark.django_db


def _inserts(captured) -> int:
    return sum(
        1
        for query in captured.captured_queries
        if query["sql"].startswith('INSERT INTO "core_auditevent"')
    )


def test_events_of_a_batch_are_inserted_together_at_its_end():
    with transaction.atomic(), CaptureQueriesContext(connection) as captured, audit_batch():
        for n in range(5):
            audit_append(action="test.batched", object_id=n)
        if connection.vendor == "postgresql":
            assert not AuditEvent.objects.filter(action="test.batched").exists()
    # One multi-row INSERT on PostgreSQL; SQLite links each event as it comes.
    assert _inserts(captured) == {"postgresql": 1, "sqlite": 5}[connection.vendor]
    rows = list(AuditEvent.objects.filter(action="test.batched").order_by("id"))
    assert [row.object_id for row in rows] == ["0", "1", "2", "3", "4"]


def test_a_batch_that_raises_inserts_nothing():
    with pytest.raises(RuntimeError), transaction.atomic(), audit_batch():
        audit_append(action="test.batched")
        raise RuntimeError("refused")
    assert not AuditEvent.objects.filter(action="test.batched").exists()


def test_a_batch_inside_a_batch_is_the_outer_one():
    with transaction.atomic(), CaptureQueriesContext(connection) as captured, audit_batch():
        audit_append(action="test.batched", object_id="outer")
        with audit_batch():
            audit_append(action="test.batched", object_id="inner")
        audit_append(action="test.batched", object_id="after")
    assert _inserts(captured) == {"postgresql": 1, "sqlite": 3}[connection.vendor]
    assert list(
        AuditEvent.objects.filter(action="test.batched")
        .order_by("id")
        .values_list("object_id", flat=True)
    ) == ["outer", "inner", "after"]
