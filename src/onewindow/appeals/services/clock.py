"""The clock after a change of working days (a year's notice loaded, a zone's own day set
or removed): the deadlines of open orders follow the zone's calendar.

``appeal_deadlines_recompute`` is what ``core.signals.calendar_changed`` runs (through
``appeals.tasks``, the way cases recomputes its deadlines). It works in chunks of
``RECOMPUTE_CHUNK_SIZE`` orders, one transaction each: the chunk's rows are locked in
primary-key order (``core.locks``), their new ``due_at`` / ``warn_at`` /
``due_provisional`` computed at once over the calendar's precomputed tables
(``appeals.clock.working_days_due_many``), and only the orders whose clock changed are
written — on PostgreSQL in one ``UPDATE … FROM unnest(arrays)``, elsewhere with
``bulk_update``. A crash between chunks leaves the committed chunks right and the rest as
they were; running it again finishes the work (it is idempotent).

Which orders: those in ``RECOUNTED_STATUSES`` (open, not replied) counted in working days,
and natural-hour orders only when an extension added working days to them (hours alone do
not depend on the calendar). ``overdue``, fixed at the reply, is never touched.
"""

from __future__ import annotations

import numpy as np
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from onewindow.appeals.clock import (
    Limit,
    due,
    epoch_us,
    from_epoch_us,
    local_zone,
    working_days_due_many,
)
from onewindow.appeals.constants import (
    RECOMPUTE_CHUNK_SIZE,
    RECOUNTED_STATUSES,
    AppealEvent,
    LimitUnit,
)
from onewindow.appeals.models import Appeal, AppealSettings
from onewindow.appeals.selectors import appeal_settings_for, zone_calendar
from onewindow.appeals.services.common import actor_id, actor_name
from onewindow.core.audit import audit_append
from onewindow.core.calendar import WorkingCalendar
from onewindow.core.locks import lock_rows
from onewindow.org.models import User, Zone

#: What a chunk reads of each order (and ``start_day``: the local day its clock started).
_FIELDS = (
    "clock_started_at",
    "limit_unit",
    "limit_amount",
    "extended_days",
    "due_at",
    "warn_at",
    "due_provisional",
)
_NONE = -1  # an empty instant in the arrays (no real deadline is the epoch's microsecond -1)


def recounted_appeals() -> QuerySet[Appeal]:
    """The orders whose deadline depends on the calendar (see the module's docstring)."""
    return Appeal.objects.filter(status__in=RECOUNTED_STATUSES).filter(
        Q(limit_unit=LimitUnit.WORKING_DAYS) | Q(extended_days__gt=0)
    )


def appeal_deadlines_recompute(*, zone: Zone | None = None, actor: User | None = None) -> int:
    """Recompute the clock of every open order of ``zone`` (of every zone when None, as
    after a national notice); returns how many orders' clocks changed. Audited once, with
    the counts."""
    if zone is not None:
        zones = [zone]
    else:
        zone_ids = recounted_appeals().values("zone_id")
        zones = list(Zone.objects.filter(pk__in=zone_ids).order_by("pk"))
    examined = changed = 0
    for each in zones:
        seen, moved = _recompute_zone(each)
        examined += seen
        changed += moved
    with transaction.atomic():
        audit_append(
            action=AppealEvent.DEADLINES_RECOMPUTED,
            actor=actor_name(actor),
            actor_id=actor_id(actor),
            object_type="zone",
            object_id=zone.code if zone is not None else "",
            data={
                "zones": [each.code for each in zones],
                "examined": examined,
                "changed": changed,
            },
        )
    return changed


def _recompute_zone(zone: Zone) -> tuple[int, int]:
    settings = appeal_settings_for(zone)
    calendar = zone_calendar(zone)
    orders = recounted_appeals().filter(zone=zone)
    locking = orders.annotate(start_day=TruncDate("clock_started_at", tzinfo=local_zone()))
    examined = changed = 0
    last = 0
    while True:
        pks = list(
            orders.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:RECOMPUTE_CHUNK_SIZE]
        )
        if not pks:
            return examined, changed
        with transaction.atomic():
            # Locked and read again: an order that moved on since it was listed is left
            # out, one received since is taken along.
            rows = lock_rows(locking.only(*_FIELDS), pk__gte=pks[0], pk__lte=pks[-1])
            examined += len(rows)
            changed += _recompute_rows(rows, calendar=calendar, settings=settings)
        last = pks[-1]


