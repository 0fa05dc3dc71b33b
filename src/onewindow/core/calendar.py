"""The working-day calendar and time-limit arithmetic (pure: no database).

Rules (GLOSSARY.md, "Time limits"):

* Limits are counted in working days (行政许可法 art. 82): weekends and statutory
  holidays are excluded, make-up working days (调休) declared by the State Council's
  yearly notice are included.
* The day of acceptance is not counted (民法典 art. 201: a period starts the next day).
  ``add_working_days(d, n)`` is the n-th working day after ``d``;
  ``working_days_between(a, b)`` counts the working days x with a < x <= b, so
  ``working_days_between(d, add_working_days(d, n)) == n``.
* A date in a year whose notice is not known is an error naming the year, unless the
  caller asks for a provisional answer: then only weekends and the fixed-date holidays
  (元旦 1 Jan, 劳动节 1–2 May, 国庆节 1–3 Oct, as fixed by 《全国年节及纪念日放假办法》
  revised in 2024) are assumed, and the answer is flagged ``provisional``.

A :class:`WorkingCalendar` is built once from the known days (chinesecalendar's
notices, notices an administrator loaded, a zone's own overrides) and precomputes a
prefix count of working days and the list of working days, so every question is
answered in O(1) (O(number of years) for the coverage check), never by a day loop.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.core.errors import ValidationFailed

#: How many years past the last year with a known notice provisional answers reach.
PROVISIONAL_HORIZON_YEARS = 5

#: The largest number of working days a question may ask for (about four years).
MAX_WORKING_DAYS = 1000

#: Fixed-date statutory holidays (month, day) assumed for provisional answers.
FIXED_DATE_HOLIDAYS: Mapping[tuple[int, int], str] = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}


class DayKind(StrEnum):
    """Why a day is or is not a working day."""

    WORKDAY = "workday"  # an ordinary Monday to Friday
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # statutory holiday (法定节假日, including its bridged weekend)
    MAKEUP_WORKDAY = "makeup_workday"  # 调休上班: a weekend day declared a working day
    ZONE_CLOSED = "zone_closed"  # the zone's own closure (e.g. a typhoon day)
    ZONE_OPEN = "zone_open"  # the zone's own working day on a weekend or holiday

    @property
    def is_working(self) -> bool:
        return self in {DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY, DayKind.ZONE_OPEN}


KIND_LABELS = {
    DayKind.WORKDAY: gettext_lazy("工作日"),
    DayKind.WEEKEND: gettext_lazy("周末"),
    DayKind.HOLIDAY: gettext_lazy("法定节假日"),
    DayKind.MAKEUP_WORKDAY: gettext_lazy("调休上班"),
    DayKind.ZONE_CLOSED: gettext_lazy("本区停止办公"),
    DayKind.ZONE_OPEN: gettext_lazy("本区照常办公"),
}


@dataclass(frozen=True, slots=True)
class KnownDay:
    """A day whose status a notice or an override fixes (anything not ordinary)."""

    kind: DayKind
    name: str = ""  # the festival (春节) or the zone's reason


@dataclass(frozen=True, slots=True)
class DayInfo:
    date: dt.date
    kind: DayKind
    name: str
    provisional: bool

    @property
    def is_working(self) -> bool:
        return self.kind.is_working

    @property
    def reason(self) -> str:
        label = str(KIND_LABELS[self.kind])
        return f"{label}（{self.name}）" if self.name else label


@dataclass(frozen=True, slots=True)
class Deadline:
    date: dt.date
    provisional: bool


@dataclass(frozen=True, slots=True)
class Count:
    working_days: int
    provisional: bool


@dataclass(frozen=True, slots=True)
class CalendarTables:
    """The precomputed tables of a :class:`WorkingCalendar`, read-only, for questions asked
    of many days at once (``numpy.frombuffer`` reads the buffers without a copy).

    ``deadline(start, n)`` for n >= 1 is the day at offset ``working[cumulative[s] + n - 1]``
    where ``s = start.toordinal() - origin``; an answer is provisional when a year from the
    start's to the answer's is in ``uncovered_years``."""

    origin: int  # the ordinal of ``first_day`` (offset 0)
    cumulative: memoryview  # [i]: working days in [first_day, first_day + i], inclusive
    working: memoryview  # [k]: the offset of the (k+1)-th working day
    uncovered_years: tuple[int, ...]  # years in range with no known notice
    first_day: dt.date
    last_day: dt.date


class CalendarNotCovered(ValidationFailed):
    """The question needs a year whose holiday notice is not known."""

    code = "calendar_year_not_covered"

    def __init__(self, year: int, *, field: str = "date") -> None:
        self.year = year
        message = _(
            "{year}年的节假日安排尚未载入，无法确定工作日；"
            "可请求临时结果（provisional=true），待国务院通知发布并载入后重新计算"
        ).format(year=year)
        super().__init__(message, fields={field: [message]})


class CalendarOutOfRange(ValidationFailed):
    """The date is outside every year the calendar can answer for, even provisionally."""

    code = "calendar_out_of_range"

    def __init__(self, day: dt.date, first: dt.date, last: dt.date, *, field: str = "date"):
        message = _("日期 {day} 超出工作日历范围（{first} 至 {last}）").format(
            day=day.isoformat(), first=first.isoformat(), last=last.isoformat()
        )
        super().__init__(message, fields={field: [message]})


def _ordinary_kind(day: dt.date) -> KnownDay:
    return KnownDay(DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY)


def provisional_day(day: dt.date) -> KnownDay:
    """The guess for a year without a notice: weekends and fixed-date holidays only."""
    name = FIXED_DATE_HOLIDAYS.get((day.month, day.day))
    if name:
        return KnownDay(DayKind.HOLIDAY, name)
    return _ordinary_kind(day)


class WorkingCalendar:
    """Working days of one zone, precomputed.

    ``notices`` maps every non-ordinary day of the covered years to its status (a
    holiday, a make-up working day); ``covered_years`` are the years whose notice is
    known; ``overrides`` are the zone's own days, which win over everything else.
    """

    def __init__(
        self,
        *,
        notices: Mapping[dt.date, KnownDay],
        covered_years: Iterable[int],
        overrides: Mapping[dt.date, KnownDay] | None = None,
        horizon_years: int = PROVISIONAL_HORIZON_YEARS,
    ) -> None:
        self.covered_years = frozenset(covered_years)
        if not self.covered_years:
            raise ValueError("a working calendar needs at least one covered year")
        overrides = overrides or {}
        self.first_day = dt.date(min(self.covered_years), 1, 1)
        self.last_day = dt.date(max(self.covered_years) + horizon_years, 12, 31)
        self._origin = self.first_day.toordinal()
        size = self.last_day.toordinal() - self._origin + 1

        self._known: dict[dt.date, KnownDay] = {}
        # cumulative[i]: working days in [first_day, first_day + i], inclusive.
        self._cumulative = array("l", bytes(size * array("l").itemsize))
        # working[k]: the day offset of the (k+1)-th working day.
        self._working = array("l")
        running = 0
        for offset in range(size):
            day = dt.date.fromordinal(self._origin + offset)
            if day in overrides:
                known = overrides[day]
            elif day.year in self.covered_years:
                known = notices.get(day) or _ordinary_kind(day)
            else:
                known = provisional_day(day)
            if known.kind not in (DayKind.WORKDAY, DayKind.WEEKEND):
                self._known[day] = known
            if known.kind.is_working:
                running += 1
                self._working.append(offset)
            self._cumulative[offset] = running
        uncovered = [
            year
            for year in range(self.first_day.year, self.last_day.year + 1)
            if year not in self.covered_years
        ]
        self._uncovered_years = tuple(uncovered)

    def tables(self) -> CalendarTables:
        """The precomputed tables, read-only (see :class:`CalendarTables`)."""
        return CalendarTables(
            origin=self._origin,
            cumulative=memoryview(self._cumulative).toreadonly(),
            working=memoryview(self._working).toreadonly(),
            uncovered_years=self._uncovered_years,
            first_day=self.first_day,
            last_day=self.last_day,
        )

    # -- coverage -----------------------------------------------------------------

    def _offset(self, day: dt.date, field: str) -> int:
        if not self.first_day <= day <= self.last_day:
            raise CalendarOutOfRange(day, self.first_day, self.last_day, field=field)
        return day.toordinal() - self._origin

    def _first_uncovered(self, start: dt.date, end: dt.date) -> int | None:
        for year in self._uncovered_years:
            if start.year <= year <= end.year:
                return year
        return None

    def _check(self, start: dt.date, end: dt.date, allow_provisional: bool, field: str) -> bool:
        """True when the answer is provisional; raises when that is not allowed."""
        year = self._first_uncovered(start, end)
        if year is None:
            return False
        if not allow_provisional:
            raise CalendarNotCovered(year, field=field)
        return True

    # -- questions ----------------------------------------------------------------

    def day(self, day: dt.date, *, allow_provisional: bool = False, field: str = "date") -> DayInfo:
        self._offset(day, field)
        provisional = self._check(day, day, allow_provisional, field)
        known = self._known.get(day) or _ordinary_kind(day)
        return DayInfo(day, known.kind, known.name, provisional)

    def deadline(
        self,
        start: dt.date,
        days: int,
        *,
        allow_provisional: bool = False,
        field: str = "start",
    ) -> Deadline:
        """The ``days``-th working day after ``start`` (the start day is not counted)."""
        if not 0 <= days <= MAX_WORKING_DAYS:
            raise ValidationFailed.for_field(
                "days",
                _("工作日数应为 0 至 {max} 之间的整数").format(max=MAX_WORKING_DAYS),
                code="days_out_of_range",
            )
        offset = self._offset(start, field)
        if days == 0:
            result = start
        else:
            index = self._cumulative[offset] + days - 1
            if index >= len(self._working):
                raise CalendarOutOfRange(
                    self.last_day + dt.timedelta(days=1),
                    self.first_day,
                    self.last_day,
                    field="days",
                )
            result = dt.date.fromordinal(self._origin + self._working[index])
        provisional = self._check(start, result, allow_provisional, field)
        return Deadline(result, provisional)

    def count(
        self,
        start: dt.date,
        end: dt.date,
        *,
        allow_provisional: bool = False,
    ) -> Count:
        """Working days x with start < x <= end (negative when end is before start)."""
        a = self._offset(start, "from")
        b = self._offset(end, "to")
        low, high = (start, end) if start <= end else (end, start)
        provisional = self._check(low, high, allow_provisional, "to" if end > start else "from")
        return Count(self._cumulative[b] - self._cumulative[a], provisional)

    # -- the strict operations of GLOSSARY.md -----------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        return self.day(day).is_working

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        return self.deadline(start, days).date

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        return self.count(start, end).working_days

    def working_day_before(
        self, end: dt.date, days: int, *, allow_provisional: bool = False
    ) -> Deadline:
        """The working day W with ``working_days_between(W, end) == days`` (the inverse of
        :meth:`deadline`: for a working day ``end``, ``deadline(W, days) == end``).

        Used for the date a light turns yellow: from W on, at most ``days`` working days
        remain until ``end``. Before the calendar's first day, the first day is returned.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        offset = self._offset(end, "end")
        index = self._cumulative[offset] - days - 1
        if index < 0:
            return Deadline(self.first_day, False)
        result = dt.date.fromordinal(self._origin + self._working[index])
        provisional = self._check(result, end, allow_provisional, "end")
        return Deadline(result, provisional)

    def known_days(self, start: dt.date, end: dt.date) -> list[DayInfo]:
        """Every non-ordinary day in [start, end], for calendar pages."""
        return [
            DayInfo(day, known.kind, known.name, day.year not in self.covered_years)
            for day, known in sorted(self._known.items())
            if start <= day <= end
        ]


# -- chinesecalendar's notices ----------------------------------------------------------

_HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def chinesecalendar_notices() -> tuple[dict[dt.date, KnownDay], frozenset[int]]:
    """The State Council notices that the ``chinesecalendar`` package carries.

    Returns the non-ordinary days and the years they cover (a year counts as covered
    when the package has its holidays).
    """
    from chinese_calendar import constants

    notices: dict[dt.date, KnownDay] = {}
    for day, holiday in constants.holidays.items():
        notices[day] = KnownDay(DayKind.HOLIDAY, _HOLIDAY_NAMES_ZH.get(holiday, holiday))
    for day, holiday in constants.workdays.items():
        notices[day] = KnownDay(DayKind.MAKEUP_WORKDAY, _HOLIDAY_NAMES_ZH.get(holiday, holiday))
    years = frozenset(day.year for day in constants.holidays)
    return notices, years
