"""The department and item tables of the dashboard: each figure formatted and linked to
the cases behind it, prepared once in Python (a page can have a hundred items)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.insights.formats import number, percent
from onewindow.insights.links import DrillLinks
from onewindow.insights.selectors import DepartmentRow, Figures, ItemRow

#: (header, figure to drill into, how to show it); "days" columns show the average, and
#: for items the median after it.
COLUMNS = [
    (gettext_lazy("受理"), "accepted", "accepted"),
    (gettext_lazy("容缺"), "tolerated", "tolerated"),
    (gettext_lazy("告知承诺"), "commitment", "commitment"),
    (gettext_lazy("办结"), "decided", "decided"),
    (gettext_lazy("按时办结率"), "late", "on_time_rate"),
    (gettext_lazy("受理至决定"), "decision_days", "decision_days"),
    (gettext_lazy("受理至送达"), "delivery_days", "delivery_days"),
    (gettext_lazy("全程网办"), "online", "online_share"),
    (gettext_lazy("最多跑一次"), "one_visit", "one_visit_rate"),
    (gettext_lazy("黄灯"), "yellow", "yellow"),
    (gettext_lazy("红灯"), "red", "red"),
    (gettext_lazy("满意率（评价数）"), "ratings", "satisfaction"),
    (gettext_lazy("差评（逾期）"), "bad", "bad"),
]


@dataclass
class Cell:
    label: str
    parts: list[tuple[str, str]]  # (text, drill-down URL)

    @property
    def html(self) -> str:
        """The cell's links, escaped (built here: a page renders a thousand of them)."""
        return format_html_join(
            " · ", '<a href="{}">{}</a>', ((url, text) for text, url in self.parts)
        )


@dataclass
class Row:
    name: str
    detail: str
    cells: list[Cell]


def _show(figures: Figures, how: str, *, medians: bool) -> str:
    if how in {"on_time_rate", "online_share", "one_visit_rate"}:
        return percent(getattr(figures, how))
    if how in {"decision_days", "delivery_days"}:
        average = number(getattr(figures, f"{how}_average"))
        if not medians:
            return average
        return f"{average} / {number(getattr(figures, f'{how}_median'))}"
    if how == "satisfaction":
        return f"{percent(figures.satisfaction_rate)}（{figures.ratings}）"
    return str(getattr(figures, how))


def _row(
    name: str, detail: str, figures: Figures, links: DrillLinks, narrow: dict, *, medians: bool
) -> Row:
    cells = []
    for header, figure, how in COLUMNS:
        parts = [(_show(figures, how, medians=medians), links.url(figure, **narrow))]
        if how == "bad" and figures.bad_overdue:
            parts.append(
                (
                    _("逾期 {count}").format(count=figures.bad_overdue),
                    links.url("bad_overdue", **narrow),
                )
            )
        cells.append(Cell(str(header), parts))
    return Row(name, detail, cells)


def department_rows(rows: list[DepartmentRow], links: DrillLinks) -> list[Row]:
    return [
        _row(
            row.department.name,
            "",
            row.figures,
            links,
            {"department": row.department.pk},
            medians=False,
        )
        for row in rows
    ]


def item_rows(rows: list[ItemRow], links: DrillLinks) -> list[Row]:
    return [
        _row(row.name, row.department_name, row.figures, links, {"item": row.item_id}, medians=True)
        for row in rows
    ]


def headers() -> list[str]:
    return [str(header) for header, _figure, _how in COLUMNS]
