"""Admin of e-certificate types (证照类型): plain edits, checked by the model's validators."""

from __future__ import annotations

from django.contrib import admin

from onewindow.certificates.models import CertificateType


@admin.register(CertificateType)
class CertificateTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "issuing_department", "validity", "validity_years"]
    list_filter = ["validity", ("issuing_department", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["issuing_department"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["issuing_department"]
    fields = ["code", "name", "issuing_department", "validity", "validity_years", "fields"]
