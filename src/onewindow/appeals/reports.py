"""The weekly 督查通报 of appeals (per department: counts, rates, returns, reopens and the
late orders by name) as data, PDF (reportlab, the project's CJK fonts) and Excel
(openpyxl), and the public monthly statistics. The figures are ``appeals.metrics``'s.

The period parameters people type (``week=YYYY-MM-DD``, ``month=YYYY-MM``) are checked
here, so the page, the API and the job refuse alike (a 422 naming the field).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from onewindow.appeals import metrics
from onewindow.appeals.clock import local_zone
from onewindow.appeals.constants import REPORT_READER_ROLES
from onewindow.appeals.permissions import holds_any
from onewindow.core.errors import ValidationFailed
from onewindow.core.pdf_fonts import cjk_font, cjk_title_font
from onewindow.org.models import User, Zone

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")

#: The columns of the weekly table: (header, Figures attribute, is a rate).
WEEKLY_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    (gettext_lazy("受理"), "received", False),
    (gettext_lazy("已答复"), "replied", False),
    (gettext_lazy("在办"), "open", False),
    (gettext_lazy("响应率"), "response_rate", True),
    (gettext_lazy("按时办结率"), "on_time_rate", True),
    (gettext_lazy("解决率"), "resolution_rate", True),
    (gettext_lazy("满意率"), "satisfaction_rate", True),
    (gettext_lazy("退回"), "returned", False),
    (gettext_lazy("超时退回"), "late_returned", False),
    (gettext_lazy("重办"), "reopened", False),
)


def can_read_reports(user: User) -> bool:
    """电子监察人员, 派单员 and 领导与分析人员 of a zone read its figures and reports."""
    return bool(holds_any(user, REPORT_READER_ROLES) and user.zone_id)


def percent(value: float | None) -> str:
    """0.875 → "87.5%"; no rate (nothing to divide by) → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


def local_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")


# -- the periods people ask for -----------------------------------------------------------------


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def last_full_week(today: dt.date) -> dt.date:
    """The Monday of the last week (Monday to Sunday) that has ended by ``today``."""
    return monday_of(today) - dt.timedelta(days=7)


def parse_week(value: str | None, *, today: dt.date) -> dt.date:
    """The Monday of the week containing the date ``value`` (``YYYY-MM-DD``; full-width
    digits fold), or of the last full week when none is given. A malformed date or a week
    that has not started yet is refused, naming ``week``."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return last_full_week(today)
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed.for_field(
            "week", _("统计周：请输入日期，格式为 YYYY-MM-DD"), code="invalid_week"
        ) from None
    monday = monday_of(day)
    if monday > monday_of(today):
        raise ValidationFailed.for_field("week", _("统计周：不能晚于本周"), code="week_in_future")
    return monday


def last_full_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def parse_month(value: str | None, *, today: dt.date) -> dt.date:
    """The first day of the month ``value`` (``YYYY-MM``), or of the last full month when
    none is given. Malformed or in the future: refused, naming ``month``."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return last_full_month(today)
    try:
        if not _MONTH.match(text):
            raise ValueError(text)
        first = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationFailed.for_field(
            "month", _("统计月份：请输入月份，格式为 YYYY-MM"), code="invalid_month"
        ) from None
    if first > today.replace(day=1):
        raise ValidationFailed.for_field(
            "month", _("统计月份：不能晚于本月"), code="month_in_future"
        )
    return first


# -- the weekly report --------------------------------------------------------------------------


@dataclass(frozen=True)
class LateRow:
    number: str
    department: str
    subject: str
    due_at: dt.datetime | None
    replied_at: dt.datetime | None
    status: str


@dataclass(frozen=True)
class WeeklyReport:
    zone_name: str
    start: dt.date  # Monday
    end: dt.date  # the next Monday (exclusive)
    made_at: dt.datetime
    figures: metrics.PeriodFigures
    late: list[LateRow]

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def title(self) -> str:
        return _("诉求办理督查通报（{first} 至 {last}）").format(
            first=self.start.isoformat(), last=self.last_day.isoformat()
        )

    def rows(self) -> list[tuple[str, list[str]]]:
        """The table as text: each department, then the zone's total."""
        lines = [(group.name, _cells(group.figures)) for group in self.figures.groups]
        lines.append((_("全区合计"), _cells(self.figures.total)))
        return lines

    @property
    def file_stem(self) -> str:
        return f"诉求督查通报-{self.start:%Y%m%d}"


