"""Admin of cases: read-only. A case changes only through ``cases.services`` (the desks,
the inbox and the API), so that every change is checked and lands in the audit trail."""

from __future__ import annotations

from django.contrib import admin

from onewindow.cases.models import Case, CaseMaterial, Suspension, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TaskInline(admin.TabularInline):
    model = Task
    fk_name = "case"
    extra = 0
    can_delete = False
    fields = ["name", "department", "status", "assignee", "opened_on", "deadline", "outcome"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class MaterialInline(admin.TabularInline):
    model = CaseMaterial
    extra = 0
    can_delete = False
    fields = ["position", "name", "required", "state", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "status", "department", "accepted_on", "deadline"]
    list_filter = ["status", "channel", "acceptance_mode", "department"]
    search_fields = ["number", "title"]
    date_hierarchy = "created_at"
    list_select_related = ["department"]
    # The applicant's identifier is not listed here: the case page masks it by role.
    exclude = ["query_code", "idempotency_key", "request_digest"]
    raw_id_fields = ["parent", "applicant", "item_version"]
    inlines = [MaterialInline, TaskInline]
    show_full_result_count = False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["case", "name", "department", "status", "assignee", "deadline"]
    list_filter = ["status", "kind", "department"]
    search_fields = ["case__number", "name"]
    list_select_related = ["case", "department", "assignee"]
    raw_id_fields = ["case", "parent_task"]
    show_full_result_count = False


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "started_on", "ended_on", "paused_days"]
    list_filter = ["kind"]
    raw_id_fields = ["case"]
