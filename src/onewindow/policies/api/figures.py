"""The supervisors' figures over HTTP.

``GET /api/v1/policies/figures[?item=<code>]``: per item the reader may see (the zone's for
supervisors, analysts and the administrator; a policy officer's departments' policies'), the
matched, confirmed and paid counts, amounts (万元; paid net of clawbacks), budget used (%) and
the working days from publication to payment (median, p90), with their totals. 401 without a
session, 403 for other roles, 404 for an item outside the reader's scope.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from onewindow.core.api_auth import session_auth
from onewindow.core.errors import Forbidden, NotFound
from onewindow.core.schemas import Error
from onewindow.policies.api.router import router
from onewindow.policies.services import figures as service


class PolicyFiguresItemOut(Schema):
    code: str = Field(description="兑现事项编码")
    name: str = Field(description="兑现事项名称")
    policy_title: str = Field(description="所属政策")
    way: str = Field(
        description="兑现方式：automatic 免申即享，fast 快申快享，on_application 依申请"
    )
    matched: int = Field(description="匹配（生成的兑现）")
    confirmed: int = Field(description="已确认（待公示、公示中、待拨付、已拨付、已追回）")
    paid: int = Field(description="已拨付（至少一笔拨付）")
    declined: int = Field(description="已放弃或逾期未确认")
    amount_confirmed: Decimal = Field(description="确认金额（万元）")
    amount_paid: Decimal = Field(description="拨付金额（万元，扣除追回）")
    budget: Decimal | None = Field(description="预算（万元）")
    budget_used: Decimal | None = Field(description="预算使用（%）")
    median_days: float | None = Field(description="发布至拨付，工作日中位数")
    p90_days: int | None = Field(description="发布至拨付，工作日 90% 分位（最近秩）")


class PolicyFiguresTotalsOut(Schema):
    items: int
    matched: int
    confirmed: int
    paid: int
    amount_confirmed: Decimal
    amount_paid: Decimal
    median_days: float | None
    p90_days: int | None


class PolicyFiguresOut(Schema):
    items: list[PolicyFiguresItemOut]
    totals: PolicyFiguresTotalsOut


def _row(entry: service.ItemFigures) -> dict:
    return {
        "code": entry.code,
        "name": entry.name,
        "policy_title": entry.policy_title,
        "way": entry.way,
        "matched": entry.matched,
        "confirmed": entry.confirmed,
        "paid": entry.paid,
        "declined": entry.declined,
        "amount_confirmed": entry.amount_confirmed,
        "amount_paid": entry.amount_paid,
        "budget": entry.budget,
        "budget_used": entry.budget_used,
        "median_days": entry.median_days,
        "p90_days": entry.p90_days,
    }


@router.get(
    "/policies/figures",
    auth=session_auth,
    response={200: PolicyFiguresOut, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="政策兑现统计",
    description="每个兑现事项的匹配、确认、拨付件数与金额（拨付扣除追回）、预算使用、"
    "发布至拨付的工作日中位数与 90% 分位；item 为事项编码，缺省为可查看的全部事项。",
)
def policy_figures(request: HttpRequest, item: str | None = None):
    user = request.auth
    if not service.can_read_figures(user):
        raise Forbidden(
            _("只有电子监察人员、分析人员、管理员和政策专员可以查看政策兑现统计"),
            code="forbidden",
        )
    chosen = None
    if item:
        chosen = service.figure_items(user).filter(code=item.strip().upper()).first()
        if chosen is None:
            raise NotFound(_("兑现事项不存在"), code="item_not_found")
    rows = service.figures_for(user, item=chosen)
    return {"items": [_row(entry) for entry in rows], "totals": service.totals(rows)}
