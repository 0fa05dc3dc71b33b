"""The case-number box of the staff navigation (办件号查询): a number typed, or scanned
from the acceptance notice's barcode or QR code, opens the case page; anything else goes
back to the page the clerk was on with "未找到办件"."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.cases import selectors
from onewindow.cases.lookup import candidate_numbers, fold
from onewindow.cases.permissions import visible_cases
from onewindow.org.permissions import is_staff_member

#: How much of an unknown input the "not found" message repeats.
ECHO_LENGTH = 40


def _back(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)  # the user's home page


@login_required
@require_GET
def case_lookup(request: HttpRequest) -> HttpResponse:
    """``?number=…&next=…``: the case page of the number if the user may see that case;
    otherwise back to ``next`` with the same message for a missing and a forbidden case."""
    user = request.user
    if not is_staff_member(user):
        raise PermissionDenied
    raw = request.GET.get("number", "")
    zone_code = user.zone.code if user.zone_id else ""
    candidates = candidate_numbers(raw, zone_code=zone_code, year=selectors.today().year)
    found = set(visible_cases(user).filter(number__in=candidates).values_list("number", flat=True))
    for number in candidates:
        if number in found:
            return redirect("cases:case", number=number)
    typed = fold(raw)
    if not typed:
        messages.error(request, _("办件编号：请输入或扫描办件编号"))
    else:
        if len(typed) > ECHO_LENGTH:
            typed = typed[:ECHO_LENGTH] + "…"
        messages.error(request, _("未找到办件：{number}").format(number=typed))
    return redirect(_back(request))
