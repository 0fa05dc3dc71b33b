"""The roll-up: the only writes of ``insights``, all into its own tables.

- :func:`calendar_refresh` copies a zone's working calendar into ``CalendarDay`` rows and
  recomputes the durations of the zone's facts (after a holiday notice or a zone day).
- :func:`rollup` writes the fact of every item case accepted, decided or delivered in
  [day_from, day_to] — the case as it is when the job runs — in one ``INSERT … SELECT …
  ON CONFLICT DO UPDATE`` (idempotent: running a day twice gives the same rows), adds
  those days' facts and ratings up again (``DailyFigures``, ``DailyRatings``), and moves
  the zone's ``rolled_through`` mark when every day up to ``day_to`` is rolled; then adds
  up again every *closed* month (each of its days through the mark) that it touched or
  that closed since (``MonthlyFigures``, ``MonthlyRatings``, ``MonthlyDurations``), so a
  month is always the sum of its days.
- :func:`rollup_due` rolls what is due: from the day before the mark (one day of overlap,
  for a case accepted just before midnight and committed just after) to yesterday.

Runs daily after midnight: ``onewindow insights-rollup`` from cron, or the
``insights.tasks.rollup_all_zones`` job through ``onewindow db_worker``
(docs/insights.md).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationFailed
from onewindow.core.locks import lock_row
from onewindow.core.selectors import calendar_revision
from onewindow.insights.facts import (
    FACT_COLUMNS,
    ROW_COLUMNS,
    active_between,
    item_cases,
    live_rows,
    ordinal_of,
)
from onewindow.insights.models import (
    CalendarDay,
    CaseFact,
    DailyFigures,
    DailyRatings,
    MonthlyDurations,
    MonthlyFigures,
    MonthlyRatings,
    RollupState,
)
from onewindow.insights.rows import ONE_DAY, closed_through, month_start, next_month
from onewindow.org.models import Zone
from onewindow.org.selectors import calendar_for_zone

#: The longest range one call may roll (a backfill of ten years fits).
MAX_ROLLUP_DAYS = 3700


@dataclass(frozen=True)
class RollupResult:
    zone: str
    day_from: dt.date
    day_to: dt.date
    facts: int
    rolled_through: dt.date | None
    seconds: float


def _state(zone: Zone) -> RollupState:
    """The zone's roll-up state, locked for this transaction."""
    RollupState.objects.get_or_create(zone=zone)
    return lock_row(RollupState, zone=zone)


def _build_calendar(zone: Zone) -> int:
    calendar = calendar_for_zone(zone)
    first = calendar.first_day
    rows = []
    day = first
    while day <= calendar.last_day:
        rows.append(
            CalendarDay(
                zone=zone,
                date=day,
                working=calendar.day(day, allow_provisional=True).is_working,
                # Working days x with first < x ≤ day (+1 when the first day is one):
                # only differences are used, so any constant offset would do.
                ordinal=calendar.count(first, day, allow_provisional=True).working_days,
            )
        )
        day += dt.timedelta(days=1)
    CalendarDay.objects.filter(zone=zone).delete()
    CalendarDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _recompute_durations(zone: Zone) -> int:
    return CaseFact.objects.filter(zone=zone).update(
        decision_days=ordinal_of("decided_on") - ordinal_of("accepted_on"),
        delivery_days=ordinal_of("delivered_on") - ordinal_of("accepted_on"),
    )


def _ensure_calendar(zone: Zone, state: RollupState) -> bool:
    """Rebuild the zone's calendar rows when the working days changed since; True if so."""
    revision = calendar_revision()
    if state.calendar_revision == revision and CalendarDay.objects.filter(zone=zone).exists():
        return False
    _build_calendar(zone)
    if _recompute_durations(zone):
        span = CaseFact.objects.filter(zone=zone).aggregate(
            first=Min("accepted_on"), last=Max("delivered_on")
        )
        last = max(span["last"] or span["first"], timezone.localdate())
        _rebuild_daily(zone, span["first"], last)
        if state.months_through is not None and span["first"] <= state.months_through:
            _rebuild_months(zone, month_start(span["first"]), month_start(state.months_through))
    state.calendar_revision = revision
    state.save(update_fields=["calendar_revision"])
    return True


@transaction.atomic
def calendar_refresh(*, zone: Zone) -> bool:
    """Copy the zone's working calendar for SQL if it changed, and recompute the facts'
    durations (``calendar_changed`` enqueues this)."""
    return _ensure_calendar(zone, _state(zone))


