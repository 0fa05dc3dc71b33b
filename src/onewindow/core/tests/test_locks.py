"""core.locks on any database: what each lock function returns (the order: test_lock_order)."""

from __future__ import annotations

import pytest
from django.db import transaction

from onewindow.core.audit import audit_append
from onewindow.core.locks import (
    lock_counter,
    lock_first,
    lock_row,
    lock_rows,
    lock_shared_row,
)
from onewindow.core.models import AuditEvent
from onewindow.org.models import Zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    with transaction.atomic():
        return [audit_append(action=f"test.{n}", data={"n": n}) for n in range(4)]


def test_a_row_is_read_fresh_with_what_it_names(zone):
    stale = Zone.objects.get(pk=zone.pk)
    Zone.objects.filter(pk=zone.pk).update(name="新名称")
    with transaction.atomic():
        locked = lock_row(Zone, pk=stale.pk)
    assert locked.name == "新名称"


def test_a_missing_row_is_does_not_exist(zone):
    with transaction.atomic(), pytest.raises(Zone.DoesNotExist):
        lock_row(Zone, pk=zone.pk + 1)


def test_rows_come_in_primary_key_order_from_a_model_or_a_queryset(events):
    pks = [event.pk for event in events]
    with transaction.atomic():
        from_model = lock_rows(AuditEvent, pk__in=list(reversed(pks[1:])))
        from_queryset = lock_rows(AuditEvent.objects.order_by("-id"), pk__in=pks)
        first = lock_first(AuditEvent.objects.filter(pk__in=pks[2:]))
        none = lock_first(AuditEvent, pk=-1)
    assert [event.pk for event in from_model] == sorted(pks[1:])
    assert [event.pk for event in from_queryset] == sorted(pks)
    assert first.pk == min(pks[2:]) and none is None


def test_a_counter_is_created_once_then_locked(zone):
    with transaction.atomic():
        created = lock_counter(Zone, code="TST", defaults={"name": "测试区"})
        again = lock_counter(Zone, code="TST", defaults={"name": "别的名称"})
    assert created.pk == again.pk and again.name == "测试区"
    assert Zone.objects.filter(code="TST").count() == 1


def test_a_shared_row_is_there_or_not(zone):
    with transaction.atomic():
        assert lock_shared_row(Zone, pk=zone.pk) == zone
        assert lock_shared_row(Zone, pk=zone.pk + 1, missing_ok=True) is None
        with pytest.raises(Zone.DoesNotExist):
            lock_shared_row(Zone, pk=zone.pk + 1)
