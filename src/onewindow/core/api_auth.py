"""Authentication of the API by Django's session (one class for every router).

Not logged in is 401 (whatever the CSRF token), then a write without a valid CSRF token
is 403, both rendered as ``{"message", "code", "fields"}``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf

from onewindow.core.errors import Forbidden


def refuse_bad_csrf(request: HttpRequest) -> None:
    """403 ``csrf_failed`` for a write whose CSRF token is missing or wrong (reads pass)."""
    if check_csrf(request) is not None:
        raise Forbidden(_("CSRF 校验失败，请刷新页面后重试"), code="csrf_failed")


class SessionAuth(APIKeyCookie):
    """Django's session, like ninja's ``django_auth``, but in the order a client needs:
    not logged in is 401 (whatever the CSRF token), then a write without a valid CSRF
    token is 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        if self.csrf:
            refuse_bad_csrf(request)
        return user


#: The auth of every router that needs a signed-in person.
session_auth = SessionAuth()
