"""Admin of item versions: a new item as its version 1, a draft's elements, materials and
steps, "publish"; published and retired versions read-only."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.admin.common import (
    DraftOnlyInline,
    ServiceAdminMixin,
    ServiceModelForm,
    add_form_error,
    add_formset_error,
    inline_rows,
    refusal,
    report,
)
from onewindow.catalog.admin.items import create_draft
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import ItemVersion, Material, Step
from onewindow.catalog.services import ELEMENT_FIELDS, item_create, item_draft_update, item_publish
from onewindow.core.errors import ApplicationError
from onewindow.org.models import Zone


def _lines(value) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ItemVersionForm(ServiceModelForm):
    """The elements of a draft. On the add page, also the item's zone and codes."""

    legal_citations = forms.CharField(
        label=_("依据条款"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一条，如《中华人民共和国行政许可法》第四十二条"),
    )

    class Meta:
        model = ItemVersion
        fields = [*ELEMENT_FIELDS, "windows"]
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "acceptance_conditions": forms.Textarea(attrs={"rows": 4}),
            "fee_basis": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "legal_basis" in self.fields:
            # A draft may be incomplete; publishing requires the legal basis (item_publish).
            self.fields["legal_basis"].required = False
        if self.instance.pk and "legal_citations" in self.fields:
            self.initial["legal_citations"] = "\n".join(self.instance.legal_citations or [])

    def clean_legal_citations(self) -> list[str]:
        return _lines(self.cleaned_data.get("legal_citations"))


class ItemVersionAddForm(ItemVersionForm):
    zone = forms.ModelChoiceField(label=_("开发区"), queryset=Zone.objects.all())
    implementation_code = forms.CharField(
        label=_("实施编码"),
        max_length=31,
        help_text=_("31位：实施机关统一社会信用代码（18位）+ 实施层级（1位）+ 基本编码（12位）"),
    )
    basic_code = forms.CharField(label=_("基本编码"), max_length=12, help_text=_("12位数字"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].initial = Zone.objects.filter(
            code=settings.ONEWINDOW_DEFAULT_ZONE
        ).first()


class MaterialInlineForm(ServiceModelForm):
    class Meta:
        model = Material
        fields = [
            "name",
            "required",
            "originals",
            "copies",
            "medium",
            "source",
            "certificate_type",
            "source_department",
            "tolerable",
            "commitment_allowed",
            "template",
            "sample",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2, "cols": 24})}


class MaterialInline(DraftOnlyInline):
    model = Material
    form = MaterialInlineForm
    autocomplete_fields = ["certificate_type", "source_department"]


