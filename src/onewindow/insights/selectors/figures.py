"""The figures of one selection (all, a department, an item) and the dashboard's summary
of them: plain data, rates derived."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from onewindow.insights.rows import Filters
from onewindow.org.models import Department
from onewindow.reviews.models import SATISFIED_LEVELS
from onewindow.reviews.rates import satisfaction_rate


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
