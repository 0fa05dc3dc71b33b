"""The certificate as a PDF: a page a person recognises, with the signed data inside.

The page shows the type name as its title, the holder, the certified facts, the issuer and
the dates, the status, the identifier and a QR code to the public verification page
(``verification_url``), and, addressed to the holder, how to have it checked: scan the
code or open the address, and show the PDF file itself rather than a screenshot. The
offline envelope (``offline.envelope_for``) is embedded as the file attachment
``certificate.json`` for technical verifiers (docs/certificates.md: ``onewindow
verify-cert FILE``, or any Ed25519 implementation, with the zone's public key); the page
itself never talks about tools. What the page shows is read from the signed payload, so it
says what the signature covers, value for value; only the revocation note, once there is
one, comes from the record. The issuing organ's seal image (``core.pdf_seal``, 演示专用章
on demo instances) presses the issuer and the dates.

Text is Chinese whatever the reader's language (what is certified is the binding text),
in the embedded TrueType CJK font (``core.pdf_fonts``). reportlab renders with
``invariant=1`` and the attachment carries no dates, so the same certificate gives the same
bytes.

    data = render_certificate_pdf(certificate)
    url = verification_url(certificate)   # what the QR code encodes
"""

from __future__ import annotations

import io
import json
from datetime import date
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from onewindow.certificates.facts import DATE_KEYS, HOLDER_KEYS, LONG_TERM
from onewindow.certificates.models import Certificate, CertificateStatus, HolderKind
from onewindow.certificates.offline import ATTACHMENT_NAME, envelope_bytes
from onewindow.certificates.services import masked_payload
from onewindow.core.links import public_url
from onewindow.core.pdf_fonts import cjk_font
from onewindow.core.pdf_seal import SEAL_DIAMETER, draw_seal

RED = colors.HexColor("#8E1B1B")
GREY = colors.HexColor("#444444")
RULE = colors.HexColor("#777777")
PALE = colors.HexColor("#F4EFE6")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 24 * mm
#: The lower band of the first page: QR code and the ways to verify.
BAND_HEIGHT = 52 * mm
QR_SIZE = 36 * mm

HOLDER_LABELS = {
    HolderKind.ENTERPRISE: "统一社会信用代码",
    HolderKind.PERSON: "居民身份证号码",
    HolderKind.FOREIGNER: "护照号码",
}


def verification_url(certificate: Certificate) -> str:
    """The public verification page of ``certificate`` with its 查验码 (what its QR code
    encodes)."""
    return public_url(certificate.verification_path())


def format_date(value: date | None) -> str:
    if value is None:
        return LONG_TERM
    return f"{value.year}年{value.month}月{value.day}日"


def _date(text: str | None) -> str:
    return format_date(date.fromisoformat(text) if text else None)


def _text(value) -> str:
    """Escape text for Paragraph markup; keep its line breaks."""
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")


class _Styles:
    def __init__(self, font: str) -> None:
        base = {"fontName": font, "wordWrap": "CJK", "textColor": colors.black}
        self.kicker = ParagraphStyle(
            "kicker", fontSize=10.5, leading=15, alignment=TA_CENTER, textColor=RED,
            fontName=font, wordWrap="CJK",
        )  # fmt: skip
        self.identifier = ParagraphStyle(
            "identifier", fontSize=9, leading=13, alignment=TA_CENTER, textColor=GREY,
            fontName=font, wordWrap="CJK", spaceAfter=6,
        )  # fmt: skip
        self.label = ParagraphStyle("label", fontSize=10.5, leading=15, **base)
        self.value = ParagraphStyle("value", fontSize=11, leading=16, **base)
        self.holder = ParagraphStyle("holder", fontSize=13, leading=19, **base)
        self.issuer = ParagraphStyle(
            "issuer", fontSize=11.5, leading=19, alignment=TA_RIGHT, **base
        )
        self.status = ParagraphStyle(
            "status", fontSize=10.5, leading=16, spaceBefore=8, fontName=font,
            wordWrap="CJK", textColor=GREY,
        )  # fmt: skip
        self.revoked = ParagraphStyle(
            "revoked", fontSize=12, leading=18, spaceBefore=8, fontName=font,
            wordWrap="CJK", textColor=RED, borderColor=RED, borderWidth=1, borderPadding=6,
        )  # fmt: skip
        self.band = ParagraphStyle(
            "band", fontSize=9, leading=13.5, fontName=font, wordWrap="CJK", textColor=GREY
        )


