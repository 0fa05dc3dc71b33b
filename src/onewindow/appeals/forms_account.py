"""Forms of the knowledge base pages (诉求知识库): the search and the article editor.

Input parsing only; the rules (required, lengths, folding, who may edit, which department,
category and items) are ``services.knowledge``'s, and a refusal is put next to the field it
names, so the fields carry the service's names. This module is the knowledge part's
(``forms.py`` is intake's, ``forms_staff.py`` handling's, ``forms_applicant.py``
follow-up's); its name is one the layer contract knows.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.appeals.constants import MAX_TEXT_LENGTH
from onewindow.appeals.models import AppealCategory
from onewindow.appeals.services.knowledge import (
    MAX_POLICY_REFS_LENGTH,
    MAX_TITLE_LENGTH,
    item_names,
)
from onewindow.catalog.models import Item
from onewindow.org.models import Department, Zone


def _category_choices(zone: Zone) -> list[tuple[str, str]]:
    categories = AppealCategory.objects.filter(zone=zone, is_active=True).order_by("code")
    return [(str(row.pk), f"{row.code} {row.name}") for row in categories]


class KnowledgeSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        help_text=_("标题、正文或拼音首字母（如 yyzz），多个词用空格分开"),
        widget=forms.TextInput(attrs={"type": "search", "maxlength": 50}),
    )
    category = forms.ChoiceField(label=_("诉求分类"), required=False)

    def __init__(self, *args, zone: Zone, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("全部分类")), *_category_choices(zone)]
        self.zone = zone

    def category_object(self) -> AppealCategory | None:
        pk = self.cleaned_data.get("category") if self.is_valid() else ""
        return AppealCategory.objects.filter(zone=self.zone, pk=pk).first() if pk else None


class ItemsField(forms.ModelMultipleChoiceField):
    """The zone's items, each shown by its published name."""

    names: dict[int, str] = {}

    def label_from_instance(self, obj: Item) -> str:
        return self.names.get(obj.pk, obj.implementation_code)


class ArticleForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("编辑部门"), queryset=Department.objects.none(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("诉求分类"), queryset=AppealCategory.objects.none(), required=False
    )
    title = forms.CharField(
        label=_("标题"),
        required=False,  # the service names what is missing, in the API's words
        widget=forms.TextInput(attrs={"maxlength": MAX_TITLE_LENGTH}),
    )
    body = forms.CharField(
        label=_("内容"),
        required=False,
        help_text=_("修改标题或内容会生成新版本，已引用旧版本的工单仍指向旧版本。"),
        widget=forms.Textarea(attrs={"rows": 12, "maxlength": MAX_TEXT_LENGTH}),
    )
    items = ItemsField(label=_("相关事项"), queryset=Item.objects.none(), required=False)
    policy_refs = forms.CharField(
        label=_("相关政策"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": MAX_POLICY_REFS_LENGTH}),
    )
    is_published = forms.BooleanField(label=_("发布（话务员和各部门可见）"), required=False)

    def __init__(self, *args, zone: Zone, departments=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = (
            departments
            if departments is not None
            else Department.objects.filter(zone=zone).order_by("code")
        )
        self.fields["category"].queryset = AppealCategory.objects.filter(
            zone=zone, is_active=True
        ).order_by("code")
        items = Item.objects.filter(zone=zone).order_by("implementation_code")
        self.fields["items"].queryset = items
        self.fields["items"].names = item_names(items.values_list("pk", flat=True))
