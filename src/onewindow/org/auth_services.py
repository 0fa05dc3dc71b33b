"""Login security use-cases (docs/decisions/0009): unlocking a throttled login, and
enrolling, passing and disabling the second factor. Pages, the admin and the command line
call these; each writes its audit-chain event."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.core.audit import AuditAction, audit_append
from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.locks import lock_first
from onewindow.org.login_throttle import fold_username, username_mark
from onewindow.org.models import User
from onewindow.org.second_factor import clean_token, requires_device

#: How many one-time recovery codes an enrolment gives.
RECOVERY_CODE_COUNT = 5
TOTP_DEVICE_NAME = "TOTP"
RECOVERY_DEVICE_NAME = "recovery"


def _actor_name(actor: User | str) -> tuple[str, str | int]:
    if isinstance(actor, User):
        return actor.get_username(), actor.pk
    return str(actor), ""


# -- throttling -----------------------------------------------------------------------------


@transaction.atomic
def login_unlock(
    *,
    actor: User | str,
    username: str | None = None,
    ip_address: str | None = None,
    actor_ip: str | None = None,
) -> int:
    """Lift the lock of one account (``username``) or one address (``ip_address``): its
    failed attempts are forgotten. Returns how many attempt records were cleared."""
    if bool(username) == bool(ip_address):
        raise ValidationFailed.for_field("username", _("请指定一个账号或一个网络地址（二选一）"))
    actor_name, actor_id = _actor_name(actor)
    if username:
        mark = username_mark(fold_username(username.strip()))
        cleared = AxesProxyHandler.reset_attempts(username=mark)
        object_type, object_id = "user", mark
    else:
        address = ip_address.strip()
        cleared = AxesProxyHandler.reset_attempts(ip_address=address)
        object_type, object_id = "address", address
    audit_append(
        action=AuditAction.UNLOCKED,
        actor=actor_name,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        data={"attempts_cleared": cleared},
        ip_address=actor_ip,
    )
    return cleared


# -- the second factor ---------------------------------------------------------------------


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def totp_enrol_begin(*, user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) TOTP device, created on first call: its secret is
    shown until a code from it confirms it."""
    if confirmed_totp_device(user) is not None:
        raise Conflict(_("已启用双因素验证"), code="second_factor_enrolled")
    device = lock_first(TOTPDevice, user=user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _invalid_code() -> ValidationFailed:
    return ValidationFailed.for_field(
        "otp_token", _("验证码不正确或已过期，请输入验证器上当前的 6 位数字")
    )


def _record_failure(user: User, ip_address: str | None, step: str) -> None:
    audit_append(
        action=AuditAction.SECOND_FACTOR_FAILED,
        actor=user.get_username(),
        actor_id=user.pk,
        object_type="user",
        object_id=user.pk,
        data={"step": step},
        ip_address=ip_address,
    )


def totp_enrol_confirm(
    *, user: User, token: str, ip_address: str | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending device with a code from it; the user also gets one-time
    recovery codes (returned once, to be shown once). A wrong code is audited and refused
    (``ValidationFailed``, committed: the failure must stay recorded)."""
    with transaction.atomic():
        device = lock_first(TOTPDevice, user=user, confirmed=False)
        if device is None or confirmed_totp_device(user) is not None:
            raise Conflict(
                _("没有待确认的验证器，请重新开始绑定"), code="second_factor_not_pending"
            )
        verified = device.verify_token(clean_token(token))
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = _recovery_codes_replace(user)
            audit_append(
                action=AuditAction.SECOND_FACTOR_ENROLLED,
                actor=user.get_username(),
                actor_id=user.pk,
                object_type="user",
                object_id=user.pk,
                data={"device": "totp", "recovery_codes": len(codes)},
                ip_address=ip_address,
            )
            return device, codes
        _record_failure(user, ip_address, "enrol")
    raise _invalid_code()


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _match(user: User, token: str):
    """The confirmed device (TOTP, then recovery codes) that accepts the code, or None.
    Devices are locked while checking, so a code is accepted once."""
    token = clean_token(token)
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if device.verify_token(token):
            return device
    return None


def second_factor_verify(*, user: User, token: str, ip_address: str | None = None):
    """The device that accepts the code (audited as verified), or a ``ValidationFailed``
    after the failure is audited."""
    with transaction.atomic():
        device = _match(user, token)
        if device is not None:
            audit_append(
                action=AuditAction.SECOND_FACTOR_VERIFIED,
                actor=user.get_username(),
                actor_id=user.pk,
                object_type="user",
                object_id=user.pk,
                data={"device": "recovery" if isinstance(device, StaticDevice) else "totp"},
                ip_address=ip_address,
            )
            return device
        _record_failure(user, ip_address, "verify")
    raise _invalid_code()


def second_factor_disable(*, user: User, token: str, ip_address: str | None = None) -> None:
    """Remove the user's devices after a fresh code; refused for roles that require one."""
    if requires_device(user):
        raise Forbidden(
            _("您的角色必须使用双因素验证，不能停用；更换手机请联系行政审批局管理员。"),
            code="second_factor_required",
        )
    with transaction.atomic():
        device = _match(user, token)
        if device is not None:
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            audit_append(
                action=AuditAction.SECOND_FACTOR_DISABLED,
                actor=user.get_username(),
                actor_id=user.pk,
                object_type="user",
                object_id=user.pk,
                ip_address=ip_address,
            )
            return
        _record_failure(user, ip_address, "disable")
    raise _invalid_code()
