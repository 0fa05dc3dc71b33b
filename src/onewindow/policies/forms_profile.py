"""The form of the enterprise profile pages: one text field per fact that may be given
(the derived size class is shown, never typed), the data day and, for staff, the source.

Fields hold text as people type it; the service validates by the fact's kind (the same
rules as the API and the import), and its errors are put next to the field of the fact.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.policies.facts import FACTS, FactKind
from onewindow.policies.models import FactSource
from onewindow.policies.services.profile import STAFF_SOURCES

HELP = {
    FactKind.MONEY: _("单位：万元，如 1500 或 1,500.5"),
    FactKind.RATIO: _("如 4.6% 或 0.046"),
    FactKind.DATE: _("如 2024-03-01"),
    FactKind.INDUSTRY: _("GB/T 4754-2017 代码，如 C3919"),
    FactKind.BOOLEAN: _("填“是”或“否”"),
    FactKind.QUALIFICATIONS: _(
        "每项一行：资质|证书编号|有效期起|有效期止，"
        "如 高新技术企业|GR202344000123|2023-11-06|2026-11-05"
    ),
    FactKind.TAGS: _("以顿号或逗号分隔"),
}

#: The facts the form asks for (the size class is derived).
GIVEN_FACTS = tuple(fact for fact in FACTS if not fact.derived)


def form_text(fact, stored: Any) -> str:
    """The stored value as the form shows it, so that an untouched field is unchanged."""
    if stored is None:
        return ""
    kind = fact.kind
    if kind == FactKind.INDUSTRY:
        return stored["code"]
    if kind == FactKind.BOOLEAN:
        return "是" if stored else "否"
    if kind == FactKind.QUALIFICATIONS:
        return "\n".join(
            "|".join(
                [entry["code"], entry["number"], entry["valid_from"], entry["valid_until"] or ""]
            )
            for entry in stored
        )
    if kind == FactKind.TAGS:
        return "、".join(stored)
    return str(stored)


class ProfileForm(forms.Form):
    """``staff`` adds the source (部门推送, 导入, 证照) and its detail; an enterprise
    declares (申报)."""

    def __init__(self, *args, current: dict[str, Any], staff: bool, **kwargs):
        self.current = {fact.name: form_text(fact, current.get(fact.name)) for fact in GIVEN_FACTS}
        kwargs.setdefault("initial", {**self.current, "as_of": timezone.localdate()})
        super().__init__(*args, **kwargs)
        for fact in GIVEN_FACTS:
            widget = (
                forms.Textarea(attrs={"rows": 2})
                if fact.kind == FactKind.QUALIFICATIONS
                else forms.TextInput
            )
            label = f"{fact.label}（{fact.unit}）" if fact.unit else str(fact.label)
            self.fields[fact.name] = forms.CharField(
                label=label,
                required=False,
                max_length=2000,
                strip=True,
                widget=widget,
                help_text=HELP.get(fact.kind, ""),
            )
        self.fields["as_of"] = forms.DateField(
            label=_("数据日期"), help_text=_("这些数据截至哪一天，如 2026-01-31")
        )
        if staff:
            self.fields["source"] = forms.ChoiceField(
                label=_("数据来源"),
                choices=[(source.value, source.label) for source in STAFF_SOURCES],
                initial=FactSource.DEPARTMENT,
            )
            self.fields["source_detail"] = forms.CharField(
                label=_("来源说明"),
                required=False,
                max_length=200,
                help_text=_("提供数据的部门、导入批次或证书编号"),
            )

    def changed_facts(self) -> dict[str, Any]:
        """The facts whose text differs from the current value: the new text, or None
        where a held value was emptied (the fact becomes unknown)."""
        changed = {}
        for fact in GIVEN_FACTS:
            text = self.cleaned_data.get(fact.name, "")
            if text != self.current[fact.name]:
                changed[fact.name] = text or None
        return changed


class FactsImportForm(forms.Form):
    """The upload of the facts import (the service checks the file itself)."""

    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_("按导入模板填写，每家企业一行；不超过 5 MB、5000 行。"),
        error_messages={
            "required": _("文件：请选择要导入的 .xlsx 文件。"),
            "empty": _("文件：文件是空的。"),
        },
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
