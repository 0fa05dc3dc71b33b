"""The appeal clock (GLOSSARY.md "Appeals"), pure arithmetic over a zone's
:class:`~onewindow.core.calendar.WorkingCalendar`.

- **Working days:** the day of receipt is not counted; the order is due at the end of the
  working day (the zone's ``workday_ends``) of the N-th working day after receipt, 调休
  included (the calendar knows make-up days). A year without a State Council notice gives
  a provisional answer (``provisional=True``, shown as 暂定).
- **Natural hours:** round the clock from receipt, holidays or not.
- **Working hours** (the 签收 limit): only the zone's office hours of working days count.
- **Warnings** fire once ``warn_percent`` of the limit has passed.
- **Many orders at once** (after a calendar change): :func:`deadline_ordinals` and
  :func:`working_days_due_many` answer for numpy arrays of receipt days by indexing the
  calendar's precomputed tables (:meth:`WorkingCalendar.tables`), with no Python loop per
  order; they give the same answers as :func:`working_days_due` and :func:`due`.

All datetimes in and out are timezone-aware; days are those of the zone's local time
(``settings.TIME_ZONE``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings

from onewindow.appeals.constants import LimitUnit
from onewindow.core.calendar import (
    MAX_WORKING_DAYS,
    CalendarOutOfRange,
    CalendarTables,
    WorkingCalendar,
)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Due:
    """When an order is due, when it turns to warning, and whether that is provisional."""

    due_at: dt.datetime
    warn_at: dt.datetime
    provisional: bool


@dataclass(frozen=True)
class Limit:
    """A time limit as stored on the order: ``amount`` working days or natural hours, plus
    the working days of approved extensions."""

    unit: str
    amount: int
    extended_days: int = 0


def end_of_working_day(day: dt.date, workday_ends: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, workday_ends, tzinfo=local_zone())


def working_days_due(
    calendar: WorkingCalendar, start: dt.datetime, days: int, workday_ends: dt.time
) -> tuple[dt.datetime, bool]:
    """The end of the ``days``-th working day after the local day of ``start`` (that day
    not counted), and whether the answer is provisional."""
    local = start.astimezone(local_zone())
    deadline = calendar.deadline(local.date(), days, allow_provisional=True)
    return end_of_working_day(deadline.date, workday_ends), deadline.provisional


def due(
    calendar: WorkingCalendar,
    *,
    start: dt.datetime,
    limit: Limit,
    workday_ends: dt.time,
    warn_percent: int,
) -> Due:
    """The deadline and the warning instant of an order whose clock started at ``start``.

    Natural hours run round the clock; approved extensions (working days) then push the
    deadline to the end of the working day that many working days after it. Working days
    count from the day after ``start``; the warning is due at the end of working day
    ``floor(total × warn_percent / 100)`` (at once when that is 0)."""
    if limit.unit == LimitUnit.NATURAL_HOURS:
        base = start + dt.timedelta(hours=limit.amount)
        warn = start + dt.timedelta(hours=limit.amount * warn_percent / 100)
        if not limit.extended_days:
            return Due(base, warn, False)
        due_at, provisional = working_days_due(calendar, base, limit.extended_days, workday_ends)
        return Due(due_at, warn, provisional)
    total = limit.amount + limit.extended_days
    due_at, provisional = working_days_due(calendar, start, total, workday_ends)
    warn_days = math.floor(total * warn_percent / 100)
    warn_at = working_days_due(calendar, start, warn_days, workday_ends)[0] if warn_days else start
    return Due(due_at, min(warn_at, due_at), provisional)


def working_hours_due(
    calendar: WorkingCalendar,
    *,
    start: dt.datetime,
    hours: float,
    workday_starts: dt.time,
    workday_ends: dt.time,
) -> dt.datetime:
    """The instant ``hours`` of office time after ``start``: only the zone's office hours
    of working days count (a dispatch at 17:00 with 2 hours to sign and office hours ending
    at 17:30 is due at 10:30 on the next working day, 09:00 start)."""
    zone = local_zone()
    local = start.astimezone(zone)
    remaining = dt.timedelta(hours=hours)
    day = local.date()
    cursor = local
    for _ in range(366 * 2):
        info = calendar.day(day, allow_provisional=True)
        if info.is_working:
            opens = dt.datetime.combine(day, workday_starts, tzinfo=zone)
            closes = dt.datetime.combine(day, workday_ends, tzinfo=zone)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
        cursor = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    raise ValueError("no office hours within two years")


def is_warning(
    now: dt.datetime, *, warn_at: dt.datetime | None, due_at: dt.datetime | None
) -> bool:
    return bool(warn_at and due_at and warn_at <= now < due_at)


def is_late(now: dt.datetime, *, due_at: dt.datetime | None) -> bool:
    return bool(due_at and now > due_at)


# -- many orders at once -------------------------------------------------------------------

#: Instants in the arrays are whole microseconds since the Unix epoch (exact in int64).
UNIX_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def epoch_us(moment: dt.datetime) -> int:
    """A timezone-aware instant as microseconds since the Unix epoch."""
    return (moment - UNIX_EPOCH) // _MICROSECOND


def from_epoch_us(value: int) -> dt.datetime:
    """The instant (UTC) ``value`` microseconds after the Unix epoch."""
    return UNIX_EPOCH + dt.timedelta(microseconds=int(value))


@dataclass(frozen=True)
class DueArrays:
    """Deadlines of many orders: instants in microseconds since the Unix epoch."""

    due_us: np.ndarray
    warn_us: np.ndarray
    provisional: np.ndarray


def _table(buffer: memoryview) -> np.ndarray:
    return np.frombuffer(buffer, dtype=np.dtype(f"i{buffer.itemsize}"))


def _provisional(tables: CalendarTables, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """True where a year from ``starts`` to ``ends`` (ordinals) has no known notice (the
    vectorised ``WorkingCalendar._check``)."""
    if not tables.uncovered_years or not starts.size:
        return np.zeros(starts.shape, dtype=bool)
    years = range(tables.first_day.year, tables.last_day.year + 1)
    year_starts = np.array([dt.date(year, 1, 1).toordinal() for year in years], dtype=np.int64)
    uncovered = np.array([year in tables.uncovered_years for year in years], dtype=np.int64)
    # prefix[i]: uncovered years among the first i years of the range.
    prefix = np.concatenate(([0], np.cumsum(uncovered)))
    first = np.searchsorted(year_starts, starts, side="right") - 1
    last = np.searchsorted(year_starts, ends, side="right") - 1
    return prefix[last + 1] - prefix[first] > 0


def deadline_ordinals(
    calendar: WorkingCalendar, starts: np.ndarray, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``calendar.deadline(start, n, allow_provisional=True)`` for arrays of start days
    (ordinals) and working-day counts: the due days (ordinals) and the provisional mask.

    Two look-ups per order in the calendar's tables (the working days counted up to the
    start day, then the offset of the n-th working day after it); raises as the scalar
    question does when a start or an answer falls outside the calendar."""
    tables = calendar.tables()
    cumulative, working = _table(tables.cumulative), _table(tables.working)
    starts = np.asarray(starts, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    if starts.shape != days.shape:
        raise ValueError("starts and days must have the same shape")
    if not starts.size:
        return starts.copy(), np.zeros(starts.shape, dtype=bool)
    if days.min() < 0 or days.max() > MAX_WORKING_DAYS:
        raise ValueError(f"working days must be 0 to {MAX_WORKING_DAYS}")
    offsets = starts - tables.origin
    outside = (offsets < 0) | (offsets >= cumulative.size)
    if outside.any():
        day = dt.date.fromordinal(int(starts[np.argmax(outside)]))
        raise CalendarOutOfRange(day, tables.first_day, tables.last_day, field="start")
    index = cumulative[offsets] + days - 1
    if index.max() >= working.size:
        beyond = tables.last_day + dt.timedelta(days=1)
        raise CalendarOutOfRange(beyond, tables.first_day, tables.last_day, field="days")
    # n = 0 is the start day itself (its index, -1 or that of an earlier day, is not used).
    due = np.where(days > 0, working[np.maximum(index, 0)], offsets) + tables.origin
    return due, _provisional(tables, starts, due)


def end_of_working_day_us(days: np.ndarray, workday_ends: dt.time) -> np.ndarray:
    """The instant ``workday_ends`` of each local day (ordinals), in microseconds since the
    Unix epoch: one table over the days spanned (a loop over days, not orders), then a
    look-up per order, so a change of UTC offset (daylight saving) is honoured."""
    days = np.asarray(days, dtype=np.int64)
    if not days.size:
        return days.copy()
    first, last = int(days.min()), int(days.max())
    table = np.array(
        [
            epoch_us(end_of_working_day(dt.date.fromordinal(day), workday_ends))
            for day in range(first, last + 1)
        ],
        dtype=np.int64,
    )
    return table[days - first]


def working_days_due_many(
    calendar: WorkingCalendar,
    *,
    start_days: np.ndarray,
    start_us: np.ndarray,
    totals: np.ndarray,
    workday_ends: dt.time,
    warn_percent: int,
) -> DueArrays:
    """:func:`due` for many orders counted in working days at once: ``start_days`` are the
    local days of receipt (ordinals), ``start_us`` the clock starts (microseconds since the
    epoch), ``totals`` the limits plus approved extensions, in working days."""
    start_days = np.asarray(start_days, dtype=np.int64)
    totals = np.asarray(totals, dtype=np.int64)
    due_days, provisional = deadline_ordinals(calendar, start_days, totals)
    # floor(total × percent / 100) in integers (the same as the scalar path's floor).
    warn_counts = totals * warn_percent // 100
    warn_days, _provisional_warning = deadline_ordinals(calendar, start_days, warn_counts)
    due_us = end_of_working_day_us(due_days, workday_ends)
    warn_us = np.where(
        warn_counts > 0,
        end_of_working_day_us(warn_days, workday_ends),
        np.asarray(start_us, dtype=np.int64),
    )
    return DueArrays(due_us, np.minimum(warn_us, due_us), provisional)
