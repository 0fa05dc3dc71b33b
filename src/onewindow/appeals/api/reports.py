"""The appeal figures over HTTP.

- ``GET /api/v1/appeals/reports/weekly?week=YYYY-MM-DD``: the weekly 督查通报's figures
  (per department and the zone's total: counts and rates; the late orders by name), for
  电子监察人员, 派单员 and 领导与分析人员; 401 without a session, 403 others.
- ``GET /api/v1/appeals/stats?month=YYYY-MM``: the public monthly statistics per category
  and department (counts and rates only), anyone.

A malformed or future ``week`` / ``month`` is a 422 naming it (docs/appeals.md).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from onewindow.appeals import reports
from onewindow.appeals.api.router import router
from onewindow.core.api_auth import session_auth
from onewindow.core.errors import Forbidden
from onewindow.core.schemas import Error
from onewindow.org.selectors import zone_by_code


class CountsOut(Schema):
    received: int = Field(description="受理（不含不予受理、转紧急热线、已合并）")
    excluded: int = Field(description="不计入的工单（不予受理、转紧急热线、已合并）")
    dispatched: int = Field(description="已派单")
    signed_in_time: int = Field(description="签收时限内签收")
    replied: int = Field(description="已答复（本轮）")
    on_time: int = Field(description="未超期答复")
    late: int = Field(description="超期答复")
    answered: int = Field(description="答复已送达诉求人（至少一次）")
    visited: int = Field(description="已回访")
    resolved: int = Field(description="最近一次回访已解决")
    satisfied: int = Field(description="最近一次回访满意或基本满意")
    returned: int = Field(description="退回过的工单")
    late_returned: int = Field(description="超时退回被拒的工单")
    reopened: int = Field(description="重办过的工单")
    open: int = Field(description="在办")


class RatesOut(Schema):
    response_rate: float | None = Field(description="响应率 = signed_in_time / dispatched")
    on_time_rate: float | None = Field(description="按时办结率 = on_time / replied")
    resolution_rate: float | None = Field(description="解决率 = resolved / visited")
    satisfaction_rate: float | None = Field(description="满意率 = satisfied / visited")
    return_rate: float | None = Field(description="退回率 = returned / dispatched")
    reopen_rate: float | None = Field(description="重办率 = reopened / answered")


class AppealFiguresOut(Schema):
    counts: CountsOut
    rates: RatesOut


class AppealDepartmentFiguresOut(AppealFiguresOut):
    id: int | None = Field(description="部门 id；未派单的工单为 null")
    name: str


class LateOut(Schema):
    number: str
    department: str
    subject: str
    due_at: dt.datetime | None
    replied_at: dt.datetime | None


class WeekOut(Schema):
    start: dt.date = Field(description="周一")
    end: dt.date = Field(description="周日（含）")


class WeeklyOut(Schema):
    week: WeekOut
    made_at: dt.datetime
    departments: list[AppealDepartmentFiguresOut]
    total: AppealFiguresOut
    late: list[LateOut]


class StatsRowOut(Schema):
    name: str
    received: int
    answered: int
    on_time_rate: float | None
    satisfaction_rate: float | None


class StatsOut(Schema):
    month: str = Field(description="YYYY-MM")
    categories: list[StatsRowOut]
    departments: list[StatsRowOut]
    total: StatsRowOut


@router.get(
    "/appeals/reports/weekly",
    auth=session_auth,
    response={200: WeeklyOut, 401: Error, 403: Error, 422: Error},
    summary="诉求督查通报（每周）",
    description="某周（周一至周日）受理的诉求工单，各承办部门与全区的件数和比率、超期工单；"
    "week 为该周内任一日期，缺省为上一个完整周。",
)
def weekly_report(request: HttpRequest, week: str | None = None):
    user = request.auth
    if not reports.can_read_reports(user):
        raise Forbidden(
            _("只有电子监察人员、派单员和领导与分析人员可以查看诉求督查通报"), code="forbidden"
        )
    monday = reports.parse_week(week, today=timezone.localdate())
    return reports.weekly_json(reports.weekly_report(user.zone, monday))


@router.get(
    "/appeals/stats",
    auth=None,
    response={200: StatsOut, 404: Error, 422: Error},
    summary="诉求办理统计公开（每月）",
    description="某月受理的诉求，按诉求分类和承办部门：受理、已答复、按时办结率、满意率；"
    "不含任何工单编号、诉求人或诉求内容。month 缺省为上个月。",
)
def public_stats(request: HttpRequest, month: str | None = None):
    first = reports.parse_month(month, today=timezone.localdate())
    return reports.public_stats(zone_by_code(), first)
