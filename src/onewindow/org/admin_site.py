"""The admin site behind the site's own login and second factor (docs/decisions/0009).

``/admin/login/`` is not a second door: it sends people to the site's login (throttled,
audited) or to the second-factor step, and the admin opens only to active staff whose
session has passed the second factor.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device


class OneWindowAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        verified = getattr(user, "is_verified", None)
        return super().has_permission(request) and verified is not None and verified()

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(target)
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        page = (
            "second_factor_verify"
            if user_has_device(user, confirmed=True)
            else "second_factor_setup"
        )
        response = redirect(page)
        response["Location"] += "?" + urlencode({"next": target})
        return response
