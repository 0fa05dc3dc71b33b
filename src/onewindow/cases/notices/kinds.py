"""Which written notices a case has now, their titles and file names."""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases.constants import CaseStatus, Decision
from onewindow.catalog.wording import REGISTRATION
from onewindow.core.errors import NotFound

#: The language of the binding text.
NOTICE_LANGUAGE = "zh-hans"


class NoticeKind(models.TextChoices):
    CORRECTION = "correction", gettext_lazy("补正材料通知书")
    ACCEPTANCE = "acceptance", gettext_lazy("受理通知书")
    REFUSAL = "refusal", gettext_lazy("不予受理通知书")
    DECISION = "decision", gettext_lazy("行政许可决定书")


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


def check_available(case, kind: str) -> str:
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
        registration = case.decision_wording == REGISTRATION
        if case.decision == Decision.DENIED:
            return _("不予登记通知书") if registration else _("不予行政许可决定书")
        if case.decision == Decision.APPROVED:
            return _("准予登记通知书") if registration else _("准予行政许可决定书")
    return str(NoticeKind(kind).label)


def notice_filename(case, kind: str, *, receipt: bool = False) -> str:
    """``SFQ-2026-0000123-受理通知书.pdf`` (always the Chinese title);
    ``…-受理通知书-送达回证.pdf`` with the 送达回证."""
    if kind not in NoticeKind.values:
        raise NotFound(_("没有这种通知书：{kind}").format(kind=kind), code="notice_not_available")
    with translation.override(NOTICE_LANGUAGE):
        title = notice_title(case, kind)
        suffix = "-" + _("送达回证") if receipt else ""
    number = case.number or f"case-{case.pk}"
    return f"{number}-{title}{suffix}.pdf"
