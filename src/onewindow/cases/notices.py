"""Written notices of a case (补正、受理、不予受理、许可决定) as PDF.

The Chinese text is the binding text: every notice is rendered in Chinese whatever the
reader's language, with the TrueType CJK font of Debian's ``fonts-wqy-zenhei`` embedded
(reportlab cannot read the CFF outlines of Noto CJK). Documents are built with
``invariant=1``, so the same case rendered on the same day gives the same bytes.

    kinds = available_notices(case)              # ["correction", "acceptance", ...]
    pdf = render_notice(case, NoticeKind.ACCEPTANCE)
    name = notice_filename(case, NoticeKind.ACCEPTANCE)  # "SFQ-2026-0000123-受理通知书.pdf"
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from xml.sax.saxutils import escape

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from onewindow.cases.constants import AcceptanceMode, CaseStatus, Decision, MaterialState
from onewindow.core.errors import NotFound

# The CJK font lives in core.pdf_fonts (certificates use it too); FONT_NAME and FONT_PATH
# stay importable from here for the demo's sample material.
from onewindow.core.pdf_fonts import FONT_NAME, FONT_PATH, cjk_font  # noqa: F401

#: The language of the binding text.
NOTICE_LANGUAGE = "zh-hans"

QUERY_LINE = gettext_lazy("凭办件编号和查询码可在网上查询办理进度")


class NoticeKind(models.TextChoices):
    CORRECTION = "correction", gettext_lazy("补正材料通知书")
    ACCEPTANCE = "acceptance", gettext_lazy("受理通知书")
    REFUSAL = "refusal", gettext_lazy("不予受理通知书")
    DECISION = "decision", gettext_lazy("行政许可决定书")


# --- which notices a case has -----------------------------------------------------------


def available_notices(case) -> list[str]:
    """The kinds of notice that exist for ``case`` now, in the order they are issued."""
    kinds = []
    if case.correction_items:
        kinds.append(NoticeKind.CORRECTION.value)
    if case.accepted_at is not None:
        kinds.append(NoticeKind.ACCEPTANCE.value)
    if case.status == CaseStatus.NOT_ACCEPTED:
        kinds.append(NoticeKind.REFUSAL.value)
    if case.decision:
        kinds.append(NoticeKind.DECISION.value)
    return kinds


def _check_available(case, kind: str) -> str:
    if kind not in NoticeKind.values:
        raise NotFound(_("没有这种通知书：{kind}").format(kind=kind), code="notice_not_available")
    if kind not in available_notices(case):
        raise NotFound(
            _("办件 {number} 当前没有{title}").format(
                number=case.number or case.pk, title=NoticeKind(kind).label
            ),
            code="notice_not_available",
        )
    return kind


def notice_title(case, kind: str) -> str:
    """The title printed on the notice (in the current language)."""
    if kind == NoticeKind.DECISION:
        if case.decision == Decision.DENIED:
            return _("不予行政许可决定书")
        if case.decision == Decision.APPROVED:
            return _("准予行政许可决定书")
    return str(NoticeKind(kind).label)


def notice_filename(case, kind: str) -> str:
    """``SFQ-2026-0000123-受理通知书.pdf`` (always the Chinese title)."""
    if kind not in NoticeKind.values:
        raise NotFound(_("没有这种通知书：{kind}").format(kind=kind), code="notice_not_available")
    with translation.override(NOTICE_LANGUAGE):
        title = notice_title(case, kind)
    number = case.number or f"case-{case.pk}"
    return f"{number}-{title}.pdf"


# --- formatting helpers -----------------------------------------------------------------


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


def _text(value) -> str:
    """Escape user text for Paragraph markup; keep its line breaks."""
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def _correction_line(entry) -> str:
    """One correction item: a plain string or a dict naming the material and the reason."""
    if not isinstance(entry, dict):
        return str(entry)
    what = next((entry[key] for key in ("material", "name", "title", "item") if entry.get(key)), "")
    why = next(
        (
            entry[key]
            for key in ("reason", "requirement", "detail", "note", "comment", "text")
            if entry.get(key)
        ),
        "",
    )
    if what and why:
        return f"{what}：{why}"
    return str(what or why or "")


# --- styles -----------------------------------------------------------------------------


class _Styles:
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


# --- the notice -------------------------------------------------------------------------


class _Notice:
    """Builds the flowables of one notice (in the binding language)."""

    def __init__(self, case, kind: str, today: dt.date, styles: _Styles) -> None:
        self.case = case
        self.kind = kind
        self.today = today
        self.s = styles

    # Common parts

    def header(self) -> list[Flowable]:
        case = self.case
        return [
            Paragraph(_text(case.zone.name), self.s.issuer),
            HRFlowable(
                width="100%", thickness=1.5, color=colors.HexColor("#C00000"), spaceBefore=4
            ),
            Paragraph(_text(notice_title(case, self.kind)), self.s.title),
            Paragraph(_text(_("（办件编号：{number}）").format(number=case.number)), self.s.number),
            Paragraph(_text(_("{name}：").format(name=case.applicant.name)), self.s.addressee),
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
                    Paragraph(_text(label), self.s.cell_label),
                    Paragraph(_text(value), self.s.cell),
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
            Paragraph(_text(self.case.department.name), self.s.signature),
            Paragraph(_text(_("（盖章）")), self.s.signature),
            Paragraph(_text(format_date(self.today)), self.s.signature),
        ]

    def body(self, text: str) -> Paragraph:
        """A body paragraph of our own text (already escaped where it holds user text)."""
        return Paragraph(text, self.s.body)

    def numbered(self, lines: Iterable[str]) -> list[Flowable]:
        return [
            Paragraph(f"{index}. {_text(line)}", self.s.item)
            for index, line in enumerate(lines, start=1)
        ]

    def remedy(self) -> Paragraph:
        """The remedies (行政复议 60 days, 行政诉讼 6 months) counted from receipt."""
        document = _("本决定书") if self.kind == NoticeKind.DECISION else _("本通知书")
        return self.body(
            _text(
                _(
                    "如不服本决定，可以自收到{document}之日起六十日内依法申请行政复议，"
                    "或者自收到{document}之日起六个月内依法向人民法院提起行政诉讼。"
                ).format(document=document)
            )
        )

    def story(self) -> list[Flowable]:
        build = {
            NoticeKind.CORRECTION: self.correction,
            NoticeKind.ACCEPTANCE: self.acceptance,
            NoticeKind.REFUSAL: self.refusal,
            NoticeKind.DECISION: self.decision,
        }[NoticeKind(self.kind)]
        body = build()
        # The signature never stands alone on a page: it keeps the last paragraph with it.
        last = body.pop()
        return [*self.header(), *body, KeepTogether([last, *self.signature()])]

    def applied(self) -> str:
        """你（单位）于2026年11月20日提交的“…”申请"""
        return _text(
            _("你（单位）于{date}提交的“{title}”申请").format(
                date=format_date(self.case.submitted_at), title=self.case.title
            )
        )

    # The kinds

    def correction(self) -> list[Flowable]:
        case = self.case
        return [
            self.body(
                self.applied()
                + _text(
                    _(
                        "，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》"
                        "第三十二条第一款第（四）项的规定，现一次性告知你（单位）需要补正的全部内容："
                    )
                )
            ),
            *self.numbered(_correction_line(entry) for entry in case.correction_items),
            Spacer(1, 4),
            self.body(
                _text(
                    _(
                        "请你（单位）按照上述要求补正后重新提交。补正的申请材料齐全、"
                        "符合法定形式的，本机关将依法受理。"
                    )
                )
            ),
            Spacer(1, 6),
            self.facts(
                [self.submitted(), (_("补正告知日期"), format_date(case.correction_requested_at))]
            ),
        ]

    def acceptance(self) -> list[Flowable]:
        case = self.case
        mode = case.acceptance_mode
        if mode == AcceptanceMode.TOLERATED:
            finding = _("，主要申请材料齐全、符合法定形式，部分次要材料可容缺后补")
        elif mode == AcceptanceMode.COMMITMENT:
            finding = _("，你（单位）已书面承诺符合法定条件，部分材料以告知承诺替代")
        else:
            finding = _("，申请材料齐全、符合法定形式")
        deadline = format_date(case.deadline)
        if case.deadline and case.deadline_provisional:
            deadline += _("（暂定）")
        flow: list[Flowable] = [
            self.body(
                self.applied()
                + _text(finding)
                + _text(
                    _("。根据《中华人民共和国行政许可法》第三十二条的规定，本机关决定予以受理。")
                )
            ),
            Spacer(1, 6),
            self.facts(
                [
                    self.submitted(),
                    (_("受理日期"), format_date(case.accepted_on or case.accepted_at)),
                ],
                [
                    (_("受理方式"), case.get_acceptance_mode_display() or "—"),
                    (_("查询码"), case.query_code or "—"),
                ],
                [
                    (_("承诺办结时限"), self._days(case.limit_days)),
                    (_("法定办结时限"), self._days(case.legal_limit_days)),
                ],
                [(_("办结期限"), deadline)],
            ),
        ]
        if mode == AcceptanceMode.TOLERATED:
            flow += self._tolerated()
        if mode == AcceptanceMode.COMMITMENT:
            flow += self._commitment()
        flow.append(
            Paragraph(
                _text(
                    _(
                        "注：办理时限以工作日计算，受理当日不计入。依法需要听证、招标、拍卖、检验、"
                        "检测、检疫、鉴定和专家评审的，所需时间不计算在办理时限内，届时将书面告知。"
                    )
                ),
                self.s.note,
            )
        )
        if case.deadline and case.deadline_provisional:
            flow.append(
                Paragraph(
                    _text(
                        _(
                            "办结期限所在年度的法定节假日安排尚未公布，上述办结期限为暂定；"
                            "安排公布后将重新计算并告知。"
                        )
                    ),
                    self.s.note,
                )
            )
        return flow

    @staticmethod
    def _days(days: int | None) -> str:
        if days is None:
            return "—"
        return _("{days}个工作日").format(days=days)

    def _tolerated(self) -> list[Flowable]:
        case = self.case
        names = [
            row.name
            for row in case.materials.filter(state=MaterialState.TOLERATED).order_by("position")
        ]
        return [
            Paragraph(_text(_("容缺后补材料")), self.s.heading),
            *self.numbered(names),
            Spacer(1, 4),
            self.body(
                _text(
                    _("请于{date}前补齐上述材料。逾期未补齐的，本机关将依照有关规定处理。").format(
                        date=format_date(case.tolerance_due_on)
                    )
                )
            ),
        ]

    def _commitment(self) -> list[Flowable]:
        case = self.case
        commitment = getattr(case, "commitment", None)
        flow: list[Flowable] = [Paragraph(_text(_("告知承诺")), self.s.heading)]
        replaced = [
            row.name
            for row in case.materials.filter(state=MaterialState.COMMITTED).order_by("position")
        ]
        if replaced:
            flow.append(
                self.body(_text(_("以承诺替代的材料：{names}").format(names="、".join(replaced))))
            )
        if commitment is None:
            flow.append(self.body(_text(_("（未找到告知承诺书）"))))
            return flow
        flow += [
            self.body(
                _text(
                    _("承诺人：{name}；签署时间：{at}").format(
                        name=commitment.signed_name, at=format_datetime(commitment.signed_at)
                    )
                )
            ),
            self.body(_text(_("承诺书摘要（SHA-256）："))),
            Paragraph(escape(commitment.text_sha256), self.s.digest),
            Paragraph(_text(commitment.text), self.s.quote),
            self.body(
                _text(
                    _("本机关将对承诺内容依法核查；承诺不实的，将依法撤销行政许可并记入信用记录。")
                )
            ),
        ]
        return flow

    def refusal(self) -> list[Flowable]:
        case = self.case
        flow: list[Flowable] = [
            self.body(
                self.applied()
                + _text(_("，经审查，不属于本机关受理范围或者不符合受理条件。本机关决定不予受理。"))
            ),
            Paragraph(_text(_("不予受理理由")), self.s.heading),
            self.body(_text(case.refusal_reason or "—")),
            Paragraph(_text(_("法律依据")), self.s.heading),
            self.body(_text(case.refusal_legal_basis or "—")),
            Spacer(1, 6),
            self.facts([self.submitted()]),
            Spacer(1, 6),
            self.remedy(),
        ]
        return flow

    def decision(self) -> list[Flowable]:
        case = self.case
        accepted = format_date(case.accepted_on or case.accepted_at)
        intro = self.applied() + _text(_("，本机关已于{date}受理。").format(date=accepted))
        dates = (
            [self.submitted(), (_("受理日期"), accepted)],
            [(_("决定日期"), format_date(case.decided_on or case.decided_at))],
        )
        if case.decision == Decision.APPROVED:
            flow: list[Flowable] = [
                self.body(
                    intro
                    + _text(
                        _(
                            "经审查，你（单位）的申请符合法定条件、标准。根据《中华人民共和国"
                            "行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。"
                        )
                    )
                ),
            ]
            if case.decision_reason:
                flow += [
                    Paragraph(_text(_("审查意见")), self.s.heading),
                    self.body(_text(case.decision_reason)),
                ]
            flow += [
                Spacer(1, 6),
                self.facts(*dates),
                Spacer(1, 6),
                self.body(
                    _text(
                        _(
                            "本机关将自作出决定之日起十个工作日内向你（单位）颁发、"
                            "送达行政许可证件。"
                        )
                    )
                ),
            ]
            return flow
        flow = [
            self.body(
                intro
                + _text(
                    _(
                        "经审查，你（单位）的申请不符合法定条件、标准。根据《中华人民共和国"
                        "行政许可法》第三十八条第二款的规定，本机关决定不予行政许可。"
                    )
                )
            ),
            Paragraph(_text(_("不予许可理由")), self.s.heading),
            self.body(_text(case.decision_reason or "—")),
            Spacer(1, 6),
            self.facts(*dates),
            Spacer(1, 6),
        ]
        if case.remedy_notice:
            flow += [
                Paragraph(_text(_("救济途径")), self.s.heading),
                self.body(_text(case.remedy_notice)),
            ]
        else:
            flow.append(self.remedy())
        return flow


def _footer(case, kind: str, today: dt.date, font: str):
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


def render_notice(case, kind: str) -> bytes:
    """The notice of ``kind`` for ``case`` as PDF bytes (Chinese, the binding text).

    Raises :class:`NotFound` (``notice_not_available``) when the case has no such notice.
    """
    kind = _check_available(case, str(kind))
    font = cjk_font()
    today = timezone.localdate()
    buffer = io.BytesIO()
    with translation.override(NOTICE_LANGUAGE):
        title = notice_title(case, kind)
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=26 * mm,
            rightMargin=26 * mm,
            topMargin=20 * mm,
            bottomMargin=30 * mm,
            title=f"{case.number} {title}",
            author=case.department.name,
            subject=case.title,
            creator="OneWindow",
            invariant=1,
        )
        story = _Notice(case, kind, today, _Styles(font)).story()
        footer = _footer(case, kind, today, font)
        document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
