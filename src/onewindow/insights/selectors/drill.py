"""The drill-down: the cases or ratings behind one figure, for a paginated list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases.constants import AcceptanceMode, CaseStatus
from onewindow.cases.models import Case
from onewindow.core.errors import ValidationFailed
from onewindow.core.replica import read_alias, replica_reads
from onewindow.insights.facts import live_rows
from onewindow.insights.rows import Filters, family_is, literal, narrow, rows_sql
from onewindow.insights.selectors.counts import _mark
from onewindow.insights.selectors.period import check_period, today
from onewindow.insights.selectors.ratings import _overdue
from onewindow.reviews.models import BAD_LEVELS, Rating, RectificationStatus

#: Rows of one drill-down page.
DRILL_PAGE_SIZE = 50


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
        self.using = read_alias()  # counted and sliced later, by the page's paginator
        self.rows_sql, self.params = rows_sql(filters, _mark(filters.zone_id))
        self.condition, self.order = ROW_FIGURES[figure]
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            with connections[self.using].cursor() as cursor:
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
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [*self.params, stop - start, start])
            ids = [row[0] for row in cursor.fetchall()]
        cases_here = Case.objects.using(self.using)
        now = {row["r_case"]: row for row in live_rows(cases_here.filter(pk__in=ids))}
        cases = cases_here.select_related("department").in_bulk(ids)
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


@replica_reads()
def figure_cases(filters: Filters, figure: str, *, on: dt.date | None = None):
    """What is behind one figure, for a paginated list: ``DrillRow`` for period figures,
    ``Case`` (annotated with ``light``) for the lights, ``Rating`` for ratings. Read from
    the replica when there is one (ADR 0031), also when the list is evaluated later."""
    on = on or today()
    check_period(filters.day_from, filters.day_to)
    if figure in ROW_FIGURES:
        return _FigureRows(filters, figure)
    if figure in LIGHT_FIGURES:
        zone_cases = Case.objects.using(read_alias()).filter(zone_id=filters.zone_id)
        cases = narrow(
            zone_cases.overdue(on) if figure == "red" else zone_cases.due_soon(on),
            filters,
            item_field="item_version__item_id",
        )
        return cases.with_light(on).select_related("department").order_by("deadline", "pk")
    if figure in RATING_FIGURES:
        ratings = Rating.objects.using(read_alias()).filter(
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
