"""Admin of the item catalog: every write goes through ``catalog.services``.

* A new item is added as its first version (``item_create``); a draft is edited with
  ``item_draft_update``, its materials and steps in inlines. Published and retired
  versions are read-only: the "create new draft" action (``item_draft``) copies one into
  a draft, and "publish" (``item_publish``, also the "保存并发布" button) checks and
  publishes it.
* A bundle is saved with ``bundle_save`` and published with ``bundle_publish``.
* A refusal of a service (``ValidationFailed``, ``Conflict``) comes back as the form's
  errors, each next to the field it names; nothing is written.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Bundle, BundleItem, Item, ItemVersion, Material, Step
from onewindow.catalog.services import (
    ELEMENT_FIELDS,
    bundle_publish,
    bundle_save,
    bundle_withdraw,
    item_create,
    item_draft,
    item_draft_update,
    item_publish,
    item_retire,
)
from onewindow.core.errors import ApplicationError
from onewindow.org.models import Zone

# -- a refusal of a service, shown on the form ------------------------------------------------


class ServiceRefused(Exception):
    """Raised from ``save_related`` when a service refuses: the transaction of the admin's
    change view rolls back, and the form is shown again with the errors on it."""

    def __init__(self, form, formsets) -> None:
        super().__init__("refused")
        self.form = form
        self.formsets = formsets


def _add_form_error(form, field: str | None, message: str) -> None:
    """``form.add_error`` that keeps a message for a field the form does not show."""
    if field is not None and field not in form.fields:
        field = None
    # add_error drops the field from cleaned_data; the form is shown again, not saved.
    form.add_error(field, message)


def _add_formset_error(formset, message: str) -> None:
    formset.non_form_errors().append(message)


class ServiceAdminMixin:
    """Saves with a service in ``save_related`` (where the inlines' data is at hand) and
    turns its refusal into errors on the form and the inlines."""

    def save_model(self, request, obj, form, change):
        """Nothing here: the service writes the object and its inlines together."""

    def save_related(self, request, form, formsets, change):
        try:
            saved = self.save_with_service(request, form, formsets, change)
        except ApplicationError as error:
            self.place_errors(error, form, formsets)
            raise ServiceRefused(form, formsets) from error
        # The object the admin logs and redirects to is the one the service wrote.
        form.instance.__dict__.update(
            {name: value for name, value in saved.__dict__.items() if name != "_state"}
        )
        form.instance._state.adding = False

    def save_with_service(self, request, form, formsets, change):  # pragma: no cover
        raise NotImplementedError

    def place_errors(self, error: ApplicationError, form, formsets) -> None:
        if not error.fields:
            _add_form_error(form, None, error.message)
            return
        for field, field_messages in error.fields.items():
            for message in field_messages:
                _add_form_error(form, field, message)

    def construct_change_message(self, request, form, formsets, add=False):
        if add:
            return [{"added": {}}]
        return [{"changed": {"fields": sorted(form.changed_data)}}]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            return self._render_refused(request, object_id, form_url, extra_context, refused)

    def _render_refused(self, request, object_id, form_url, extra_context, refused):
        """The change form again, bound to what was sent, with the service's errors (the
        same context ``ModelAdmin._changeform_view`` builds for an invalid form)."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        add = obj is None
        form, formsets = refused.form, refused.formsets
        fieldsets = self.get_fieldsets(request, obj)
        inline_instances = [
            inline for _formset, inline in self.get_formsets_with_inlines(request, obj)
        ]
        admin_form = helpers.AdminForm(
            form,
            list(fieldsets),
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        media = self.media + admin_form.media
        inline_formsets = self.get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            media += inline_formset.media
        title = gettext("Add %s") if add else gettext("Change %s")
        context = {
            **self.admin_site.each_context(request),
            "title": title % self.opts.verbose_name,
            "subtitle": str(obj) if obj else None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": media,
            "inline_admin_formsets": inline_formsets,
            "errors": helpers.AdminErrorList(form, formsets),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(
            request, context, add=add, change=not add, obj=obj, form_url=form_url
        )


def _report(modeladmin, request, done: list[str], refused: list[str], done_message: str) -> None:
    if done:
        modeladmin.message_user(
            request, done_message.format(names="、".join(done)), messages.SUCCESS
        )
    for line in refused:
        modeladmin.message_user(request, line, messages.ERROR)


def _refusal(name: str, error: ApplicationError) -> str:
    """One line naming the object and every problem the service found."""
    problems = [message for field_messages in error.fields.values() for message in field_messages]
    return gettext("{name}：{problems}").format(
        name=name, problems="；".join(problems) if problems else error.message
    )


# -- items ---------------------------------------------------------------------------------------


class VersionSummaryInline(admin.TabularInline):
    """An item's versions, newest first, read-only (a version is edited on its own page)."""

    model = ItemVersion
    fields = ["version", "status", "name", "effective_from", "published_at", "retired_at"]
    readonly_fields = fields
    ordering = ["-version"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("创建新草稿版本"), permissions=["change"])
def create_draft(modeladmin, request, queryset):
    """``item_draft`` for each selected item (or the items of the selected versions)."""
    items = (
        Item.objects.filter(pk__in=queryset.values("item"))
        if queryset.model is ItemVersion
        else queryset
    )
    drafts = [item_draft(item=item, actor=request.user) for item in items]
    if drafts:
        links = format_html_join(
            "、",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:catalog_itemversion_change", args=[draft.pk]), str(draft))
                for draft in drafts
            ),
        )
        modeladmin.message_user(
            request,
            format_html("{}{}", gettext("草稿版本已就绪，修改后发布："), links),
            messages.SUCCESS,
        )


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    """Items by their codes, with the name of the version now published. An item is added
    as its first version (the add page is the version's)."""

    list_display = ["implementation_code", "published_name", "published_version", "basic_code"]
    list_filter = ["zone"]
    search_fields = ["implementation_code", "basic_code", "versions__name"]
    fields = ["zone", "implementation_code", "basic_code", "created_at"]
    readonly_fields = fields
    inlines = [VersionSummaryInline]
    actions = [create_draft, "retire"]

    def get_queryset(self, request):
        published = ItemVersion.objects.filter(item=OuterRef("pk"), status=VersionStatus.PUBLISHED)
        return (
            super()
            .get_queryset(request)
            .annotate(
                published_name=Subquery(published.values("name")[:1]),
                published_number=Subquery(published.values("version")[:1]),
            )
        )

    @admin.display(description=_("现行版本名称"), ordering="published_name")
    def published_name(self, item: Item) -> str:
        return item.published_name or "—"

    @admin.display(description=_("现行版本"), ordering="published_number")
    def published_version(self, item: Item) -> str:
        return f"v{item.published_number}" if item.published_number else gettext("未发布")

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:catalog_itemversion_add"))

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("停用所选事项（现行版本转为已停用）"), permissions=["change"])
    def retire(self, request, queryset):
        done, refused = [], []
        for item in queryset:
            try:
                item_retire(item=item, actor=request.user)
                done.append(item.published_name or item.implementation_code)
            except ApplicationError as error:
                refused.append(_refusal(item.published_name or item.implementation_code, error))
        _report(self, request, done, refused, gettext("已停用：{names}"))