class StepInlineForm(ServiceModelForm):
    after = forms.CharField(
        label=_("前置环节"),
        required=False,
        help_text=_("前置环节的编码，多个用逗号分隔；起始环节留空"),
    )

    class Meta:
        model = Step
        fields = ["key", "name", "kind", "role", "department", "limit_days", "after"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["after"] = ", ".join(self.instance.after or [])

    def clean_after(self) -> list[str]:
        value = self.cleaned_data.get("after") or ""
        for separator in "，、;；":
            value = value.replace(separator, ",")
        return [key.strip() for key in value.split(",") if key.strip()]


class StepInline(DraftOnlyInline):
    model = Step
    form = StepInlineForm
    autocomplete_fields = ["department"]


def _material_input(data: dict) -> dict:
    row = {field: data.get(field) for field in MaterialInlineForm.Meta.fields}
    for name in ("template", "sample"):
        if not row[name]:  # False: cleared, None: never set
            row[name] = ""
    row["notes"] = row["notes"] or ""
    return row


def _step_input(data: dict) -> dict:
    return {field: data.get(field) for field in StepInlineForm.Meta.fields} | {
        "limit_days": data.get("limit_days") if data.get("limit_days") is not None else 0
    }


@admin.register(ItemVersion)
class ItemVersionAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = ItemVersionForm
    add_form = ItemVersionAddForm
    list_display = [
        "name",
        "version_label",
        "status",
        "item_type",
        "department",
        "implementation_code",
        "effective_from",
    ]
    list_display_links = ["name"]
    list_filter = ["status", "item_type", ("department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["item", "department"]
    search_fields = ["name", "name_initials", "item__implementation_code", "item__basic_code"]
    autocomplete_fields = ["department", "certificate_type", "windows"]
    inlines = [MaterialInline, StepInline]
    actions = [create_draft, "publish"]
    ordering = ["item__implementation_code", "-version"]

    fieldsets_common = [
        (
            _("基本信息"),
            {
                "fields": [
                    "name",
                    "item_type",
                    "department",
                    "handling_kind",
                    ("legal_limit_days", "promised_limit_days"),
                    ("required_visits", "online_depth"),
                ]
            },
        ),
        (_("设定依据"), {"fields": ["legal_basis", "legal_citations"]}),
        (_("受理条件"), {"fields": ["acceptance_conditions"]}),
        (_("收费"), {"fields": ["fee_free", "fee_amount", "fee_basis"]}),
        (
            _("赋权"),
            {
                "fields": [
                    "delegated_from_level",
                    "delegated_from_organ",
                    "delegation_agreement_date",
                    "delegation_status",
                ],
                "description": _(
                    "本级事项不填；由上级赋权实施的事项填写来源、协议日期和承接状态。"
                ),
            },
        ),
        (
            _("办理地点与咨询"),
            {"fields": ["windows", "consultation_phone", "complaint_phone"]},
        ),
        (_("办理结果"), {"fields": ["result_name", "certificate_type"]}),
        (
            _("容缺受理"),
            {"fields": ["issue_before_supplement", "issue_before_supplement_basis"]},
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            codes = (_("事项编码"), {"fields": ["zone", "implementation_code", "basic_code"]})
            return [codes, *self.fieldsets_common, (_("版本"), {"fields": ["change_note"]})]
        codes = (_("事项编码"), {"fields": ["item_codes"]})
        version = (
            _("版本"),
            {
                "fields": [
                    ("version", "status"),
                    ("effective_from", "published_at", "retired_at"),
                    "change_note",
                ]
            },
        )
        return [codes, version, *self.fieldsets_common]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = ["item_codes", "version", "status", "effective_from", "published_at", "retired_at"]
        if obj.status != VersionStatus.DRAFT:
            return [*fixed, *ELEMENT_FIELDS, "windows"]
        return fixed

    def has_change_permission(self, request, obj=None):
        """Published and retired versions are shown, never changed."""
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("版本"), ordering="version")
    def version_label(self, version: ItemVersion) -> str:
        return f"v{version.version}"

    @admin.display(description=_("实施编码"), ordering="item__implementation_code")
    def implementation_code(self, version: ItemVersion) -> str:
        return version.item.implementation_code

    @admin.display(description=_("事项编码"))
    def item_codes(self, version: ItemVersion) -> str:
        return format_html(
            '{}：<span class="identifier">{}</span><br>{}：<span class="identifier">{}</span>',
            gettext("实施编码"),
            version.item.implementation_code,
            gettext("基本编码"),
            version.item.basic_code,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["show_publish"] = obj is not None and obj.status == VersionStatus.DRAFT
        if obj is not None and obj.status != VersionStatus.DRAFT:
            context["show_new_draft"] = True
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        if "_publish" in request.POST:
            self.message_user(
                request,
                gettext("{name} 已发布，自 {date} 起施行").format(
                    name=obj, date=obj.effective_from
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:catalog_itemversion_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def save_with_service(self, request, form, formsets, change):
        data = form.cleaned_data
        elements = {field: data[field] for field in ELEMENT_FIELDS if field in data}
        material_formset, step_formset = self._inline_formsets(formsets)
        materials = inline_rows(material_formset)
        steps = inline_rows(step_formset)
        form.material_forms = [row_form for row_form, _data in materials]  # for the errors
        arguments = {
            "elements": elements,
            "materials": [_material_input(row) for _form, row in materials],
            "steps": [_step_input(row) for _form, row in steps],
            "windows": list(data.get("windows") or []),
            "actor": request.user,
        }
        if not change:
            return item_create(
                zone=data["zone"],
                implementation_code=data["implementation_code"],
                basic_code=data["basic_code"],
                **arguments,
            )
        version = item_draft_update(version=form.instance, **arguments)
        if "_publish" in request.POST:
            version = item_publish(version=version, actor=request.user)
            form.instance.effective_from = version.effective_from
        return version

    def _inline_formsets(self, formsets):
        by_model = {formset.model: formset for formset in formsets}
        return by_model[Material], by_model[Step]

    def place_errors(self, error: ApplicationError, form, formsets) -> None:
        material_formset, step_formset = self._inline_formsets(formsets)
        material_forms = getattr(form, "material_forms", [])
        if not error.fields:
            add_form_error(form, None, error.message)
            return
        for field, field_messages in error.fields.items():
            for message in field_messages:
                parts = field.split(".")
                if parts[0] == "materials" and len(parts) == 3 and parts[1].isdigit():
                    index = int(parts[1])
                    if index < len(material_forms):
                        add_form_error(material_forms[index], parts[2], message)
                    else:
                        add_formset_error(material_formset, message)
                elif parts[0] == "materials":
                    add_formset_error(material_formset, message)
                elif parts[0] == "steps":
                    add_formset_error(step_formset, message)
                else:
                    add_form_error(form, field, message)

    @admin.action(description=_("发布所选草稿"), permissions=["change"])
    def publish(self, request, queryset):
        done, refused = [], []
        for version in queryset.select_related("item"):
            try:
                published = item_publish(version=version, actor=request.user)
                done.append(str(published))
            except ApplicationError as error:
                refused.append(refusal(str(version), error))
        report(self, request, done, refused, gettext("已发布：{names}"))
