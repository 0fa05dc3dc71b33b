"""Median working days to decision and to delivery, per item and for the selection."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import CharField, Count, F, Sum, Value

from onewindow.insights.aggregates import median_sql
from onewindow.insights.models import CaseFact, MonthlyDurations
from onewindow.insights.rows import (
    Filters,
    Stored,
    analytic_cursor,
    narrow,
    rows_sql,
    union_all,
)
from onewindow.insights.selectors.counts import LiveCounts

#: Periods the facts alone answer, up to this many days, take medians with ``Median``
#: (percentile_cont: every value sorted); others from per-value counts
#: (:func:`median_of_counts`): the same exact number, without sorting a year's durations
#: (bench/RESULTS.md: 455 ms against 140 ms for twelve months at 1,000,000 cases) or
#: reading today's cases a second time.
MEDIAN_SORT_MAX_DAYS = 92


def _sorted_medians(filters: Filters, mark: dt.date | None) -> dict[tuple[str, int | None], float]:
    """Medians with the ``Median`` aggregate, per item and in all (item None), one
    statement per family over the facts through the mark and the cases after it."""
    median = median_sql("r_days")
    medians = {}
    with analytic_cursor() as cursor:
        for family in "dl":
            sql, params = rows_sql(filters, mark, families=family)
            if connection.vendor == "postgresql":
                sql += f"SELECT r_item, {median} FROM f GROUP BY ROLLUP (r_item)"
            else:
                sql += (
                    f"SELECT r_item, {median} FROM f GROUP BY r_item "
                    f"UNION ALL SELECT NULL, {median} FROM f"
                )
            cursor.execute(sql, params)
            medians.update(
                {
                    (family, item): float(value)
                    for item, value in cursor.fetchall()
                    if value is not None
                }
            )
    return medians


def median_of_counts(counts: dict[int, int]) -> float | None:
    """The median of a multiset of working days given as {value: how many}: what
    ``percentile_cont(0.5)`` gives (the middle value, or the mean of the two middle
    values for an even count; None for none). Walks the distinct values, not the cases."""
    total = sum(counts.values())
    if not total:
        return None
    low, high = (total - 1) // 2, total // 2  # 0-based positions of the middle values
    seen, found = 0, []
    for value in sorted(counts):
        seen += counts[value]
        while len(found) < 2 and (low if not found else high) < seen:
            found.append(value)
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


#: The facts' working days per family: the family's date and value.
_DURATIONS = (("d", "decided_on", "decision_days"), ("l", "delivered_on", "delivery_days"))


def _stored_durations(filters: Filters, stored: Stored):
    """(item, family, working days, cases) through the mark, both families in one
    statement: whole months from ``MonthlyDurations``, the other days from the facts (a
    grouped index-only read per family and range)."""
    facts = narrow(
        CaseFact.objects.filter(zone_id=filters.zone_id), filters, item_field="item_id"
    ).order_by()
    parts = [
        facts.filter(**{f"{date_field}__range": days, f"{value_field}__isnull": False})
        .values(
            r_item=F("item_id"),
            r_family=Value(family, output_field=CharField()),
            r_days=F(value_field),
        )
        .annotate(n=Count("*"))
        for days in stored.days
        for family, date_field, value_field in _DURATIONS
    ]
    if stored.months:
        monthly = narrow(
            MonthlyDurations.objects.filter(zone_id=filters.zone_id, month__range=stored.months),
            filters,
            item_field="item_id",
        ).order_by()
        parts.append(
            monthly.values(r_item=F("item_id"), r_family=F("family"), r_days=F("days")).annotate(
                n=Sum("cases")
            )
        )
    return [(row["r_item"], row["r_family"], row["r_days"], row["n"]) for row in union_all(parts)]


def _counted_medians(filters: Filters, stored: Stored | None, live: LiveCounts | None) -> dict:
    """Medians from per-value counts: per (item, working days) through the mark (one
    statement for both families) and, after it, from the live counts."""
    counts: dict[tuple[str, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    if stored is not None:
        for item, family, value, count in _stored_durations(filters, stored):
            counts[(family, item)][value] += count
    if live is not None:
        for key, values in live.durations.items():
            for value, count in values.items():
                counts[key][value] += count
    medians: dict[tuple[str, int | None], float] = {}
    for family in "dl":
        overall: dict[int, int] = defaultdict(int)
        for (each, item), values in counts.items():
            if each != family:
                continue
            medians[(family, item)] = median_of_counts(values)
            for value, count in values.items():
                overall[value] += count
        if overall:
            medians[(family, None)] = median_of_counts(overall)
    return medians


def _medians(
    filters: Filters, mark: dt.date | None, days, stored: Stored | None, live: LiveCounts | None
) -> dict:
    """Median working days to decision ("d") and to delivery ("l"), per item and for the
    whole selection (item None): with ``Median`` for a period the facts alone answer and
    of at most ``MEDIAN_SORT_MAX_DAYS``; from per-value counts otherwise (the live part
    is counted already, and a long period's values need no sorting)."""
    span = (filters.day_to - filters.day_from).days
    if days.live_from is None and span < MEDIAN_SORT_MAX_DAYS:
        return _sorted_medians(filters, mark)
    return _counted_medians(filters, stored, live)
