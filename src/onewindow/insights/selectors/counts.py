"""Case counts of a period: the daily roll-up through the zone's mark, the cases after
it (one statement), and the lights now."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, F, Sum

from onewindow.cases.constants import AcceptanceMode
from onewindow.cases.models import Case, due_soon_condition, overdue_condition
from onewindow.core.replica import read_alias
from onewindow.core.selectors import calendar_revision
from onewindow.insights.models import DailyFigures, MonthlyFigures, RollupState
from onewindow.insights.rows import (
    Filters,
    Stored,
    as_date,
    in_ranges,
    literal,
    narrow,
    rows_sql,
    union_all,
)
from onewindow.insights.selectors.figures import COUNTS


def _mark(zone_id: int) -> dt.date | None:
    return _marks(zone_id)[0]


def _marks(zone_id: int) -> tuple[dt.date | None, dt.date | None]:
    """The zone's ``rolled_through`` and ``months_through`` (one query)."""
    states = RollupState.objects.filter(zone_id=zone_id)
    return states.values_list("rolled_through", "months_through").first() or (None, None)


def calendar_ready(zone_id: int) -> bool:
    """Whether the zone's working days have been copied for SQL since they last changed
    (else live durations are missing or stale until ``onewindow insights-rollup``)."""
    built = (
        RollupState.objects.filter(zone_id=zone_id)
        .values_list("calendar_revision", flat=True)
        .first()
    )
    return built is not None and built == calendar_revision()


def _stored_counts(filters: Filters, stored: Stored):
    """The roll-up through the mark: per (department, item), and per day (a whole month
    on its first day) for the trend. Two grouped queries over a few rows a day, or a
    few rows a month for the whole months (``MonthlyFigures``)."""
    sums = {f"n_{name}": Sum(name) for name in COUNTS}
    trend = {"n_accepted": Sum("accepted"), "n_decided": Sum("decided")}
    cells, days = [], []
    if stored.days:
        daily = narrow(
            DailyFigures.objects.filter(zone_id=filters.zone_id).filter(
                in_ranges("day", stored.days)
            ),
            filters,
            item_field="item_id",
        ).order_by()
        cells.append(daily.values("department_id", "item_id").annotate(**sums))
        days.append(daily.values("day").annotate(**trend))
    if stored.months:
        monthly = narrow(
            MonthlyFigures.objects.filter(zone_id=filters.zone_id, month__range=stored.months),
            filters,
            item_field="item_id",
        ).order_by()
        cells.append(monthly.values("department_id", "item_id").annotate(**sums))
        days.append(monthly.values(day=F("month")).annotate(**trend))
    return (
        [
            (row["department_id"], row["item_id"], {name: row[f"n_{name}"] for name in COUNTS})
            for row in union_all(cells)
        ],
        [(row["day"], row["n_accepted"], row["n_decided"]) for row in union_all(days)],
    )


#: Live rows of ``f`` added up per family, department, item, day and working days.
LIVE_COUNTS = (
    "COUNT(*)",
    "SUM(CASE WHEN r_mode = " + literal(AcceptanceMode.TOLERATED) + " THEN 1 ELSE 0 END)",
    "SUM(CASE WHEN r_mode = " + literal(AcceptanceMode.COMMITMENT) + " THEN 1 ELSE 0 END)",
    "SUM(CASE WHEN r_on_time THEN 1 ELSE 0 END)",
    "SUM(CASE WHEN r_visits = 0 THEN 1 ELSE 0 END)",
    "SUM(CASE WHEN r_visits <= 1 THEN 1 ELSE 0 END)",
)


@dataclass
class LiveCounts:
    """The days after the mark, read from the cases in one statement."""

    cells: list  # (department, item, counts)
    days: list  # (day, accepted, decided)
    durations: dict  # (family, item) → {working days: cases}


def _live_counts(filters: Filters, mark: dt.date | None) -> LiveCounts:
    """Like :func:`_stored_counts` for the days after the mark, with the working days of
    each decision and delivery counted per value (for the medians)."""
    sql, params = rows_sql(filters, mark, stored=False)
    sql += (
        f"SELECT fam, r_department, r_item, day, r_days, {', '.join(LIVE_COUNTS)} FROM f "
        "GROUP BY fam, r_department, r_item, day, r_days"
    )
    cells: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    days: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    durations: dict = defaultdict(lambda: defaultdict(int))
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for (
        family,
        department,
        item,
        day,
        value,
        count,
        tolerated,
        commitment,
        on_time,
        online,
        one_visit,
    ) in rows:
        cell = cells[(department, item)]
        if family == "a":
            cell["accepted"] += count
            cell["tolerated"] += tolerated or 0
            cell["commitment"] += commitment or 0
            days[as_date(day)][0] += count
            continue
        prefix = "decision" if family == "d" else "delivery"
        if value is not None:
            cell[f"{prefix}_days_total"] += value * count
            cell[f"{prefix}_days_count"] += count
            durations[(family, item)][value] += count
        if family == "d":
            cell["decided"] += count
            cell["on_time"] += on_time or 0
            cell["online"] += online or 0
            cell["one_visit"] += one_visit or 0
            days[as_date(day)][1] += count
        else:
            cell["delivered"] += count
    return LiveCounts(
        cells=[(department, item, counts) for (department, item), counts in cells.items()],
        days=[(day, accepted, decided) for day, (accepted, decided) in days.items()],
        durations=durations,
    )


def _lights(filters: Filters, on: dt.date) -> list[dict]:
    """Yellow and red item cases now, per (department, item) (one grouped query)."""
    cases = Case.objects.warned(on).filter(zone_id=filters.zone_id)
    cases = narrow(cases, filters, item_field="item_version__item_id")
    return list(
        cases.order_by()
        .values("department_id", item_id=F("item_version__item_id"))
        .annotate(
            red=Count("pk", filter=overdue_condition(on)),
            yellow=Count("pk", filter=due_soon_condition(on)),
        )
    )
