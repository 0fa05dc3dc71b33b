"""The appeal figures of docs/appeals.md ("The figures"), computed in SQL.

One aggregate query of counts (``Count(filter=Q(...))``) grouped by the lead department
gives every count of a period; the rates are numerator ÷ denominator of those counts
(``None`` when the denominator is 0). Orders 不予受理, transferred to an emergency line or
merged are left out of every count (``EXCLUDED_STATUSES``) and shown apart.

Reads only (selectors level): the pages, the API, the weekly report and the insights
dashboard call these functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.appeals.clock import local_zone
from onewindow.appeals.constants import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    SATISFIED_LEVELS,
    AppealStatus,
)
from onewindow.appeals.models import Appeal, AppealCategory
from onewindow.org.models import Department

#: Never counted: 不予受理, transferred emergencies and merged orders (docs/appeals.md).
EXCLUDED_STATUSES = FINAL_STATUSES


@dataclass(frozen=True)
class Metric:
    """A rate of docs/appeals.md: ``numerator`` / ``denominator``, both counts of
    :class:`Figures`."""

    key: str
    label: str
    numerator: str
    denominator: str


#: The metrics, defined once (docs/appeals.md lists the same, in this order).
METRICS: tuple[Metric, ...] = (
    Metric("response_rate", _("响应率"), "signed_in_time", "dispatched"),
    Metric("on_time_rate", _("按时办结率"), "on_time", "replied"),
    Metric("resolution_rate", _("解决率"), "resolved", "visited"),
    Metric("satisfaction_rate", _("满意率"), "satisfied", "visited"),
    Metric("return_rate", _("退回率"), "returned", "dispatched"),
    Metric("reopen_rate", _("重办率"), "reopened", "answered"),
)
METRICS_BY_KEY = {metric.key: metric for metric in METRICS}

_COUNTED = ~Q(status__in=EXCLUDED_STATUSES)
_DISPATCHED = _COUNTED & Q(dispatched_at__isnull=False)
_REPLIED = _COUNTED & Q(replied_at__isnull=False)
_VISITED = _COUNTED & ~Q(satisfaction="")
_OPEN = Q(status__in=OPEN_STATUSES)

#: Each count of a period, as a condition on an order received in it.
COUNTS: dict[str, Q] = {
    "received": _COUNTED,
    "excluded": Q(status__in=EXCLUDED_STATUSES),
    "dispatched": _DISPATCHED,
    "signed_in_time": _DISPATCHED
    & Q(signed_at__isnull=False, sign_due_at__isnull=False, signed_at__lte=F("sign_due_at")),
    "replied": _REPLIED,
    "on_time": _REPLIED & Q(overdue=False),
    "late": _REPLIED & Q(overdue=True),
    "answered": _COUNTED
    & (Q(answered_at__isnull=False) | Q(reopen_count__gt=0) | Q(status=AppealStatus.CLOSED)),
    "visited": _VISITED,
    "resolved": _VISITED & Q(resolved=True),
    "satisfied": _VISITED & Q(satisfaction__in=SATISFIED_LEVELS),
    "returned": _DISPATCHED & Q(return_count__gt=0),
    "late_returned": _COUNTED & Q(late_return_count__gt=0),
    "reopened": _COUNTED & Q(reopen_count__gt=0),
    "open": _COUNTED & _OPEN,
}


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class Figures:
    """The counts of a group of orders (a department, a category, the zone) and their
    rates (``None`` when there is nothing to divide by)."""

    received: int = 0
    excluded: int = 0
    dispatched: int = 0
    signed_in_time: int = 0
    replied: int = 0
    on_time: int = 0
    late: int = 0
    answered: int = 0
    visited: int = 0
    resolved: int = 0
    satisfied: int = 0
    returned: int = 0
    late_returned: int = 0
    reopened: int = 0
    open: int = 0

    def rate(self, key: str) -> float | None:
        metric = METRICS_BY_KEY[key]
        return _rate(getattr(self, metric.numerator), getattr(self, metric.denominator))

    @property
    def response_rate(self) -> float | None:
        return self.rate("response_rate")

    @property
    def on_time_rate(self) -> float | None:
        return self.rate("on_time_rate")

    @property
    def resolution_rate(self) -> float | None:
        return self.rate("resolution_rate")

    @property
    def satisfaction_rate(self) -> float | None:
        return self.rate("satisfaction_rate")

    @property
    def return_rate(self) -> float | None:
        return self.rate("return_rate")

    @property
    def reopen_rate(self) -> float | None:
        return self.rate("reopen_rate")

    def add(self, other: Figures) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}

    def rates(self) -> dict[str, float | None]:
        return {metric.key: self.rate(metric.key) for metric in METRICS}


@dataclass(frozen=True)
class Group:
    """One row of a table: a department (or a category); ``pk`` None for the orders that
    have none (not dispatched yet, or answered at once by the hotline)."""

    pk: int | None
    name: str
    figures: Figures


@dataclass
class PeriodFigures:
    """The figures of a period [start, end) of receipt dates, per group and in total."""

    start: dt.date
    end: dt.date
    groups: list[Group]
    total: Figures = field(default_factory=Figures)


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight at the start of ``day`` (Asia/Shanghai), aware."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=local_zone())


def received_in(zone_id: int, start: dt.date, end: dt.date) -> QuerySet[Appeal]:
    """The zone's orders received on a local day of [start, end)."""
    return Appeal.objects.filter(
        zone_id=zone_id, created_at__gte=day_start(start), created_at__lt=day_start(end)
    )


