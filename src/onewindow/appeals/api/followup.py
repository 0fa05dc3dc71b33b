"""Follow-up and 督办 over HTTP: ``POST /api/v1/appeals/{number}/actions/visit``,
``/reopen``, ``/supervise``, ``/merge``, ``/close``, one schema each.

Each operation finds the order through the chokepoint (a number the user may not see is
404, like a missing one), then calls one service, which decides: 403 for the wrong
person, 409 for the wrong moment (the transition table, a closed reopen window, an open
督办), 422 for bad input, named after its field. The schemas hold types only (unknown
fields refused); what a value may be is the services' business, so page and API refuse
alike.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import ConfigDict, Field

from onewindow.appeals.api.router import router
from onewindow.appeals.models import Appeal, AppealSupervision
from onewindow.appeals.selectors import appeal_for
from onewindow.appeals.services import followup, supervision
from onewindow.core.api_auth import session_auth
from onewindow.core.schemas import Error


class VisitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    satisfaction: str = Field(
        max_length=20, description="满意度：satisfied 满意、basically 基本满意、dissatisfied 不满意"
    )
    resolved: bool = Field(description="问题是否已解决")
    note: str = Field("", max_length=8000, description="回访记录（不满意或未解决时必填）")


class ReopenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=8000, description="重办理由")


class SuperviseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    level: str = Field(
        max_length=20, description="督办级别：daily 日常督办、listed 挂牌督办、interview 约谈督办"
    )
    note: str = Field(max_length=8000, description="督办意见")
    days: int = Field(strict=True, description="反馈时限（工作日，1 至 30）")


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    into: str = Field(max_length=40, description="合并到的工单编号")


class CloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=8000, description="办结理由")


class AppealStateOut(Schema):
    number: str
    status: str
    status_label: str
    due_at: dt.datetime | None
    reopen_count: int
    reopen_until: dt.datetime | None
    closing_kind: str
    satisfaction: str
    resolved: bool | None
    merged_into: str | None


class SupervisionOut(Schema):
    id: int
    number: str
    department: str
    level: str
    level_label: str
    trigger: str
    status: str
    due_at: dt.datetime
    note: str


#: Every answer an action may give (the OpenAPI document tells the truth).
RESPONSES = {200: AppealStateOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def state_out(appeal: Appeal) -> dict:
    appeal.refresh_from_db()
    return {
        "number": appeal.number,
        "status": appeal.status,
        "status_label": appeal.get_status_display(),
        "due_at": appeal.due_at,
        "reopen_count": appeal.reopen_count,
        "reopen_until": appeal.reopen_until,
        "closing_kind": appeal.closing_kind,
        "satisfaction": appeal.satisfaction,
        "resolved": appeal.resolved,
        "merged_into": appeal.merged_into.number if appeal.merged_into_id else None,
    }


def supervision_out(row: AppealSupervision) -> dict:
    return {
        "id": row.pk,
        "number": row.appeal.number,
        "department": row.department.name,
        "level": row.level,
        "level_label": row.get_level_display(),
        "trigger": row.trigger,
        "status": row.status,
        "due_at": row.due_at,
        "note": row.note,
    }


@router.post(
    "/appeals/{number}/actions/visit",
    auth=session_auth,
    response=RESPONSES,
    summary="回访：派单员登记回访结果，或诉求人在线评价（满意且已解决则办结，否则重办）",
)
def appeal_visit(request: HttpRequest, number: str, body: VisitIn):
    appeal = appeal_for(request.user, number)
    followup.appeal_visit(
        appeal=appeal,
        actor=request.user,
        satisfaction=body.satisfaction,
        resolved=body.resolved,
        note=body.note,
        by_requester=request.user.is_applicant,
    )
    return state_out(appeal)


@router.post(
    "/appeals/{number}/actions/reopen",
    auth=session_auth,
    response=RESPONSES,
    summary="申请重办（诉求人，答复后规定自然日内）",
)
def appeal_reopen(request: HttpRequest, number: str, body: ReopenIn):
    appeal = appeal_for(request.user, number)
    followup.appeal_reopen(appeal=appeal, actor=request.user, reason=body.reason)
    return state_out(appeal)


@router.post(
    "/appeals/{number}/actions/close",
    auth=session_auth,
    response=RESPONSES,
    summary="中心办结：派单员不经回访办结已答复的工单（须写明理由）",
)
def appeal_close(request: HttpRequest, number: str, body: CloseIn):
    appeal = appeal_for(request.user, number)
    followup.appeal_close(appeal=appeal, actor=request.user, reason=body.reason)
    return state_out(appeal)


@router.post(
    "/appeals/{number}/actions/merge",
    auth=session_auth,
    response=RESPONSES,
    summary="合并：派单员把重复诉求合并到本开发区另一张办理中的工单",
)
def appeal_merge(request: HttpRequest, number: str, body: MergeIn):
    appeal = appeal_for(request.user, number)
    into = followup.merge_target_for(request.user, body.into)
    followup.appeal_merge(appeal=appeal, into=into, actor=request.user)
    return state_out(appeal)


@router.post(
    "/appeals/{number}/actions/supervise",
    auth=session_auth,
    response={201: SupervisionOut, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error},
    summary="督办：电子监察人员或派单员对承办部门督办，限期反馈（工作日）",
)
def appeal_supervise(request: HttpRequest, number: str, body: SuperviseIn):
    appeal = appeal_for(request.user, number)
    row = supervision.appeal_supervise(
        appeal=appeal, actor=request.user, level=body.level, note=body.note, days=body.days
    )
    return Status(201, supervision_out(row))
