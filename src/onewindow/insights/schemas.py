"""Schemas of the insights API (``GET /api/v1/insights/summary``)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class SummaryQuery(Schema):
    day_from: dt.date | None = Field(
        None, alias="from", description="开始日期 YYYY-MM-DD（含），缺省为本月 1 日"
    )
    day_to: dt.date | None = Field(
        None, alias="to", description="结束日期 YYYY-MM-DD（含），缺省为今天"
    )
    department: str | None = Field(None, max_length=30, description="牵头部门代码")
    item: str | None = Field(None, max_length=31, description="事项实施编码")


class DaysOut(Schema):
    count: int = Field(description="计入的办件数")
    average: float | None = Field(description="平均工作日")
    median: float | None = Field(
        description="中位数（工作日）；部门行不给出（null），按部门筛选后见 totals"
    )


class BadRatingsOut(Schema):
    total: int = Field(description="差评数（不满意 + 非常不满意）")
    open: int = Field(description="整改中（未逾期）")
    overdue: int = Field(description="逾期（整改逾期或回访逾期）")
    rectified: int = Field(description="已整改待回访（未逾期）")
    closed: int = Field(description="已办结")


class FiguresOut(Schema):
    accepted: int = Field(description="受理件数")
    tolerated: int = Field(description="容缺受理件数")
    commitment: int = Field(description="告知承诺件数")
    decided: int = Field(description="办结（作出决定）件数")
    on_time: int = Field(description="按时办结件数")
    late: int = Field(description="超期办结件数")
    on_time_rate: float | None = Field(description="按时办结率（0–1）")
    decision_days: DaysOut = Field(description="受理至决定用时")
    delivered: int = Field(description="送达件数")
    delivery_days: DaysOut = Field(description="受理至送达用时")
    online: int = Field(description="全程网办件数（办结件中到窗口 0 次）")
    online_share: float | None = Field(description="全程网办占比（0–1）")
    one_visit: int = Field(description="最多跑一次件数（办结件中到窗口至多 1 次）")
    one_visit_rate: float | None = Field(description="最多跑一次率（0–1）")
    yellow: int = Field(description="黄灯办件（当前）")
    red: int = Field(description="红灯办件（当前）")
    ratings: int = Field(description="评价数")
    satisfied: int = Field(description="满意评价数（非常满意 + 满意 + 基本满意）")
    satisfaction_rate: float | None = Field(description="满意率（0–1）")
    bad: BadRatingsOut


class DepartmentOut(Schema):
    code: str
    name: str


class DepartmentFiguresOut(Schema):
    department: DepartmentOut
    figures: FiguresOut


class ItemFiguresOut(Schema):
    code: str = Field(description="事项实施编码")
    name: str
    department: str = Field(description="实施机关")
    figures: FiguresOut


class PeriodOut(Schema):
    from_: dt.date = Field(alias="from")
    to: dt.date


class SourceOut(Schema):
    today: dt.date = Field(description="红黄灯和整改状态的统计日")
    rolled_through: dt.date | None = Field(description="日汇总已完成至此日（含）")
    live_from: dt.date | None = Field(description="自此日起为实时数据；null：全部取自日汇总")
    calendar_ready: bool = Field(description="统计用工作日历是否为最新")


class SummaryOut(Schema):
    period: PeriodOut
    department: DepartmentOut | None
    item: str | None = Field(description="事项实施编码")
    source: SourceOut
    totals: FiguresOut
    departments: list[DepartmentFiguresOut]
    items: list[ItemFiguresOut]
