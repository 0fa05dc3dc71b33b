"""Every figure of the dashboard for one question, per department, per item and per day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from onewindow.catalog.models import Item, ItemVersion
from onewindow.core.replica import replica_reads
from onewindow.insights.rows import (
    MONTHLY_FROM_DAYS,
    Filters,
    Split,
    Stored,
    as_date,
    split,
    stored_parts,
)
from onewindow.insights.selectors.counts import (
    LiveCounts,
    _lights,
    _live_counts,
    _marks,
    _stored_counts,
    calendar_ready,
)
from onewindow.insights.selectors.figures import (
    COUNTS,
    DepartmentRow,
    Figures,
    ItemRow,
    Summary,
    TrendPoint,
)
from onewindow.insights.selectors.medians import _medians
from onewindow.insights.selectors.period import check_period, today
from onewindow.insights.selectors.ratings import _bad_states, _ratings
from onewindow.org.models import Department
from onewindow.reviews.models import BAD_LEVELS

#: Periods of this many days or more are charted by month instead of by day (and read
#: their whole rolled months from the month roll-up: a trend point is a whole month).
DAILY_TREND_MAX_DAYS = MONTHLY_FROM_DAYS


def item_names(item_ids) -> dict[int, tuple[str, int]]:
    """Each item's name and department: its latest version's (one query)."""
    names: dict[int, tuple[str, int]] = {}
    for item_id, name, department_id in (
        ItemVersion.objects.filter(item_id__in=list(item_ids))
        .order_by("item_id", "-version")
        .values_list("item_id", "name", "department_id")
    ):
        names.setdefault(item_id, (name, department_id))
    return names


def zone_items(zone_id: int) -> list[tuple[int, str]]:
    """The zone's items with their current names, by name (for the filter)."""
    ids = Item.objects.filter(zone_id=zone_id).values_list("pk", flat=True)
    names = item_names(ids)
    return sorted(((pk, name) for pk, (name, _d) in names.items()), key=lambda row: row[1])


def _trend(
    filters: Filters, accepted: dict[dt.date, int], decided: dict[dt.date, int]
) -> tuple[list[TrendPoint], bool]:
    """Per day, or per month for long periods (sums over days, never over cases)."""
    by_month = (filters.day_to - filters.day_from).days >= DAILY_TREND_MAX_DAYS
    points: list[TrendPoint] = []
    day = filters.day_from
    while day <= filters.day_to:
        if by_month:
            next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            last = min(filters.day_to, next_month - dt.timedelta(days=1))
            label = f"{day.year}-{day.month:02d}"
        else:
            last = day
            label = day.isoformat()
        span = [day + dt.timedelta(days=n) for n in range((last - day).days + 1)]
        points.append(
            TrendPoint(
                label=label,
                day_from=day,
                day_to=last,
                accepted=sum(accepted.get(each, 0) for each in span),
                decided=sum(decided.get(each, 0) for each in span),
            )
        )
        day = last + dt.timedelta(days=1)
    return points, by_month


def _add_counts(target: Figures, counts: dict[str, int]) -> None:
    for name in COUNTS:
        setattr(target, name, getattr(target, name) + int(counts[name] or 0))


@dataclass
class _Tally:
    """The figures being summed: in total, per department, per item, and per day."""

    totals: Figures = field(default_factory=Figures)
    by_department: dict[int, Figures] = field(default_factory=lambda: defaultdict(Figures))
    by_item: dict[int, Figures] = field(default_factory=lambda: defaultdict(Figures))
    accepted_days: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))
    decided_days: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))

    def targets(self, department: int, item: int | None) -> list[Figures]:
        """The totals, the department's figures and (when there is one) the item's."""
        targets = [self.totals, self.by_department[department]]
        if item is not None:
            targets.append(self.by_item[item])
        return targets


