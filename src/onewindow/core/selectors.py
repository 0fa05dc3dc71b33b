"""Reads of core data worth naming: the working calendar, built and cached."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable, Mapping

from django.db import connections, router, transaction

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
    """The calendar revision, read once per request or transaction.

    Inside a transaction the value read first is kept until it ends (and, once it
    commits, for the rest of the request); outside one, for the request (between
    Django's ``request_started`` and ``request_finished``). ``calendar_revision_bump``
    forgets it. Elsewhere (a command, a worker between transactions) every call reads.
    """
    alias = router.db_for_read(CalendarRevision)
    connection = connections[alias]
    memo = _transaction_memo(connection)
    if memo is not None and memo.value is not None:
        return memo.value
    request = getattr(connection, "_calendar_request_memo", None)
    if request is not None and request.value is not None:
        if memo is not None:
            memo.value = request.value
        return request.value
    row = CalendarRevision.objects.using(alias).filter(id=1).values_list("value", flat=True)
    value = row.first() or 0
    if connection.in_atomic_block:
        if memo is None:
            memo = _RevisionMemo(request)
            connection._calendar_transaction_memo = memo
            transaction.on_commit(memo, using=alias)
        memo.value = value
    elif request is not None:
        request.value = value
    return value


class _RevisionMemo:
    """A revision read in one scope; in a transaction, its on-commit callback hands the
    (now committed) value to the request's memo."""

    def __init__(self, request: _RevisionMemo | None = None) -> None:
        self.value: int | None = None
        self.request = request

    def __call__(self) -> None:
        if self.request is not None and self.value is not None:
            self.request.value = self.value


def _transaction_memo(connection) -> _RevisionMemo | None:
    """This transaction's memo, or None outside a transaction, in a new one, or after a
    rollback past the savepoint that made it (Django drops its on-commit callback)."""
    if not connection.in_atomic_block:
        return None
    memo = getattr(connection, "_calendar_transaction_memo", None)
    if memo is None:
        return None
    if any(callback is memo for _ids, callback, _robust in connection.run_on_commit):
        return memo
    return None


def calendar_revision_forget(*, alias: str | None = None) -> None:
    """Forget the revision read in this request and transaction (the revision moved)."""
    connection = connections[alias or router.db_for_read(CalendarRevision)]
    # A new memo, made by the next read in the current savepoint, goes with it if it
    # rolls back.
    connection._calendar_transaction_memo = None
    request = getattr(connection, "_calendar_request_memo", None)
    if request is not None:
        request.value = None


def request_started(**kwargs) -> None:
    """``django.core.signals.request_started``: a new request reads the revision afresh."""
    connections[router.db_for_read(CalendarRevision)]._calendar_request_memo = _RevisionMemo()


def request_finished(**kwargs) -> None:
    """``django.core.signals.request_finished``: no memo outlives its request."""
    connections[router.db_for_read(CalendarRevision)]._calendar_request_memo = None


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
