"""Record logins, logouts and failed logins in the audit chain (等保 level 3).

Django's auth signals are the framework's only hook for these moments, so they are
used here; the password is never recorded, and neither is a name that is not an account
(it may be a password typed into the username field): that is kept as a short keyed mark
(``login_throttle.username_mark``).

A staff login also starts the staff session rules (docs/decisions/0009): the session ends
when the browser closes, its idle clock starts, and whether it must still pass the second
factor is worked out once.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from onewindow.core.audit import AuditAction, audit_append
from onewindow.core.throttle import request_address
from onewindow.org import second_factor
from onewindow.org.constants import UserKind
from onewindow.org.login_throttle import username_mark
from onewindow.org.middleware import mark_seen

#: Marks the failure a wrong second-factor code reports to the throttle (django-axes).
SECOND_FACTOR_CREDENTIAL = "second_factor"


def _ip(request) -> str | None:
    return request_address(request)


@receiver(user_logged_in, dispatch_uid="onewindow.audit.login")
def record_login(sender, request, user, **kwargs) -> None:
    audit_append(
        action=AuditAction.LOGIN_SUCCEEDED,
        actor=user.get_username(),
        actor_id=user.pk,
        object_type="user",
        object_id=user.pk,
        data={"kind": getattr(user, "kind", "")},
        ip_address=_ip(request),
    )
    if request is not None and getattr(user, "kind", "") == UserKind.STAFF:
        request.session.set_expiry(0)  # staff sessions end when the browser closes
        mark_seen(request)
        second_factor.remember(request, user)


@receiver(user_logged_out, dispatch_uid="onewindow.audit.logout")
def record_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    # The idle-timeout middleware says why it logs a session out.
    reason = getattr(request, "onewindow_logout_reason", "")
    audit_append(
        action=AuditAction.LOGGED_OUT,
        actor=user.get_username(),
        actor_id=user.pk,
        object_type="user",
        object_id=user.pk,
        data={"reason": reason} if reason else {},
        ip_address=_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="onewindow.audit.login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if credentials.get(SECOND_FACTOR_CREDENTIAL):
        return  # a wrong code, counted by the throttle and audited by its service
    username = username_mark(str(credentials.get("username", "")))
    audit_append(
        action=AuditAction.LOGIN_FAILED,
        actor=username,
        object_type="user",
        object_id=username,
        ip_address=_ip(request),
    )