def _instants(values, count: int) -> np.ndarray:
    return np.fromiter(
        (_NONE if value is None else epoch_us(value) for value in values), np.int64, count
    )


def _recompute_rows(
    rows: list[Appeal], *, calendar: WorkingCalendar, settings: AppealSettings
) -> int:
    count = len(rows)
    if not count:
        return 0
    pk = [row.pk for row in rows]
    start_day = [row.start_day for row in rows]
    started = [row.clock_started_at for row in rows]
    unit = [row.limit_unit for row in rows]
    amount = [row.limit_amount for row in rows]
    extended = [row.extended_days for row in rows]
    due_at = [row.due_at for row in rows]
    warn_at = [row.warn_at for row in rows]
    provisional = [row.due_provisional for row in rows]
    by_days = np.fromiter((value == LimitUnit.WORKING_DAYS for value in unit), bool, count)
    start_us = _instants(started, count)
    new_due = np.full(count, _NONE, dtype=np.int64)
    new_warn = np.full(count, _NONE, dtype=np.int64)
    new_provisional = np.zeros(count, dtype=bool)

    # Working days: all at once over the calendar's tables.
    if by_days.any():
        days = np.fromiter((day.toordinal() for day in start_day), np.int64, count)
        totals = np.fromiter(
            (a + e for a, e in zip(amount, extended, strict=True)), np.int64, count
        )
        result = working_days_due_many(
            calendar,
            start_days=days[by_days],
            start_us=start_us[by_days],
            totals=totals[by_days],
            workday_ends=settings.workday_ends,
            warn_percent=settings.warn_percent,
        )
        new_due[by_days] = result.due_us
        new_warn[by_days] = result.warn_us
        new_provisional[by_days] = result.provisional

    # Extended natural-hour orders (urgent orders given more time: few), one by one.
    for index in np.flatnonzero(~by_days):
        result = due(
            calendar,
            start=started[index],
            limit=Limit(unit[index], amount[index], extended[index]),
            workday_ends=settings.workday_ends,
            warn_percent=settings.warn_percent,
        )
        new_due[index] = epoch_us(result.due_at)
        new_warn[index] = epoch_us(result.warn_at)
        new_provisional[index] = result.provisional

    changes = (
        (new_due != _instants(due_at, count))
        | (new_warn != _instants(warn_at, count))
        | (new_provisional != np.fromiter(provisional, bool, count))
    )
    if not changes.any():
        return 0
    pks = np.fromiter(pk, np.int64, count)[changes]
    _write(pks, new_due[changes], new_warn[changes], new_provisional[changes])
    return int(changes.sum())


def _write(pks: np.ndarray, due_us: np.ndarray, warn_us: np.ndarray, provisional: np.ndarray):
    now = timezone.now()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Appeal._meta.db_table)
        # The table name is the model's own, quoted; every value is a parameter.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table} AS appeal
                   SET due_at = 'epoch'::timestamptz + v.due_us * interval '1 microsecond',
                       warn_at = 'epoch'::timestamptz + v.warn_us * interval '1 microsecond',
                       due_provisional = v.provisional,
                       updated_at = %s
                  FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::boolean[])
                       AS v(id, due_us, warn_us, provisional)
                 WHERE appeal.id = v.id
                """,
                [now, pks.tolist(), due_us.tolist(), warn_us.tolist(), provisional.tolist()],
            )
        return
    Appeal.objects.bulk_update(
        [
            Appeal(
                pk=int(key),
                due_at=from_epoch_us(due_value),
                warn_at=from_epoch_us(warn_value),
                due_provisional=bool(flag),
                updated_at=now,
            )
            for key, due_value, warn_value, flag in zip(
                pks, due_us, warn_us, provisional, strict=True
            )
        ],
        ["due_at", "warn_at", "due_provisional", "updated_at"],
        batch_size=500,
    )
