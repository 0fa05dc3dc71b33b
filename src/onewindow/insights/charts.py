"""The dashboard's charts as data: what ``static/onewindow/insights-charts.js`` draws with
ECharts, and the table shown with each chart (the same numbers, each linked to the cases
behind it, so a chart is never the only way to read a figure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from onewindow.insights.links import DrillLinks
from onewindow.insights.selectors import Summary

#: Items shown in the working-days chart (the busiest by cases decided); the item table
#: below the charts lists them all.
DURATION_ITEMS = 10
#: Up to this many departments the department charts are columns; more, and they are
#: horizontal bars, so every department's name and every value has room (columns of a
#: dozen departments hid every other name and printed values over each other).
DEPARTMENT_COLUMNS = 6


@dataclass
class Chart:
    """One chart: ``kind`` is "bar" (grouped columns), "barh" (horizontal bars) or "line";
    ``unit`` "%" shows values as percentages. Each series names the drill-down figure of
    its values; ``narrow`` gives, per category, what that category adds to the filters
    (a department, an item, a range of days)."""

    id: str
    title: str
    kind: str
    category_label: str
    categories: list[str]
    series: list[dict]
    narrow: list[dict] = field(default_factory=list)
    unit: str = ""
    caption: str = ""

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "categories": self.categories,
            "series": [{"name": serie["name"], "data": serie["data"]} for serie in self.series],
            "unit": self.unit,
        }

    @property
    def headers(self) -> list[str]:
        return [self.category_label, *(serie["name"] for serie in self.series)]

    def table(self, links: DrillLinks) -> list[tuple[str, list[tuple[object, str]]]]:
        """Rows of (category, [(value, drill-down URL) per series])."""
        rows = []
        for index, category in enumerate(self.categories):
            narrow = self.narrow[index] if self.narrow else {}
            cells = []
            for serie in self.series:
                figure = serie["figures"][index] if "figures" in serie else serie["figure"]
                cells.append((serie["data"][index], links.url(figure, **narrow)))
            rows.append((category, cells))
        return rows


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def build(summary: Summary) -> list[Chart]:
    """The dashboard's five charts, in the order they are shown."""
    return [
        *_department_charts(summary),
        _trend_chart(summary),
        _days_chart(summary),
        _bad_ratings_chart(summary),
    ]


def _department_charts(summary: Summary) -> list[Chart]:
    """Volume and rates, one category per lead department."""
    departments = summary.departments
    names = [row.department.short_name or row.department.name for row in departments]
    by_department = [{"department": row.department.pk} for row in departments]
    kind = "bar" if len(departments) <= DEPARTMENT_COLUMNS else "barh"
    volume = Chart(
        id="chart-volume",
        title=_("各部门受理与办结件数"),
        kind=kind,
        category_label=_("部门"),
        categories=names,
        narrow=by_department,
        series=[
            {
                "name": _("受理"),
                "figure": "accepted",
                "data": [row.figures.accepted for row in departments],
            },
            {
                "name": _("办结"),
                "figure": "decided",
                "data": [row.figures.decided for row in departments],
            },
        ],
        caption=_("统计期间内受理、办结（作出决定）的事项办件数，按牵头部门。"),
    )
    rates = Chart(
        id="chart-rates",
        title=_("各部门按时办结率与满意率"),
        kind=kind,
        unit="%",
        category_label=_("部门"),
        categories=names,
        narrow=by_department,
        series=[
            {
                "name": _("按时办结率"),
                "figure": "decided",
                "data": [_rate(row.figures.on_time_rate) for row in departments],
            },
            {
                "name": _("满意率"),
                "figure": "ratings",
                "data": [_rate(row.figures.satisfaction_rate) for row in departments],
            },
        ],
        caption=_(
            "按时办结率 = 按时办结 / 办结；满意率 = （非常满意 + 满意 + 基本满意）/ 全部评价。"
        ),
    )
    return [volume, rates]


def _trend_chart(summary: Summary) -> Chart:
    """Accepted and decided per month (or per day, for a short period)."""
    return Chart(
        id="chart-trend",
        title=_("每月受理与办结件数") if summary.trend_by_month else _("每日受理与办结件数"),
        kind="line",
        category_label=_("月份") if summary.trend_by_month else _("日期"),
        categories=[point.label for point in summary.trend],
        narrow=[
            {"from": point.day_from.isoformat(), "to": point.day_to.isoformat()}
            for point in summary.trend
        ],
        series=[
            {
                "name": _("受理"),
                "figure": "accepted",
                "data": [point.accepted for point in summary.trend],
            },
            {
                "name": _("办结"),
                "figure": "decided",
                "data": [point.decided for point in summary.trend],
            },
        ],
        caption=_("按受理日期、决定日期计。"),
    )


def _days_chart(summary: Summary) -> Chart:
    """Working days from acceptance to decision for the busiest items."""
    busiest = [row for row in summary.items if row.figures.decided][:DURATION_ITEMS]
    return Chart(
        id="chart-days",
        title=_("主要事项受理至决定用时（工作日）"),
        kind="barh",
        category_label=_("事项"),
        categories=[row.name for row in busiest],
        narrow=[{"item": row.item_id} for row in busiest],
        series=[
            {
                "name": _("平均"),
                "figure": "decision_days",
                "data": [_days(row.figures.decision_days_average) for row in busiest],
            },
            {
                "name": _("中位数"),
                "figure": "decision_days",
                "data": [_days(row.figures.decision_days_median) for row in busiest],
            },
        ],
        caption=_("办结件数最多的 {count} 个事项；受理当日不计，按本区工作日历。").format(
            count=DURATION_ITEMS
        ),
    )


def _bad_ratings_chart(summary: Summary) -> Chart:
    """Bad ratings of the period by their rectification status today."""
    totals = summary.totals
    return Chart(
        id="chart-bad",
        title=_("差评整改状态"),
        kind="bar",
        category_label=_("整改状态"),
        categories=[_("整改中"), _("逾期"), _("已整改待回访"), _("已办结")],
        series=[
            {
                "name": _("差评数"),
                "figures": ["bad_open", "bad_overdue", "bad_rectified", "bad_closed"],
                "data": [
                    totals.bad_open,
                    totals.bad_overdue,
                    totals.bad_rectified,
                    totals.bad_closed,
                ],
            }
        ],
        caption=_("统计期间内的差评（不满意、非常不满意）按今日整改状态。"),
    )
