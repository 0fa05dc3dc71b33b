"""Admin of core records, all read-only here.

Holiday notices are loaded with the management command (it validates the whole notice,
bumps the calendar revision and writes the audit chain); audit events are append-only
and protected from change (等保 level 3), so the admin only lists them; notifications are
written by ``core.notifications.notify`` and read by their recipients.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import AuditEvent, HolidayNotice, HolidayNoticeDay, Notification


class ReadOnlyAdminMixin:
    """Viewing only, even for superusers."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HolidayNoticeDayInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HolidayNoticeDay
    fields = ["date", "kind", "name"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["year", "title", "document_number", "loaded_at", "loaded_by"]
    search_fields = ["title", "document_number"]
    fields = ["year", "title", "document_number", "loaded_at", "loaded_by"]
    readonly_fields = fields
    inlines = [HolidayNoticeDayInline]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sequence", "occurred_at", "actor", "action", "object_display"]
    list_display_links = ["sequence"]
    list_filter = ["action", "object_type"]
    search_fields = ["=sequence", "actor", "=actor_id", "=object_id"]
    ordering = ["-sequence"]
    # Counting a long chain on every page is slow; the pager does not need it.
    show_full_result_count = False
    fields = [
        "sequence",
        "occurred_at",
        "actor",
        "actor_id",
        "action",
        "object_type",
        "object_id",
        "ip_address",
        "data",
        "previous_hash",
        "hash",
    ]
    readonly_fields = fields

    @admin.display(description=_("对象"))
    def object_display(self, event: AuditEvent) -> str:
        if not event.object_type:
            return "—"
        return f"{event.object_type}:{event.object_id}"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["recipient", "kind", "subject_type", "subject_id", "created_at", "read_at"]
    list_filter = ["kind", "subject_type"]
    search_fields = ["=subject_id", "recipient__username"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    show_full_result_count = False
