"""Pages of the appeal figures: the weekly 督查通报 (page, PDF, Excel), a department's
late and open orders, and the public monthly statistics.

The weekly pages are for 电子监察人员, 派单员 and 领导与分析人员 (``reports.can_read_reports``;
403 for others, the login page for anonymous visitors); the statistics are public and carry
counts and rates only. A bad ``week`` or ``month`` is shown next to its field with 422.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from onewindow.appeals import metrics, reports
from onewindow.appeals.clock import is_late, is_warning
from onewindow.appeals.permissions import is_zone_wide
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.core.forms import add_service_error
from onewindow.org.models import Department, User
from onewindow.org.selectors import zone_by_code

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WeekForm(forms.Form):
    week = forms.CharField(
        label=_("统计周"),
        required=False,
        help_text=_("该周内任一日期（周一至周日）；不填为上一个完整周。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("统计月份"),
        required=False,
        help_text=_("格式 YYYY-MM；不填为上个月。"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )


def _require(user: User) -> None:
    if not reports.can_read_reports(user):
        raise PermissionDenied


def _week(request: HttpRequest) -> tuple[WeekForm, dt.date | None]:
    """The form and the Monday asked for (None, with the error on the form, when bad)."""
    form = WeekForm(request.GET)
    form.is_valid()
    try:
        monday = reports.parse_week(request.GET.get("week"), today=timezone.localdate())
    except ValidationFailed as error:
        add_service_error(form, error)
        return form, None
    return form, monday


def _week_links(monday: dt.date) -> dict:
    base = reverse("appeals:weekly_report")
    this_monday = reports.monday_of(timezone.localdate())
    following = monday + dt.timedelta(days=7)
    query = urlencode({"week": monday.isoformat()})
    return {
        "previous_url": f"{base}?week={(monday - dt.timedelta(days=7)).isoformat()}",
        "next_url": f"{base}?week={following.isoformat()}" if following <= this_monday else "",
        "pdf_url": f"{reverse('appeals:weekly_report_pdf')}?{query}",
        "xlsx_url": f"{reverse('appeals:weekly_report_xlsx')}?{query}",
        "query": query,
    }


@login_required
@require_GET
def weekly_report(request: HttpRequest) -> HttpResponse:
    """``appeals/reports/weekly/?week=``: the week's figures per department and the late
    orders, with the PDF and Excel downloads."""
    user = request.user
    _require(user)
    form, monday = _week(request)
    if monday is None:
        return render(request, "appeals/reports/weekly.html", {"form": form}, status=422)
    report = reports.weekly_report(user.zone, monday)
    lines = report.rows()  # each department, then the zone's total
    headers = [str(label) for label, _name, _rate in reports.WEEKLY_COLUMNS]

    def labelled(cells) -> list[tuple[str, str]]:
        # Each figure with its column's name: a phone shows the table as labelled lines.
        return list(zip(headers, cells, strict=True))

    context = {
        "form": form,
        "report": report,
        "headers": headers,
        "rows": [
            (group, labelled(cells))
            for group, (_name, cells) in zip(report.figures.groups, lines[:-1], strict=True)
        ],
        "total": labelled(lines[-1][1]),
        "order_links": is_zone_wide(user),
        **_week_links(monday),
    }
    return render(request, "appeals/reports/weekly.html", context)


def _download(request: HttpRequest, kind: str) -> HttpResponse:
    user = request.user
    _require(user)
    form, monday = _week(request)
    if monday is None:
        return render(request, "appeals/reports/weekly.html", {"form": form}, status=422)
    report = reports.weekly_report(user.zone, monday)
    if kind == "pdf":
        response = HttpResponse(reports.weekly_pdf(report), content_type="application/pdf")
    else:
        response = HttpResponse(reports.weekly_xlsx(report), content_type=XLSX)
    name = f"{report.file_stem}.{kind}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_GET
def weekly_report_pdf(request: HttpRequest) -> HttpResponse:
    """``appeals/reports/weekly.pdf?week=``: the 督查通报 as a PDF."""
    return _download(request, "pdf")


@login_required
@require_GET
def weekly_report_xlsx(request: HttpRequest) -> HttpResponse:
    """``appeals/reports/weekly.xlsx?week=``: the 督查通报 as an Excel workbook."""
    return _download(request, "xlsx")


@login_required
@require_GET
def department_report(request: HttpRequest, pk: int) -> HttpResponse:
    """``appeals/reports/departments/<pk>/?week=``: a department of the user's zone, its
    late orders of the week and its open orders now (a department elsewhere is 404)."""
    user = request.user
    _require(user)
    department = Department.objects.filter(pk=pk, zone_id=user.zone_id).first()
    if department is None:
        raise Http404("no such department")
    form, monday = _week(request)
    context = {"form": form, "department": department}
    if monday is None:
        return render(request, "appeals/reports/department.html", context, status=422)
    now = timezone.now()
    end = monday + dt.timedelta(days=7)
    late = metrics.late_orders(user.zone_id, monday, end, department_id=pk, now=now)
    open_rows = [
        {
            "appeal": appeal,
            "late": is_late(now, due_at=appeal.due_at),
            "warning": is_warning(now, warn_at=appeal.warn_at, due_at=appeal.due_at),
        }
        for appeal in metrics.open_orders(user.zone_id, pk)[:200]
    ]
    context.update(
        {
            "monday": monday,
            "last_day": end - dt.timedelta(days=1),
            "late": late,
            "open_rows": open_rows,
            "order_links": is_zone_wide(user),
            "weekly_url": f"{reverse('appeals:weekly_report')}?week={monday.isoformat()}",
        }
    )
    return render(request, "appeals/reports/department.html", context)


@require_GET
def public_stats(request: HttpRequest) -> HttpResponse:
    """``appeals/stats/?month=``: the zone's appeals of a month per category and department,
    anonymised (counts and rates only); anyone may read."""
    try:
        zone = zone_by_code()
    except NotFound as error:
        raise Http404(error.message) from None
    form = MonthForm(request.GET)
    form.is_valid()
    try:
        first = reports.parse_month(request.GET.get("month"), today=timezone.localdate())
    except ValidationFailed as error:
        add_service_error(form, error)
        return render(request, "appeals/reports/stats.html", {"form": form}, status=422)
    stats = reports.public_stats(zone, first)
    for row in [*stats["categories"], *stats["departments"], stats["total"]]:
        row["on_time_percent"] = reports.percent(row["on_time_rate"])
        row["satisfaction_percent"] = reports.percent(row["satisfaction_rate"])
    context = {"form": form, "stats_zone": zone, "stats": stats}
    return render(request, "appeals/reports/stats.html", context)
