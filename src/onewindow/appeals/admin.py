"""Admin of appeals: a zone's rules are edited here (settings, time limits, the category tree,
the dispatch catalogue, the 督办 rules), each save and delete through
``services.zone_rules``, which records it in the audit chain; settings and time limits
need their legal basis. Orders and their rows change only through the services, so they
are not edited here."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from onewindow.appeals.models import (
    AppealCategory,
    AppealSettings,
    AppealTimeLimit,
    DispatchRule,
    SupervisionRule,
)
from onewindow.appeals.services.zone_rules import (
    appeal_rule_delete,
    appeal_rule_save,
    zone_problems,
)


class AuditedAdmin(admin.ModelAdmin):
    """Saves (with their many-to-many fields) and deletes go through the service."""

    def save_model(self, request, obj, form, change) -> None:
        """Nothing yet: the row is saved in ``save_related``, with its many-to-many fields,
        so that the audit event records the row as it ends up."""

    def save_related(self, request, form, formsets, change) -> None:
        appeal_rule_save(
            row=form.instance,
            actor=request.user,
            save_related=lambda: super(AuditedAdmin, self).save_related(
                request, form, formsets, change
            ),
        )

    def delete_model(self, request, obj) -> None:
        appeal_rule_delete(row=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for row in queryset:
            appeal_rule_delete(row=row, actor=request.user)


class SameZoneForm(forms.ModelForm):
    """Categories, parents and departments of the row's own zone only."""

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        row = self.instance
        for name in ("zone", "parent", "category", "lead_department"):
            if name in cleaned:
                setattr(row, name, cleaned[name])
        problems = zone_problems(row, co_departments=cleaned.get("co_departments") or ())
        for field, message in problems.items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


class LegalBasisForm(forms.ModelForm):
    """A limit needs the document it rests on (GLOSSARY.md "Limits are data")."""

    def clean_legal_basis(self) -> str:
        value = (self.cleaned_data.get("legal_basis") or "").strip()
        if not value:
            raise forms.ValidationError(_("请填写设定时限所依据的文件"))
        return value


@admin.register(AppealSettings)
class AppealSettingsAdmin(AuditedAdmin):
    form = LegalBasisForm
    list_display = [
        "zone",
        "workday_starts",
        "workday_ends",
        "sign_within_working_hours",
        "return_window_hours",
        "reopen_window_days",
        "max_extensions",
        "warn_percent",
        "legal_basis",
        "updated_at",
    ]
    list_select_related = ["zone"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # without a row the defaults apply; a change is recorded instead

    def get_readonly_fields(self, request, obj=None):
        return ["zone"] if obj is not None else []


@admin.register(AppealTimeLimit)
class AppealTimeLimitAdmin(AuditedAdmin):
    form = LegalBasisForm
    list_display = ["zone", "nature", "urgency", "unit", "amount", "valid_from", "legal_basis"]
    list_filter = ["zone", "nature", "urgency", "unit"]
    list_select_related = ["zone"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a limit is replaced by a row with a later valid_from, never removed

    def get_readonly_fields(self, request, obj=None):
        # A limit in force is history: orders were received under it.
        return ["zone", "nature", "urgency", "valid_from"] if obj is not None else []


@admin.register(AppealCategory)
class AppealCategoryAdmin(AuditedAdmin):
    form = SameZoneForm
    list_display = ["code", "name", "parent", "zone", "is_active"]
    list_filter = ["zone", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["zone", "parent"]
    raw_id_fields = ["parent"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # orders keep their category: a category is switched off instead

    def get_readonly_fields(self, request, obj=None):
        return ["zone", "code"] if obj is not None else []


@admin.register(DispatchRule)
class DispatchRuleAdmin(AuditedAdmin):
    form = SameZoneForm
    list_display = ["category", "lead_department", "zone"]
    list_filter = ["zone", "lead_department"]
    list_select_related = ["zone", "category", "lead_department"]
    filter_horizontal = ["co_departments"]


@admin.register(SupervisionRule)
class SupervisionRuleAdmin(AuditedAdmin):
    list_display = ["zone", "trigger", "level", "answer_within_days"]
    list_filter = ["zone", "trigger", "level"]
    list_select_related = ["zone"]
