"""Handling over HTTP: ``GET /api/v1/appeals`` (a department's queue, the centre's board,
with filters, paged) and one operation per action, each with its own schema:
``POST /api/v1/appeals/{number}/actions/{dispatch|sign|part|return|designate|extend|
approve_extension|reply|approve_reply}``.

Each operation needs a session (401), a write its CSRF token (403); it finds the order
through the chokepoint (404 for one the user may not see, before the body is read), then
parses the body and calls one service, which decides (403 wrong person, 409 wrong
moment, 422 bad input naming the field). A late return answers 409
``return_window_closed`` and is still counted (the service commits the count first).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from pydantic import ConfigDict

from onewindow.appeals import clock, queues
from onewindow.appeals.api.router import router
from onewindow.appeals.constants import (
    MAX_EXTENSION_DAYS,
    READER_ROLES,
    AppealStatus,
    Nature,
)
from onewindow.appeals.models import Appeal, AppealCategory
from onewindow.appeals.permissions import holds_any
from onewindow.appeals.selectors import appeal_for
from onewindow.appeals.services import handling as services
from onewindow.core.api_auth import session_auth
from onewindow.core.api_body import json_object, validated
from onewindow.core.errors import Forbidden, ValidationFailed
from onewindow.core.identifiers import fold_code
from onewindow.core.schemas import Error
from onewindow.org.models import Department

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
TEXT = 8000  # generous: the services count characters and name the field

WRITE = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


# -- schemas (the action schemas of handling; intake keeps the others in schemas.py) -----------


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class DispatchIn(_In):
    lead: str | None = Field(
        None, max_length=30, description="主办部门代码；不填则按派单目录（分类 → 主办、协办）"
    )
    co: list[str] = Field(
        default_factory=list, max_length=20, description="协办部门代码（填写主办部门时适用）"
    )


class SignIn(_In):
    """签收: nothing to say. A handler of the lead department signs the order; a handler
    of a co-department signs its co assignment."""


class PartIn(_In):
    text: str = Field(max_length=TEXT, description="协办意见")


class AppealReturnIn(_In):
    reason: str = Field(max_length=TEXT, description="退回理由")


class DesignateIn(_In):
    department: str | None = Field(
        None, max_length=30, description="指定承办的部门代码；不填则为申请退回的部门"
    )
    reason: str = Field("", max_length=TEXT, description="指定理由")


class AppealExtendIn(_In):
    days: int = Field(strict=True, ge=1, le=MAX_EXTENSION_DAYS, description="延期工作日")
    reason: str = Field(max_length=TEXT, description="延期理由")


class DecisionIn(_In):
    approve: bool = Field(description="true 同意，false 不同意")
    reason: str = Field("", max_length=TEXT, description="意见（不同意时必填）")


class ReplyIn(_In):
    reply: str = Field(max_length=TEXT, description="答复内容")


class AppealDepartmentOut(Schema):
    code: str
    name: str


class CategoryOut(Schema):
    code: str
    name: str


class AppealRowOut(Schema):
    number: str
    status: str
    status_label: str
    nature: str
    urgency: str
    category: CategoryOut
    subject: str
    lead_department: AppealDepartmentOut | None
    designated: bool
    created_at: dt.datetime
    due_at: dt.datetime | None
    due_provisional: bool = Field(description="期限暂定（该年度放假安排尚未公布）")
    warn_at: dt.datetime | None
    overdue: bool = Field(description="已超期：未答复且已过期限，或超期答复（答复时确定）")
    warning: bool = Field(description="即将超期：已过预警时间、尚未到期")
    dispatched_at: dt.datetime | None
    sign_due_at: dt.datetime | None
    signed_at: dt.datetime | None
    sign_overdue: bool
    return_until: dt.datetime | None
    replied_at: dt.datetime | None
    answered_at: dt.datetime | None
    reopen_until: dt.datetime | None
    extension_count: int
    return_count: int
    late_return_count: int


class AppealRowsOut(Schema):
    count: int
    limit: int
    offset: int
    next_after: str | None = Field(description="下一页的 after；没有下一页时为空")
    results: list[AppealRowOut]


READ = {200: AppealRowsOut, 401: Error, 403: Error, 404: Error, 422: Error}


class AppealListQuery(Schema):
    status: AppealStatus | None = Field(None, description="状态")
    overdue: bool | None = Field(
        None, description="true 只看已超期（未答复且已过期限，或超期答复尚未办结），false 只看其余"
    )
    warning: bool | None = Field(None, description="true 只看即将超期")
    department: str | None = Field(None, max_length=30, description="承办部门代码（主办或协办）")
    category: str | None = Field(None, max_length=20, description="诉求分类编码（含下级）")
    nature: Nature | None = Field(None, description="诉求性质")
    received_from: dt.date | None = Field(None, description="受理日期起（含）")
    received_to: dt.date | None = Field(None, description="受理日期止（含）")
    after: str | None = Field(
        None, max_length=30, description="从这张工单之后接着列（上一页的 next_after，按期限和编号）"
    )
    limit: int = Field(25, ge=1, le=MAX_LIMIT, description="每页条数，至多 100")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


# -- output ---------------------------------------------------------------------------------


def appeal_row(appeal: Appeal, now: dt.datetime) -> dict:
    running = appeal.status in queues.RUNNING
    lead = appeal.lead_department
    return {
        "number": appeal.number,
        "status": appeal.status,
        "status_label": appeal.get_status_display(),
        "nature": appeal.nature,
        "urgency": appeal.urgency,
        "category": {"code": appeal.category.code, "name": appeal.category.name},
        "subject": appeal.subject,
        "lead_department": {"code": lead.code, "name": lead.name} if lead else None,
        "designated": appeal.designated,
        "created_at": appeal.created_at,
        "due_at": appeal.due_at,
        "due_provisional": appeal.due_provisional,
        "warn_at": appeal.warn_at,
        "overdue": appeal.overdue or (running and clock.is_late(now, due_at=appeal.due_at)),
        "warning": running and clock.is_warning(now, warn_at=appeal.warn_at, due_at=appeal.due_at),
        "dispatched_at": appeal.dispatched_at,
        "sign_due_at": appeal.sign_due_at,
        "signed_at": appeal.signed_at,
        "sign_overdue": appeal.sign_overdue,
        "return_until": appeal.return_until,
        "replied_at": appeal.replied_at,
        "answered_at": appeal.answered_at,
        "reopen_until": appeal.reopen_until,
        "extension_count": appeal.extension_count,
        "return_count": appeal.return_count,
        "late_return_count": appeal.late_return_count,
    }


def _fresh_row(user, number: str) -> dict:
    return appeal_row(appeal_for(user, number), timezone.now())


# -- the list -------------------------------------------------------------------------------


def _filters(user, query: AppealListQuery) -> queues.ListFilters:
    department_id = category_id = None
    if query.department:
        code = fold_code(query.department)
        department_id = (
            Department.objects.filter(zone_id=user.zone_id, code=code)
            .values_list("pk", flat=True)
            .first()
        )
        if department_id is None:
            raise ValidationFailed.for_field(
                "department",
                _("承办部门：“{code}”不是本开发区的部门").format(code=code),
                code="unknown_department",
            )
    if query.category:
        code = fold_code(query.category)
        category_id = (
            AppealCategory.objects.filter(zone_id=user.zone_id, code=code)
            .values_list("pk", flat=True)
            .first()
        )
        if category_id is None:
            raise ValidationFailed.for_field(
                "category",
                _("诉求分类：没有编码为“{code}”的分类").format(code=code),
                code="unknown_category",
            )
    if query.received_from and query.received_to and query.received_from > query.received_to:
        raise ValidationFailed.for_field(
            "received_to", _("受理日期止：不能早于受理日期起"), code="invalid_range"
        )
    return queues.ListFilters(
        status=query.status,
        overdue=query.overdue,
        warning=query.warning,
        department_id=department_id,
        category_id=category_id,
        nature=query.nature,
        received_from=query.received_from,
        received_to=query.received_to,
    )


@router.get(
    "/appeals",
    auth=session_auth,
    response=READ,
    summary="诉求工单列表：承办人员看本部门承办的，派单员、话务员、电子监察看本开发区的（期限最早的在前，分页）",
)
def appeal_list(request: HttpRequest, query: Query[AppealListQuery]):
    user = request.auth
    if not holds_any(user, READER_ROLES):
        raise Forbidden(
            _("只有话务员、派单员、诉求承办人员和电子监察人员可以查看诉求工单列表"),
            code="not_permitted",
        )
    now = timezone.now()
    filters = _filters(user, query)
    rows = queues.appeal_list(user, filters, now)
    listed = rows
    if query.after:
        listed = queues.after_keyset(user, rows, fold_code(query.after))
        if listed is None:
            raise ValidationFailed.for_field(
                "after",
                _("起始工单：没有找到编号为“{number}”的工单").format(number=query.after),
                code="unknown_appeal",
            )
    page = list(listed[query.offset : query.offset + query.limit])
    return {
        "count": queues.list_count(user, filters, rows, now),
        "limit": query.limit,
        "offset": query.offset,
        "next_after": page[-1].number if len(page) == query.limit else None,
        "results": [appeal_row(appeal, now) for appeal in page],
    }


# -- the actions ----------------------------------------------------------------------------


def _body(schema: type[_In]) -> dict:
    return {
        "requestBody": {
            "required": bool(schema.model_json_schema().get("required")),
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }


def _parse(request: HttpRequest, number: str, schema: type[_In]):
    """The order (404 first, so a body reveals nothing) and the body as ``schema``."""
    appeal = appeal_for(request.auth, number)
    return appeal, validated(schema, json_object(request))


def _action(path: str, schema: type[_In], summary: str):
    return router.post(
        f"/appeals/{{number}}/actions/{path}",
        auth=session_auth,
        response={200: AppealRowOut, **WRITE},
        summary=summary,
        openapi_extra=_body(schema),
    )


@_action("dispatch", DispatchIn, "派单 / 改派（派单员）：按派单目录或指定主办、协办部门")
def action_dispatch(request: HttpRequest, number: str):
    appeal, body = _parse(request, number, DispatchIn)
    services.appeal_dispatch(appeal=appeal, actor=request.auth, lead=body.lead, co=body.co)
    return _fresh_row(request.auth, number)


@_action("sign", SignIn, "签收（主办部门签收工单；协办部门签收协办）")
def action_sign(request: HttpRequest, number: str):
    appeal, _body_in = _parse(request, number, SignIn)
    user = request.auth
    if not services.handles_lead(user, appeal) and services.co_assignments_of(user, appeal):
        services.appeal_co_sign(appeal=appeal, actor=user)
    else:
        services.appeal_sign(appeal=appeal, actor=user)
    return _fresh_row(user, number)


@_action("part", PartIn, "协办意见（已签收的协办部门）")
def action_part(request: HttpRequest, number: str):
    appeal, body = _parse(request, number, PartIn)
    services.appeal_add_part(appeal=appeal, actor=request.auth, text=body.text)
    return _fresh_row(request.auth, number)


@_action(
    "return",
    AppealReturnIn,
    "申请退回（主办部门，派单后退回时限内；逾期答复 409 return_window_closed 并计入超时退回）",
)
def action_return(request: HttpRequest, number: str):
    appeal, body = _parse(request, number, AppealReturnIn)
    services.appeal_return(appeal=appeal, actor=request.auth, reason=body.reason)
    return _fresh_row(request.auth, number)


@_action("designate", DesignateIn, "指定承办（派单员审核退回：指定后该部门不能再退回）")
def action_designate(request: HttpRequest, number: str):
    appeal, body = _parse(request, number, DesignateIn)
    services.appeal_designate(
        appeal=appeal, actor=request.auth, department=body.department, reason=body.reason
    )
    return _fresh_row(request.auth, number)


@_action("extend", AppealExtendIn, "申请延期（主办部门，办理中，每单次数以开发区规则为限）")
def action_extend(request: HttpRequest, number: str):
    appeal, body = _parse(request, number, AppealExtendIn)
    services.appeal_extension_request(
        appeal=appeal, actor=request.auth, days=body.days, reason=body.reason
    )
    return _fresh_row(request.auth, number)


@_action("approve_extension", DecisionIn, "审批延期（派单员；不同意须写明理由）")
def action_approve_extension(request: HttpRequest, number: str):
    appeal, body = _parse(request, number, DecisionIn)
    services.appeal_extension_decide(
        appeal=appeal, actor=request.auth, approve=body.approve, reason=body.reason
    )
    return _fresh_row(request.auth, number)


@_action("reply", ReplyIn, "答复（主办部门；答复时确定是否超期和可申请重办截止时间）")
def action_reply(request: HttpRequest, number: str):
    appeal, body = _parse(request, number, ReplyIn)
    services.appeal_reply(appeal=appeal, actor=request.auth, reply=body.reply)
    return _fresh_row(request.auth, number)


@_action("approve_reply", DecisionIn, "审核答复（派单员：同意则发给诉求人，不同意须写明理由）")
def action_approve_reply(request: HttpRequest, number: str):
    appeal, body = _parse(request, number, DecisionIn)
    services.appeal_review_reply(
        appeal=appeal, actor=request.auth, approve=body.approve, reason=body.reason
    )
    return _fresh_row(request.auth, number)
