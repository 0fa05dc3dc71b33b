"""What every notice shares: date formats, text escaping, the styles, the header (issuer,
title, number), the facts table, the signature, the remedy paragraph and the footer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Spacer, Table, TableStyle

from onewindow.cases.notices.kinds import NoticeKind, notice_title

QUERY_LINE = gettext_lazy("凭办件编号和查询码可在网上查询办理进度")


def format_date(value: dt.date | dt.datetime | None) -> str:
    """``2026年11月24日``; a datetime is taken in the zone's time (Asia/Shanghai)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def format_datetime(value: dt.datetime | None) -> str:
    """``2026年11月24日 14:05``."""
    if value is None:
        return "—"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_date(local.date())} {local:%H:%M}"


def escaped_text(value) -> str:
    """Escape user text for Paragraph markup; keep its line breaks."""
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")


class Styles:
    def __init__(self, font: str) -> None:
        base = {"fontName": font, "wordWrap": "CJK", "textColor": colors.black}
        self.issuer = ParagraphStyle(
            "issuer",
            fontSize=19,
            leading=26,
            alignment=TA_CENTER,
            **(base | {"textColor": colors.HexColor("#C00000")}),
        )
        self.title = ParagraphStyle(
            "title", fontSize=18, leading=26, alignment=TA_CENTER, spaceBefore=10, **base
        )
        self.number = ParagraphStyle(
            "number", fontSize=11, leading=16, alignment=TA_CENTER, spaceAfter=8, **base
        )
        self.addressee = ParagraphStyle(
            "addressee", fontSize=12, leading=21, alignment=TA_LEFT, spaceBefore=4, **base
        )
        self.body = ParagraphStyle(
            "body",
            fontSize=12,
            leading=21,
            alignment=TA_LEFT,
            firstLineIndent=24,
            spaceAfter=4,
            **base,
        )
        self.heading = ParagraphStyle(
            "heading", fontSize=12, leading=21, spaceBefore=8, spaceAfter=2, **base
        )
        self.item = ParagraphStyle(
            "item", fontSize=11.5, leading=19, leftIndent=24, firstLineIndent=0, **base
        )
        self.quote = ParagraphStyle(
            "quote",
            fontSize=10.5,
            leading=17,
            leftIndent=12,
            rightIndent=12,
            borderColor=colors.HexColor("#999999"),
            borderWidth=0.5,
            borderPadding=6,
            spaceBefore=8,
            spaceAfter=10,
            **base,
        )
        self.digest = ParagraphStyle(
            "digest", fontSize=9.5, leading=15, leftIndent=24, spaceAfter=2, **base
        )
        self.cell_label = ParagraphStyle("cell_label", fontSize=11, leading=16, **base)
        self.cell = ParagraphStyle("cell", fontSize=11, leading=16, **base)
        self.note = ParagraphStyle(
            "note", fontSize=10.5, leading=17, textColor=colors.HexColor("#333333"),
            fontName=font, wordWrap="CJK", spaceBefore=4,
        )  # fmt: skip
        self.signature = ParagraphStyle(
            "signature", fontSize=12, leading=22, alignment=TA_RIGHT, **base
        )


