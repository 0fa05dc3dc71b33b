"""The supervisors' figures per policy and item (政策兑现统计).

``policies/figures/`` (``figures``): every item the reader may see, with its matched, confirmed
and paid counts, amounts (paid net of clawbacks), budget used and the working days from
publication to payment (median, p90). ``policies/figures/<code>/`` (``figures_item``): one item
and the enterprises eligible that did not redeem; ``…/export/`` (``figures_export``) the same
as an Excel workbook, audited. Supervisors, analysts and the administrator read the zone's;
a policy officer reads their departments' policies' (another department's item is a 404);
others 403, anonymous visitors go to the login page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from onewindow.org.models import User
from onewindow.policies.models import PolicyItem
from onewindow.policies.services import figures as service

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REASONS = {
    "declined": gettext_lazy("已放弃或逾期未确认"),
    "eligible": gettext_lazy("符合条件未申请"),
}


def _require(user: User) -> None:
    if not service.can_read_figures(user):
        raise PermissionDenied


def _item(user: User, code: str) -> PolicyItem:
    item = (
        service.figure_items(user)
        .select_related("policy")
        .filter(code=code.strip().upper())
        .first()
    )
    if item is None:
        raise Http404(_("兑现事项不存在"))
    return item


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    _require(request.user)
    rows = service.figures_for(request.user)
    return render(
        request,
        "policies/figures/list.html",
        {"rows": rows, "totals": service.totals(rows)},
    )


@login_required
@require_GET
def figures_item(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    _require(user)
    item = _item(user, code)
    version = service.latest_version(item)
    rows = service.figures_for(user, item=item)
    missing = service.not_redeemed(version) if version is not None else []
    for row in missing:
        row["reason_text"] = REASONS.get(row["reason"], row["reason"])
    return render(
        request,
        "policies/figures/item.html",
        {
            "item": item,
            "version": version,
            "figures": rows[0] if rows else None,
            "not_redeemed": missing,
        },
    )


@login_required
@require_GET
def figures_export(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    _require(user)
    item = _item(user, code)
    version = service.latest_version(item)
    if version is None:
        raise Http404(_("兑现事项未发布"))
    content = service.export_not_redeemed(user, item, version)
    response = HttpResponse(content, content_type=XLSX)
    name = f"政策兑现统计-{item.code}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
