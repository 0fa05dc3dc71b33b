"""What every notice shares, in the layout of official documents (GB/T 9704-2012, ADR 0023):
date formats, text escaping, the styles, the 版头 (issuing organ, document number, red
rule), the title, the facts table, the signature with the seal, the 附注 (handler and
phone), the 版记, the page numbers and the 送达回证.

A4, 版心 156 × 225 mm: margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right. Body in
3号 (16 pt) serif, 22 lines a page; title in 2号 (22 pt), centred; page numbers ``— 1 —``
in 4号 (14 pt), odd pages right, even pages left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Spacer, Table, TableStyle

from onewindow.cases.notices.kinds import NoticeKind, notice_title
from onewindow.core.pdf_seal import SEAL_DIAMETER, draw_seal

QUERY_LINE = gettext_lazy("凭办件编号和查询码可在网上查询办理进度")

RED = colors.HexColor("#E60012")
GREY = colors.HexColor("#666666")

#: GB/T 9704-2012 5.2.1: the page margins of A4 (版心 156 × 225 mm).
TOP_MARGIN = 37 * mm
BOTTOM_MARGIN = 35 * mm
LEFT_MARGIN = 28 * mm
RIGHT_MARGIN = 26 * mm
TEXT_WIDTH = 156 * mm
#: 3号 body, 22 lines of 28 characters a page; 2号 title; 4号 page numbers.
BODY_SIZE = 16
BODY_LEADING = 28.9
TITLE_SIZE = 22
PAGE_NUMBER_SIZE = 14
#: The case number's QR code in the 版头, for the window's scanner.
QR_SIZE = 18 * mm


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


def issuer_name(case) -> str:
    """The issuing organ as printed: the department's name, under the zone's name unless
    it already starts with it (示范经济技术开发区市场监督管理局)."""
    zone, department = case.zone.name, case.department.name
    return department if department.startswith(zone) else f"{zone}{department}"


class Styles:
    def __init__(self, font: str, title_font: str) -> None:
        base = {"fontName": font, "wordWrap": "CJK", "textColor": colors.black}
        self.issuer = ParagraphStyle(
            "issuer", fontName=title_font, fontSize=26, leading=34, alignment=TA_CENTER,
            wordWrap="CJK", textColor=RED,
        )  # fmt: skip
        self.number = ParagraphStyle(
            "number", fontSize=BODY_SIZE, leading=BODY_LEADING, alignment=TA_CENTER,
            spaceBefore=8, **base,
        )  # fmt: skip
        self.title = ParagraphStyle(
            "title", fontName=title_font, fontSize=TITLE_SIZE, leading=34, alignment=TA_CENTER,
            wordWrap="CJK", spaceBefore=14, spaceAfter=10,
        )  # fmt: skip
        self.addressee = ParagraphStyle(
            "addressee", fontSize=BODY_SIZE, leading=BODY_LEADING, alignment=TA_LEFT, **base
        )
        self.body = ParagraphStyle(
            "body", fontSize=BODY_SIZE, leading=BODY_LEADING, alignment=TA_LEFT,
            firstLineIndent=2 * BODY_SIZE, **base,
        )  # fmt: skip
        self.heading = ParagraphStyle(
            "heading", fontSize=BODY_SIZE, leading=BODY_LEADING, firstLineIndent=2 * BODY_SIZE,
            spaceBefore=8, **base,
        )  # fmt: skip
        self.item = ParagraphStyle(
            "item", fontSize=BODY_SIZE, leading=BODY_LEADING, leftIndent=2 * BODY_SIZE,
            firstLineIndent=0, **base,
        )  # fmt: skip
        self.quote = ParagraphStyle(
            "quote", fontSize=12, leading=20, leftIndent=12, rightIndent=12,
            borderColor=GREY, borderWidth=0.5, borderPadding=6, spaceBefore=8, spaceAfter=10,
            **base,
        )  # fmt: skip
        self.digest = ParagraphStyle(
            "digest", fontSize=10.5, leading=16, leftIndent=2 * BODY_SIZE, spaceAfter=2, **base
        )
        self.cell_label = ParagraphStyle("cell_label", fontSize=12, leading=17, **base)
        self.cell = ParagraphStyle("cell", fontSize=12, leading=17, **base)
        self.note = ParagraphStyle(
            "note", fontSize=12, leading=20, textColor=colors.HexColor("#333333"),
            fontName=font, wordWrap="CJK", spaceBefore=4, firstLineIndent=24,
        )  # fmt: skip
        self.remark = ParagraphStyle(
            "remark", fontSize=BODY_SIZE, leading=BODY_LEADING, firstLineIndent=2 * BODY_SIZE,
            spaceBefore=BODY_LEADING, **base,
        )  # fmt: skip
        self.record = ParagraphStyle("record", fontSize=14, leading=22, **base)
        self.record_right = ParagraphStyle(
            "record_right", fontSize=14, leading=22, alignment=TA_RIGHT, **base
        )
        self.receipt_title = ParagraphStyle(
            "receipt_title", fontName=title_font, fontSize=TITLE_SIZE, leading=34,
            alignment=TA_CENTER, wordWrap="CJK", spaceAfter=12,
        )  # fmt: skip
        self.font = font


class Signature(Flowable):
    """发文机关署名 and 成文日期, right-aligned (the date 右空四字), with the seal centred
    on them, pressing the name and the date but not the body above (GB/T 9704 7.3.5.1);
    the text is drawn over the seal so it stays legible. The block is as tall as the
    seal."""

    def __init__(self, issuer: str, date: str, *, font: str, demo: bool) -> None:
        super().__init__()
        self.issuer, self.date, self.font, self.demo = issuer, date, font, demo
        self.height = SEAL_DIAMETER + 6 * mm

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        return availWidth, self.height

    def draw(self) -> None:
        canvas = self.canv
        date_width = canvas.stringWidth(self.date, self.font, BODY_SIZE)
        name_width = canvas.stringWidth(self.issuer, self.font, BODY_SIZE)
        # The date ends four characters from the right (右空四字) and the name is centred
        # on it; a name too long for that moves both left, two characters from the right.
        centre = min(
            self.width - 4 * BODY_SIZE - date_width / 2,
            self.width - 2 * BODY_SIZE - name_width / 2,
        )
        # Name and date sit a little below the seal's centre (GB/T 9704 7.3.5.1).
        centre_y = 3 * mm + SEAL_DIAMETER / 2
        # The seal first, the text over it: name and date stay legible under the red.
        draw_seal(canvas, centre, centre_y, name=self.issuer, font=self.font, demo=self.demo)
        canvas.saveState()
        canvas.setFont(self.font, BODY_SIZE)
        canvas.setFillColor(colors.black)
        canvas.drawString(centre - name_width / 2, centre_y - 1 * mm, self.issuer)
        canvas.drawString(centre - date_width / 2, centre_y - 9 * mm, self.date)
        canvas.restoreState()


class NoticeLayout:
    """The parts every notice shares (each kind's body: ``documents.Notice``)."""

    def __init__(self, case, kind: str, issued, styles: Styles) -> None:
        self.case = case
        self.kind = kind
        self.issued = issued
        self.s = styles

    @property
    def issuer(self) -> str:
        return issuer_name(self.case)

    def header(self) -> list[Flowable]:
        """版头: the issuing organ's mark (red), the document number, the red rule; then
        the title and the addressee (主送)."""
        case = self.case
        return [
            Paragraph(escaped_text(self.issuer), self.s.issuer),
            Paragraph(escaped_text(self.issued.number), self.s.number),
            HRFlowable(width="100%", thickness=1.2, color=RED, spaceBefore=3 * mm),
            Paragraph(escaped_text(notice_title(case, self.kind)), self.s.title),
            Paragraph(
                escaped_text(_("{name}：").format(name=case.applicant.name)), self.s.addressee
            ),
        ]

    def facts(self, *rows: list[tuple[str, str]]) -> Table:
        """The case's facts in a ruled form: each row holds one fact (the value spans the
        width) or two side by side; values wrap. The case number, applicant and item come
        first."""
        applicant = self.case.applicant
        rows = (
            [(_("办件编号"), self.case.number)],
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
        # 156 mm: the 版心's width; a label column holds at most seven characters.
        widths = [38 * mm, 42 * mm, 34 * mm, 42 * mm]
        table = Table(data, colWidths=widths, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    *spans,
                    ("GRID", (0, 0), (-1, -1), 0.5, GREY),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ("LEFTPADDING", (0, 0), (-1, -1), 5),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        return table

    def submitted(self) -> tuple[str, str]:
        return (_("提交日期"), format_date(self.case.submitted_at))

    def signature(self) -> list[Flowable]:
        return [
            Spacer(1, 4 * mm),
            Signature(
                self.issuer,
                format_date(self.issued.issued_on),
                font=self.s.font,
                demo=settings.ONEWINDOW_DEMO_SEAL,
            ),
        ]

    def remark(self) -> list[Flowable]:
        """附注 (GB/T 9704 7.3.6): the handler and the zone's phone, in brackets, indented
        two characters; on the acceptance notice, how to follow the case online."""
        handler = self.issued.handler
        parts = []
        if handler is not None:
            parts.append(_("经办人：{name}").format(name=handler))
        phone = self.case.department.phone or self.case.zone.phone
        if phone:
            parts.append(_("联系电话：{phone}").format(phone=phone))
        if self.kind == NoticeKind.ACCEPTANCE:
            parts.append(str(QUERY_LINE))
        if not parts:
            return []
        return [Paragraph(escaped_text("（" + "；".join(parts) + "）"), self.s.remark)]

    def record(self) -> list[Flowable]:
        """版记 (GB/T 9704 8): 印发机关 and 印发日期 between a thick and a thin rule."""
        table = Table(
            [
                [
                    Paragraph(escaped_text(self.issuer), self.s.record),
                    Paragraph(
                        escaped_text(
                            _("{date}印发").format(date=format_date(self.issued.issued_on))
                        ),
                        self.s.record_right,
                    ),
                ]
            ],
            colWidths=[96 * mm, 60 * mm],
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("LINEABOVE", (0, 0), (-1, 0), 1, colors.black),
                    ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                    ("LEFTPADDING", (0, 0), (-1, -1), 1 * BODY_SIZE / 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 1 * BODY_SIZE / 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        return [Spacer(1, 10 * mm), table]

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

    def receipt(self) -> list[Flowable]:
        """送达回证: for delivery on paper, the form the recipient signs (民事诉讼法 art. 87
        as administrative practice follows it): the document, the recipient, the place,
        the way, the signatures and dates, the remarks."""
        case = self.case
        title = notice_title(case, self.kind)
        blank = "　"
        ways = "□直接送达　□邮寄送达　□留置送达　□委托送达"
        signed = _("（签名或盖章）　　　　年　　月　　日")
        rows = [
            (_("送达文书"), f"{title}（{self.issued.number}）"),
            (_("受送达人"), case.applicant.name),
            (_("送达地点"), case.applicant.address or blank),
            (_("送达方式"), ways),
            (_("送达人"), signed),
            (_("受送达人签收"), signed),
            (_("代收人及代收理由"), signed),
            (_("备注"), blank),
        ]
        data = [
            [
                Paragraph(escaped_text(label), self.s.cell_label),
                Paragraph(escaped_text(value), self.s.cell),
            ]
            for label, value in rows
        ]
        table = Table(data, colWidths=[40 * mm, 116 * mm], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("ALIGN", (0, 0), (0, -1), "CENTER"),
                    ("TOPPADDING", (0, 0), (-1, -1), 9),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                    # Room to sign: the signature rows and the remarks are taller.
                    ("TOPPADDING", (0, 4), (-1, -1), 18),
                    ("BOTTOMPADDING", (0, 4), (-1, -1), 18),
                ]
            )
        )
        return [
            Paragraph(escaped_text(self.issuer), self.s.number),
            Paragraph(escaped_text(_("送达回证")), self.s.receipt_title),
            table,
            Spacer(1, 4 * mm),
            Paragraph(
                escaped_text(
                    _(
                        "注：受送达人拒绝签收的，送达人应当在备注栏注明拒收事由和日期，"
                        "并由送达人、见证人签名。"
                    )
                ),
                self.s.note,
            ),
        ]


def page_furniture(case, kind: str):
    """Each page's page number (``— 1 —``, 4号, odd pages right and even pages left, one
    character in, 7 mm under the 版心); the first page's QR code of the case number in
    the top right corner, for the window's scanner."""
    number = case.number

    def draw(canvas, doc) -> None:
        canvas.saveState()
        width, _height = doc.pagesize
        left, right = doc.leftMargin, width - doc.rightMargin
        y = doc.bottomMargin - 7 * mm - PAGE_NUMBER_SIZE * 0.8
        label = f"— {doc.page} —"
        canvas.setFont(doc.notice_font, PAGE_NUMBER_SIZE)
        canvas.setFillColor(colors.black)
        if doc.page % 2:
            canvas.drawRightString(right - PAGE_NUMBER_SIZE, y, label)
        else:
            canvas.drawString(left + PAGE_NUMBER_SIZE, y, label)
        canvas.restoreState()

    def first(canvas, doc) -> None:
        draw(canvas, doc)
        if not number:
            return
        canvas.saveState()
        widget = QrCodeWidget(number, barLevel="M", barBorder=1)
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(
            QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
        )
        drawing.add(widget)
        width, height = doc.pagesize
        x = width - doc.rightMargin - QR_SIZE
        y = height - doc.topMargin + 6 * mm
        renderPDF.draw(drawing, canvas, x, y)
        canvas.restoreState()

    return first, draw
