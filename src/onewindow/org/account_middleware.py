"""Two gates on every request of a signed-in staff member (ADR 0010).

* An expired password (``ONEWINDOW_PASSWORD_MAX_AGE_DAYS``) must be changed before
  anything else: only the password-change page, logout and the second-factor pages open.
* The audit administrator (审计管理员) reads the audit trail and nothing else: every other
  page, the admin site and the API answer 403, whatever a page's own check would say, so
  a page added later cannot open to them by accident.

Both run after the second-factor gate (``org.middleware.SecondFactorMiddleware``) and,
like it, decide on the resolved URL name, so a missing page is still "not found".
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from onewindow.org.admin_roles import is_audit_admin
from onewindow.org.passwords import staff_password_expired

#: Pages every signed-in session reaches, whatever its state.
ALWAYS_OPEN = frozenset(
    {
        "login",
        "logout",
        "password_change",
        "set_language",
        "healthz",
        "second_factor_setup",
        "second_factor_verify",
    }
)
#: The only pages the audit administrator opens besides those.
AUDIT_ADMIN_PAGES = frozenset({"home", "audit_trail", "audit_trail_verify"})


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _url_name(request: HttpRequest) -> str | None:
    """The page's URL name; None for a namespaced one (the admin's "admin:login" is not
    the site's "login")."""
    match = request.resolver_match
    if match is None or match.namespace:
        return None
    return match.url_name


class PasswordExpiryMiddleware:
    """Sends a staff member whose password is past its maximum age to change it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if _url_name(request) in ALWAYS_OPEN:
            return None
        if not staff_password_expired(request.user, now=timezone.now()):
            return None
        message = _("您的密码已过期，请先修改密码。")
        if _is_api(request):
            return JsonResponse(
                {"message": message, "code": "password_expired", "fields": {}}, status=403
            )
        target = redirect("password_change")
        target["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return target


class AuditAdministratorMiddleware:
    """Confines the audit administrator to the audit trail (and their home page)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        name = _url_name(request)
        if name in ALWAYS_OPEN or not is_audit_admin(request.user):
            return None
        if name in AUDIT_ADMIN_PAGES:
            return None
        if _is_api(request):
            return JsonResponse(
                {
                    "message": _("审计管理员只能查阅审计日志"),
                    "code": "audit_admin_only_audit_trail",
                    "fields": {},
                },
                status=403,
            )
        raise PermissionDenied
