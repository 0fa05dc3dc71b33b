"""The dashboard's appeals section (诉求工单): the zone's open orders now per lead
department (open, overdue, warning) and the last full week's rates (docs/appeals.md), each
number with its drill-down.

The figures are ``appeals.metrics``'s (insights only reads). The drill-downs go to the
appeals pages: the centre board (``/appeals/centre/`` with ``department``, ``overdue=1``),
the department's late and open orders (``appeals:report_department``) and the weekly
督查通报 (``appeals:weekly_report``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from onewindow.appeals import metrics
from onewindow.appeals.reports import last_full_week, percent
from onewindow.core.replica import replica_reads

#: The centre board (built by the appeals handling pages), linked by its path.
CENTRE_BOARD = "/appeals/centre/"


@dataclass(frozen=True)
class AppealRow:
    name: str
    open: int
    overdue: int
    warning: int
    response_rate: str
    on_time_rate: str
    satisfaction_rate: str
    open_url: str
    overdue_url: str
    department_url: str


@dataclass(frozen=True)
class AppealsSection:
    week_start: dt.date
    week_end: dt.date  # Sunday
    rows: list[AppealRow]
    total: AppealRow | None  # the zone's; none when the dashboard shows one department
    weekly_url: str


def _board(**query) -> str:
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return CENTRE_BOARD + ("?" + urlencode(query) if query else "")


@replica_reads()
def appeals_section(
    zone_id: int, *, department_id: int | None = None, now: dt.datetime | None = None
) -> AppealsSection:
    """The section for the zone (one department when the dashboard is filtered to one):
    four queries whatever the data (open now and the week's figures, each with its
    departments' names)."""
    now = now or timezone.now()
    monday = last_full_week(timezone.localdate(now))
    end = monday + dt.timedelta(days=7)
    open_rows, open_total = metrics.open_now(zone_id, now=now)
    week = metrics.department_figures(zone_id, monday, end)
    figures = {group.pk: group.figures for group in week.groups if group.pk is not None}
    names = {row.pk: row.name for row in open_rows if row.pk is not None}
    names.update({group.pk: group.name for group in week.groups if group.pk is not None})
    open_by_department = {row.pk: row for row in open_rows}
    week_query = urlencode({"week": monday.isoformat()})

    def rates(value: metrics.Figures | None) -> dict:
        value = value or metrics.Figures()
        return {
            "response_rate": percent(value.response_rate),
            "on_time_rate": percent(value.on_time_rate),
            "satisfaction_rate": percent(value.satisfaction_rate),
        }

    # Departments in the order of the week's table, then those with open orders only.
    ordered = [group.pk for group in week.groups if group.pk is not None]
    ordered += [row.pk for row in open_rows if row.pk is not None and row.pk not in figures]
    if department_id is not None:
        ordered = [pk for pk in ordered if pk == department_id]
    rows = []
    for pk in ordered:
        current = open_by_department.get(pk)
        rows.append(
            AppealRow(
                name=names[pk],
                open=current.open if current else 0,
                overdue=current.overdue if current else 0,
                warning=current.warning if current else 0,
                open_url=_board(department=pk),
                overdue_url=_board(department=pk, overdue=1),
                department_url=(reverse("appeals:report_department", args=[pk]) + "?" + week_query),
                **rates(figures.get(pk)),
            )
        )
    weekly_url = reverse("appeals:weekly_report") + "?" + week_query
    total = None
    if department_id is None:
        total = AppealRow(
            name=open_total.name,
            open=open_total.open,
            overdue=open_total.overdue,
            warning=open_total.warning,
            open_url=_board(),
            overdue_url=_board(overdue=1),
            department_url=weekly_url,
            **rates(week.total),
        )
    return AppealsSection(
        week_start=monday,
        week_end=end - dt.timedelta(days=1),
        rows=rows,
        total=total,
        weekly_url=weekly_url,
    )
