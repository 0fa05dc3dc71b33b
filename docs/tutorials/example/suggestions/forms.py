"""Forms of the suggestions pages: input parsing only. The rules (required, lengths,
folding, who may) are the services'; a refusal is put next to the field it names, which is
why the fields carry the services' names (``zone``, ``subject``, ``content``, ``answer``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Zone
from suggestions.constants import MAX_SUBJECT_LENGTH, MAX_TEXT_LENGTH, SuggestionStatus


class SuggestionForm(forms.Form):
    # A plain text field with a list to choose from: the service decides what is a zone.
    zone = forms.CharField(label=_("开发区"), required=False, widget=forms.Select)
    subject = forms.CharField(
        label=_("标题"),
        required=False,  # the service names what is missing, with the same words as the API
        widget=forms.TextInput(attrs={"maxlength": MAX_SUBJECT_LENGTH}),
    )
    content = forms.CharField(
        label=_("内容"),
        required=False,
        help_text=_("请写明窗口、时间和您遇到的情况。"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_TEXT_LENGTH}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        zones = Zone.objects.order_by("code").values_list("code", "name")
        self.fields["zone"].widget.choices = [("", _("请选择")), *zones]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_TEXT_LENGTH}),
    )


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *SuggestionStatus.choices]
    )
