"""The appeal clock (GLOSSARY.md "Appeals"), pure arithmetic over a zone's
:class:`~onewindow.core.calendar.WorkingCalendar`.

- **Working days:** the day of receipt is not counted; the order is due at the end of the
  working day (the zone's ``workday_ends``) of the N-th working day after receipt, 调休
  included (the calendar knows make-up days). A year without a State Council notice gives
  a provisional answer (``provisional=True``, shown as 暂定).
- **Natural hours:** round the clock from receipt, holidays or not.
- **Working hours** (the 签收 limit): only the zone's office hours of working days count.
- **Warnings** fire once ``warn_percent`` of the limit has passed.

All datetimes in and out are timezone-aware; days are those of the zone's local time
(``settings.TIME_ZONE``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from onewindow.appeals.constants import LimitUnit
from onewindow.core.calendar import WorkingCalendar


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