class NoticeLayout:
    """The parts every notice shares (each kind's body: ``documents.Notice``)."""

    def __init__(self, case, kind: str, today: dt.date, styles: Styles) -> None:
        self.case = case
        self.kind = kind
        self.today = today
        self.s = styles

    def header(self) -> list[Flowable]:
        case = self.case
        return [
            Paragraph(escaped_text(case.zone.name), self.s.issuer),
            HRFlowable(
                width="100%", thickness=1.5, color=colors.HexColor("#C00000"), spaceBefore=4
            ),
            Paragraph(escaped_text(notice_title(case, self.kind)), self.s.title),
            Paragraph(
                escaped_text(_("（办件编号：{number}）").format(number=case.number)), self.s.number
            ),
            Paragraph(
                escaped_text(_("{name}：").format(name=case.applicant.name)), self.s.addressee
            ),
        ]

    def facts(self, *rows: list[tuple[str, str]]) -> Table:
        """The case's facts in a ruled form: each row holds one fact (the value spans the
        width) or two side by side; values wrap. The applicant and item come first."""
        applicant = self.case.applicant
        rows = (
            [(_("申请人"), applicant.name)],
            [(str(applicant.identifier_label), applicant.masked_identifier)],
            [(_("申请事项"), self.case.title)],
            *rows,
        )
        data, spans = [], []
        for index, row in enumerate(rows):
            cells = []
            for label, value in row:
                cells += [
                    Paragraph(escaped_text(label), self.s.cell_label),
                    Paragraph(escaped_text(value), self.s.cell),
                ]
            if len(row) == 1:
                cells += ["", ""]
                spans.append(("SPAN", (1, index), (3, index)))
            data.append(cells)
        # 153 mm: the frame's width; the second label column holds at most six characters.
        widths = [36 * mm, 44.5 * mm, 28 * mm, 44.5 * mm]
        table = Table(data, colWidths=widths, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    *spans,
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#666666")),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
                    *[
                        ("BACKGROUND", (2, index), (2, index), colors.HexColor("#F2F2F2"))
                        for index, row in enumerate(rows)
                        if len(row) == 2
                    ],
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return table

    def submitted(self) -> tuple[str, str]:
        return (_("提交日期"), format_date(self.case.submitted_at))

    def signature(self) -> list[Flowable]:
        return [
            Spacer(1, 10 * mm),
            Paragraph(escaped_text(self.case.department.name), self.s.signature),
            Paragraph(escaped_text(_("（盖章）")), self.s.signature),
            Paragraph(escaped_text(format_date(self.today)), self.s.signature),
        ]

    def body(self, text: str) -> Paragraph:
        """A body paragraph of our own text (already escaped where it holds user text)."""
        return Paragraph(text, self.s.body)

    def numbered(self, lines: Iterable[str]) -> list[Flowable]:
        return [
            Paragraph(f"{index}. {escaped_text(line)}", self.s.item)
            for index, line in enumerate(lines, start=1)
        ]

    def remedy(self) -> Paragraph:
        """The remedies (行政复议 60 days, 行政诉讼 6 months) counted from receipt."""
        document = _("本决定书") if self.kind == NoticeKind.DECISION else _("本通知书")
        return self.body(
            escaped_text(
                _(
                    "如不服本决定，可以自收到{document}之日起六十日内依法申请行政复议，"
                    "或者自收到{document}之日起六个月内依法向人民法院提起行政诉讼。"
                ).format(document=document)
            )
        )

    def applied(self) -> str:
        """你（单位）于2026年11月20日提交的“…”申请"""
        return escaped_text(
            _("你（单位）于{date}提交的“{title}”申请").format(
                date=format_date(self.case.submitted_at), title=self.case.title
            )
        )


def page_footer(case, kind: str, today: dt.date, font: str):
    issued = _("出具日期：{date}").format(date=format_date(today))
    query = str(QUERY_LINE) if kind == NoticeKind.ACCEPTANCE else ""
    number = case.number

    def draw(canvas, doc) -> None:
        canvas.saveState()
        width, _height = doc.pagesize
        left, right = doc.leftMargin, width - doc.rightMargin
        y = 16 * mm
        canvas.setStrokeColor(colors.HexColor("#999999"))
        canvas.setLineWidth(0.5)
        canvas.line(left, y + 10 * mm, right, y + 10 * mm)
        canvas.setFont(font, 9)
        canvas.setFillColor(colors.HexColor("#333333"))
        if query:
            canvas.drawString(left, y + 5 * mm, query)
        canvas.drawString(left, y, f"{number}  {issued}")
        canvas.drawRightString(right, y, _("第 {page} 页").format(page=doc.page))
        canvas.restoreState()

    return draw
