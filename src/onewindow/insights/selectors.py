"""The dashboard's figures (电子监察与统计), in SQL.

For a period [day_from, day_to] (local dates, inclusive) and optional lead department and
item filters, :func:`summary` returns the figures below, for the whole selection, per
department and per item. Every figure is defined once here and in docs/insights.md.

**Population.** Case figures count *item cases*: standalone cases and the children of
bundles (一件事). A bundle's parent case is never counted (its children are, each in its
own department and item), so nothing is counted twice. Only accepted cases count.

- ``accepted`` (受理件数): item cases accepted in the period (``accepted_on``);
  ``tolerated`` (容缺受理) and ``commitment`` (告知承诺) are those of them accepted in that
  mode.
- ``decided`` (办结件数): item cases decided in the period (``decided_on``; approved or
  denied). ``on_time`` (按时办结): those of them decided on or before their deadline
  (``Case.on_time``, fixed at the decision); on-time rate = on_time / decided.
- ``decision_days`` (受理至决定): working days in the zone calendar from acceptance to
  decision, the acceptance day not counted (the clock's rule), over the cases decided in
  the period: average (sum / count) and median (``percentile_cont(0.5)``: the mean of the
  two middle values for an even count). ``delivery_days`` (受理至送达): the same to
  delivery, over the cases delivered in the period (``delivered_on``).
- ``online`` (全程网办): cases decided in the period with no window visit (see
  ``window_visits`` in :mod:`onewindow.insights.facts`: applied online and no material
  received at the window); share = online / decided.
- ``one_visit`` (最多跑一次): cases decided in the period with at most one window visit;
  rate = one_visit / decided.
- ``yellow`` / ``red`` (黄灯 / 红灯, now): running item cases whose clock runs (accepted or
  in review; suspended ones are paused) and whose light is yellow / red today, the same
  rule as the supervision board (``CaseQuerySet.warned``). The period does not apply.
- ``ratings`` (评价数): ratings given in the period (``rated_on``) of the department
  (the rating's responsible department) and item (a bundle's rating has no item: it
  counts in the totals and its department, not in any item);
  ``satisfaction_rate`` (满意率) is the reviews formula
  (:func:`onewindow.reviews.rates.satisfaction_rate`: (非常满意 + 满意 + 基本满意) / all).
- ``bad`` (差评): those of the ratings that are 不满意 or 非常不满意, by the state of their
  rectification today: ``bad_overdue`` (逾期: open past its deadline, or rectified with
  the return visit past its deadline — the reviews rule), ``bad_open`` (整改中, not
  overdue), ``bad_rectified`` (已整改待回访, not overdue), ``bad_closed`` (已办结).

Medians are per item and for the whole selection (a department's row shows its
average; filter by the department for its median).

**Sources.** Each family of case figures — accepted, decided, delivered — counts the
cases whose date of that family falls in the period (:mod:`onewindow.insights.rows`).
For the days through the zone's ``rolled_through`` mark: counts and sums from the daily
roll-up (:class:`~onewindow.insights.models.DailyFigures`), medians from the facts
(:class:`~onewindow.insights.models.CaseFact`); for the days after it, everything from
the cases themselves, read with the same row definition
(:func:`onewindow.insights.facts.live_rows`). Ratings likewise: ``DailyRatings`` through
the mark, the ratings table after it; the states of bad ratings and the lights are
always read as they are today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases.constants import AcceptanceMode, CaseStatus
from onewindow.cases.models import Case
from onewindow.catalog.models import Item, ItemVersion
from onewindow.core.errors import ValidationFailed
from onewindow.core.selectors import calendar_revision
from onewindow.insights.aggregates import median_sql
from onewindow.insights.facts import live_rows
from onewindow.insights.models import CaseFact, DailyFigures, DailyRatings, RollupState
from onewindow.insights.rows import (
    Filters,
    analytic_cursor,
    as_date,
    family_is,
    literal,
    narrow,
    rows_sql,
    split,
)
from onewindow.org.models import Department
from onewindow.reviews.models import (
    BAD_LEVELS,
    SATISFIED_LEVELS,
    Rating,
    Rectification,
    RectificationStatus,
)
from onewindow.reviews.rates import satisfaction_rate

__all__ = ["Figures", "Filters", "Summary", "figure_cases", "summary"]

#: The longest period one question may cover.
MAX_PERIOD_DAYS = 3660
#: Periods longer than this are charted by month instead of by day.
DAILY_TREND_MAX_DAYS = 62
#: Rows of one drill-down page.
DRILL_PAGE_SIZE = 50


def today() -> dt.date:
    return timezone.localdate()


# -- the question -------------------------------------------------------------------------


def default_period(on: dt.date) -> tuple[dt.date, dt.date]:
    """This month so far."""
    return on.replace(day=1), on


def public_period(on: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months that ended yesterday (finished days only)."""
    last = on - dt.timedelta(days=1)
    try:
        first = last.replace(year=last.year - 1) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        first = last.replace(year=last.year - 1, day=28) + dt.timedelta(days=1)
    return first, last


