"""Admin of staff accounts and their role grants: the security administrator's, each grant
through ``role_grant`` / ``role_revoke`` (audited, 三权分立)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError
from onewindow.core.throttle import request_address
from onewindow.org.admin_roles import can_manage_accounts, grant_conflict
from onewindow.org.constants import DEPARTMENT_ROLES, Role
from onewindow.org.models import RoleAssignment, User
from onewindow.org.services import account_recorded, role_grant, role_revoke


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


class RoleAssignmentFormSet(forms.BaseInlineFormSet):
    """The grants as the security administrator edits them: never their own, and within
    三权分立; ``actor`` is set per request by the inline. Saving goes through the services."""

    actor = None

    def _kept(self, form) -> bool:
        return form not in self.deleted_forms and bool(form.cleaned_data.get("role"))

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        touched = self.deleted_forms or any(form.has_changed() for form in self.forms)
        if not touched:
            return
        if self.actor is not None and self.instance.pk == self.actor.pk:
            raise forms.ValidationError(gettext("不能给自己授予角色"), code="self_grant")
        roles = [form.cleaned_data["role"] for form in self.forms if self._kept(form)]
        for role in roles:
            conflict = grant_conflict(roles, role)
            if conflict:
                raise forms.ValidationError(conflict, code="separation_of_duties")


class RoleAssignmentInline(admin.TabularInline):
    """Role grants: only for the security administrator; each one through
    ``role_grant`` / ``role_revoke`` (audited), see ``UserAdmin.save_formset``."""

    model = RoleAssignment
    form = RoleAssignmentForm
    formset = RoleAssignmentFormSet
    extra = 0
    autocomplete_fields = ["department"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"actor": request.user})

    def has_view_permission(self, request, obj=None) -> bool:
        return can_manage_accounts(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return can_manage_accounts(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_manage_accounts(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return can_manage_accounts(request.user)


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
        (_("重要日期"), {"fields": ("last_login", "date_joined", "password_changed_at")}),
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

    # Accounts and role grants are the security administrator's (三权分立, ADR 0010); the
    # bootstrap superuser (no role) may create the first one.
    def has_module_permission(self, request) -> bool:
        return can_manage_accounts(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_manage_accounts(request.user)

    def has_add_permission(self, request) -> bool:
        return can_manage_accounts(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_manage_accounts(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return can_manage_accounts(request.user)

    def get_readonly_fields(self, request, obj=None):
        # Admin-site access follows the roles; only a superuser hands out superuser
        # status, groups or model permissions (grants that would bypass role_grant).
        fixed = ["is_staff", "password_changed_at"]
        if request.user.is_superuser:
            return fixed
        return [*fixed, "is_superuser", "groups", "user_permissions"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            account_recorded(actor=request.user, user=obj, ip_address=request_address(request))

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            account_recorded(
                actor=request.user,
                user=user,
                password_set=True,
                ip_address=request_address(request),
            )
        return response

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        user = form.instance
        # What the admin's change message reads (formset.save() would have set them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        try:
            for deleted in formset.deleted_forms:
                if deleted.instance.pk is not None:
                    old = RoleAssignment.objects.get(pk=deleted.instance.pk)
                    role_revoke(
                        actor=request.user, user=user, role=old.role, department=old.department
                    )
                    formset.deleted_objects.append(old)
            for row in formset.forms:
                if row in formset.deleted_forms or not row.has_changed():
                    continue
                if not row.cleaned_data.get("role"):
                    continue
                if row.instance.pk is not None:
                    old = RoleAssignment.objects.get(pk=row.instance.pk)
                    role_revoke(
                        actor=request.user, user=user, role=old.role, department=old.department
                    )
                    formset.deleted_objects.append(old)
                granted = role_grant(
                    actor=request.user,
                    user=user,
                    role=row.cleaned_data["role"],
                    department=row.cleaned_data.get("department"),
                )
                formset.new_objects.append(granted)
        except ApplicationError as error:
            # A grant the formset's checks let through but the service refuses (another
            # change in between): nothing of this save is kept.
            transaction.set_rollback(True)
            messages.error(request, error.message)
