"""Staff sessions (docs/decisions/0009): an idle timeout, and the second-factor gate."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

from onewindow.org.constants import UserKind
from onewindow.org.second_factor import session_requires

#: Session key: when the staff member was last seen (epoch seconds).
LAST_SEEN_KEY = "onewindow_last_seen"
#: The last-seen time is written at most this often (seconds), not on every request.
LAST_SEEN_RESOLUTION = 60
#: Pages a session that has not passed its second factor may still open.
SECOND_FACTOR_OPEN_PAGES = frozenset(
    {"second_factor_setup", "second_factor_verify", "logout", "set_language", "healthz"}
)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def mark_seen(request: HttpRequest) -> None:
    request.session[LAST_SEEN_KEY] = int(timezone.now().timestamp())


class StaffSessionMiddleware:
    """Logs a staff member out after ``ONEWINDOW_STAFF_IDLE_MINUTES`` without a request
    (audited as a logout with reason ``idle_timeout``) and sends them to the login page."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.kind == UserKind.STAFF:
            now = int(timezone.now().timestamp())
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle_limit = settings.ONEWINDOW_STAFF_IDLE_MINUTES * 60
            if last_seen is not None and now - last_seen > idle_limit:
                return self._expire(request)
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    def _expire(self, request: HttpRequest) -> HttpResponse:
        request.onewindow_logout_reason = "idle_timeout"
        logout(request)
        message = _("您已 {minutes} 分钟未操作，为保护账号安全已自动退出，请重新登录。").format(
            minutes=settings.ONEWINDOW_STAFF_IDLE_MINUTES
        )
        if _is_api(request):
            return JsonResponse(
                {"message": message, "code": "session_expired", "fields": {}}, status=401
            )
        messages.info(request, message)
        return redirect_to_login(request.get_full_path())


class SecondFactorMiddleware:
    """A staff session that must pass the second factor and has not yet reaches only the
    enrolment, verification and logout pages; the admin site and the API included."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        # Site pages only: the admin's "admin:logout" is not the site's "logout".
        if match is not None and not match.namespace and match.url_name in SECOND_FACTOR_OPEN_PAGES:
            return None
        if not session_requires(request):
            return None
        if _is_api(request):
            return JsonResponse(
                {
                    "message": _("请先完成双因素验证"),
                    "code": "second_factor_required",
                    "fields": {},
                },
                status=403,
            )
        page = (
            "second_factor_verify"
            if user_has_device(request.user, confirmed=True)
            else "second_factor_setup"
        )
        target = redirect(page)
        target["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return target