def check_period(day_from: dt.date, day_to: dt.date) -> None:
    """A period must run forwards and be at most MAX_PERIOD_DAYS long (field "from")."""
    if day_from > day_to:
        raise ValidationFailed.for_field(
            "from", _("开始日期不能晚于结束日期"), code="period_reversed"
        )
    if (day_to - day_from).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed.for_field(
            "from",
            _("统计期间不能超过 {days} 天").format(days=MAX_PERIOD_DAYS),
            code="period_too_long",
        )


# -- figures --------------------------------------------------------------------------------


@dataclass
class Figures:
    """Counts of one selection (all, a department, an item); rates are derived."""

    accepted: int = 0
    tolerated: int = 0
    commitment: int = 0
    decided: int = 0
    on_time: int = 0
    delivered: int = 0
    decision_days_total: int = 0
    decision_days_count: int = 0
    delivery_days_total: int = 0
    delivery_days_count: int = 0
    online: int = 0
    one_visit: int = 0
    decision_days_median: float | None = None
    delivery_days_median: float | None = None
    yellow: int = 0
    red: int = 0
    ratings: int = 0
    levels: dict[int, int] = field(default_factory=dict)
    bad: int = 0
    bad_open: int = 0
    bad_overdue: int = 0
    bad_rectified: int = 0
    bad_closed: int = 0

    def add(self, other: Figures) -> None:
        """Add another selection's counts (medians are not additive: left alone)."""
        for each in fields(self):
            value = getattr(other, each.name)
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(self, each.name, getattr(self, each.name) + value)
        for level, count in other.levels.items():
            self.levels[level] = self.levels.get(level, 0) + count

    @property
    def late(self) -> int:
        return self.decided - self.on_time

    @property
    def more_visits(self) -> int:
        return self.decided - self.one_visit

    @property
    def satisfied(self) -> int:
        return sum(self.levels.get(level, 0) for level in SATISFIED_LEVELS)

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.on_time, self.decided)

    @property
    def online_share(self) -> float | None:
        return _share(self.online, self.decided)

    @property
    def one_visit_rate(self) -> float | None:
        return _share(self.one_visit, self.decided)

    @property
    def satisfaction_rate(self) -> float | None:
        return satisfaction_rate(self.levels)

    @property
    def decision_days_average(self) -> float | None:
        return _share(self.decision_days_total, self.decision_days_count)

    @property
    def delivery_days_average(self) -> float | None:
        return _share(self.delivery_days_total, self.delivery_days_count)

    @property
    def warned(self) -> int:
        return self.yellow + self.red

    def is_empty(self) -> bool:
        return not (self.accepted or self.decided or self.delivered or self.warned or self.ratings)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class DepartmentRow:
    department: Department
    figures: Figures


@dataclass
class ItemRow:
    item_id: int
    name: str
    department_name: str
    figures: Figures


@dataclass(frozen=True)
class TrendPoint:
    label: str
    day_from: dt.date
    day_to: dt.date
    accepted: int
    decided: int


@dataclass
class Summary:
    filters: Filters
    today: dt.date
    rolled_through: dt.date | None
    live_from: dt.date | None  # None when facts alone answer the period
    totals: Figures
    departments: list[DepartmentRow]
    items: list[ItemRow]
    trend: list[TrendPoint]
    trend_by_month: bool
    calendar_ready: bool


# -- case figures -------------------------------------------------------------------------


