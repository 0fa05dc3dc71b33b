"""The second-factor pages (docs/decisions/0009): enrolment with a QR code and the secret as
text, the code step after a password login, and disabling. Each parses input, calls one
service in ``auth_services`` and renders; wrong codes also count toward the login throttle."""

from __future__ import annotations

import base64

import django_otp
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticToken

from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.qr import qr_svg
from onewindow.core.throttle import request_address
from onewindow.org import second_factor
from onewindow.org.auth_audit import SECOND_FACTOR_CREDENTIAL
from onewindow.org.auth_services import (
    confirmed_totp_device,
    second_factor_disable,
    second_factor_verify,
    totp_enrol_begin,
    totp_enrol_confirm,
)
from onewindow.org.constants import UserKind
from onewindow.org.forms import SecondFactorForm
from onewindow.org.landing import landing_url
from onewindow.org.login_throttle import is_locked, lockout_response


def _staff(request: HttpRequest):
    user = request.user
    if user.kind != UserKind.STAFF:
        raise PermissionDenied
    return user


def _ip(request: HttpRequest) -> str | None:
    return request_address(request)


def _next_url(request: HttpRequest) -> str:
    """Where to go afterwards: the ``next`` of the request if it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return landing_url(request.user)


def _with_next(page: str, target: str) -> HttpResponse:
    response = redirect(page)
    response["Location"] += "?" + urlencode({"next": target})
    return response


def _grouped(secret: str) -> str:
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def _count_wrong_code(request: HttpRequest, user) -> bool:
    """Report a wrong code to the login throttle; True when that locked the account or
    address (the half-finished session then ends)."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), SECOND_FACTOR_CREDENTIAL: True},
        request=request,
    )
    return bool(getattr(request, "axes_locked_out", False))


def _end_locked_session(request: HttpRequest) -> HttpResponse:
    request.onewindow_logout_reason = "locked_out"
    logout(request)
    return lockout_response(request)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP authenticator, or (once enrolled) see its state and disable it."""
    user = _staff(request)
    target = _next_url(request)
    device = confirmed_totp_device(user)
    if device is not None:
        if not user.is_verified():
            return _with_next("second_factor_verify", target)
        context = {
            "required": second_factor.requires_device(user),
            "device": device,
            "recovery_codes_left": StaticToken.objects.filter(device__user=user).count(),
            "form": SecondFactorForm(),
        }
        return render(request, "org/second_factor_status.html", context)
    pending = totp_enrol_begin(user=user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_enrol_confirm(
                user=user, token=form.cleaned_data["otp_token"], ip_address=_ip(request)
            )
        except ValidationFailed as error:
            form.add_error("otp_token", error.message)
        except Conflict:
            return redirect("second_factor_setup")
        else:
            django_otp.login(request, device)
            request.session.cycle_key()
            second_factor.remember(request, user)
            return render(
                request, "org/second_factor_enrolled.html", {"codes": codes, "next": target}
            )
    secret = base64.b32encode(pending.bin_key).decode("ascii")
    context = {
        "form": form,
        "next": target,
        "required": second_factor.requires_device(user),
        "secret": _grouped(secret),
        "otpauth_uri": pending.config_url,
        "qr_svg": qr_svg(
            pending.config_url, label=_("验证器绑定二维码"), css_class="otp-code__image"
        ),
    }
    return render(request, "org/second_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify_page(request: HttpRequest) -> HttpResponse:
    """The code step after a password login."""
    user = _staff(request)
    target = _next_url(request)
    if user.is_verified():
        return redirect(target)
    if not user_has_device(user, confirmed=True):
        return _with_next("second_factor_setup", target)
    if is_locked(request, user.get_username()):
        return _end_locked_session(request)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_verify(
                user=user, token=form.cleaned_data["otp_token"], ip_address=_ip(request)
            )
        except ValidationFailed as error:
            if _count_wrong_code(request, user):
                return _end_locked_session(request)
            form.add_error("otp_token", error.message)
        else:
            django_otp.login(request, device)
            request.session.cycle_key()
            return redirect(target)
    return render(request, "org/second_factor_verify.html", {"form": form, "next": target})


@login_required
@require_POST
def second_factor_disable_page(request: HttpRequest) -> HttpResponse:
    """Disable the second factor after a fresh code (not for roles that require it)."""
    user = _staff(request)
    form = SecondFactorForm(request.POST)
    if form.is_valid():
        try:
            second_factor_disable(
                user=user, token=form.cleaned_data["otp_token"], ip_address=_ip(request)
            )
        except Forbidden as error:
            form.add_error("otp_token", error.message)
        except ValidationFailed as error:
            if _count_wrong_code(request, user):
                return _end_locked_session(request)
            form.add_error("otp_token", error.message)
        else:
            second_factor.remember(request, user)
            return redirect("second_factor_setup")
    context = {
        "required": second_factor.requires_device(user),
        "device": confirmed_totp_device(user),
        "recovery_codes_left": StaticToken.objects.filter(device__user=user).count(),
        "form": form,
    }
    return render(request, "org/second_factor_status.html", context, status=422)
