"""The clock after a change of working days (a year's notice loaded, a zone's own day set
or removed): the deadlines of open orders follow the zone's calendar.

``appeal_deadlines_recompute`` is what ``core.signals.calendar_changed`` runs (through
``appeals.tasks``, the way cases recomputes its deadlines). It works through a zone's
orders in primary-key order, ``RECOMPUTE_CHUNK_SIZE`` at a time, one transaction per
chunk: read the clock's inputs, compute the new ``due_at`` / ``warn_at`` /
``due_provisional`` of the whole chunk at once over the calendar's precomputed tables
(``appeals.clock.working_days_due_many``), and write only the orders whose clock changed.

- **PostgreSQL:** the inputs are read as numbers (epoch microseconds, the local day as an
  ordinal: parsing 10,000 timestamps in Python cost more than all the arithmetic), and the
  changes are written in one ``UPDATE … FROM unnest(arrays)`` that is a compare-and-set:
  a row is written only if its status and its clock's inputs (start, limit, extension) are
  still those read. An order that a handler moved meanwhile (an extension approved, a
  reply) is left to that service, which set its clock itself; so the recompute takes no
  row lock while it computes and never blocks the people working the orders.
- **SQLite:** the chunk is read and written in one ``BEGIN IMMEDIATE`` transaction (the
  project's setting), during which no one else writes; the changes go by ``bulk_update``.

A crash between chunks leaves the committed chunks right and the rest as they were;
running it again finishes the work (it is idempotent).

Which orders: those in ``RECOUNTED_STATUSES`` (open, not replied) counted in working days,
and natural-hour orders only when an extension added working days to them (hours alone do
not depend on the calendar). ``overdue``, fixed at the reply, is never touched.

The limit to sign (``sign_due_at``, 签收期限) is office hours of working days after the
dispatch, so it follows the calendar too: each zone's run then goes through the orders
dispatched and not yet signed (``_recompute_signs``), chunk by chunk, and moves the limit
of those whose limit changed, each by a compare-and-set ``UPDATE`` (written only if the
order is still dispatched, unsigned, with the dispatch instant and limit read; a sign or a
re-dispatch meanwhile wins). The hours are the zone's ``sign_within_working_hours`` of now
(the order does not keep the hours it was given). Those orders are few (a queue, not the
backlog) and the limit is computed one order at a time. The return window
(``return_until``) is natural hours after the dispatch: the calendar does not move it, and
it is left as it is. ``sign_overdue``, fixed at the sign, is never touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.conf import settings as django_settings
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
    working_hours_due,
)
from onewindow.appeals.constants import (
    RECOMPUTE_CHUNK_SIZE,
    RECOUNTED_STATUSES,
    AppealEvent,
    AppealStatus,
    LimitUnit,
)
from onewindow.appeals.models import Appeal, AppealSettings
from onewindow.appeals.selectors import appeal_settings_for, zone_calendar
from onewindow.appeals.services.common import actor_id, actor_name
from onewindow.core.audit import audit_append
from onewindow.core.calendar import WorkingCalendar
from onewindow.org.models import User, Zone

_NONE = -1  # an empty instant in the arrays (no deadline falls on the epoch's last µs)
_EPOCH = "'epoch'::timestamptz + {} * interval '1 microsecond'"


def recounted_appeals() -> QuerySet[Appeal]:
    """The orders whose deadline depends on the calendar (see the module's docstring)."""
    return Appeal.objects.filter(status__in=RECOUNTED_STATUSES).filter(
        Q(limit_unit=LimitUnit.WORKING_DAYS) | Q(extended_days__gt=0)
    )


def unsigned_appeals() -> QuerySet[Appeal]:
    """The orders whose limit to sign depends on the calendar: dispatched, not yet signed."""
    return Appeal.objects.filter(
        status=AppealStatus.DISPATCHED, signed_at__isnull=True, dispatched_at__isnull=False
    )


def appeal_deadlines_recompute(*, zone: Zone | None = None, actor: User | None = None) -> int:
    """Recompute the clock of every open order of ``zone`` (of every zone when None, as
    after a national notice), and the limit to sign of the orders awaiting their sign;
    returns how many orders' deadlines (``due_at`` / ``warn_at``) changed. Audited once,
    with the counts (``sign_limits_changed``: how many limits to sign moved)."""
    if zone is not None:
        zones = [zone]
    else:
        zones = list(
            Zone.objects.filter(
                Q(pk__in=recounted_appeals().values("zone_id"))
                | Q(pk__in=unsigned_appeals().values("zone_id"))
            ).order_by("pk")
        )
    examined = changed = signs = 0
    for each in zones:
        seen, moved, signs_moved = _recompute_zone(each)
        examined += seen
        changed += moved
        signs += signs_moved
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
                "sign_limits_changed": signs,
            },
        )
    return changed