def _upsert_facts(zone: Zone, day_from: dt.date, day_to: dt.date, now: dt.datetime) -> int:
    cases = item_cases(zone.pk).filter(active_between(day_from, day_to))
    select_sql, params = live_rows(cases).query.sql_with_params()
    quote = connection.ops.quote_name
    columns = [FACT_COLUMNS[name] for name in ROW_COLUMNS] + ["zone_id", "rolled_at"]
    selected = ", ".join(f"r.{name}" for name in ROW_COLUMNS)
    updates = ", ".join(
        f"{quote(column)} = excluded.{quote(column)}" for column in columns if column != "case_id"
    )
    sql = (
        f"INSERT INTO {quote(CaseFact._meta.db_table)} "
        f"({', '.join(quote(column) for column in columns)}) "
        f"SELECT {selected}, %s, %s FROM ({select_sql}) r WHERE 1 = 1 "
        f"ON CONFLICT ({quote('case_id')}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        # The two values come first in the statement, before the SELECT's own parameters.
        cursor.execute(sql, [zone.pk, connection.ops.adapt_datetimefield_value(now), *params])
        return max(cursor.rowcount, 0)


#: What one fact adds to the day of each of its dates (accepted, decided, delivered).
_DAILY_COLUMNS = (
    "accepted, tolerated, commitment, decided, on_time, decision_days_total, "
    "decision_days_count, online, one_visit, delivered, delivery_days_total, "
    "delivery_days_count"
)
_DAILY_FAMILIES = (
    "SELECT accepted_on AS day, department_id, item_id, 1 AS a, "
    "CASE WHEN acceptance_mode = 'tolerated' THEN 1 ELSE 0 END AS t, "
    "CASE WHEN acceptance_mode = 'commitment' THEN 1 ELSE 0 END AS c, "
    "0 AS d, 0 AS o, 0 AS dt, 0 AS dc, 0 AS w0, 0 AS w1, 0 AS l, 0 AS lt, 0 AS lc "
    "FROM insights_casefact WHERE zone_id = %s AND accepted_on BETWEEN %s AND %s "
    "UNION ALL SELECT decided_on, department_id, item_id, 0, 0, 0, 1, "
    "CASE WHEN on_time THEN 1 ELSE 0 END, COALESCE(decision_days, 0), "
    "CASE WHEN decision_days IS NULL THEN 0 ELSE 1 END, "
    "CASE WHEN window_visits = 0 THEN 1 ELSE 0 END, "
    "CASE WHEN window_visits <= 1 THEN 1 ELSE 0 END, 0, 0, 0 "
    "FROM insights_casefact WHERE zone_id = %s AND decided_on BETWEEN %s AND %s "
    "UNION ALL SELECT delivered_on, department_id, item_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, "
    "COALESCE(delivery_days, 0), CASE WHEN delivery_days IS NULL THEN 0 ELSE 1 END "
    "FROM insights_casefact WHERE zone_id = %s AND delivered_on BETWEEN %s AND %s"
)


def _rebuild_daily(zone: Zone, day_from: dt.date, day_to: dt.date) -> None:
    """Add up the facts and the ratings of [day_from, day_to] per day, department and
    item again (two DELETE + INSERT … SELECT pairs)."""
    adapt = connection.ops.adapt_datefield_value
    period = [zone.pk, adapt(day_from), adapt(day_to)]
    DailyFigures.objects.filter(zone=zone, day__range=(day_from, day_to)).delete()
    DailyRatings.objects.filter(zone=zone, day__range=(day_from, day_to)).delete()
    sums = ", ".join(
        f"SUM({name})"
        for name in ("a", "t", "c", "d", "o", "dt", "dc", "w0", "w1", "l", "lt", "lc")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO insights_dailyfigures (zone_id, day, department_id, item_id, "
            f"{_DAILY_COLUMNS}) SELECT %s, day, department_id, item_id, {sums} "
            f"FROM ({_DAILY_FAMILIES}) x GROUP BY day, department_id, item_id",
            [zone.pk, *period * 3],
        )
        cursor.execute(
            "INSERT INTO insights_dailyratings (zone_id, day, department_id, item_id, level, "
            "ratings) SELECT zone_id, rated_on, department_id, item_id, level, COUNT(*) "
            "FROM reviews_rating WHERE zone_id = %s AND rated_on BETWEEN %s AND %s "
            "GROUP BY zone_id, rated_on, department_id, item_id, level",
            period,
        )


def _month_of(column: str) -> str:
    """SQL for the first day of the month of a date column."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _rebuild_months(zone: Zone, first: dt.date, last: dt.date) -> None:
    """Add up the days of the months from ``first`` to ``last`` (their first days) again:
    the daily figures and ratings, and the facts' working days counted per value (the
    durations: the long-period medians). Three DELETE + INSERT … SELECT pairs."""
    adapt = connection.ops.adapt_datefield_value
    period = [zone.pk, adapt(first), adapt(next_month(last) - ONE_DAY)]
    for model in (MonthlyFigures, MonthlyRatings, MonthlyDurations):
        model.objects.filter(zone=zone, month__range=(first, last)).delete()
    sums = ", ".join(f"SUM({name.strip()})" for name in _DAILY_COLUMNS.split(","))
    day_month = _month_of("day")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO insights_monthlyfigures (zone_id, month, department_id, item_id, "
            f"{_DAILY_COLUMNS}) SELECT zone_id, {day_month}, department_id, item_id, {sums} "
            "FROM insights_dailyfigures WHERE zone_id = %s AND day BETWEEN %s AND %s "
            f"GROUP BY zone_id, {day_month}, department_id, item_id",
            period,
        )
        cursor.execute(
            "INSERT INTO insights_monthlyratings (zone_id, month, department_id, item_id, "
            f"level, ratings) SELECT zone_id, {day_month}, department_id, item_id, level, "
            "SUM(ratings) FROM insights_dailyratings WHERE zone_id = %s AND day BETWEEN %s "
            f"AND %s GROUP BY zone_id, {day_month}, department_id, item_id, level",
            period,
        )
        families = " UNION ALL ".join(
            f"SELECT zone_id, {_month_of(date)} AS month, '{family}' AS family, department_id, "
            f"item_id, {days} AS days, COUNT(*) AS cases FROM insights_casefact "
            f"WHERE zone_id = %s AND {date} BETWEEN %s AND %s AND {days} IS NOT NULL "
            f"GROUP BY zone_id, {_month_of(date)}, department_id, item_id, {days}"
            for family, date, days in (
                ("d", "decided_on", "decision_days"),
                ("l", "delivered_on", "delivery_days"),
            )
        )
        cursor.execute(
            "INSERT INTO insights_monthlydurations (zone_id, month, family, department_id, "
            f"item_id, days, cases) {families}",
            period * 2,
        )


def _roll_months(zone: Zone, state: RollupState, day_from: dt.date) -> None:
    """After the days from ``day_from`` are rolled: add up again the closed months they
    touched and every month closed since the last run (all of them the first time)."""
    closed = closed_through(state.rolled_through)
    if closed is None:
        return
    first = month_start(day_from)
    if state.months_through is None:
        days = [
            model.objects.filter(zone=zone).aggregate(first=Min("day"))["first"]
            for model in (DailyFigures, DailyRatings)
        ]
        days = [day for day in days if day is not None]
        if days:
            first = min(first, month_start(min(days)))
    elif state.months_through < closed:
        first = min(first, state.months_through + ONE_DAY)
    last = month_start(closed)
    if first <= last:
        _rebuild_months(zone, first, last)
    state.months_through = closed


def _check_range(day_from: dt.date, day_to: dt.date) -> None:
    if day_from > day_to:
        raise ValidationFailed.for_field(
            "from", _("开始日期不能晚于结束日期"), code="period_reversed"
        )
    if (day_to - day_from).days >= MAX_ROLLUP_DAYS:
        raise ValidationFailed.for_field(
            "from",
            _("一次汇总不能超过 {days} 天").format(days=MAX_ROLLUP_DAYS),
            code="period_too_long",
        )


@transaction.atomic
def rollup(
    *, zone: Zone, day_from: dt.date, day_to: dt.date, today: dt.date | None = None
) -> RollupResult:
    """Write the facts of the item cases accepted, decided or delivered in
    [day_from, day_to] and move the zone's ``rolled_through`` mark if it may."""
    _check_range(day_from, day_to)
    started = time.perf_counter()
    today = today or timezone.localdate()
    state = _state(zone)
    _ensure_calendar(zone, state)
    now = timezone.now()
    written = _upsert_facts(zone, day_from, day_to, now)
    _rebuild_daily(zone, day_from, day_to)
    # Only finished days count as rolled: today's cases may still change today.
    last_complete = min(day_to, today - dt.timedelta(days=1))
    if last_complete >= day_from:
        mark = state.rolled_through
        if mark is None:
            first = item_cases(zone.pk).aggregate(first=Min("accepted_on"))["first"]
            if first is None or day_from <= first:
                state.rolled_through = last_complete
        elif day_from <= mark + dt.timedelta(days=1) and last_complete > mark:
            state.rolled_through = last_complete
    _roll_months(zone, state, day_from)
    seconds = time.perf_counter() - started
    state.last_run_at = now
    state.last_run_from = day_from
    state.last_run_to = day_to
    state.last_run_facts = written
    state.last_run_seconds = seconds
    state.save()
    return RollupResult(
        zone=zone.code,
        day_from=day_from,
        day_to=day_to,
        facts=written,
        rolled_through=state.rolled_through,
        seconds=seconds,
    )


def rollup_due(*, zone: Zone, today: dt.date | None = None) -> RollupResult | None:
    """Roll the days not rolled yet (and the last rolled one again) through yesterday."""
    today = today or timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    state = RollupState.objects.filter(zone=zone).first()
    mark = state.rolled_through if state else None
    if mark is not None:
        day_from = min(mark, yesterday)
    else:
        first = item_cases(zone.pk).aggregate(first=Min("accepted_on"))["first"]
        day_from = min(first, yesterday) if first else yesterday
    # A long gap (a first backfill) is rolled in ranges of at most MAX_ROLLUP_DAYS.
    result = None
    while day_from <= yesterday:
        day_to = min(yesterday, day_from + dt.timedelta(days=MAX_ROLLUP_DAYS - 1))
        result = rollup(zone=zone, day_from=day_from, day_to=day_to, today=today)
        day_from = day_to + dt.timedelta(days=1)
    return result
