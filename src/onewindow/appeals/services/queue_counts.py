"""The queue roll-up (``AppealQueueCount``): how many orders each queue tab holds, kept in
the same transaction as every write that moves an order between queues.

How it stays exact: a service that moves orders is wrapped in ``keeps_queue_counts``. The
wrapper opens the transaction, locks the orders it was given (``appeal=`` / ``into=``,
the same rows the service locks next, in primary-key order), reads which queues they are
in from the database (``memberships``), runs the service, reads their queues again and
adds the difference to the counters (each counter row locked, in key order). An order the
service created (intake) had no queue before. The delta is computed from what the
database holds before and after, not from what the service says it changed, so a new
write path that forgets a field cannot skew the counts; a write that bypasses the
services (a bulk load) is followed by ``queue_counts_rebuild``.

Which queues are kept: those a write decides (the status, the holding departments, a
pending extension). 即将超期 / 已超期 change with the clock, not with a write: they are
counted live, bounded by the deadline, on the partial index of the orders not yet
replied (``appeal_running_due``: zone, deadline), an index-only count of the late rows.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Count, F, Q

from onewindow.appeals.constants import OPEN_STATUSES, AssignmentRole, ExtensionStatus
from onewindow.appeals.models import (
    Appeal,
    AppealAssignment,
    AppealExtension,
    AppealQueueCount,
)
from onewindow.appeals.queues import CENTRE_KEPT, DEPARTMENT_KEPT, EXTENSIONS
from onewindow.core.locks import lock_counter, lock_rows
from onewindow.org.models import Zone

Member = tuple[int, int | None, str]  # zone, department (None: the centre), queue
F_ = TypeVar("F_", bound=Callable[..., Any])


def holding_condition() -> Q:
    """A current assignment through which its department holds the order in its queue:
    a co-department's, or the lead department's own (as ``queues.department_scope``)."""
    return Q(is_current=True) & (
        Q(role=AssignmentRole.CO) | Q(department_id=F("appeal__lead_department_id"))
    )


def memberships(appeal_ids: Iterable[int]) -> dict[int, set[Member]]:
    """The kept queues each order is in now, read from the database (three queries)."""
    ids = sorted(set(appeal_ids))
    if not ids:
        return {}
    orders = Appeal.objects.filter(pk__in=ids).values_list("pk", "zone_id", "status")
    holders: dict[int, list[int]] = {}
    for appeal_id, department_id in (
        AppealAssignment.objects.filter(holding_condition(), appeal_id__in=ids)
        .values_list("appeal_id", "department_id")
        .order_by()
    ):
        holders.setdefault(appeal_id, []).append(department_id)
    pending = set(
        AppealExtension.objects.filter(appeal_id__in=ids, status=ExtensionStatus.PENDING)
        .values_list("appeal_id", flat=True)
        .order_by()
    )
    result: dict[int, set[Member]] = {}
    for pk, zone_id, status in orders:
        members: set[Member] = set()
        for key, kept in CENTRE_KEPT.items():
            if status == kept:
                members.add((zone_id, None, key))
        if status in OPEN_STATUSES and pk in pending:
            members.add((zone_id, None, EXTENSIONS))
        for key, kept in DEPARTMENT_KEPT.items():
            if status == kept:
                members.update((zone_id, department, key) for department in holders.get(pk, ()))
        result[pk] = members
    return result


def apply_delta(before: dict[int, set[Member]], after: dict[int, set[Member]]) -> None:
    """Add to the counters what the orders gained and take what they lost."""
    delta: Counter[Member] = Counter()
    for pk in set(before) | set(after):
        old, new = before.get(pk, set()), after.get(pk, set())
        delta.update(new - old)
        delta.subtract(old - new)
    for (zone_id, department_id, key), change in sorted(
        delta.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2])
    ):
        if change == 0:
            continue
        row = lock_counter(
            AppealQueueCount,
            zone_id=zone_id,
            department_id=department_id,
            queue=key,
            defaults={"count": 0},
        )
        row.count += change
        row.save(update_fields=["count"])


def _appeal_ids(kwargs: dict[str, Any]) -> list[int]:
    return sorted(
        {value.pk for name in ("appeal", "into") if isinstance(value := kwargs.get(name), Appeal)}
    )


def _created(result: Any) -> list[int]:
    """The order an intake service made (its result, or the first of a pair)."""
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], bool):
        return [result[0].pk] if result[1] else []
    return [result.pk] if isinstance(result, Appeal) else []


def keeps_queue_counts(*, creates: bool = False) -> Callable[[F_], F_]:
    """Run the service in a transaction that keeps the roll-up: the orders it names
    (``appeal=``, ``into=``) are locked and their queues read before and after; with
    ``creates`` the order it returns is new (no queue before)."""

    def decorate(service: F_) -> F_:
        @functools.wraps(service)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with transaction.atomic():
                ids = _appeal_ids(kwargs)
                if ids:
                    lock_rows(Appeal, pk__in=ids)
                before = memberships(ids)
                result = service(*args, **kwargs)
                made = [pk for pk in _created(result) if pk not in before] if creates else []
                apply_delta(before, memberships([*ids, *made]))
                return result

        return wrapper  # type: ignore[return-value]

    return decorate


def queue_counts_rebuild(zone: Zone | None = None) -> int:
    """Recount the roll-up from the orders (one zone, or all): after a bulk load that
    bypassed the services, and in the migration that made the table. Returns the number
    of counter rows written."""
    with transaction.atomic():
        counters = AppealQueueCount.objects.all()
        orders = Appeal.objects.all()
        assignments = AppealAssignment.objects.filter(holding_condition())
        if zone is not None:
            counters = counters.filter(zone=zone)
            orders = orders.filter(zone=zone)
            assignments = assignments.filter(appeal__zone=zone)
        counters.delete()
        rows: list[AppealQueueCount] = []
        by_status = {status: key for key, status in CENTRE_KEPT.items()}
        for zone_id, status, n in (
            orders.filter(status__in=list(by_status))
            .values_list("zone_id", "status")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            rows.append(AppealQueueCount(zone_id=zone_id, queue=by_status[status], count=n))
        pending = AppealExtension.objects.filter(status=ExtensionStatus.PENDING).values("appeal_id")
        for zone_id, n in (
            orders.filter(status__in=OPEN_STATUSES, pk__in=pending)
            .values_list("zone_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            rows.append(AppealQueueCount(zone_id=zone_id, queue=EXTENSIONS, count=n))
        by_department_status = {status: key for key, status in DEPARTMENT_KEPT.items()}
        for zone_id, department_id, status, n in (
            assignments.filter(appeal__status__in=list(by_department_status))
            .values_list("appeal__zone_id", "department_id", "appeal__status")
            .annotate(n=Count("appeal_id", distinct=True))
            .order_by()
        ):
            rows.append(
                AppealQueueCount(
                    zone_id=zone_id,
                    department_id=department_id,
                    queue=by_department_status[status],
                    count=n,
                )
            )
        AppealQueueCount.objects.bulk_create(rows)
        return len(rows)
