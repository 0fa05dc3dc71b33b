"""Admin of reviews: a zone's 好差评 limits are edited here (through
``review_settings_save``, which records the change); ratings, rectifications and
invitations are read-only (they change only through the services)."""

from __future__ import annotations

from django.contrib import admin

from onewindow.reviews.models import Rating, RatingInvitation, Rectification, ReviewSettings
from onewindow.reviews.services import review_settings_save


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "zone",
        "rating_window_days",
        "rectification_days",
        "return_visit_days",
        "legal_basis",
        "updated_at",
    ]
    fields = [
        "zone",
        "rating_window_days",
        "rectification_days",
        "return_visit_days",
        "legal_basis",
    ]
    list_select_related = ["zone"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # without a row the national defaults apply; a change is recorded

    def get_readonly_fields(self, request, obj=None):
        return ["zone"] if obj is not None else []

    def save_model(self, request, obj, form, change) -> None:
        # The form has checked the fields (the legal basis is required); the service
        # saves and records the change in the audit chain.
        review_settings_save(settings=obj, actor=request.user)


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["case", "channel", "level", "real_name", "department", "rated_at"]
    list_filter = ["channel", "level", "real_name", "department"]
    search_fields = ["case__number"]
    list_select_related = ["case", "department"]
    raw_id_fields = ["case", "rater", "item"]
    date_hierarchy = "rated_at"
    show_full_result_count = False


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["rating", "department", "status", "opened_on", "due_on", "on_time"]
    list_filter = ["status", "on_time", "department"]
    search_fields = ["rating__case__number"]
    list_select_related = ["rating__case", "department"]
    raw_id_fields = ["rating", "rectified_by", "visited_by", "closed_by"]
    show_full_result_count = False


@admin.register(RatingInvitation)
class RatingInvitationAdmin(ReadOnlyAdmin):
    list_display = ["case", "status", "phone", "sent_at"]
    list_filter = ["status"]
    search_fields = ["case__number"]
    list_select_related = ["case"]
    raw_id_fields = ["case", "recipient"]