@dataclass
class _Chunk:
    """The clock's inputs and current values of some orders, as arrays."""

    pk: np.ndarray
    start_day: np.ndarray  # the local day the clock started (ordinal)
    start_us: np.ndarray
    by_days: np.ndarray  # counted in working days (else natural hours)
    amount: np.ndarray
    extended: np.ndarray
    due_us: np.ndarray
    warn_us: np.ndarray
    provisional: np.ndarray

    def __len__(self) -> int:
        return int(self.pk.size)


def _recompute_zone(zone: Zone) -> tuple[int, int, int]:
    """(orders examined, deadlines changed, limits to sign changed) in ``zone``."""
    settings = appeal_settings_for(zone)
    calendar = zone_calendar(zone)
    read = _read_postgresql if connection.vendor == "postgresql" else _read_orm
    write = _write_postgresql if connection.vendor == "postgresql" else _write_orm
    examined = changed = 0
    last = 0
    while True:
        with transaction.atomic():
            chunk = read(zone, after=last)
            if not len(chunk):
                break
            examined += len(chunk)
            new_due, new_warn, new_provisional = _compute(
                chunk, calendar=calendar, settings=settings
            )
            changes = (
                (new_due != chunk.due_us)
                | (new_warn != chunk.warn_us)
                | (new_provisional != chunk.provisional)
            )
            if changes.any():
                changed += write(chunk, changes, new_due, new_warn, new_provisional)
        last = int(chunk.pk[-1])
    return examined, changed, _recompute_signs(zone, calendar=calendar, settings=settings)


def _recompute_signs(zone: Zone, *, calendar: WorkingCalendar, settings: AppealSettings) -> int:
    """Move the limit to sign of ``zone``'s unsigned orders to the calendar; returns how
    many moved (see the module's docstring)."""
    changed = last = 0
    while True:
        with transaction.atomic():
            rows = list(
                unsigned_appeals()
                .filter(zone=zone, pk__gt=last)
                .order_by("pk")
                .values_list("pk", "dispatched_at", "sign_due_at")[:RECOMPUTE_CHUNK_SIZE]
            )
            if not rows:
                return changed
            now = timezone.now()
            for pk, dispatched_at, sign_due_at in rows:
                new = _sign_due(dispatched_at, calendar=calendar, settings=settings)
                if new != sign_due_at:
                    changed += (
                        unsigned_appeals()
                        .filter(pk=pk, dispatched_at=dispatched_at, sign_due_at=sign_due_at)
                        .update(sign_due_at=new, updated_at=now)
                    )
        last = rows[-1][0]


def _sign_due(
    dispatched_at: dt.datetime, *, calendar: WorkingCalendar, settings: AppealSettings
) -> dt.datetime:
    """The limit to sign of an order dispatched at ``dispatched_at`` (as the dispatch
    computes it: ``services.handling_rules._start_dispatch_clock``)."""
    return working_hours_due(
        calendar,
        start=dispatched_at,
        hours=settings.sign_within_working_hours,
        workday_starts=settings.workday_starts,
        workday_ends=settings.workday_ends,
    )


