"""Admin of the zone's structure (zone, parks, departments, windows) and of its own
working days (written through the calendar services)."""

from __future__ import annotations

from django.contrib import admin

from onewindow.org.models import Department, Park, Window, Zone, ZoneCalendarOverride
from onewindow.org.services import calendar_override_remove, calendar_override_set


class ParkInline(admin.TabularInline):
    model = Park
    extra = 0
    fields = ["code", "name", "address", "area_km2"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "document_prefix", "division_code", "phone", "complaint_phone"]
    search_fields = ["code", "name"]
    inlines = [ParkInline]


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "zone", "address", "area_km2"]
    list_filter = ["zone"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "short_name",
        "kind",
        "parent",
        "zone",
        "sort_order",
        "is_active",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["zone", "kind", "is_active", ("parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent", "zone"]
    search_fields = ["code", "name", "short_name", "uscc"]
    autocomplete_fields = ["parent"]
    ordering = ["zone", "sort_order", "code"]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "department", "park", "location", "is_active"]
    list_display_links = ["code", "name"]
    list_filter = ["zone", "kind", "is_active", "park"]
    list_select_related = ["department", "park"]
    search_fields = ["code", "name", "location"]
    autocomplete_fields = ["department"]


# -- the zone's own working days ----------------------------------------------------------------


@admin.register(ZoneCalendarOverride)
class ZoneCalendarOverrideAdmin(admin.ModelAdmin):
    """Saved and deleted through the services, so the calendar cache and the audit chain
    always see the change."""

    list_display = ["date", "kind", "reason", "zone", "created_by", "updated_at"]
    list_filter = ["zone", "kind"]
    list_select_related = ["zone", "created_by"]
    search_fields = ["reason"]
    fields = ["zone", "date", "kind", "reason", "created_by"]
    ordering = ["-date"]

    def get_readonly_fields(self, request, obj=None):
        # Moving an override to another day is a removal and a new override.
        if obj is not None:
            return ["zone", "date", "created_by"]
        return ["created_by"]

    def save_model(self, request, obj, form, change):
        override = calendar_override_set(
            zone=obj.zone, date=obj.date, kind=obj.kind, reason=obj.reason, actor=request.user
        )
        obj.pk = override.pk
        obj.created_by = override.created_by
        obj.created_at = override.created_at
        obj.updated_at = override.updated_at

    def delete_model(self, request, obj):
        calendar_override_remove(override=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for override in queryset.select_related("zone"):
            calendar_override_remove(override=override, actor=request.user)
