"""The rows behind the case figures, as SQL: one row per case and *family* — accepted,
decided, delivered — whose date of that family falls in the period.

For the days through the zone's ``rolled_through`` mark the rows come from
:class:`~onewindow.insights.models.CaseFact` (a fact's dates, durations, mode and on-time
flag never change once set, and every day through the mark has been rolled, so every
such event is in a fact; on PostgreSQL one index-only scan per family). For the days
after the mark they come from the cases, read as they are now with the one row
definition of :func:`onewindow.insights.facts.live_rows`. An event is on or before the
mark or after it: counted once.

:func:`rows_sql` returns ``WITH … f AS (…)`` for a statement to aggregate or list ``f``.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, connections, transaction
from django.db.models import BooleanField, CharField, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast

from onewindow.core.replica import read_alias
from onewindow.insights.facts import active_between, item_cases, live_rows
from onewindow.insights.models import FINAL_FACT_STATUSES, OPEN_FACT_STATUSES, CaseFact

ONE_DAY = dt.timedelta(days=1)

#: A family of figures: its letter in ``f``, and the date that puts a case in the period.
FAMILIES = {"a": "accepted_on", "d": "decided_on", "l": "delivered_on"}
#: The columns of ``f``: the family, the case, its department and item, the family's date,
#: then what the family's figures need (mode; on time, working days and visits; working
#: days), NULL where the family needs nothing.
F_COLUMNS = (
    "fam",
    "r_case",
    "r_department",
    "r_item",
    "day",
    "r_mode",
    "r_on_time",
    "r_days",
    "r_visits",
)


@dataclass(frozen=True)
class Filters:
    """A question: a zone, a period of local dates (inclusive), a lead department and an
    item (both optional)."""

    zone_id: int
    day_from: dt.date
    day_to: dt.date
    department_id: int | None = None
    item_id: int | None = None


@dataclass(frozen=True)
class Split:
    """Which days of a period the facts answer and which are read live."""

    stored_to: dt.date | None  # facts for [day_from, stored_to]; None: none
    live_from: dt.date | None  # live for [live_from, day_to]; None: none


#: Periods of at least this many days are charted by month, and their whole rolled months
#: are read from the month roll-up (``MonthlyFigures``, ``MonthlyRatings``,
#: ``MonthlyDurations``) instead of their days.
MONTHLY_FROM_DAYS = 62


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def closed_through(mark: dt.date | None) -> dt.date | None:
    """The last day of the last month whose every day is through ``mark`` (a closed month)."""
    if mark is None:
        return None
    if (mark + ONE_DAY).day == 1:
        return mark
    return month_start(mark) - ONE_DAY


@dataclass(frozen=True)
class Stored:
    """How the stored days of a period are read: whole rolled months from the month
    roll-up, the other days (at most two ranges, before and after them) per day."""

    months: tuple[dt.date, dt.date] | None  # first days of the first and the last month
    days: tuple[tuple[dt.date, dt.date], ...]


def stored_parts(filters: Filters, stored_to: dt.date, months_through: dt.date | None) -> Stored:
    """Split [day_from, stored_to]: the whole months rolled up (through ``months_through``)
    when the period is charted by month, the rest per day."""
    everything = Stored(None, ((filters.day_from, stored_to),))
    if months_through is None or (filters.day_to - filters.day_from).days < MONTHLY_FROM_DAYS:
        return everything
    first = filters.day_from if filters.day_from.day == 1 else next_month(filters.day_from)
    through = closed_through(min(stored_to, months_through))
    if through is None or first > through:
        return everything
    last = month_start(through)
    days = []
    if filters.day_from < first:
        days.append((filters.day_from, first - ONE_DAY))
    if through < stored_to:
        days.append((through + ONE_DAY, stored_to))
    return Stored((first, last), tuple(days))


def in_ranges(field: str, ranges) -> Q:
    """``field`` in any of the (first, last) ranges (at least one)."""
    condition = Q()
    for first, last in ranges:
        condition |= Q(**{f"{field}__range": (first, last)})
    return condition


def union_all(querysets: list[QuerySet]) -> QuerySet | None:
    """One statement for several querysets of the same columns (None for none)."""
    if not querysets:
        return None
    first, *rest = querysets
    return first.union(*rest, all=True) if rest else first


def split(filters: Filters, mark: dt.date | None) -> Split:
    stored_to = None
    if mark is not None and filters.day_from <= mark:
        stored_to = min(filters.day_to, mark)
    live_from = filters.day_from if mark is None else max(filters.day_from, mark + ONE_DAY)
    return Split(stored_to, live_from if live_from <= filters.day_to else None)


def narrow(queryset: QuerySet, filters: Filters, *, item_field: str) -> QuerySet:
    if filters.department_id is not None:
        queryset = queryset.filter(department_id=filters.department_id)
    if filters.item_id is not None:
        queryset = queryset.filter(**{item_field: filters.item_id})
    return queryset


def _stored_family(facts: QuerySet, family: str) -> QuerySet:
    """Rows of one family read from the facts (an index-only scan on PostgreSQL: the
    family's date index includes what the family needs)."""
    blank_int = Cast(Value(None), IntegerField())
    days = {"d": F("decision_days"), "l": F("delivery_days")}.get(family, blank_int)
    return (
        facts.order_by()
        .annotate(
            fam=Value(family, output_field=CharField()),
            r_case=F("case_id"),
            r_department=F("department_id"),
            r_item=F("item_id"),
            day=F(FAMILIES[family]),
            r_mode=F("acceptance_mode") if family == "a" else Cast(Value(None), CharField()),
            r_on_time=F("on_time") if family == "d" else Cast(Value(None), BooleanField()),
            r_days=days,
            r_visits=F("window_visits") if family == "d" else blank_int,
        )
        .values(*F_COLUMNS)
    )


def _live_family(family: str) -> str:
    """Rows of one family taken from the ``live`` rows (``facts.ROW_COLUMNS``)."""
    text, flag, number = (
        "CAST(NULL AS VARCHAR(20))",
        "CAST(NULL AS BOOLEAN)",
        "CAST(NULL AS INTEGER)",
    )
    date, mode, on_time, days, visits = {
        "a": ("r_accepted", "r_mode", flag, number, number),
        "d": ("r_decided", text, "r_on_time", "r_decision_days", "r_visits"),
        "l": ("r_delivered", text, flag, "r_delivery_days", number),
    }[family]
    return (
        f"SELECT '{family}' AS fam, r_case, r_department, r_item, {date} AS day, "
        f"{mode} AS r_mode, {on_time} AS r_on_time, {days} AS r_days, {visits} AS r_visits "
        f"FROM live WHERE {date} BETWEEN %s AND %s"
    )


def _live_sources(filters: Filters, mark: dt.date | None, live_from: dt.date) -> list[QuerySet]:
    """The cases that may have something dated after the mark, read as they are now.

    Before any roll-up: every accepted item case. After: the cases accepted after the
    mark (running or decided ones are few and indexed by status; a delivered or withdrawn
    one has its deadline on or after its acceptance), and the earlier ones whose fact was
    open or already shows a date after the mark (the fact indexes). Every case with a
    date after the mark is in exactly one of the two (the mark's days are all rolled).
    """
    zone = filters.zone_id
    active = active_between(live_from, filters.day_to)
    if mark is None:
        sources = [item_cases(zone)]
    else:
        recent = (
            item_cases(zone)
            .filter(accepted_on__gt=mark)
            .filter(
                Q(status__in=OPEN_FACT_STATUSES)
                | Q(status__in=FINAL_FACT_STATUSES, deadline__gt=mark)
            )
        )
        moving = CaseFact.objects.filter(zone_id=zone, accepted_on__lte=mark).filter(
            Q(status__in=OPEN_FACT_STATUSES) | Q(decided_on__gt=mark) | Q(delivered_on__gt=mark)
        )
        earlier = item_cases(zone).filter(pk__in=moving.values("case_id"))
        sources = [recent, earlier]
    return [
        live_rows(narrow(cases.filter(active), filters, item_field="item_version__item_id"))
        for cases in sources
    ]


def _compiled(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def rows_sql(
    filters: Filters,
    mark: dt.date | None,
    *,
    families: str = "adl",
    stored: bool = True,
    live: bool = True,
) -> tuple[str, list]:
    """``WITH … f AS (…)`` with ``F_COLUMNS``: the rows of ``families`` in the period,
    from the facts through the mark (``stored``) and from the cases after it (``live``)."""
    adapt = connection.ops.adapt_datefield_value
    days = split(filters, mark)
    parts: list[str] = []
    params: list = []
    prefix = ""
    if stored and days.stored_to is not None:
        facts = narrow(
            CaseFact.objects.filter(zone_id=filters.zone_id), filters, item_field="item_id"
        )
        for family in families:
            in_period = facts.filter(
                **{f"{FAMILIES[family]}__range": (filters.day_from, days.stored_to)}
            )
            sql, source_params = _compiled(_stored_family(in_period, family))
            parts.append(f"SELECT * FROM ({sql}) s{family}")
            params.extend(source_params)
    if live and days.live_from is not None:
        sources = [_compiled(queryset) for queryset in _live_sources(filters, mark, days.live_from)]
        live_sql = " UNION ALL ".join(
            f"SELECT * FROM ({sql}) l{number}" for number, (sql, _p) in enumerate(sources)
        )
        prefix = f"live AS ({live_sql}), "
        params = [param for _sql, source_params in sources for param in source_params] + params
        for family in families:
            parts.append(_live_family(family))
            params.extend([adapt(days.live_from), adapt(filters.day_to)])
    if not parts:  # nothing to read: keep the statement's shape
        blank = ", ".join(f"NULL AS {name}" for name in F_COLUMNS)
        parts.append(f"SELECT {blank} FROM insights_rollupstate WHERE 1 = 0")
    sql = "WITH " + prefix + "f AS (" + " UNION ALL ".join(parts) + ") "
    return sql, params


def literal(value: str) -> str:
    if not value.isidentifier():
        raise ValueError(value)
    return f"'{value}'"


def family_is(family: str, condition: str = "") -> str:
    return f"fam = '{family}'" + (f" AND {condition}" if condition else "")


def as_date(value) -> dt.date | None:
    """A date from a raw cursor (SQLite returns text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


#: PostgreSQL settings for a statement that reads a period's facts: enough memory to sort
#: a year of one zone's durations in memory, and no JIT (compiling such a statement cost
#: ~300 ms, more than running it).
ANALYTIC_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'")


@contextmanager
def analytic_cursor():
    """A cursor for a large aggregate: on PostgreSQL inside its own transaction with
    ``ANALYTIC_SETTINGS`` (``SET LOCAL`` ends with it)."""
    alias = read_alias()  # the replica inside replica_reads() (core.replica, ADR 0031)
    if connections[alias].vendor != "postgresql":
        with connections[alias].cursor() as cursor:
            yield cursor
        return
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("; ".join(ANALYTIC_SETTINGS))
        yield cursor
