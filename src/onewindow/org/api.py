"""Working-day questions over HTTP: anyone may ask for a deadline."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from pydantic import Field

from onewindow.core.calendar import MAX_WORKING_DAYS
from onewindow.core.schemas import ERROR_RESPONSES
from onewindow.org.selectors import calendar_for_zone, zone_by_code

router = Router(tags=["calendar"])


class DeadlineOut(Schema):
    start: dt.date
    days: int
    deadline: dt.date
    provisional: bool
    zone: str


class WorkingDaysOut(Schema):
    from_: dt.date = Field(serialization_alias="from")
    to: dt.date
    working_days: int
    provisional: bool
    zone: str


class DayOut(Schema):
    date: dt.date
    working_day: bool
    kind: str
    reason: str
    provisional: bool
    zone: str


class DeadlineQuery(Schema):
    start: dt.date = Field(description="受理日（不计入期限），YYYY-MM-DD")
    days: int = Field(ge=0, le=MAX_WORKING_DAYS, description="工作日数")
    provisional: bool = Field(False, description="允许对尚无节假日通知的年份给出临时结果")
    zone: str | None = Field(None, description="开发区代码，缺省为本平台的开发区")


class WorkingDaysQuery(Schema):
    from_: dt.date = Field(alias="from", description="起始日（不计入），YYYY-MM-DD")
    to: dt.date = Field(description="截止日（计入），YYYY-MM-DD")
    provisional: bool = False
    zone: str | None = None


class DayQuery(Schema):
    provisional: bool = False
    zone: str | None = None


@router.get(
    "/deadline",
    response={200: DeadlineOut, **ERROR_RESPONSES},
    summary="期限截止日：受理日之后第 N 个工作日",
    auth=None,
)
def deadline(request, query: Query[DeadlineQuery]):
    zone = zone_by_code(query.zone)
    answer = calendar_for_zone(zone).deadline(
        query.start, query.days, allow_provisional=query.provisional
    )
    return DeadlineOut(
        start=query.start,
        days=query.days,
        deadline=answer.date,
        provisional=answer.provisional,
        zone=zone.code,
    )


@router.get(
    "/working-days",
    response={200: WorkingDaysOut, **ERROR_RESPONSES},
    summary="两日之间的工作日数（起始日不计，截止日计入）",
    by_alias=True,
    auth=None,
)
def working_days(request, query: Query[WorkingDaysQuery]):
    zone = zone_by_code(query.zone)
    answer = calendar_for_zone(zone).count(
        query.from_, query.to, allow_provisional=query.provisional
    )
    return WorkingDaysOut(
        from_=query.from_,
        to=query.to,
        working_days=answer.working_days,
        provisional=answer.provisional,
        zone=zone.code,
    )


@router.get(
    "/day/{date}",
    response={200: DayOut, **ERROR_RESPONSES},
    summary="某日是否为工作日及原因",
    auth=None,
)
def day(request, date: dt.date, query: Query[DayQuery]):
    # the path parameter is named like the calendar's errors name it ("date")
    zone = zone_by_code(query.zone)
    info = calendar_for_zone(zone).day(date, allow_provisional=query.provisional)
    return DayOut(
        date=info.date,
        working_day=info.is_working,
        kind=str(info.kind),
        reason=info.reason,
        provisional=info.provisional,
        zone=zone.code,
    )