def _ruled_table(rows: list[list], widths: list[float], label_columns=(0,)) -> Table:
    table = Table(rows, colWidths=widths, hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                *[("BACKGROUND", (col, 0), (col, -1), PALE) for col in label_columns],
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _holder_number(holder: dict) -> str:
    """The holder's number as printed: a passport as ``C01X00T47（DE）``."""
    if holder["kind"] == HolderKind.FOREIGNER and ":" in holder["id"]:
        nationality, passport = holder["id"].split(":", 1)
        return f"{passport}（{nationality}）"
    return holder["id"]


def _table_facts(payload: dict) -> list[dict]:
    """The facts for the table: all but those printed elsewhere on the page with the same
    value (the holder's name and number above it, the dates below it)."""
    holder = payload["holder"]
    shown = {holder["name"], holder["id"], holder["id"].split(":")[-1]}
    return [
        fact
        for fact in payload["facts"]
        if not (fact["key"] in HOLDER_KEYS and fact["value"] in shown)
        and fact["key"] not in DATE_KEYS
    ]


def _seal_name(zone: str, issuer: str) -> str:
    """The organ named on the seal: the issuer under the zone's name unless it already
    starts with it."""
    return issuer if issuer.startswith(zone) else f"{zone}{issuer}"


class _IssuerBlock(Flowable):
    """The issuer and the dates, right-aligned, with the seal image centred on them."""

    SIZE = 11.5
    LEADING = 19

    def __init__(self, lines: list[str], *, seal: str, font: str) -> None:
        super().__init__()
        self.lines, self.seal, self.font = lines, seal, font
        self.height = SEAL_DIAMETER + 2 * mm

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        return availWidth, self.height

    def draw(self) -> None:
        canvas = self.canv
        widths = [canvas.stringWidth(line, self.font, self.SIZE) for line in self.lines]
        left = self.width - max(widths)
        # The seal first, the text over it: the dates stay legible under the red.
        draw_seal(
            canvas,
            left + max(widths) / 2,
            self.height / 2,
            name=self.seal,
            font=self.font,
            demo=settings.ONEWINDOW_DEMO_SEAL,
        )
        top = self.height / 2 + self.LEADING + 3 * mm
        canvas.saveState()
        canvas.setFont(self.font, self.SIZE)
        canvas.setFillColor(colors.black)
        for index, line in enumerate(self.lines):
            canvas.drawRightString(self.width, top - index * self.LEADING, line)
        canvas.restoreState()


def _story(certificate: Certificate, payload: dict, styles: _Styles, *, masked: bool) -> list:
    width = PAGE_WIDTH - 2 * MARGIN
    holder = payload["holder"]
    story: list = [
        Paragraph(_text("电子证照（工作人员副本）" if masked else "电子证照"), styles.kicker),
        Paragraph(
            _text(f"证照标识：{payload['id']}　查验码：{certificate.verification_code}"),
            styles.identifier,
        ),
        Spacer(1, 2 * mm),
        _ruled_table(
            [
                [
                    Paragraph(_text("持证主体"), styles.label),
                    Paragraph(_text(holder["name"]), styles.holder),
                ],
                [
                    Paragraph(_text(HOLDER_LABELS.get(holder["kind"], "证件号码")), styles.label),
                    Paragraph(_text(_holder_number(holder)), styles.value),
                ],
            ],
            [38 * mm, width - 38 * mm],
        ),
        Spacer(1, 4 * mm),
        _ruled_table(
            [
                [
                    Paragraph(_text(fact["label"]), styles.label),
                    Paragraph(_text(fact["value"]), styles.value),
                ]
                for fact in _table_facts(payload)
            ]
            or [[Paragraph(_text("证照信息"), styles.label), Paragraph("—", styles.value)]],
            [38 * mm, width - 38 * mm],
        ),
        Spacer(1, 7 * mm),
        _IssuerBlock(
            [
                f"发证机关：{payload['issuer']['name']}",
                f"发证日期：{_date(payload['issued_on'])}",
                f"有效期至：{_date(payload['valid_until'])}",
            ],
            seal=_seal_name(certificate.zone.name, payload["issuer"]["name"]),
            font=styles.issuer.fontName,
        ),
    ]
    if certificate.status == CertificateStatus.REVOKED:
        revoked_on = format_date(timezone.localdate(certificate.revoked_at))
        story.append(
            Paragraph(
                _text(f"【已注销】本证照已于{revoked_on}注销，不再有效。"),
                styles.revoked,
            )
        )
    else:
        story.append(
            Paragraph(
                _text(
                    "状态说明：本证照为发证机关以电子签名签发的电子证照，与纸质证照具有同等效力。"
                    "证照是否有效（未注销、未过期）以扫码或在线查验的结果为准。"
                ),
                styles.status,
            )
        )
    return story


def _draw_title(canvas, font: str, title: str) -> None:
    size = 26 if len(title) <= 10 else 20
    spacing = 6 if len(title) <= 8 else 2
    width = stringWidth(title, font, size) + spacing * (len(title) - 1)
    canvas.saveState()  # the character spacing belongs to the title only
    text = canvas.beginText()
    text.setFont(font, size)
    text.setCharSpace(spacing)
    text.setFillColor(RED)
    text.setTextOrigin((PAGE_WIDTH - width) / 2, PAGE_HEIGHT - MARGIN - 14 * mm)
    text.textOut(title)
    canvas.drawText(text)
    canvas.restoreState()


def _draw_border(canvas) -> None:
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(2.2)
    canvas.rect(10 * mm, 10 * mm, PAGE_WIDTH - 20 * mm, PAGE_HEIGHT - 20 * mm)
    canvas.setLineWidth(0.6)
    canvas.rect(12.5 * mm, 12.5 * mm, PAGE_WIDTH - 25 * mm, PAGE_HEIGHT - 25 * mm)


def _draw_band(
    canvas, certificate: Certificate, payload: dict, styles: _Styles, *, masked: bool
) -> None:
    """QR code on the left; how to verify on the right; the key id under them."""
    url = verification_url(certificate)
    bottom = MARGIN - 4 * mm
    widget = QrCodeWidget(url, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, MARGIN, bottom + 8 * mm)
    canvas.setFont(styles.band.fontName, 8.5)
    canvas.setFillColor(GREY)
    canvas.drawCentredString(MARGIN + QR_SIZE / 2, bottom + 4 * mm, "扫码查验")

    text_left = MARGIN + QR_SIZE + 6 * mm
    text_width = PAGE_WIDTH - MARGIN - text_left
    lines = [
        "如何查验本证照：",
        "1. 用手机扫描左侧二维码，即可查看本证照是否有效（未注销、未过期）及所证明的事项；",
        f"2. 也可在浏览器中打开 {url}（查验码 {certificate.verification_code}）；",
        (
            "3. 本文件为工作人员副本，持证主体的证件号码已隐去部分；"
            "证照原件由持证主体在“我的证照”中下载。"
            if masked
            else "3. 本证照由发证机关电子签名。需要向他人出示时，请提供本PDF文件本身，"
            "不要只提供截图或复印件：对方扫码或打开上述网址即可核对，"
            "文件经过改动的，签名将无法通过核验。"
        ),
    ]
    paragraph = Paragraph("<br/>".join(_text(line) for line in lines), styles.band)
    _w, height = paragraph.wrap(text_width, BAND_HEIGHT)
    paragraph.drawOn(canvas, text_left, bottom + 8 * mm + QR_SIZE - height)


def _pages(certificate: Certificate, payload: dict, styles: _Styles, font: str, *, masked: bool):
    title = payload["type"]["name"]

    def first(canvas, doc) -> None:
        canvas.saveState()
        _draw_border(canvas)
        _draw_title(canvas, font, title)
        _draw_band(canvas, certificate, payload, styles, masked=masked)
        canvas.restoreState()

    def later(canvas, doc) -> None:
        canvas.saveState()
        _draw_border(canvas)
        canvas.setFont(font, 9)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, MARGIN - 6 * mm, f"{title}（续）  证照标识：{payload['id']}")
        canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 6 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    return first, later


