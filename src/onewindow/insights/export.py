"""The dashboard as an Excel workbook (openpyxl, write-only: rows are streamed).

Sheets: 汇总 (every figure of the selection), 部门 and 事项 (the same figures per lead
department and per item), 差评 (each bad rating of the period with its rectification
state today). Rates are fractions formatted as percentages; durations are working days.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from onewindow.insights.selectors import Figures, Summary, bad_state, figure_cases

PERCENT = "0.0%"
DAYS = "0.0"


Columns = list[tuple[str, str, str]]


def _columns() -> Columns:
    """(header, Figures attribute, number format) of the per-row figures."""
    return [
        (_("受理件数"), "accepted", "0"),
        (_("容缺受理"), "tolerated", "0"),
        (_("告知承诺"), "commitment", "0"),
        (_("办结件数"), "decided", "0"),
        (_("按时办结"), "on_time", "0"),
        (_("按时办结率"), "on_time_rate", PERCENT),
        (_("受理至决定平均（工作日）"), "decision_days_average", DAYS),
        (_("受理至决定中位数（工作日）"), "decision_days_median", DAYS),
        (_("送达件数"), "delivered", "0"),
        (_("受理至送达平均（工作日）"), "delivery_days_average", DAYS),
        (_("受理至送达中位数（工作日）"), "delivery_days_median", DAYS),
        (_("全程网办"), "online", "0"),
        (_("全程网办占比"), "online_share", PERCENT),
        (_("最多跑一次"), "one_visit", "0"),
        (_("最多跑一次率"), "one_visit_rate", PERCENT),
        (_("黄灯（当前）"), "yellow", "0"),
        (_("红灯（当前）"), "red", "0"),
        (_("评价数"), "ratings", "0"),
        (_("满意"), "satisfied", "0"),
        (_("满意率"), "satisfaction_rate", PERCENT),
        (_("差评"), "bad", "0"),
        (_("差评整改中"), "bad_open", "0"),
        (_("差评逾期"), "bad_overdue", "0"),
        (_("差评已整改待回访"), "bad_rectified", "0"),
        (_("差评已办结"), "bad_closed", "0"),
    ]


def _cell(sheet, value, number_format: str | None = None, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if number_format and value is not None:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def _header(sheet, titles: list[str]) -> None:
    sheet.append([_cell(sheet, title, bold=True) for title in titles])


def _figure_cells(sheet, figures: Figures, columns: Columns) -> list[WriteOnlyCell]:
    return [_cell(sheet, getattr(figures, name), fmt) for _title, name, fmt in columns]


def workbook(summary: Summary, *, zone_name: str, department_name: str, item_name: str) -> bytes:
    """The workbook's bytes."""
    book = Workbook(write_only=True)
    columns = _columns()
    _summary_sheet(
        book,
        summary,
        columns,
        zone_name=zone_name,
        department_name=department_name,
        item_name=item_name,
    )
    _departments_sheet(book, summary, columns)
    _items_sheet(book, summary, columns)
    _bad_ratings_sheet(book, summary)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _summary_sheet(
    book: Workbook,
    summary: Summary,
    columns: Columns,
    *,
    zone_name: str,
    department_name: str,
    item_name: str,
) -> None:
    """汇总: what was selected, then every figure of the selection."""
    filters = summary.filters
    sheet = book.create_sheet(_("汇总"))
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 22
    for label, value in (
        (_("开发区"), zone_name),
        (_("统计期间"), f"{filters.day_from.isoformat()} — {filters.day_to.isoformat()}"),
        (_("牵头部门"), department_name or _("全部部门")),
        (_("事项"), item_name or _("全部事项")),
        (_("红黄灯统计日"), summary.today.isoformat()),
        (
            _("日汇总截至"),
            summary.rolled_through.isoformat() if summary.rolled_through else _("尚未汇总"),
        ),
    ):
        sheet.append([_cell(sheet, label, bold=True), value])
    sheet.append([])
    _header(sheet, [_("指标"), _("数值")])
    for title, name, fmt in columns:
        sheet.append([title, _cell(sheet, getattr(summary.totals, name), fmt)])


def _departments_sheet(book: Workbook, summary: Summary, columns: Columns) -> None:
    sheet = book.create_sheet(_("部门"))
    sheet.column_dimensions["A"].width = 24
    _header(sheet, [_("牵头部门"), *(title for title, _n, _f in columns)])
    for row in summary.departments:
        sheet.append([row.department.name, *_figure_cells(sheet, row.figures, columns)])


def _items_sheet(book: Workbook, summary: Summary, columns: Columns) -> None:
    sheet = book.create_sheet(_("事项"))
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 24
    _header(sheet, [_("事项"), _("实施机关"), *(title for title, _n, _f in columns)])
    for row in summary.items:
        sheet.append([row.name, row.department_name, *_figure_cells(sheet, row.figures, columns)])


def _bad_ratings_sheet(book: Workbook, summary: Summary) -> None:
    """差评: each bad rating of the period with its rectification state today."""
    sheet = book.create_sheet(_("差评"))
    for letter, width in zip("ABCDEFGHIJ", (20, 30, 24, 12, 12, 14, 16, 14, 20, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    _header(
        sheet,
        [
            _("办件编号"),
            _("办件名称"),
            _("责任部门"),
            _("评价等级"),
            _("评价渠道"),
            _("评价日期"),
            _("整改状态"),
            _("整改期限"),
            _("整改完成时间"),
            _("回访结果"),
        ],
    )
    bad = figure_cases(summary.filters, "bad", on=summary.today)
    for rating in bad.iterator(chunk_size=500):
        rectification = getattr(rating, "rectification", None)
        sheet.append(
            [
                rating.case.number,
                rating.case.title,
                rating.department.name,
                rating.get_level_display(),
                rating.get_channel_display(),
                _cell(sheet, rating.rated_on, "yyyy-mm-dd"),
                bad_state(rectification, summary.today)[1],
                _cell(sheet, rectification.due_on if rectification else None, "yyyy-mm-dd"),
                _cell(
                    sheet,
                    timezone.localtime(rectification.rectified_at).replace(tzinfo=None)
                    if rectification and rectification.rectified_at
                    else None,
                    "yyyy-mm-dd hh:mm",
                ),
                rectification.get_visit_outcome_display()
                if rectification and rectification.visit_outcome
                else "",
            ]
        )
