"""Forms of follow-up and 督办 (回访, 申请重办, 办结, 合并, 督办, 督办反馈, 销号), for the
centre and 电子监察 as well as for the requester: this module belongs to the follow-up
part of the app (``forms.py``, ``forms_staff.py`` and ``forms_account.py`` belong to the
others; the name is one the layer contract knows).

Input parsing only: the services decide what is required, how long, and who may; every
field is optional here so the service names what is missing with the same words as the
API, and each field carries the service's name so its refusal lands next to it.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.appeals.constants import (
    MAX_SUPERVISION_DAYS,
    MAX_TEXT_LENGTH,
    Satisfaction,
    SupervisionLevel,
)

DAY_CHOICES = range(1, MAX_SUPERVISION_DAYS + 1)


def _text(label, *, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        strip=False,  # the service folds and trims
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": MAX_TEXT_LENGTH}),
    )


def _resolved(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class VisitForm(forms.Form):
    """回访 (the centre) or the requester's own verdict."""

    satisfaction = forms.ChoiceField(
        label=_("满意度"),
        required=False,
        choices=[("", _("请选择")), *Satisfaction.choices],
    )
    resolved = forms.TypedChoiceField(
        label=_("问题是否已解决"),
        required=False,
        choices=[("", _("请选择")), ("yes", _("已解决")), ("no", _("未解决"))],
        coerce=_resolved,
        empty_value=None,
    )
    note = _text(_("回访记录"), help_text=_("不满意或未解决时，请写明原因。"))


class ReopenForm(forms.Form):
    reason = _text(_("重办理由"), help_text=_("请说明答复后仍存在的问题。"))


class CloseForm(forms.Form):
    reason = _text(_("办结理由"), rows=2, help_text=_("例如：多次回访无法联系诉求人。"))


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("合并到工单"),
        required=False,
        max_length=40,
        help_text=_("填写本开发区另一张办理中工单的编号，如 SFQ-SQ2026-000001。"),
    )


class SuperviseForm(forms.Form):
    level = forms.ChoiceField(
        label=_("督办级别"),
        required=False,
        choices=[("", _("请选择")), *SupervisionLevel.choices],
    )
    days = forms.TypedChoiceField(
        label=_("反馈时限（工作日）"),
        required=False,
        choices=[("", _("请选择")), *[(str(n), str(n)) for n in DAY_CHOICES]],
        coerce=int,
        empty_value=None,
    )
    note = _text(_("督办意见"), rows=2)


class SupervisionAnswerForm(forms.Form):
    response = _text(_("反馈"), help_text=_("请写明已采取的措施和办理进展。"))


class SupervisionCloseForm(forms.Form):
    note = _text(_("销号意见"), rows=2)