def _mark(zone_id: int) -> dt.date | None:
    states = RollupState.objects.filter(zone_id=zone_id)
    return states.values_list("rolled_through", flat=True).first()


def calendar_ready(zone_id: int) -> bool:
    """Whether the zone's working days have been copied for SQL since they last changed
    (else live durations are missing or stale until ``onewindow insights-rollup``)."""
    built = (
        RollupState.objects.filter(zone_id=zone_id)
        .values_list("calendar_revision", flat=True)
        .first()
    )
    return built is not None and built == calendar_revision()


#: ``Figures`` fields a day's roll-up row and a live row add to.
COUNTS = (
    "accepted",
    "tolerated",
    "commitment",
    "decided",
    "on_time",
    "decision_days_total",
    "decision_days_count",
    "online",
    "one_visit",
    "delivered",
    "delivery_days_total",
    "delivery_days_count",
)


def _stored_counts(filters: Filters, stored_to: dt.date):
    """The daily roll-up through the mark: per (department, item), and per day for the
    trend (two grouped queries over a few rows a day)."""
    daily = narrow(
        DailyFigures.objects.filter(
            zone_id=filters.zone_id, day__range=(filters.day_from, stored_to)
        ),
        filters,
        item_field="item_id",
    ).order_by()
    cells = daily.values("department_id", "item_id").annotate(
        **{f"n_{name}": Sum(name) for name in COUNTS}
    )
    days = daily.values("day").annotate(n_accepted=Sum("accepted"), n_decided=Sum("decided"))
    return (
        [
            (row["department_id"], row["item_id"], {name: row[f"n_{name}"] for name in COUNTS})
            for row in cells
        ],
        [(row["day"], row["n_accepted"], row["n_decided"]) for row in days],
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
    with connection.cursor() as cursor:
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


def _counted_medians(filters: Filters, days, live: LiveCounts | None) -> dict:
    """Medians from per-value counts: per (item, working days) from the facts through the
    mark (one grouped index-only read per family) and, after it, from the live counts."""
    counts: dict[tuple[str, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    if days.stored_to is not None:
        facts = narrow(
            CaseFact.objects.filter(zone_id=filters.zone_id), filters, item_field="item_id"
        ).order_by()
        for family, date_field, value_field in (
            ("d", "decided_on", "decision_days"),
            ("l", "delivered_on", "delivery_days"),
        ):
            rows = (
                facts.filter(
                    **{
                        f"{date_field}__range": (filters.day_from, days.stored_to),
                        f"{value_field}__isnull": False,
                    }
                )
                .values_list("item_id", value_field)
                .annotate(n=Count("*"))
            )
            for item, value, count in rows:
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


def _medians(filters: Filters, mark: dt.date | None, days, live: LiveCounts | None) -> dict:
    """Median working days to decision ("d") and to delivery ("l"), per item and for the
    whole selection (item None): with ``Median`` for a period the facts alone answer and
    of at most ``MEDIAN_SORT_MAX_DAYS``; from per-value counts otherwise (the live part
    is counted already, and a long period's values need no sorting)."""
    span = (filters.day_to - filters.day_from).days
    if days.live_from is None and span < MEDIAN_SORT_MAX_DAYS:
        return _sorted_medians(filters, mark)
    return _counted_medians(filters, days, live)


def _lights(filters: Filters, on: dt.date) -> list[dict]:
    """Yellow and red item cases now, per (department, item) (one grouped query)."""
    cases = Case.objects.warned(on).filter(zone_id=filters.zone_id, item_version__isnull=False)
    cases = narrow(cases, filters, item_field="item_version__item_id")
    return list(
        cases.order_by()
        .values("department_id", item_id=F("item_version__item_id"))
        .annotate(
            red=Count("pk", filter=Q(deadline__lt=on)),
            yellow=Count("pk", filter=Q(deadline__gte=on)),
        )
    )


def _overdue(on: dt.date, prefix: str = "rectification__") -> Q:
    """The reviews rule (``reviews.selectors.overdue_condition``): open past its
    deadline, or rectified past its return-visit deadline (``prefix``: from a rating)."""
    return Q(**{f"{prefix}status": RectificationStatus.OPEN, f"{prefix}due_on__lt": on}) | Q(
        **{f"{prefix}status": RectificationStatus.RECTIFIED, f"{prefix}visit_due_on__lt": on}
    )


def bad_state(rectification, on: dt.date) -> tuple[str, str]:
    """A bad rating's figure and label by its rectification today (``None``: not opened)."""
    if rectification is None:
        return "bad", _("未交办整改")
    if rectification.status == RectificationStatus.CLOSED:
        return "bad_closed", _("已办结")
    if rectification.status == RectificationStatus.OPEN:
        if rectification.due_on < on:
            return "bad_overdue", _("逾期未整改")
        return "bad_open", _("整改中")
    if rectification.visit_due_on is not None and rectification.visit_due_on < on:
        return "bad_overdue", _("逾期未回访")
    return "bad_rectified", _("已整改待回访")


def _ratings(filters: Filters, days) -> list[tuple[int, int | None, int, int]]:
    """(department, item, level, count) of the period's ratings: the daily roll-up
    through the mark, the ratings table after it (indexed by zone and day)."""
    rows = []
    if days.stored_to is not None:
        stored = narrow(
            DailyRatings.objects.filter(
                zone_id=filters.zone_id, day__range=(filters.day_from, days.stored_to)
            ),
            filters,
            item_field="item_id",
        )
        rows += [
            (row["department_id"], row["item_id"], row["level"], row["n"])
            for row in stored.order_by()
            .values("department_id", "item_id", "level")
            .annotate(n=Sum("ratings"))
        ]
    if days.live_from is not None:
        live = narrow(
            Rating.objects.filter(
                zone_id=filters.zone_id, rated_on__range=(days.live_from, filters.day_to)
            ),
            filters,
            item_field="item_id",
        )
        rows += [
            (row["department_id"], row["item_id"], row["level"], row["n"])
            for row in live.order_by()
            .values("department_id", "item_id", "level")
            .annotate(n=Count("pk"))
        ]
    return rows


def _bad_states(filters: Filters, on: dt.date) -> list[dict]:
    """The period's bad ratings by the state of their rectification today, per
    (department, item): from the rectifications (one for each bad rating)."""
    rectifications = narrow(
        Rectification.objects.filter(
            zone_id=filters.zone_id,
            rating__rated_on__range=(filters.day_from, filters.day_to),
        ),
        filters,
        item_field="rating__item_id",
    )
    overdue = _overdue(on, prefix="")
    return list(
        rectifications.order_by()
        .values(r_department=F("rating__department_id"), r_item=F("rating__item_id"))
        .annotate(
            overdue=Count("pk", filter=overdue),
            open=Count("pk", filter=Q(status=RectificationStatus.OPEN) & ~overdue),
            rectified=Count("pk", filter=Q(status=RectificationStatus.RECTIFIED) & ~overdue),
            closed=Count("pk", filter=Q(status=RectificationStatus.CLOSED)),
        )
    )


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


def summary(filters: Filters, *, on: dt.date | None = None) -> Summary:
    """Every figure of the dashboard for ``filters``: a dozen queries whatever the data
    (fewer when the facts, or the live cases, alone answer the period)."""
    on = on or today()
    check_period(filters.day_from, filters.day_to)
    mark = _mark(filters.zone_id)
    days = split(filters, mark)
    totals = Figures()
    by_department: dict[int, Figures] = defaultdict(Figures)
    by_item: dict[int, Figures] = defaultdict(Figures)
    accepted_days: dict[dt.date, int] = defaultdict(int)
    decided_days: dict[dt.date, int] = defaultdict(int)
    sources = []
    if days.stored_to is not None:
        sources.append(_stored_counts(filters, days.stored_to))
    live = _live_counts(filters, mark) if days.live_from is not None else None
    if live is not None:
        sources.append((live.cells, live.days))
    for cells, per_day in sources:
        for department, item, counts in cells:
            for target in (totals, by_department[department], by_item[item]):
                _add_counts(target, counts)
        for day, accepted, decided in per_day:
            accepted_days[as_date(day)] += int(accepted or 0)
            decided_days[as_date(day)] += int(decided or 0)
    for (family, item), value in _medians(filters, mark, days, live).items():
        target = totals if item is None else by_item[item]
        if family == "d":
            target.decision_days_median = value
        else:
            target.delivery_days_median = value
    for row in _lights(filters, on):
        lights = Figures(yellow=row["yellow"], red=row["red"])
        for target in (totals, by_department[row["department_id"]], by_item[row["item_id"]]):
            target.add(lights)
    for department, item, level, count in _ratings(filters, days):
        rated = Figures(
            ratings=count, levels={level: count}, bad=count if level in BAD_LEVELS else 0
        )
        targets = [totals, by_department[department]]
        if item is not None:
            targets.append(by_item[item])
        for target in targets:
            target.add(rated)
    for row in _bad_states(filters, on):
        states = Figures(
            bad_open=row["open"],
            bad_overdue=row["overdue"],
            bad_rectified=row["rectified"],
            bad_closed=row["closed"],
        )
        targets = [totals, by_department[row["r_department"]]]
        if row["r_item"] is not None:
            targets.append(by_item[row["r_item"]])
        for target in targets:
            target.add(states)
    departments = {
        department.pk: department
        for department in Department.objects.filter(zone_id=filters.zone_id)
    }
    names = item_names(key for key, figures in by_item.items() if not figures.is_empty())
    department_rows = sorted(
        (
            DepartmentRow(departments[key], figures)
            for key, figures in by_department.items()
            if key in departments and not figures.is_empty()
        ),
        key=lambda row: (row.department.sort_order, row.department.code),
    )
    item_rows = sorted(
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
    trend, by_month = _trend(filters, accepted_days, decided_days)
    return Summary(
        filters=filters,
        today=on,
        rolled_through=mark,
        live_from=days.live_from,
        totals=totals,
        departments=department_rows,
        items=item_rows,
        trend=trend,
        trend_by_month=by_month,
        calendar_ready=calendar_ready(filters.zone_id),
    )


# -- drill-down -------------------------------------------------------------------------------

#: Period figures: (condition on ``f``, the column to sort by, newest first).
ROW_FIGURES = {
    "accepted": (family_is("a"), "day"),
    "tolerated": (family_is("a", "r_mode = " + literal(AcceptanceMode.TOLERATED)), "day"),
    "commitment": (family_is("a", "r_mode = " + literal(AcceptanceMode.COMMITMENT)), "day"),
    "decided": (family_is("d"), "day"),
    "on_time": (family_is("d", "r_on_time"), "day"),
    "late": (family_is("d", "NOT r_on_time"), "day"),
    "decision_days": (family_is("d"), "r_days"),
    "delivered": (family_is("l"), "day"),
    "delivery_days": (family_is("l"), "r_days"),
    "online": (family_is("d", "r_visits = 0"), "day"),
    "one_visit": (family_is("d", "r_visits <= 1"), "day"),
    "more_visits": (family_is("d", "r_visits > 1"), "day"),
}
LIGHT_FIGURES = ("yellow", "red")
RATING_FIGURES = (
    "ratings",
    "bad",
    "bad_open",
    "bad_overdue",
    "bad_rectified",
    "bad_closed",
)
FIGURE_LABELS = {
    "accepted": gettext_lazy("受理件数"),
    "tolerated": gettext_lazy("容缺受理件数"),
    "commitment": gettext_lazy("告知承诺件数"),
    "decided": gettext_lazy("办结件数"),
    "on_time": gettext_lazy("按时办结件数"),
    "late": gettext_lazy("超期办结件数"),
    "decision_days": gettext_lazy("受理至决定用时"),
    "delivered": gettext_lazy("送达件数"),
    "delivery_days": gettext_lazy("受理至送达用时"),
    "online": gettext_lazy("全程网办件数"),
    "one_visit": gettext_lazy("最多跑一次件数"),
    "more_visits": gettext_lazy("跑动两次及以上件数"),
    "yellow": gettext_lazy("黄灯办件（当前）"),
    "red": gettext_lazy("红灯办件（当前）"),
    "ratings": gettext_lazy("评价"),
    "bad": gettext_lazy("差评"),
    "bad_open": gettext_lazy("差评：整改中"),
    "bad_overdue": gettext_lazy("差评：逾期"),
    "bad_rectified": gettext_lazy("差评：已整改待回访"),
    "bad_closed": gettext_lazy("差评：已办结"),
}
FIGURES = (*ROW_FIGURES, *LIGHT_FIGURES, *RATING_FIGURES)


@dataclass
class DrillRow:
    """One case behind a period figure, as the dashboard counted it."""

    case_id: int
    department_id: int
    item_id: int
    status: str
    mode: str
    accepted_on: dt.date | None
    decided_on: dt.date | None
    delivered_on: dt.date | None
    on_time: bool | None
    decision_days: int | None
    delivery_days: int | None
    visits: int
    case: Case | None = None

    @property
    def status_label(self) -> str:
        return CaseStatus(self.status).label if self.status in CaseStatus.values else self.status

    @property
    def mode_label(self) -> str:
        return AcceptanceMode(self.mode).label if self.mode in AcceptanceMode.values else ""


class _FigureRows:
    """The rows of one period figure, sliced in SQL (for a Paginator)."""

    def __init__(self, filters: Filters, figure: str) -> None:
        self.figure = figure
        self.rows_sql, self.params = rows_sql(filters, _mark(filters.zone_id))
        self.condition, self.order = ROW_FIGURES[figure]
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    self.rows_sql + f"SELECT COUNT(*) FROM f WHERE {self.condition}",
                    self.params,
                )
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[DrillRow]:
        """One page: the cases in the figure's order, shown as they are now."""
        start, stop = window.start or 0, window.stop
        sql = (
            self.rows_sql + f"SELECT r_case FROM f WHERE {self.condition} "
            f"ORDER BY {self.order} DESC, r_case DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.params, stop - start, start])
            ids = [row[0] for row in cursor.fetchall()]
        now = {row["r_case"]: row for row in live_rows(Case.objects.filter(pk__in=ids))}
        cases = Case.objects.select_related("department").in_bulk(ids)
        rows = []
        for case_id in ids:
            row = now[case_id]
            rows.append(
                DrillRow(
                    case_id=case_id,
                    department_id=row["r_department"],
                    item_id=row["r_item"],
                    status=row["r_status"],
                    mode=row["r_mode"],
                    accepted_on=row["r_accepted"],
                    decided_on=row["r_decided"],
                    delivered_on=row["r_delivered"],
                    on_time=row["r_on_time"],
                    decision_days=row["r_decision_days"],
                    delivery_days=row["r_delivery_days"],
                    visits=row["r_visits"],
                    case=cases.get(case_id),
                )
            )
        return rows


def figure_cases(filters: Filters, figure: str, *, on: dt.date | None = None):
    """What is behind one figure, for a paginated list: ``DrillRow`` for period figures,
    ``Case`` (annotated with ``light``) for the lights, ``Rating`` for ratings."""
    on = on or today()
    check_period(filters.day_from, filters.day_to)
    if figure in ROW_FIGURES:
        return _FigureRows(filters, figure)
    if figure in LIGHT_FIGURES:
        cases = narrow(
            Case.objects.warned(on).filter(zone_id=filters.zone_id, item_version__isnull=False),
            filters,
            item_field="item_version__item_id",
        )
        cases = cases.filter(deadline__lt=on) if figure == "red" else cases.filter(deadline__gte=on)
        return cases.with_light(on).select_related("department").order_by("deadline", "pk")
    if figure in RATING_FIGURES:
        ratings = Rating.objects.filter(
            zone_id=filters.zone_id, rated_on__range=(filters.day_from, filters.day_to)
        )
        ratings = narrow(ratings, filters, item_field="item_id")
        if figure != "ratings":
            ratings = ratings.filter(level__in=BAD_LEVELS)
        overdue = _overdue(on)
        if figure == "bad_overdue":
            ratings = ratings.filter(overdue)
        elif figure == "bad_open":
            ratings = ratings.filter(rectification__status=RectificationStatus.OPEN).exclude(
                overdue
            )
        elif figure == "bad_rectified":
            ratings = ratings.filter(rectification__status=RectificationStatus.RECTIFIED).exclude(
                overdue
            )
        elif figure == "bad_closed":
            ratings = ratings.filter(rectification__status=RectificationStatus.CLOSED)
        return ratings.select_related("case", "department", "rectification").order_by(
            "-rated_at", "-pk"
        )
    raise ValidationFailed.for_field("figure", _("未知的统计指标"), code="unknown_figure")
