from django.contrib import admin

from onewindow.inspections.models import CommitmentVerification


@admin.register(CommitmentVerification)
class CommitmentVerificationAdmin(admin.ModelAdmin):
    list_display = ["case_number", "item_name", "department", "due_on", "status"]
    list_filter = ["status", "department"]
    search_fields = ["case_number", "item_name"]
    readonly_fields = [
        "zone",
        "case_number",
        "item_name",
        "applicant",
        "department",
        "materials",
        "commitment_sha256",
        "due_on",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