@replica_reads()
def summary(filters: Filters, *, on: dt.date | None = None) -> Summary:
    """Every figure of the dashboard for ``filters``: a dozen queries whatever the data
    (fewer when the facts, or the live cases, alone answer the period). Read from the
    replica when there is one (ADR 0031)."""
    on = on or today()
    check_period(filters.day_from, filters.day_to)
    mark, months_through = _marks(filters.zone_id)
    days = split(filters, mark)
    stored = (
        stored_parts(filters, days.stored_to, months_through)
        if days.stored_to is not None
        else None
    )
    tally = _Tally()
    live = _tally_counts(tally, filters, mark, days, stored)
    _tally_medians(tally, _medians(filters, mark, days, stored, live))
    _tally_lights(tally, filters, on)
    _tally_ratings(tally, filters, days, stored)
    _tally_bad_states(tally, filters, on)
    departments = {
        department.pk: department
        for department in Department.objects.filter(zone_id=filters.zone_id)
    }
    trend, by_month = _trend(filters, tally.accepted_days, tally.decided_days)
    return Summary(
        filters=filters,
        today=on,
        rolled_through=mark,
        live_from=days.live_from,
        totals=tally.totals,
        departments=_department_rows(tally.by_department, departments),
        items=_item_rows(tally.by_item, departments),
        trend=trend,
        trend_by_month=by_month,
        calendar_ready=calendar_ready(filters.zone_id),
    )


def _tally_counts(
    tally: _Tally, filters: Filters, mark: dt.date | None, days: Split, stored: Stored | None
) -> LiveCounts | None:
    """Add the counts of the stored facts and of the live cases; return the live counts
    (None when the facts alone answer the period)."""
    sources = []
    if stored is not None:
        sources.append(_stored_counts(filters, stored))
    live = _live_counts(filters, mark) if days.live_from is not None else None
    if live is not None:
        sources.append((live.cells, live.days))
    for cells, per_day in sources:
        for department, item, counts in cells:
            for target in (tally.totals, tally.by_department[department], tally.by_item[item]):
                _add_counts(target, counts)
        for day, accepted, decided in per_day:
            tally.accepted_days[as_date(day)] += int(accepted or 0)
            tally.decided_days[as_date(day)] += int(decided or 0)
    return live


def _tally_medians(tally: _Tally, medians: dict) -> None:
    for (family, item), value in medians.items():
        target = tally.totals if item is None else tally.by_item[item]
        if family == "d":
            target.decision_days_median = value
        else:
            target.delivery_days_median = value


def _tally_lights(tally: _Tally, filters: Filters, on: dt.date) -> None:
    for row in _lights(filters, on):
        lights = Figures(yellow=row["yellow"], red=row["red"])
        department, item = row["department_id"], row["item_id"]
        for target in (tally.totals, tally.by_department[department], tally.by_item[item]):
            target.add(lights)


def _tally_ratings(tally: _Tally, filters: Filters, days: Split, stored: Stored | None) -> None:
    for department, item, level, count in _ratings(filters, days, stored):
        rated = Figures(
            ratings=count, levels={level: count}, bad=count if level in BAD_LEVELS else 0
        )
        for target in tally.targets(department, item):
            target.add(rated)


def _tally_bad_states(tally: _Tally, filters: Filters, on: dt.date) -> None:
    for row in _bad_states(filters, on):
        states = Figures(
            bad_open=row["open"],
            bad_overdue=row["overdue"],
            bad_rectified=row["rectified"],
            bad_closed=row["closed"],
        )
        for target in tally.targets(row["r_department"], row["r_item"]):
            target.add(states)


def _department_rows(
    by_department: dict[int, Figures], departments: dict[int, Department]
) -> list[DepartmentRow]:
    """The zone's departments with any figure, in the zone's order."""
    return sorted(
        (
            DepartmentRow(departments[key], figures)
            for key, figures in by_department.items()
            if key in departments and not figures.is_empty()
        ),
        key=lambda row: (row.department.sort_order, row.department.code),
    )


def _item_rows(by_item: dict[int, Figures], departments: dict[int, Department]) -> list[ItemRow]:
    """The items with any figure, named by their latest version, busiest first."""
    names = item_names(key for key, figures in by_item.items() if not figures.is_empty())
    return sorted(
        (
            ItemRow(
                item_id=key,
                name=names.get(key, (str(key), None))[0],
                department_name=(
                    departments[names[key][1]].name
                    if key in names and names[key][1] in departments
                    else ""
                ),
                figures=figures,
            )
            for key, figures in by_item.items()
            if not figures.is_empty()
        ),
        key=lambda row: (-row.figures.decided, -row.figures.accepted, row.name),
    )
