"""Account pages (ADR 0010): changing one's password, and the audit administrator's
read-only audit trail. Each view parses input, checks access, calls one service or
selector, and renders."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.core import registry
from onewindow.core.audit import audit_chain_status
from onewindow.core.errors import ValidationFailed
from onewindow.core.throttle import request_address
from onewindow.org import selectors
from onewindow.org.admin_roles import can_view_audit_trail
from onewindow.org.forms_account import (
    KNOWN_ACTIONS,
    PAGE_SIZE,
    AuditTrailFilterForm,
    StaffPasswordChangeForm,
)
from onewindow.org.landing import landing_url
from onewindow.org.passwords import max_age_days, staff_password_expired
from onewindow.org.services import (
    audit_chain_verify,
    audit_trail_view_record,
    password_change,
)


def _ip(request: HttpRequest) -> str | None:
    return request_address(request)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


class LoginView(auth_views.LoginView):
    """The login page; afterwards a safe ``next`` wins, else the user's work page
    (``landing_url``)."""

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


@login_required
@require_http_methods(["GET", "POST"])
def password_change_page(request: HttpRequest) -> HttpResponse:
    """Old password, new password twice; an expired password leads here first."""
    user = request.user
    expired = staff_password_expired(user, now=timezone.now())
    form = StaffPasswordChangeForm(user, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                password_change(
                    user=user, password=form.cleaned_data["new_password1"], ip_address=_ip(request)
                )
            except ValidationFailed as error:
                for message in error.fields.get("password", [error.message]):
                    form.add_error("new_password1", message)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("密码已修改。"))
                return redirect(_next_url(request) or settings.LOGIN_REDIRECT_URL)
        status = 422
    context = {
        "form": form,
        "expired": expired,
        "max_age_days": max_age_days(),
        "next": _next_url(request),
    }
    return render(request, "org/password_change.html", context, status=status)


@login_required
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The audit trail, newest first, with filters; the viewing itself is an audit event."""
    user = request.user
    if not can_view_audit_trail(user):
        raise PermissionDenied
    form = AuditTrailFilterForm(request.GET or None)
    events: list = []
    next_before = None
    status = 200
    if not request.GET or form.is_valid():
        cleaned = form.cleaned_data if request.GET else {}
        filters = {
            name: cleaned.get(name)
            for name in ("action", "actor", "object_type", "object_id", "date_from", "date_to")
        }
        events, next_before = selectors.audit_trail(
            **{name: value for name, value in filters.items() if value},
            before=cleaned.get("before"),
            limit=PAGE_SIZE,
        )
        audit_trail_view_record(
            actor=user,
            filters=form.filters() if request.GET else {},
            before=cleaned.get("before"),
            shown=len(events),
            ip_address=_ip(request),
        )
    else:
        status = 422
    kept = {key: value for key, value in request.GET.items() if key != "before" and value}
    context = {
        "form": form,
        "events": events,
        "known_actions": sorted(set(KNOWN_ACTIONS) | set(registry.audit_actions())),
        "first_page_query": urlencode(kept),
        "next_page_query": urlencode({**kept, "before": next_before}) if next_before else "",
        "paged": bool(request.GET.get("before")),
        "verification": selectors.last_chain_verification(),
        "chain_status": audit_chain_status(),
    }
    return render(request, "org/audit_trail.html", context, status=status)


@login_required
@require_POST
def audit_trail_verify(request: HttpRequest) -> HttpResponse:
    """Walk the whole chain now (the audit administrator's button); the result is recorded."""
    if not can_view_audit_trail(request.user):
        raise PermissionDenied
    result = audit_chain_verify(actor=request.user)
    if result.ok:
        messages.success(
            request, _("审计链完整：已校验 {checked} 条事件。").format(checked=result.checked)
        )
    else:
        messages.error(
            request,
            _("审计链断裂：第 {sequence} 号事件校验失败。").format(
                sequence=result.first_break.sequence
            ),
        )
    return redirect("audit_trail")
