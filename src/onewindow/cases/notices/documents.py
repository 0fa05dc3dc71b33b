"""The body of each kind of notice (补正、受理、不予受理、许可决定) and the PDF built
from it (``render_notice``), in the layout of ``layout`` (GB/T 9704, ADR 0023)."""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from onewindow.cases import deadlines
from onewindow.cases.constants import AcceptanceMode, Decision, MaterialState
from onewindow.cases.models import IssuedNotice
from onewindow.cases.notices.kinds import NOTICE_LANGUAGE, NoticeKind, check_available, notice_title
from onewindow.cases.notices.layout import (
    BOTTOM_MARGIN,
    LEFT_MARGIN,
    RIGHT_MARGIN,
    TOP_MARGIN,
    NoticeLayout,
    Styles,
    escaped_text,
    format_date,
    format_datetime,
    issuer_name,
    page_furniture,
)
from onewindow.cases.selectors.clock import correction_due_on
from onewindow.catalog.wording import REGISTRATION
from onewindow.core.errors import NotFound
from onewindow.core.pdf_fonts import cjk_font, cjk_title_font
from onewindow.org.selectors import calendar_for_zone


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


class Notice(NoticeLayout):
    """Builds the flowables of one notice (in the binding language)."""

    def story(self, *, receipt: bool = False) -> list[Flowable]:
        build = {
            NoticeKind.CORRECTION: self.correction,
            NoticeKind.ACCEPTANCE: self.acceptance,
            NoticeKind.REFUSAL: self.refusal,
            NoticeKind.DECISION: self.decision,
        }[NoticeKind(self.kind)]
        body = build()
        # The signature never stands alone on a page: it keeps the last paragraph with it.
        last = body.pop()
        story = [
            *self.header(),
            *body,
            KeepTogether([last, *self.signature()]),
            *self.remark(),
            *self.record(),
        ]
        if receipt:
            story += [PageBreak(), *self.receipt()]
        return story

    def correction_due(self):
        """The last day to correct: the period after the day of the notice (ADR 0023)."""
        return correction_due_on(self.case) or deadlines.correction_due(
            calendar_for_zone(self.case.zone),
            self.issued.issued_on,
            settings.ONEWINDOW_CORRECTION_PERIOD_DAYS,
        )

    def correction(self) -> list[Flowable]:
        case = self.case
        return [
            self.body(
                self.applied()
                + escaped_text(
                    _(
                        "，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》"
                        "第三十二条第一款第（四）项的规定，现一次性告知你（单位）需要补正的全部内容："
                    )
                )
            ),
            *self.numbered(_correction_line(entry) for entry in case.correction_items),
            Spacer(1, 4),
            self.body(
                escaped_text(
                    _(
                        "请你（单位）自收到本通知书之日起{days}个工作日内（{date}前）按照上述"
                        "要求补正后重新提交。补正的申请材料齐全、符合法定形式的，本机关将依法"
                        "受理。逾期未补正的，视为撤回申请，本机关终止办理；你（单位）可以重新"
                        "提出申请。"
                    ).format(
                        days=settings.ONEWINDOW_CORRECTION_PERIOD_DAYS,
                        date=format_date(self.correction_due()),
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
                + escaped_text(finding)
                + escaped_text(
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
                escaped_text(
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
                    escaped_text(
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
            Paragraph(escaped_text(_("容缺后补材料")), self.s.heading),
            *self.numbered(names),
            Spacer(1, 4),
            self.body(
                escaped_text(
                    _("请于{date}前补齐上述材料。逾期未补齐的，本机关将依照有关规定处理。").format(
                        date=format_date(case.tolerance_due_on)
                    )
                )
            ),
        ]

    def _commitment(self) -> list[Flowable]:
        case = self.case
        commitment = getattr(case, "commitment", None)
        flow: list[Flowable] = [Paragraph(escaped_text(_("告知承诺")), self.s.heading)]
        replaced = [
            row.name
            for row in case.materials.filter(state=MaterialState.COMMITTED).order_by("position")
        ]
        if replaced:
            flow.append(
                self.body(
                    escaped_text(_("以承诺替代的材料：{names}").format(names="、".join(replaced)))
                )
            )
        if commitment is None:
            flow.append(self.body(escaped_text(_("（未找到告知承诺书）"))))
            return flow
        flow += [
            self.body(
                escaped_text(
                    _("承诺人：{name}；签署时间：{at}").format(
                        name=commitment.signed_name, at=format_datetime(commitment.signed_at)
                    )
                )
            ),
            self.body(escaped_text(_("承诺书摘要（SHA-256）："))),
            Paragraph(escape(commitment.text_sha256), self.s.digest),
            Paragraph(escaped_text(commitment.text), self.s.quote),
            self.body(
                escaped_text(
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
                + escaped_text(
                    _("，经审查，不属于本机关受理范围或者不符合受理条件。本机关决定不予受理。")
                )
            ),
            Paragraph(escaped_text(_("不予受理理由")), self.s.heading),
            self.body(escaped_text(case.refusal_reason or "—")),
            Paragraph(escaped_text(_("法律依据")), self.s.heading),
            self.body(escaped_text(case.refusal_legal_basis or "—")),
            Spacer(1, 6),
            self.facts([self.submitted()]),
            Spacer(1, 6),
            self.remedy(),
        ]
        return flow

    def decision(self) -> list[Flowable]:
        case = self.case
        accepted = format_date(case.accepted_on or case.accepted_at)
        intro = self.applied() + escaped_text(_("，本机关已于{date}受理。").format(date=accepted))
        registration = case.decision_wording == REGISTRATION
        dates = (
            [self.submitted(), (_("受理日期"), accepted)],
            [(_("决定日期"), format_date(case.decided_on or case.decided_at))],
        )
        if case.decision == Decision.APPROVED:
            flow: list[Flowable] = [
                self.body(
                    intro
                    + escaped_text(
                        _("经审查，你（单位）的申请材料齐全、符合法定形式，本机关决定准予登记。")
                        if registration
                        else _(
                            "经审查，你（单位）的申请符合法定条件、标准。根据《中华人民共和国"
                            "行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。"
                        )
                    )
                ),
            ]
            if case.decision_reason:
                flow += [
                    Paragraph(escaped_text(_("审查意见")), self.s.heading),
                    self.body(escaped_text(case.decision_reason)),
                ]
            flow += [
                Spacer(1, 6),
                self.facts(*dates),
                Spacer(1, 6),
                self.body(
                    escaped_text(
                        _("本机关将自作出决定之日起十个工作日内向你（单位）颁发、送达证照。")
                        if registration
                        else _(
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
                + escaped_text(
                    _("经审查，你（单位）的申请不符合登记条件，本机关决定不予登记。")
                    if registration
                    else _(
                        "经审查，你（单位）的申请不符合法定条件、标准。根据《中华人民共和国"
                        "行政许可法》第三十八条第二款的规定，本机关决定不予行政许可。"
                    )
                )
            ),
            Paragraph(
                escaped_text(_("不予登记理由") if registration else _("不予许可理由")),
                self.s.heading,
            ),
            self.body(escaped_text(case.decision_reason or "—")),
            Spacer(1, 6),
            self.facts(*dates),
            Spacer(1, 6),
        ]
        if case.remedy_notice:
            flow += [
                Paragraph(escaped_text(_("救济途径")), self.s.heading),
                self.body(escaped_text(case.remedy_notice)),
            ]
        else:
            flow.append(self.remedy())
        return flow


def _local_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    """A datetime's date in the zone's time; a date as it is; None as None."""
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def render_notice(case, kind: str, *, receipt: bool = False) -> bytes:
    """The notice of ``kind`` for ``case`` as PDF bytes (Chinese, the binding text), as
    issued (``services.notices.notice_issue`` gives it its number first); ``receipt``
    adds the 送达回证 page for delivery on paper.

    Raises :class:`NotFound` (``notice_not_available``) when the case has no such notice,
    (``notice_not_issued``) when it has not been issued yet.
    """
    kind = check_available(case, str(kind))
    issued = IssuedNotice.objects.filter(case=case, kind=kind).select_related("handler").first()
    if issued is None:
        raise NotFound(
            _("办件 {number} 的{title}尚未出具").format(
                number=case.number, title=NoticeKind(kind).label
            ),
            code="notice_not_issued",
        )
    font, title_font = cjk_font(), cjk_title_font()
    buffer = io.BytesIO()
    with translation.override(NOTICE_LANGUAGE):
        title = notice_title(case, kind)
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=LEFT_MARGIN,
            rightMargin=RIGHT_MARGIN,
            topMargin=TOP_MARGIN,
            bottomMargin=BOTTOM_MARGIN,
            title=f"{title} {issued.number}",
            author=issuer_name(case),
            subject=f"{case.number} {case.title}",
            creator="OneWindow",
            invariant=1,
        )
        document.notice_font = font
        story = Notice(case, kind, issued, Styles(font, title_font)).story(receipt=receipt)
        first, later = page_furniture(case, kind)
        document.build(story, onFirstPage=first, onLaterPages=later)
    return buffer.getvalue()
