"""Reads of core data worth naming: the working calendar, built and cached."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable, Mapping

from onewindow.core.calendar import (
    DayKind,
    KnownDay,
    WorkingCalendar,
    chinesecalendar_notices,
)
from onewindow.core.models import CalendarRevision, HolidayNotice, HolidayNoticeDay

_cache: dict[Hashable, tuple[int, WorkingCalendar]] = {}
_lock = threading.Lock()


def calendar_revision() -> int:
    row = CalendarRevision.objects.filter(id=1).values_list("value", flat=True).first()
    return row or 0


def _notice_year(day: dt.date, known: KnownDay) -> int:
    """The year of the notice that declared ``day``: late-December days of 元旦 (e.g. Sat
    29 Dec 2018, a make-up working day) belong to the next year's notice."""
    return day.year + 1 if day.month == 12 and known.name == "元旦" else day.year


def national_notices() -> tuple[dict[dt.date, KnownDay], frozenset[int]]:
    """chinesecalendar's notices, with every year an administrator loaded replacing it."""
    notices, years = chinesecalendar_notices()
    loaded_years = set(HolidayNotice.objects.values_list("year", flat=True))
    if loaded_years:
        notices = {
            day: known
            for day, known in notices.items()
            if _notice_year(day, known) not in loaded_years
        }
        for date, kind, name in HolidayNoticeDay.objects.values_list("date", "kind", "name"):
            notices[date] = KnownDay(DayKind(kind), name)
    return notices, years | loaded_years


def cached_calendar(
    key: Hashable, overrides: Callable[[], Mapping[dt.date, KnownDay]] | None = None
) -> WorkingCalendar:
    """The calendar for ``key`` (a zone code, or ``None`` for the national one).

    Rebuilt only when the calendar revision moved since it was built: one small query
    per call, then O(1) answers.
    """
    revision = calendar_revision()
    cached = _cache.get(key)
    if cached is not None and cached[0] == revision:
        return cached[1]
    with _lock:
        notices, years = national_notices()
        calendar = WorkingCalendar(
            notices=notices, covered_years=years, overrides=overrides() if overrides else None
        )
        _cache[key] = (revision, calendar)
    return calendar


def national_calendar() -> WorkingCalendar:
    return cached_calendar(None)
