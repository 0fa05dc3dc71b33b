"""Forms of the dashboard pages: input parsing only (the period rule is the selectors')."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed
from onewindow.core.forms import add_service_error
from onewindow.insights.selectors import FIGURES, check_period

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DATE_WIDGET,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD")},
    )


class PeriodForm(forms.Form):
    """A period (both dates optional: the page's default fills them)."""

    # ``from`` is a Python keyword: the fields are named for the query string.
    field_order = ["from", "to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = _date_field(_("开始日期"))
        self.fields["to"] = _date_field(_("结束日期"))
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        day_from, day_to = data.get("from"), data.get("to")
        if day_from and day_to:
            try:
                check_period(day_from, day_to)
            except ValidationFailed as error:
                add_service_error(self, error)
        return data


class DashboardForm(PeriodForm):
    """Period, lead department and item of the dashboard (and of its drill-down)."""

    field_order = ["from", "to", "department", "item"]

    def __init__(self, *args, departments, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"] = forms.ModelChoiceField(
            label=_("牵头部门"),
            required=False,
            queryset=departments,
            empty_label=_("全部部门"),
            error_messages={"invalid_choice": _("请从列表中选择部门")},
        )
        self.fields["item"] = forms.TypedChoiceField(
            label=_("事项"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("全部事项")), *items],
            error_messages={"invalid_choice": _("请从列表中选择事项")},
        )
        self.order_fields(self.field_order)


class DrillForm(DashboardForm):
    field_order = ["figure", "from", "to", "department", "item"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["figure"] = forms.ChoiceField(
            label=_("指标"),
            choices=[(name, name) for name in FIGURES],
            error_messages={
                "required": _("请指定指标"),
                "invalid_choice": _("未知的统计指标"),
            },
        )
        self.order_fields(self.field_order)