def _render_page(certificate: Certificate, payload: dict, *, masked: bool = False) -> bytes:
    font = cjk_font()
    styles = _Styles(font)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 22 * mm,  # the title is drawn above the frame
        bottomMargin=MARGIN + BAND_HEIGHT,  # the QR band is drawn below it (page 1)
        title=payload["type"]["name"],
        author=payload["issuer"]["name"],
        subject=payload["id"],
        creator="OneWindow",
        invariant=1,
    )
    first, later = _pages(certificate, payload, styles, font, masked=masked)
    document.build(
        _story(certificate, payload, styles, masked=masked), onFirstPage=first, onLaterPages=later
    )
    return buffer.getvalue()


def render_certificate_pdf(certificate: Certificate, *, masked: bool = False) -> bytes:
    """The certificate's PDF: the page, with the offline envelope attached as
    ``certificate.json``. Same certificate (and status), same bytes.

    ``masked=True`` is the staff copy for a role that may not see the holder's personal
    number (ADR 0015): the page shows it masked, and the file carries no envelope (the
    signed payload holds the full number); it says that the signed file is the holder's
    and is checked online through its QR code."""
    payload = masked_payload(certificate) if masked else json.loads(certificate.payload)
    page = _render_page(certificate, payload, masked=masked)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(page)))
    if not masked:
        attachment = writer.add_attachment(ATTACHMENT_NAME, envelope_bytes(certificate))
        attachment.subtype = NameObject("/application#2Fjson")
        attachment.description = TextStringObject(
            "电子证照签名数据（Ed25519，onewindow-certificate-envelope/1）"
        )
    writer.add_metadata(
        {
            "/Title": TextStringObject(payload["type"]["name"]),
            "/Subject": TextStringObject(payload["id"]),
            "/Author": TextStringObject(payload["issuer"]["name"]),
            "/Creator": TextStringObject("OneWindow"),
        }
    )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
