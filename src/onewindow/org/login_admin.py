"""The admin's page of failed-login counts (django-axes), registered by
``admin_site.AdminConfig`` after the apps' own admin modules.

Read-only: a lock is lifted only by the audited unlock actions (the same service as
``onewindow unlock-login``), never by deleting rows.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.core.throttle import request_address
from onewindow.org.auth_services import login_unlock

#: Unlocking clears attempt records, so it needs the right to delete them.
UNLOCK_PERMISSION = "axes.delete_accessattempt"


@admin.register(AccessAttempt)
class AccessAttemptAdmin(admin.ModelAdmin):
    list_display = ["attempt_time", "username", "ip_address", "failures_since_start", "path_info"]
    list_filter = ["attempt_time"]
    search_fields = ["=username", "=ip_address"]
    ordering = ["-attempt_time"]
    fields = [
        "username",
        "ip_address",
        "user_agent",
        "path_info",
        "failures_since_start",
        "attempt_time",
    ]
    readonly_fields = fields
    actions = ["unlock_accounts", "unlock_addresses"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(UNLOCK_PERMISSION):
            actions.pop("unlock_accounts", None)
            actions.pop("unlock_addresses", None)
        return actions

    def _unlock(self, request, values, field: str) -> None:
        if not request.user.has_perm(UNLOCK_PERMISSION):
            raise PermissionDenied
        for value in sorted({value for value in values if value}):
            login_unlock(actor=request.user, actor_ip=request_address(request), **{field: value})
            self.message_user(request, gettext("已解除锁定：{value}").format(value=value))

    @admin.action(description=_("解除所选账号的登录锁定"))
    def unlock_accounts(self, request, queryset):
        self._unlock(request, queryset.values_list("username", flat=True), "username")

    @admin.action(description=_("解除所选网络地址的登录锁定"))
    def unlock_addresses(self, request, queryset):
        self._unlock(request, queryset.values_list("ip_address", flat=True), "ip_address")