def _compute(
    chunk: _Chunk, *, calendar: WorkingCalendar, settings: AppealSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    count = len(chunk)
    new_due = np.full(count, _NONE, dtype=np.int64)
    new_warn = np.full(count, _NONE, dtype=np.int64)
    new_provisional = np.zeros(count, dtype=bool)
    days = chunk.by_days
    # Working days: all at once over the calendar's tables.
    if days.any():
        result = working_days_due_many(
            calendar,
            start_days=chunk.start_day[days],
            start_us=chunk.start_us[days],
            totals=chunk.amount[days] + chunk.extended[days],
            workday_ends=settings.workday_ends,
            warn_percent=settings.warn_percent,
        )
        new_due[days] = result.due_us
        new_warn[days] = result.warn_us
        new_provisional[days] = result.provisional
    # Extended natural-hour orders (urgent orders given more time: few), one by one.
    for index in np.flatnonzero(~days):
        result = due(
            calendar,
            start=from_epoch_us(chunk.start_us[index]),
            limit=Limit(
                LimitUnit.NATURAL_HOURS, int(chunk.amount[index]), int(chunk.extended[index])
            ),
            workday_ends=settings.workday_ends,
            warn_percent=settings.warn_percent,
        )
        new_due[index] = epoch_us(result.due_at)
        new_warn[index] = epoch_us(result.warn_at)
        new_provisional[index] = result.provisional
    return new_due, new_warn, new_provisional


# -- PostgreSQL: numbers in, one compare-and-set UPDATE out ------------------------------------


def _read_postgresql(zone: Zone, *, after: int) -> _Chunk:
    table = connection.ops.quote_name(Appeal._meta.db_table)
    # The table name is the model's own, quoted; every value is a parameter.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id,
                   (clock_started_at AT TIME ZONE %s)::date - DATE '0001-01-01' + 1,
                   (EXTRACT(EPOCH FROM clock_started_at) * 1000000)::bigint,
                   limit_unit = %s, limit_amount, extended_days,
                   COALESCE((EXTRACT(EPOCH FROM due_at) * 1000000)::bigint, %s),
                   COALESCE((EXTRACT(EPOCH FROM warn_at) * 1000000)::bigint, %s),
                   due_provisional
              FROM {table}
             WHERE zone_id = %s AND id > %s AND status = ANY(%s)
               AND (limit_unit = %s OR extended_days > 0)
             ORDER BY id
             LIMIT %s
            """,
            [
                django_settings.TIME_ZONE,
                LimitUnit.WORKING_DAYS.value,
                _NONE,
                _NONE,
                zone.pk,
                after,
                sorted(str(status) for status in RECOUNTED_STATUSES),
                LimitUnit.WORKING_DAYS.value,
                RECOMPUTE_CHUNK_SIZE,
            ],
        )
        rows = cursor.fetchall()
    if not rows:
        return _chunk([])
    columns = list(zip(*rows, strict=True))
    return _Chunk(
        pk=np.array(columns[0], dtype=np.int64),
        start_day=np.array(columns[1], dtype=np.int64),
        start_us=np.array(columns[2], dtype=np.int64),
        by_days=np.array(columns[3], dtype=bool),
        amount=np.array(columns[4], dtype=np.int64),
        extended=np.array(columns[5], dtype=np.int64),
        due_us=np.array(columns[6], dtype=np.int64),
        warn_us=np.array(columns[7], dtype=np.int64),
        provisional=np.array(columns[8], dtype=bool),
    )


def _write_postgresql(chunk: _Chunk, changes, due_us, warn_us, provisional) -> int:
    table = connection.ops.quote_name(Appeal._meta.db_table)
    columns = [
        chunk.pk[changes],
        chunk.start_us[changes],
        chunk.amount[changes],
        chunk.extended[changes],
        chunk.by_days[changes],
        due_us[changes],
        warn_us[changes],
        provisional[changes],
    ]
    # The table name is the model's own, quoted; every value is a parameter.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS appeal
               SET due_at = {_EPOCH.format("v.due_us")},
                   warn_at = {_EPOCH.format("v.warn_us")},
                   due_provisional = v.provisional,
                   updated_at = %s
              FROM unnest(%s::bigint[], %s::bigint[], %s::int[], %s::int[], %s::boolean[],
                          %s::bigint[], %s::bigint[], %s::boolean[])
                   AS v(id, start_us, amount, extended, by_days, due_us, warn_us, provisional)
             WHERE appeal.id = v.id
               AND appeal.status = ANY(%s)
               AND (EXTRACT(EPOCH FROM appeal.clock_started_at) * 1000000)::bigint = v.start_us
               AND appeal.limit_amount = v.amount
               AND appeal.extended_days = v.extended
               AND (appeal.limit_unit = %s) = v.by_days
            """,
            [
                timezone.now(),
                *(column.tolist() for column in columns),
                sorted(str(status) for status in RECOUNTED_STATUSES),
                LimitUnit.WORKING_DAYS.value,
            ],
        )
        return cursor.rowcount


# -- SQLite (and any other engine): the ORM, inside one IMMEDIATE transaction -----------------


def _chunk(rows: list[tuple]) -> _Chunk:
    count = len(rows)

    def column(index: int, dtype, convert=lambda value: value) -> np.ndarray:
        return np.fromiter((convert(row[index]) for row in rows), dtype, count)

    def instant(value) -> int:
        return _NONE if value is None else epoch_us(value)

    return _Chunk(
        pk=column(0, np.int64),
        start_day=column(1, np.int64, lambda day: day.toordinal()),
        start_us=column(2, np.int64, epoch_us),
        by_days=column(3, bool, lambda unit: unit == LimitUnit.WORKING_DAYS),
        amount=column(4, np.int64),
        extended=column(5, np.int64),
        due_us=column(6, np.int64, instant),
        warn_us=column(7, np.int64, instant),
        provisional=column(8, bool),
    )


def _read_orm(zone: Zone, *, after: int) -> _Chunk:
    rows = (
        recounted_appeals()
        .filter(zone=zone, pk__gt=after)
        .annotate(start_day=TruncDate("clock_started_at", tzinfo=local_zone()))
        .order_by("pk")
        .values_list(
            "pk",
            "start_day",
            "clock_started_at",
            "limit_unit",
            "limit_amount",
            "extended_days",
            "due_at",
            "warn_at",
            "due_provisional",
        )[:RECOMPUTE_CHUNK_SIZE]
    )
    return _chunk(list(rows))


def _write_orm(chunk: _Chunk, changes, due_us, warn_us, provisional) -> int:
    now = timezone.now()
    rows = [
        Appeal(
            pk=int(key),
            due_at=from_epoch_us(due_value),
            warn_at=from_epoch_us(warn_value),
            due_provisional=bool(flag),
            updated_at=now,
        )
        for key, due_value, warn_value, flag in zip(
            chunk.pk[changes], due_us[changes], warn_us[changes], provisional[changes], strict=True
        )
    ]
    Appeal.objects.bulk_update(
        rows, ["due_at", "warn_at", "due_provisional", "updated_at"], batch_size=500
    )
    return len(rows)
