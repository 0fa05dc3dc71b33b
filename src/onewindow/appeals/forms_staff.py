"""The staff forms of handling (the order page's actions). Forms only parse: the services
decide and name the field of each refusal, which ``core.forms.add_service_error`` puts
next to the field of the same name. (Staff forms of handling; other parts keep their
forms in ``forms.py`` and ``forms_applicant.py``.)"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.appeals.constants import MAX_EXTENSION_DAYS, MAX_TEXT_LENGTH
from onewindow.org.models import Department

DECISIONS = [("approve", _("同意")), ("refuse", _("不同意"))]


def _text(label, *, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,  # the service names what is missing, with the API's words
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": MAX_TEXT_LENGTH}),
    )


def _department_choices(zone_id: int, *, blank: str | None) -> list[tuple[str, str]]:
    departments = Department.objects.filter(zone_id=zone_id, is_active=True).order_by(
        "sort_order", "code"
    )
    choices = [(department.code, department.name) for department in departments]
    return [("", blank), *choices] if blank is not None else choices


class DispatchForm(forms.Form):
    """派单 / 改派: by the catalogue (no department chosen) or by hand."""

    lead = forms.CharField(
        label=_("主办部门"),
        required=False,
        widget=forms.Select,
        help_text=_("不选则按派单目录派给该分类的主办和协办部门。"),
    )
    co = forms.MultipleChoiceField(
        label=_("协办部门"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, zone_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].widget.choices = _department_choices(zone_id, blank=_("按派单目录"))
        self.fields["co"].choices = _department_choices(zone_id, blank=None)


class DesignateForm(forms.Form):
    """指定承办: the department that keeps the order (the one that asked, unless chosen)."""

    department = forms.CharField(label=_("承办部门"), required=False, widget=forms.Select)
    reason = _text(_("指定理由"), rows=3)

    def __init__(self, *args, zone_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].widget.choices = _department_choices(
            zone_id, blank=_("申请退回的部门")
        )


class ReturnForm(forms.Form):
    reason = _text(_("退回理由"), help_text=_("请写明不属于本部门职责的依据和建议承办的部门。"))


class ExtendForm(forms.Form):
    # Text, not a number field: the service names a bad number with the API's words.
    days = forms.CharField(
        label=_("延期工作日"),
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "size": 4, "maxlength": len(str(MAX_EXTENSION_DAYS))}
        ),
    )
    reason = _text(_("延期理由"))


class DecisionForm(forms.Form):
    """同意 / 不同意, with a reason (required when refusing: the service says so)."""

    decision = forms.ChoiceField(
        label=_("审批结果"), choices=DECISIONS, widget=forms.RadioSelect, initial="approve"
    )
    reason = _text(_("审批意见"), rows=3)

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class ReplyForm(forms.Form):
    reply = _text(_("答复内容"), rows=6, help_text=_("答复经中心审核后发给诉求人。"))


class PartForm(forms.Form):
    text = _text(_("协办意见"))