def _aggregate(queryset: QuerySet, key: str) -> list[tuple[int | None, Figures]]:
    """One query: the counts of ``queryset`` grouped by ``key``."""
    rows = (
        queryset.order_by()
        .values(key)
        .annotate(**{name: Count("pk", filter=condition) for name, condition in COUNTS.items()})
    )
    return [(row[key], Figures(**{name: row[name] for name in COUNTS})) for row in rows]


def department_figures(
    zone_id: int, start: dt.date, end: dt.date, *, department_id: int | None = None
) -> PeriodFigures:
    """Per lead department (named, by the department's order) and for the zone: the counts
    and rates of the orders received in [start, end). Two queries whatever the data."""
    queryset = received_in(zone_id, start, end)
    if department_id is not None:
        queryset = queryset.filter(lead_department_id=department_id)
    grouped = _aggregate(queryset, "lead_department_id")
    return _named(grouped, start, end, Department.objects.filter(zone_id=zone_id))


def category_figures(zone_id: int, start: dt.date, end: dt.date) -> PeriodFigures:
    """Per category of the zone's tree (the order's own category) and for the zone."""
    grouped = _aggregate(received_in(zone_id, start, end), "category_id")
    return _named(grouped, start, end, AppealCategory.objects.filter(zone_id=zone_id))


def _named(
    grouped: list[tuple[int | None, Figures]], start: dt.date, end: dt.date, named: QuerySet
) -> PeriodFigures:
    result = PeriodFigures(start=start, end=end, groups=[])
    keys = [key for key, _figures in grouped if key is not None]
    rows = {row.pk: row for row in named.filter(pk__in=keys)}
    ordered = sorted(rows.values(), key=_sort_key)
    by_key = dict(grouped)
    for row in ordered:
        result.groups.append(Group(row.pk, row.name, by_key[row.pk]))
    if None in by_key:
        result.groups.append(Group(None, str(_("未派单")), by_key[None]))
    for _key, figures in grouped:
        result.total.add(figures)
    return result


def _sort_key(row) -> tuple:
    if isinstance(row, Department):
        return (row.sort_order, row.code)
    return (row.code,)


# -- now ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenRow:
    """A department's open orders now: how many, how many overdue, how many in warning."""

    pk: int | None
    name: str
    open: int
    overdue: int
    warning: int


def open_now(zone_id: int, *, now: dt.datetime | None = None) -> tuple[list[OpenRow], OpenRow]:
    """The zone's open orders at ``now`` per lead department, and the zone's total: open,
    overdue (past ``due_at``) and warning (past ``warn_at``, not yet due). One query."""
    now = now or timezone.now()
    open_orders = Q(status__in=OPEN_STATUSES)
    rows = (
        Appeal.objects.filter(open_orders, zone_id=zone_id)
        .order_by()
        .values("lead_department_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            warning=Count("pk", filter=Q(warn_at__lte=now, due_at__gte=now)),
        )
    )
    counts = {row["lead_department_id"]: row for row in rows}
    departments = Department.objects.filter(
        zone_id=zone_id, pk__in=[key for key in counts if key is not None]
    ).order_by("sort_order", "code")
    result = [
        OpenRow(
            d.pk, d.name, counts[d.pk]["open"], counts[d.pk]["overdue"], counts[d.pk]["warning"]
        )
        for d in departments
    ]
    if None in counts:
        row = counts[None]
        result.append(OpenRow(None, str(_("未派单")), row["open"], row["overdue"], row["warning"]))
    total = OpenRow(
        None,
        str(_("全区")),
        sum(row.open for row in result),
        sum(row.overdue for row in result),
        sum(row.warning for row in result),
    )
    return result, total


# -- the orders behind the figures -----------------------------------------------------------


def late_condition(now: dt.datetime) -> Q:
    """Late: replied after the deadline (fixed at the reply), or open and past it now."""
    return _COUNTED & (
        Q(replied_at__isnull=False, overdue=True)
        | (_OPEN & Q(replied_at__isnull=True, due_at__lt=now))
    )


def late_orders(
    zone_id: int,
    start: dt.date,
    end: dt.date,
    *,
    department_id: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Appeal]:
    """The late orders received in [start, end): number, department, subject, deadline,
    reply time; by department, then deadline."""
    now = now or timezone.now()
    queryset = received_in(zone_id, start, end).filter(late_condition(now))
    if department_id is not None:
        queryset = queryset.filter(lead_department_id=department_id)
    return (
        queryset.select_related("lead_department")
        .only(
            "number",
            "subject",
            "due_at",
            "replied_at",
            "status",
            "lead_department__name",
            "lead_department__sort_order",
            "lead_department__code",
        )
        .order_by("lead_department__sort_order", "lead_department__code", "due_at", "pk")
    )


def open_orders(zone_id: int, department_id: int) -> QuerySet[Appeal]:
    """A department's open orders, the earliest deadline first."""
    return (
        Appeal.objects.filter(
            zone_id=zone_id, lead_department_id=department_id, status__in=OPEN_STATUSES
        )
        .only("number", "subject", "status", "due_at", "warn_at", "due_provisional", "created_at")
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )
