"""Record logins, logouts and failed logins in the audit chain (等保 level 3).

Django's auth signals are the framework's only hook for these moments, so they are
used here; the password is never recorded.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from onewindow.core.audit import AuditAction, audit_append


def _ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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


@receiver(user_logged_out, dispatch_uid="onewindow.audit.logout")
def record_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    audit_append(
        action=AuditAction.LOGGED_OUT,
        actor=user.get_username(),
        actor_id=user.pk,
        object_type="user",
        object_id=user.pk,
        ip_address=_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="onewindow.audit.login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_append(
        action=AuditAction.LOGIN_FAILED,
        actor=username,
        object_type="user",
        object_id=username,
        ip_address=_ip(request),
    )
