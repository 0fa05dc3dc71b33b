"""Forms of the catalog's pages: input parsing only; search and visibility live in
``catalog.search`` and ``catalog.selectors``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.constants import ItemType
from onewindow.catalog.search import MAX_QUERY_LENGTH
from onewindow.org.models import Department, Zone


class ItemSearchForm(forms.Form):
    """The portal's search: words or pinyin, and the filters beside them.

    Every field is optional; an empty form lists the whole catalog. Departments are
    offered by code (readable URLs) and only the zone's active ones are accepted.
    """

    q = forms.CharField(
        label=_("事项名称或拼音"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text=_(
            "可输入名称中的任意文字、常用说法、办理结果或证照名称、英文名、全拼或拼音首字母，"
            "如“食品”“开公司”“营业执照”“work permit”“spjy”；多个词用空格分隔"
        ),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}
        ),
        error_messages={
            "max_length": _("事项名称或拼音：不能超过 %(limit_value)d 个字符"),
        },
    )
    department = forms.ChoiceField(
        label=_("实施部门"),
        required=False,
        error_messages={
            "invalid_choice": _("实施部门：“%(value)s”不是本区的部门，请从列表中选择"),
        },
    )
    item_type = forms.ChoiceField(
        label=_("事项类型"),
        required=False,
        choices=[("", _("全部类型")), *ItemType.choices],
        error_messages={
            "invalid_choice": _("事项类型：“%(value)s”不是国家规定的事项类型，请从列表中选择"),
        },
    )
    fully_online = forms.BooleanField(label=_("全程网办"), required=False)
    immediate = forms.BooleanField(label=_("即办件"), required=False)

    def __init__(self, *args, zone: Zone, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.departments = {
            department.code: department
            for department in Department.objects.filter(zone=zone, is_active=True)
        }
        self.fields["department"].choices = [
            ("", _("全部部门")),
            *((code, department.name) for code, department in self.departments.items()),
        ]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean_department(self) -> Department | None:
        code = self.cleaned_data["department"]
        return self.departments[code] if code else None

    @property
    def has_filters(self) -> bool:
        """Whether a filter that bundles do not have (department, type, …) is in use."""
        data = self.cleaned_data
        return bool(
            data.get("department")
            or data.get("item_type")
            or data.get("fully_online")
            or data.get("immediate")
        )
