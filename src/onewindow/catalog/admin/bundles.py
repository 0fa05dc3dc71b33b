"""Admin of bundles (一件事): saved with ``bundle_save``, published and withdrawn."""

from __future__ import annotations

from django.contrib import admin
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
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Bundle, BundleItem
from onewindow.catalog.services import (
    bundle_publish,
    bundle_save,
    bundle_search_terms_set,
    bundle_withdraw,
    clean_search_terms,
)
from onewindow.core.errors import ApplicationError

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
            "search_terms",
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
    search_fields = ["name", "code", "name_initials", "search_terms"]
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
        rows = inline_rows(formsets[0])
        order = {id(row_form): index for index, (row_form, _data) in enumerate(rows)}
        rows.sort(key=lambda row: (row[1].get("position") or 32767, order[id(row[0])]))
        terms = clean_search_terms(data.get("search_terms") or "")  # refused before any write
        bundle = bundle_save(
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
        return bundle_search_terms_set(bundle=bundle, terms=terms, actor=request.user)

    def place_errors(self, error: ApplicationError, form, formsets) -> None:
        for field, field_messages in (error.fields or {None: [error.message]}).items():
            for message in field_messages:
                if field == "items":
                    add_formset_error(formsets[0], message)
                else:
                    add_form_error(form, field, message)

    @admin.action(description=_("发布所选一件事"), permissions=["change"])
    def publish(self, request, queryset):
        done, refused = [], []
        for bundle in queryset:
            try:
                bundle_publish(bundle=bundle, actor=request.user)
                done.append(bundle.name)
            except ApplicationError as error:
                refused.append(refusal(bundle.name, error))
        report(self, request, done, refused, gettext("已发布：{names}"))

    @admin.action(description=_("撤回所选一件事为草稿"), permissions=["change"])
    def withdraw(self, request, queryset):
        done, refused = [], []
        for bundle in queryset:
            try:
                bundle_withdraw(bundle=bundle, actor=request.user)
                done.append(bundle.name)
            except ApplicationError as error:
                refused.append(refusal(bundle.name, error))
        report(self, request, done, refused, gettext("已撤回为草稿：{names}"))
