"""Admin of the organisation: plain edits here; anything with a rule goes through services.

* Applicant identifiers are checked by the same validators the services use.
* Zone calendar overrides are written and removed by ``calendar_override_set`` /
  ``calendar_override_remove``, which bump the calendar revision (cached calendars
  rebuild) and append to the audit chain.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import (
    validate_id_number,
    validate_passport_number,
    validate_uscc,
)
from onewindow.org.constants import DEPARTMENT_ROLES, ApplicantKind, Role
from onewindow.org.models import (
    Applicant,
    Department,
    Park,
    Representation,
    RoleAssignment,
    User,
    Window,
    Zone,
    ZoneCalendarOverride,
)
from onewindow.org.services import calendar_override_remove, calendar_override_set

admin.site.site_header = _("一窗通办 · 管理后台")
admin.site.site_title = _("一窗通办管理后台")
admin.site.index_title = _("平台管理")


class ParkInline(admin.TabularInline):
    model = Park
    extra = 0
    fields = ["code", "name", "address", "area_km2"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "division_code", "phone", "complaint_phone"]
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


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["role", "department"]

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role in DEPARTMENT_ROLES and not cleaned.get("department"):
            self.add_error(
                "department",
                gettext("角色“{role}”需要所在部门").format(role=Role(role).label),
            )
        return cleaned


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    extra = 0
    autocomplete_fields = ["department"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "display_name",
        "kind",
        "department",
        "window",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["kind", "is_active", "is_staff", "zone", "role_assignments__role"]
    list_select_related = ["department", "window"]
    search_fields = ["username", "display_name", "phone", "email"]
    autocomplete_fields = ["department", "window"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("个人信息"),
            {"fields": ("display_name", "phone", "email", "first_name", "last_name")},
        ),
        (_("所属"), {"fields": ("kind", "zone", "department", "window")}),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "usable_password",
                    "password1",
                    "password2",
                    "kind",
                    "zone",
                    "display_name",
                    "department",
                    "window",
                ),
            },
        ),
    )


# -- applicants -----------------------------------------------------------------------

#: The identifier column each kind of applicant uses, and its validator.
IDENTIFIER_FIELDS = {
    ApplicantKind.ENTERPRISE: ("uscc", validate_uscc),
    ApplicantKind.PERSON: ("id_number", validate_id_number),
    ApplicantKind.FOREIGNER: ("passport_number", validate_passport_number),
}


class ApplicantAdminForm(forms.ModelForm):
    """Identifiers go through the service layer's validators; errors land on their field."""

    class Meta:
        model = Applicant
        fields = [
            "kind",
            "name",
            "park",
            "uscc",
            "id_number",
            "passport_number",
            "nationality",
            "legal_representative",
            "phone",
            "address",
        ]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind not in IDENTIFIER_FIELDS:
            return cleaned
        field, validate = IDENTIFIER_FIELDS[kind]
        try:
            cleaned[field] = validate(cleaned.get(field, ""), field=field)
        except ValidationFailed as error:
            for name, messages in (error.fields or {field: [error.message]}).items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        for other, _validator in IDENTIFIER_FIELDS.values():
            if other != field and cleaned.get(other):
                self.add_error(
                    other,
                    gettext("{kind}申请人不填写此项").format(kind=ApplicantKind(kind).label),
                )
        nationality = cleaned.get("nationality")
        if kind == ApplicantKind.FOREIGNER:
            if not nationality:
                self.add_error("nationality", gettext("国籍不能为空"))
            elif str(nationality) == "CN":
                self.add_error("nationality", gettext("外国人申请人的国籍不能是中国"))
        elif nationality:
            self.add_error("nationality", gettext("只有外国人申请人填写国籍"))
        if field in cleaned and not self.has_error(field):
            self._check_unique(field, cleaned[field], nationality)
        return cleaned

    def _check_unique(self, field: str, value: str, nationality) -> None:
        duplicates = Applicant.objects.filter(**{field: value})
        if field == "passport_number":
            duplicates = duplicates.filter(nationality=nationality or "")
        if self.instance.pk:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            self.add_error(field, gettext("该证件号码已登记"))


class RepresentationInline(admin.TabularInline):
    model = Representation
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    form = ApplicantAdminForm
    list_display = ["name", "kind", "masked_identifier_display", "park", "legal_representative"]
    list_filter = ["kind", "park"]
    list_select_related = ["park"]
    # Identifiers are searched by the complete number only, never by a fragment.
    search_fields = ["name", "=uscc", "=id_number", "=passport_number"]
    inlines = [RepresentationInline]
    fieldsets = (
        (None, {"fields": ("kind", "name", "park")}),
        (
            _("证件"),
            {
                "fields": ("uscc", "id_number", "passport_number", "nationality"),
                "description": _(
                    "企业填写统一社会信用代码，个人填写居民身份证号码，"
                    "外国人填写护照号码和国籍；保存时校验。"
                ),
            },
        ),
        (_("联系信息"), {"fields": ("legal_representative", "phone", "address")}),
    )

    @admin.display(description=_("证件号码（脱敏）"))
    def masked_identifier_display(self, applicant: Applicant) -> str:
        return applicant.masked_identifier


@admin.register(Representation)
class RepresentationAdmin(admin.ModelAdmin):
    list_display = ["user", "applicant", "capacity", "created_at"]
    list_filter = ["capacity"]
    list_select_related = ["user", "applicant"]
    search_fields = ["user__username", "user__display_name", "applicant__name"]
    autocomplete_fields = ["user", "applicant"]


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