def _cells(figures: metrics.Figures) -> list[str]:
    return [
        percent(getattr(figures, name)) if is_rate else str(getattr(figures, name))
        for _label, name, is_rate in WEEKLY_COLUMNS
    ]


def weekly_report(zone: Zone, monday: dt.date, *, now: dt.datetime | None = None) -> WeeklyReport:
    """The 督查通报 of the week starting ``monday``: the orders received that week, as they
    stand at ``now``."""
    now = now or timezone.now()
    end = monday + dt.timedelta(days=7)
    late = [
        LateRow(
            number=appeal.number,
            department=appeal.lead_department.name if appeal.lead_department_id else "",
            subject=appeal.subject,
            due_at=appeal.due_at,
            replied_at=appeal.replied_at,
            status=appeal.get_status_display(),
        )
        for appeal in metrics.late_orders(zone.pk, monday, end, now=now)
    ]
    return WeeklyReport(
        zone_name=zone.name,
        start=monday,
        end=end,
        made_at=now,
        figures=metrics.department_figures(zone.pk, monday, end),
        late=late,
    )


def weekly_json(report: WeeklyReport) -> dict:
    """The report's figures as plain data (the API's answer)."""

    def figures(value: metrics.Figures) -> dict:
        return {"counts": value.counts(), "rates": value.rates()}

    return {
        "week": {"start": report.start, "end": report.last_day},
        "made_at": report.made_at,
        "departments": [
            {"id": group.pk, "name": group.name, **figures(group.figures)}
            for group in report.figures.groups
        ],
        "total": figures(report.figures.total),
        "late": [
            {
                "number": row.number,
                "department": row.department,
                "subject": row.subject,
                "due_at": row.due_at,
                "replied_at": row.replied_at,
            }
            for row in report.late
        ],
    }


def _definitions() -> str:
    return _(
        "统计范围：本周受理的诉求工单（不予受理、转紧急热线和已合并的工单不计入），按通报生成时的"
        "状态统计。响应率 = 签收时限内签收 / 已派单；按时办结率 = 未超期答复 / 已答复；"
        "解决率 = 最近一次回访已解决 / 已回访；满意率 = 最近一次回访满意或基本满意 / 已回访。"
        "“—”表示没有可计算的工单。"
    )


def weekly_pdf(report: WeeklyReport) -> bytes:
    """The report as an A4 landscape PDF (the project's CJK fonts, core.pdf_fonts)."""
    body, title_font = cjk_font(), cjk_title_font()
    styles = {
        "title": ParagraphStyle("title", fontName=title_font, fontSize=18, leading=26, alignment=1),
        "meta": ParagraphStyle("meta", fontName=body, fontSize=10, leading=14, alignment=1),
        "head": ParagraphStyle("head", fontName=title_font, fontSize=13, leading=20),
        "cell": ParagraphStyle("cell", fontName=body, fontSize=9, leading=12, wordWrap="CJK"),
        "note": ParagraphStyle("note", fontName=body, fontSize=9, leading=13, wordWrap="CJK"),
    }
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=report.title,
    )

    def cell(text: str) -> Paragraph:
        return Paragraph(escape(text), styles["cell"])

    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    header = [cell(_("承办部门")), *(cell(str(label)) for label, _n, _r in WEEKLY_COLUMNS)]
    figures = Table(
        [header, *([cell(name), *map(cell, cells)] for name, cells in report.rows())],
        colWidths=[55 * mm] + [20 * mm] * len(WEEKLY_COLUMNS),
        repeatRows=1,
    )
    figures.setStyle(grid)
    story = [
        Paragraph(escape(report.title), styles["title"]),
        Paragraph(
            escape(
                _("{zone} · 生成时间 {made}").format(
                    zone=report.zone_name, made=local_datetime(report.made_at)
                )
            ),
            styles["meta"],
        ),
        Spacer(1, 6 * mm),
        Paragraph(escape(_("一、各部门办理情况")), styles["head"]),
        figures,
        Spacer(1, 3 * mm),
        Paragraph(escape(_definitions()), styles["note"]),
        Spacer(1, 6 * mm),
        Paragraph(escape(_("二、超期工单")), styles["head"]),
    ]
    if report.late:
        late = Table(
            [
                [
                    cell(_("工单编号")),
                    cell(_("承办部门")),
                    cell(_("标题")),
                    cell(_("办理期限")),
                    cell(_("答复时间")),
                ],
                *(
                    [
                        cell(row.number),
                        cell(row.department or "—"),
                        cell(row.subject),
                        cell(local_datetime(row.due_at)),
                        cell(local_datetime(row.replied_at) if row.replied_at else _("未答复")),
                    ]
                    for row in report.late
                ),
            ],
            colWidths=[48 * mm, 50 * mm, 90 * mm, 38 * mm, 38 * mm],
            repeatRows=1,
        )
        late.setStyle(grid)
        story.append(late)
    else:
        story.append(Paragraph(escape(_("本周受理的工单没有超期。")), styles["note"]))
    document.build(story)
    return buffer.getvalue()


