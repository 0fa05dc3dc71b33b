"""Login throttling (django-axes, docs/decisions/0009): what axes is told and what it shows.

* Failed logins are counted in the database per account and per address independently
  (``AXES_LOCKOUT_PARAMETERS``); ``ONEWINDOW_LOGIN_FAILURE_LIMIT`` failures lock the
  account or the address for ``ONEWINDOW_LOGIN_LOCK_MINUTES``, and each failure during a
  lock starts it again.
* A name that is not an account is never stored as typed (it may be a password typed into
  the wrong field): axes and the audit chain keep ``unknown:`` and a short keyed hash.
* A lock that starts is an audit-chain event; so is an unlock (``auth_services.login_unlock``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import unicodedata

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core import throttle
from onewindow.core.audit import AuditAction, audit_append
from onewindow.org.models import User

UNKNOWN_PREFIX = "unknown:"


def fold_username(username: str) -> str:
    """The name as the account was saved (Django folds account names with NFKC)."""
    return unicodedata.normalize("NFKC", username)


def username_mark(username: str) -> str:
    """An existing account's name as is; any other text as ``unknown:`` and the first 12 hex
    digits of an HMAC under SECRET_KEY: the same text gives the same mark (so it is
    counted), but the text cannot be read back from it."""
    username = fold_username(username)
    if username and User.objects.filter(username=username).exists():
        return username
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        username.encode("utf-8", "surrogatepass"),
        hashlib.sha256,
    ).hexdigest()
    return UNKNOWN_PREFIX + digest[:12]


def attempt_username(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the account an attempt counts against (asked several
    times per request; the answer is kept on the request)."""
    if credentials:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "POST", {}).get("username")
    if typed is None:
        return None
    typed = str(typed)
    marks = getattr(request, "_onewindow_username_marks", None) if request is not None else None
    if marks is None:
        marks = {}
        if request is not None:
            request._onewindow_username_marks = marks
    if typed not in marks:
        marks[typed] = username_mark(typed)
    return marks[typed]


def lock_duration(request: HttpRequest | None = None) -> dt.timedelta:
    """``AXES_COOLOFF_TIME``: how long a lock lasts after the latest failure."""
    return dt.timedelta(minutes=settings.ONEWINDOW_LOGIN_LOCK_MINUTES)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: HTTP 429 with the time the login may be tried again."""
    until = timezone.localtime(timezone.now() + lock_duration(request))
    message = _(
        "登录失败次数过多，该账号或当前网络地址已被暂时锁定。请于 {until} 之后再试；"
        "如需提前解锁，请联系行政审批局管理员。"
    ).format(until=f"{until:%Y-%m-%d %H:%M}")
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"message": message, "code": "login_locked", "fields": {}},
            status=settings.AXES_HTTP_RESPONSE_CODE,
        )
    context = {"message": message, "until": until, "minutes": settings.ONEWINDOW_LOGIN_LOCK_MINUTES}
    return render(
        request, "org/login_locked.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


def _failures_by_parameter(request: HttpRequest, credentials: dict | None) -> list[tuple]:
    """(lockout parameter, failures within the lock window) for each parameter."""
    handler = AxesProxyHandler.get_implementation()
    parameters = get_lockout_parameters(request, credentials)
    counts = [
        attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        for attempts in handler.get_user_attempts(request, credentials)
    ]
    return list(zip(parameters, counts, strict=True))


@receiver(user_locked_out, dispatch_uid="onewindow.audit.locked_out")
def record_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    """A lock starts when a count reaches the limit exactly; axes also signals each later
    failure during the lock, which is already audited as a failed login."""
    credentials = getattr(request, "axes_credentials", None)
    limit = get_failure_limit(request, credentials)
    locked = [
        parameter
        for parameter, count in _failures_by_parameter(request, credentials)
        if count == limit
    ]
    if not locked:
        return
    until = timezone.now() + lock_duration(request)
    audit_append(
        action=AuditAction.LOCKED_OUT,
        actor=username or "",
        object_type="user" if "username" in locked else "address",
        object_id=(username or "") if "username" in locked else (ip_address or ""),
        data={
            "locked": sorted(str(parameter) for parameter in locked),
            "failures": limit,
            "until": until.isoformat(timespec="seconds"),
        },
        ip_address=ip_address,
    )


def client_address(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the address the public request limits count too
    (``REMOTE_ADDR``, or the one the deployment's trusted proxies vouch for), or None when
    that is not an IP address."""
    address = throttle.client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def is_locked(request: HttpRequest, username: str) -> bool:
    """Whether a login as ``username`` from this request is refused now."""
    AxesProxyHandler.update_request(request)
    return not AxesProxyHandler.is_allowed(request, {"username": username})