class ServiceModelForm(forms.ModelForm):
    """A model form whose object a service writes: the model's uniqueness and constraints
    are not checked here, the service checks the same rules and names the field."""

    def _post_clean(self):
        self.instance.validate_constraints = lambda exclude=None: None
        super()._post_clean()

    def validate_unique(self):
        pass


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


class DraftOnlyInline(admin.TabularInline):
    """Rows of a version or bundle: editable while it is a draft, shown read-only after."""

    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == VersionStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


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


def _inline_rows(formset) -> list[tuple[forms.Form, dict]]:
    """The rows an inline keeps (not deleted, not left empty), in the order shown."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        rows.append((form, data))
    return rows


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
        materials = _inline_rows(material_formset)
        steps = _inline_rows(step_formset)
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
            _add_form_error(form, None, error.message)
            return
        for field, field_messages in error.fields.items():
            for message in field_messages:
                parts = field.split(".")
                if parts[0] == "materials" and len(parts) == 3 and parts[1].isdigit():
                    index = int(parts[1])
                    if index < len(material_forms):
                        _add_form_error(material_forms[index], parts[2], message)
                    else:
                        _add_formset_error(material_formset, message)
                elif parts[0] == "materials":
                    _add_formset_error(material_formset, message)
                elif parts[0] == "steps":
                    _add_formset_error(step_formset, message)
                else:
                    _add_form_error(form, field, message)

    @admin.action(description=_("发布所选草稿"), permissions=["change"])
    def publish(self, request, queryset):
        done, refused = [], []
        for version in queryset.select_related("item"):
            try:
                published = item_publish(version=version, actor=request.user)
                done.append(str(published))
            except ApplicationError as error:
                refused.append(_refusal(str(version), error))
        _report(self, request, done, refused, gettext("已发布：{names}"))


# -- bundles ---------------------------------------------------------------------------------------


class BundleItemInlineForm(ServiceModelForm):
    class Meta:
        model = BundleItem
        fields = ["position", "item"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].help_text = _("留空则排在最后")


class BundleItemInline(DraftOnlyInline):
    model = BundleItem
    form = BundleItemInlineForm
    autocomplete_fields = ["item"]
    ordering = ["position"]


class BundleForm(ServiceModelForm):
    class Meta:
        model = Bundle
        fields = [
            "zone",
            "code",
            "name",
            "description",
            "lead_department",
            "promised_limit_days",
            "required_visits",
            "form_fields",
        ]


@admin.register(Bundle)
class BundleAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = BundleForm
    list_display = [
        "name",
        "code",
        "lead_department",
        "promised_limit_days",
        "required_visits",
        "status",
    ]
    list_filter = ["status", "zone"]
    list_select_related = ["lead_department"]
    search_fields = ["name", "code", "name_initials"]
    autocomplete_fields = ["lead_department"]
    inlines = [BundleItemInline]
    actions = ["publish", "withdraw"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["status"]
        # The code names the bundle: bundle_save finds it by its code.
        return ["zone", "code", "status", "published_at"]

    def get_fields(self, request, obj=None):
        fields = list(BundleForm.Meta.fields)
        return [*fields, "status", "published_at"] if obj else [*fields, "status"]

    def has_change_permission(self, request, obj=None):
        """A published bundle is withdrawn to a draft (action) before it is edited."""
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_with_service(self, request, form, formsets, change):
        data = form.cleaned_data
        instance = form.instance
        rows = _inline_rows(formsets[0])
        order = {id(row_form): index for index, (row_form, _data) in enumerate(rows)}
        rows.sort(key=lambda row: (row[1].get("position") or 32767, order[id(row[0])]))
        return bundle_save(
            zone=data["zone"] if not change else instance.zone,
            code=data["code"] if not change else instance.code,
            name=data["name"],
            description=data.get("description") or "",
            lead_department=data["lead_department"],
            promised_limit_days=data["promised_limit_days"],
            required_visits=data["required_visits"],
            form_fields=data.get("form_fields") or [],
            items=[row["item"] for _form, row in rows],
            actor=request.user,
        )

    def place_errors(self, error: ApplicationError, form, formsets) -> None:
        for field, field_messages in (error.fields or {None: [error.message]}).items():
            for message in field_messages:
                if field == "items":
                    _add_formset_error(formsets[0], message)
                else:
                    _add_form_error(form, field, message)

    @admin.action(description=_("发布所选一件事"), permissions=["change"])
    def publish(self, request, queryset):
        done, refused = [], []
        for bundle in queryset:
            try:
                bundle_publish(bundle=bundle, actor=request.user)
                done.append(bundle.name)
            except ApplicationError as error:
                refused.append(_refusal(bundle.name, error))
        _report(self, request, done, refused, gettext("已发布：{names}"))

    @admin.action(description=_("撤回所选一件事为草稿"), permissions=["change"])
    def withdraw(self, request, queryset):
        done, refused = [], []
        for bundle in queryset:
            try:
                bundle_withdraw(bundle=bundle, actor=request.user)
                done.append(bundle.name)
            except ApplicationError as error:
                refused.append(_refusal(bundle.name, error))
        _report(self, request, done, refused, gettext("已撤回为草稿：{names}"))