def weekly_xlsx(report: WeeklyReport) -> bytes:
    """The report as a workbook: 部门 (counts and rates as fractions formatted as
    percentages) and 超期工单 (the late orders by name)."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("部门")
    bold = Font(bold=True)
    sheet.append([report.title])
    sheet["A1"].font = bold
    sheet.append([report.zone_name, local_datetime(report.made_at)])
    sheet.append([_("承办部门"), *(str(label) for label, _n, _r in WEEKLY_COLUMNS)])
    for cell in sheet[3]:
        cell.font = bold
    lines = [(group.name, group.figures) for group in report.figures.groups]
    lines.append((_("全区合计"), report.figures.total))
    for name, figures in lines:
        sheet.append([name, *(getattr(figures, attr) for _l, attr, _r in WEEKLY_COLUMNS)])
        for (_label, _attr, is_rate), cell in zip(
            WEEKLY_COLUMNS, sheet[sheet.max_row][1:], strict=True
        ):
            if is_rate:
                cell.number_format = "0.0%"
    sheet.append([])
    sheet.append([_definitions()])
    sheet.column_dimensions["A"].width = 28
    late = book.create_sheet(_("超期工单"))
    late.append([_("工单编号"), _("承办部门"), _("标题"), _("办理期限"), _("答复时间"), _("状态")])
    for cell in late[1]:
        cell.font = bold
    for row in report.late:
        late.append(
            [
                row.number,
                row.department,
                row.subject,
                local_datetime(row.due_at),
                local_datetime(row.replied_at) if row.replied_at else "",
                row.status,
            ]
        )
    for column, width in zip("ABCDEF", (24, 22, 40, 18, 18, 14), strict=True):
        late.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- public statistics -------------------------------------------------------------------------


def public_stats(zone: Zone, first: dt.date) -> dict:
    """The month starting ``first``, anonymised: per category and per department, how many
    orders were received and answered, the on-time and satisfaction rates. Counts and rates
    only: no order's number, requester, subject or text."""
    end = next_month(first)

    def rows(result: metrics.PeriodFigures) -> list[dict]:
        return [
            _public_row(group.name, group.figures)
            for group in result.groups
            if group.pk is not None
        ]

    by_department = metrics.department_figures(zone.pk, first, end)
    return {
        "month": f"{first:%Y-%m}",
        "categories": rows(metrics.category_figures(zone.pk, first, end)),
        "departments": rows(by_department),
        "total": _public_row(_("全区"), by_department.total),
    }


def _public_row(name: str, figures: metrics.Figures) -> dict:
    return {
        "name": name,
        "received": figures.received,
        "answered": figures.answered,
        "on_time_rate": figures.on_time_rate,
        "satisfaction_rate": figures.satisfaction_rate,
    }
