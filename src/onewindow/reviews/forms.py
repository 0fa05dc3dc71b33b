"""Forms of the reviews pages: input parsing only.

The rules (who may rate, the window, lengths that matter) live in ``services``; a refusal
from a service is put next to the field it names (``level``, ``comment``,
``verified_facts`` …), which is why the fields carry the services' names.
"""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from onewindow.reviews.constants import MAX_COMMENT_LENGTH, MAX_TEXT_LENGTH
from onewindow.reviews.models import Level, RectificationStatus, ReturnVisitOutcome


def _labelled(label, message):
    return format_lazy("{label}：{message}", label=label, message=message)


def _text(label, *, required: bool, max_length: int = MAX_TEXT_LENGTH, rows: int = 4):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": _labelled(label, _("请填写")),
            "max_length": _labelled(label, _("不能超过 %(limit_value)d 个字")),
        },
    )


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("您对本次服务的评价"),
        choices=Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("评价等级：请选择一项"),
            "invalid_choice": _("评价等级：请从五个等级中选择一项"),
        },
    )
    comment = forms.CharField(
        label=_("意见或建议（选填）"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_COMMENT_LENGTH}),
        error_messages={
            "max_length": _labelled(_("意见或建议"), _("不能超过 %(limit_value)d 个字")),
        },
    )


class RectifyForm(forms.Form):
    verified_facts = _text(_("核实情况"), required=True)
    measures = _text(_("整改措施"), required=True)


class ReturnVisitForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("回访结果"),
        choices=ReturnVisitOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("回访结果：请选择一项"),
            "invalid_choice": _("回访结果：请从列表中选择"),
        },
    )
    note = _text(_("回访记录"), required=False, rows=3)
    note.help_text = _("无法联系或申请人仍不满意时必填：写明联系经过或申请人的意见")


class CloseWithoutVisitForm(forms.Form):
    reason = _text(_("未回访理由"), required=True, rows=3)


STATUS_FILTERS = [
    ("", _("待整改和待回访")),
    (RectificationStatus.OPEN, RectificationStatus.OPEN.label),
    (RectificationStatus.RECTIFIED, RectificationStatus.RECTIFIED.label),
    (RectificationStatus.CLOSED, RectificationStatus.CLOSED.label),
    ("all", _("全部")),
]


class RectificationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=STATUS_FILTERS,
        error_messages={"invalid_choice": _("状态：请从列表中选择")},
    )
    overdue = forms.BooleanField(label=_("只看已逾期"), required=False)


class SupervisionFilterForm(RectificationFilterForm):
    department = forms.ModelChoiceField(
        label=_("部门"),
        required=False,
        queryset=None,
        empty_label=_("全部部门"),
        error_messages={"invalid_choice": _("部门：请从列表中选择")},
    )

    field_order = ["department", "status", "overdue"]

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
