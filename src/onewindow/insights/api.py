"""The dashboard summary over HTTP: ``GET /api/v1/insights/summary?from&to&department&item``.

For the zone's supervisors, analysts and administrators: 401 without a session, 403 for
anyone else; 422 for a bad date, a reversed or too long period, or an unknown department
or item, naming the field. The figures are those of the dashboard
(``insights.selectors.summary``; docs/insights.md).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from onewindow.catalog.models import Item
from onewindow.core.api_auth import session_auth
from onewindow.core.errors import Forbidden, ValidationFailed
from onewindow.core.schemas import Error
from onewindow.insights import selectors
from onewindow.insights.permissions import can_view_dashboard
from onewindow.insights.schemas import SummaryOut, SummaryQuery
from onewindow.org.models import Department

router = Router(tags=["insights"], auth=session_auth)


def _figures(figures: selectors.Figures) -> dict:
    return {
        "accepted": figures.accepted,
        "tolerated": figures.tolerated,
        "commitment": figures.commitment,
        "decided": figures.decided,
        "on_time": figures.on_time,
        "late": figures.late,
        "on_time_rate": figures.on_time_rate,
        "decision_days": {
            "count": figures.decision_days_count,
            "average": figures.decision_days_average,
            "median": figures.decision_days_median,
        },
        "delivered": figures.delivered,
        "delivery_days": {
            "count": figures.delivery_days_count,
            "average": figures.delivery_days_average,
            "median": figures.delivery_days_median,
        },
        "online": figures.online,
        "online_share": figures.online_share,
        "one_visit": figures.one_visit,
        "one_visit_rate": figures.one_visit_rate,
        "yellow": figures.yellow,
        "red": figures.red,
        "ratings": figures.ratings,
        "satisfied": figures.satisfied,
        "satisfaction_rate": figures.satisfaction_rate,
        "bad": {
            "total": figures.bad,
            "open": figures.bad_open,
            "overdue": figures.bad_overdue,
            "rectified": figures.bad_rectified,
            "closed": figures.bad_closed,
        },
    }


def _department(department: Department) -> dict:
    return {"code": department.code, "name": department.name}


@router.get(
    "/summary",
    response={200: SummaryOut, 401: Error, 403: Error, 422: Error},
    by_alias=True,
    summary="统计分析汇总",
    description="统计期间内的受理、办结、按时办结率、用时、红黄灯、容缺与告知承诺、"
    "全程网办、最多跑一次、满意率和差评整改情况，含各部门、各事项。",
)
def summary(request: HttpRequest, query: Query[SummaryQuery]):
    user = request.auth
    if not can_view_dashboard(user):
        raise Forbidden(_("只有电子监察人员、分析人员和管理员可以查看统计"), code="forbidden")
    today = selectors.today()
    default_from, default_to = selectors.default_period(today)
    day_from = query.day_from or default_from
    day_to = query.day_to or default_to
    department = None
    if query.department:
        department = Department.objects.filter(
            zone_id=user.zone_id, code=query.department.strip()
        ).first()
        if department is None:
            raise ValidationFailed.for_field(
                "department",
                _("部门 {code} 不存在").format(code=query.department.strip()[:30]),
                code="unknown_department",
            )
    item = None
    if query.item:
        item = Item.objects.filter(
            zone_id=user.zone_id, implementation_code=query.item.strip()
        ).first()
        if item is None:
            raise ValidationFailed.for_field(
                "item",
                _("事项 {code} 不存在").format(code=query.item.strip()[:31]),
                code="unknown_item",
            )
    filters = selectors.Filters(
        zone_id=user.zone_id,
        day_from=day_from,
        day_to=day_to,
        department_id=department.pk if department else None,
        item_id=item.pk if item else None,
    )
    result = selectors.summary(filters, on=today)
    codes = dict(
        Item.objects.filter(pk__in=[row.item_id for row in result.items]).values_list(
            "pk", "implementation_code"
        )
    )
    return {
        "period": {"from": filters.day_from, "to": filters.day_to},
        "department": _department(department) if department else None,
        "item": item.implementation_code if item else None,
        "source": {
            "today": result.today,
            "rolled_through": result.rolled_through,
            "live_from": result.live_from,
            "calendar_ready": result.calendar_ready,
        },
        "totals": _figures(result.totals),
        "departments": [
            {"department": _department(row.department), "figures": _figures(row.figures)}
            for row in result.departments
        ],
        "items": [
            {
                "code": codes.get(row.item_id, ""),
                "name": row.name,
                "department": row.department_name,
                "figures": _figures(row.figures),
            }
            for row in result.items
        ],
    }
