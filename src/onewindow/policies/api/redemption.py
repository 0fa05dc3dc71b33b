"""免申即享 over HTTP: ``GET /api/v1/redemptions`` (``visible_redemptions``, paged),
``GET /api/v1/redemptions/{number}``, one operation per action
``POST /api/v1/redemptions/{number}/actions/{confirm|decline|pay|claw_back|withdraw}``,
``POST /api/v1/publicities`` (a 公示 of chosen payable redemptions),
``POST /api/v1/publicities/{id}/objections`` (anyone, throttled with the page) and
``POST /api/v1/objections/{id}/answer``.

A redemption (or objection) outside the reader's scope is 404 before the body is read; the
services decide the rest (403 wrong person, 409 a move the table refuses, 422 naming the
field).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from pydantic import ConfigDict

from onewindow.core.api_auth import refuse_bad_csrf, session_auth
from onewindow.core.api_body import json_object, validated
from onewindow.core.errors import NotFound
from onewindow.core.schemas import Error
from onewindow.core.throttle import request_address
from onewindow.policies.api.router import router
from onewindow.policies.constants import RedemptionStatus
from onewindow.policies.models import Objection, PolicyItemVersion
from onewindow.policies.permissions import visible_redemptions
from onewindow.policies.selectors_redemption import publicity_for, redemption_for
from onewindow.policies.services import redemptions as service
from onewindow.policies.throttle import OBJECTION

MAX_LIMIT = 100
TEXT = 2000
WRITE = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class RedemptionConfirmIn(_In):
    account_name: str = Field(max_length=200, description="收款账户名称")
    bank: str = Field(max_length=200, description="开户银行")
    account_number: str = Field(max_length=60, description="银行账号（可含空格、横线）")
    statement: bool = Field(description="确认所填信息真实并申请兑现（须为 true）")


class RedemptionReasonIn(_In):
    reason: str = Field("", max_length=500, description="理由")


class RedemptionPayIn(_In):
    voucher: str = Field(max_length=60, description="凭证号")
    paid_on: dt.date = Field(description="拨付日期")


class RedemptionClawBackIn(_In):
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=6, description="追回金额（万元）")
    reason: str = Field(max_length=500, description="追回原因")
    voucher: str = Field(max_length=60, description="凭证号")
    paid_on: dt.date = Field(description="追回日期")


class RedemptionPublicityIn(_In):
    version: int = Field(strict=True, ge=1, description="兑现事项版本 id")
    numbers: list[str] = Field(max_length=1000, description="列入公示的兑现编号（待拨付）")
    title: str = Field("", max_length=200, description="公示标题（不填则按事项名称）")


class RedemptionObjectionIn(_In):
    number: str = Field(max_length=30, description="异议对象：公示名单中的兑现编号")
    text: str = Field(max_length=TEXT, description="异议内容")
    contact: str = Field("", max_length=100, description="联系方式（选填）")


class RedemptionAnswerIn(_In):
    upheld: bool = Field(description="true 异议成立（撤销兑现），false 异议不成立")
    answer: str = Field(max_length=TEXT, description="答复")


class RedemptionPaymentOut(Schema):
    id: int
    kind: str
    amount: Decimal
    paid_on: dt.date
    voucher: str
    original: int | None


class RedemptionOut(Schema):
    number: str
    status: str
    status_label: str
    item_code: str
    item: str
    version: int
    enterprise: str
    uscc: str
    amount: Decimal | None
    reasons: list[dict]
    evaluated_on: dt.date
    confirm_due: dt.datetime | None
    confirmed_at: dt.datetime | None
    account_number_tail: str = Field(description="收款账号末四位")
    reason: str
    payments: list[RedemptionPaymentOut]


class RedemptionRowsOut(Schema):
    count: int
    limit: int
    offset: int
    results: list[RedemptionOut]


class RedemptionListQuery(Schema):
    status: RedemptionStatus | None = Field(None, description="状态")
    version: int | None = Field(None, ge=1, description="兑现事项版本 id")
    limit: int = Field(25, ge=1, le=MAX_LIMIT, description="每页条数，至多 100")
    offset: int = Field(0, ge=0, le=1_000_000, description="跳过的条数")


class RedemptionPublicityOut(Schema):
    id: int
    title: str
    status: str
    starts_on: dt.date
    ends_on: dt.date
    numbers: list[str]


class RedemptionObjectionOut(Schema):
    id: int
    number: str
    status: str
    answer: str


def redemption_out(row) -> dict:
    return {
        "number": row.number,
        "status": row.status,
        "status_label": row.get_status_display(),
        "item_code": row.version.item.code,
        "item": row.version.name,
        "version": row.version_id,
        "enterprise": row.enterprise.name,
        "uscc": row.enterprise.uscc or "",
        "amount": row.amount,
        "reasons": (row.result or {}).get("reasons", []),
        "evaluated_on": row.evaluated_on,
        "confirm_due": row.confirm_due,
        "confirmed_at": row.confirmed_at,
        "account_number_tail": row.account_number[-4:],
        "reason": row.reason,
        "payments": [
            {
                "id": payment.pk,
                "kind": payment.kind,
                "amount": payment.amount,
                "paid_on": payment.paid_on,
                "voucher": payment.voucher,
                "original": payment.original_id,
            }
            for payment in row.payments.order_by("paid_on", "id")
        ],
    }


def _fresh(user, number: str) -> dict:
    return redemption_out(redemption_for(user, number))


def _body(schema: type[_In]) -> dict:
    return {
        "requestBody": {
            "required": bool(schema.model_json_schema().get("required")),
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }


# -- reads ---------------------------------------------------------------------------------------


@router.get(
    "/redemptions",
    auth=session_auth,
    response={200: RedemptionRowsOut, 401: Error, 422: Error},
    summary="政策兑现列表（企业：本企业的；开发区人员：本开发区的）",
)
def redemption_list(request: HttpRequest, query: Query[RedemptionListQuery]):
    rows = visible_redemptions(request.auth).select_related(
        "version", "version__item", "enterprise"
    )
    if query.status:
        rows = rows.filter(status=query.status)
    if query.version:
        rows = rows.filter(version_id=query.version)
    rows = rows.order_by("-created_at", "-id")
    page = list(rows[query.offset : query.offset + query.limit])
    return {
        "count": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
        "results": [redemption_out(row) for row in page],
    }


@router.get(
    "/redemptions/{number}",
    auth=session_auth,
    response={200: RedemptionOut, 401: Error, 404: Error, 422: Error},
    summary="一笔政策兑现（判定理由、金额、拨付记录）",
)
def redemption_detail(request: HttpRequest, number: str):
    return _fresh(request.auth, number)


# -- the actions ---------------------------------------------------------------------------------


def _action(path: str, schema: type[_In], summary: str):
    return router.post(
        f"/redemptions/{{number}}/actions/{path}",
        auth=session_auth,
        response={200: RedemptionOut, **WRITE},
        summary=summary,
        openapi_extra=_body(schema),
    )


def _parse(request: HttpRequest, number: str, schema: type[_In]):
    """The redemption (404 first, so a body reveals nothing) and the body as ``schema``."""
    return redemption_for(request.auth, number), validated(schema, json_object(request))


@_action("confirm", RedemptionConfirmIn, "确认兑现（企业代表：收款账户与承诺；签名存证）")
def action_confirm(request: HttpRequest, number: str):
    row, body = _parse(request, number, RedemptionConfirmIn)
    service.redemption_confirm(row, actor=request.auth, **body.model_dump())
    return _fresh(request.auth, number)


@_action("decline", RedemptionReasonIn, "放弃兑现（企业代表）")
def action_decline(request: HttpRequest, number: str):
    row, body = _parse(request, number, RedemptionReasonIn)
    service.redemption_decline(row, actor=request.auth, reason=body.reason)
    return _fresh(request.auth, number)


@_action("pay", RedemptionPayIn, "登记拨付（政策专员；须公示的事项须公示期满）")
def action_pay(request: HttpRequest, number: str):
    row, body = _parse(request, number, RedemptionPayIn)
    service.redemption_pay(row, actor=request.auth, voucher=body.voucher, paid_on=body.paid_on)
    return _fresh(request.auth, number)


@_action("claw_back", RedemptionClawBackIn, "登记追回（政策专员；不超过原拨付金额）")
def action_claw_back(request: HttpRequest, number: str):
    row, body = _parse(request, number, RedemptionClawBackIn)
    service.redemption_claw_back(row, actor=request.auth, **body.model_dump())
    return _fresh(request.auth, number)


@_action("withdraw", RedemptionReasonIn, "撤销兑现（政策专员，拨付前）")
def action_withdraw(request: HttpRequest, number: str):
    row, body = _parse(request, number, RedemptionReasonIn)
    service.redemption_withdraw(row, actor=request.auth, reason=body.reason)
    return _fresh(request.auth, number)


# -- 公示 and 异议 -------------------------------------------------------------------------------


def _publicity_out(publicity) -> dict:
    return {
        "id": publicity.pk,
        "title": publicity.title,
        "status": publicity.status,
        "starts_on": publicity.starts_on,
        "ends_on": publicity.ends_on,
        "numbers": sorted(publicity.redemptions.values_list("number", flat=True)),
    }


@router.post(
    "/publicities",
    auth=session_auth,
    response={201: RedemptionPublicityOut, **WRITE},
    summary="发布公示（政策专员：所选待拨付兑现，公示期按工作日计）",
    openapi_extra=_body(RedemptionPublicityIn),
)
def publicity_create(request: HttpRequest):
    user = request.auth
    body = validated(RedemptionPublicityIn, json_object(request, empty_is_object=False))
    version = (
        PolicyItemVersion.objects.select_related("item__policy", "item__zone")
        .filter(pk=body.version, item__zone_id=user.zone_id)
        .first()
    )
    if version is None or user.is_applicant:
        raise NotFound(_("没有找到该兑现事项"), code="version_not_found")
    publicity = service.publicity_open(version, actor=user, numbers=body.numbers, title=body.title)
    return Status(201, _publicity_out(publicity))


@router.post(
    "/publicities/{pk}/objections",
    auth=None,
    response={
        201: RedemptionObjectionOut,
        403: Error,
        404: Error,
        409: Error,
        422: Error,
        429: Error,
    },
    summary="对公示提出异议（任何人；与公示页面共用限流）",
    openapi_extra=_body(RedemptionObjectionIn),
)
def objection_create(request: HttpRequest, pk: int, response: HttpResponse):
    if request.user.is_authenticated:
        refuse_bad_csrf(request)
    publicity = publicity_for(pk)
    body = validated(RedemptionObjectionIn, json_object(request, empty_is_object=False))
    if not OBJECTION.allow(request):
        response["Retry-After"] = str(OBJECTION.retry_after())
        message = _("提交过于频繁，请稍后再试")
        return Status(429, {"message": message, "code": "throttled", "fields": {}})
    objection = service.objection_file(
        publicity,
        number=body.number,
        text=body.text,
        contact=body.contact,
        user=request.user,
        ip_address=request_address(request),
    )
    return Status(201, _objection_out(objection))


def _objection_out(objection: Objection) -> dict:
    return {
        "id": objection.pk,
        "number": objection.redemption.number,
        "status": objection.status,
        "answer": objection.answer,
    }


@router.post(
    "/objections/{pk}/answer",
    auth=session_auth,
    response={200: RedemptionObjectionOut, **WRITE},
    summary="答复异议（政策专员：成立则撤销该兑现）",
    openapi_extra=_body(RedemptionAnswerIn),
)
def objection_answer(request: HttpRequest, pk: int):
    user = request.auth
    objection = (
        Objection.objects.select_related("redemption")
        .filter(pk=pk, redemption__in=visible_redemptions(user))
        .first()
    )
    if objection is None:
        raise NotFound(_("没有找到该异议"), code="objection_not_found")
    body = validated(RedemptionAnswerIn, json_object(request, empty_is_object=False))
    answered = service.objection_answer(
        objection, actor=user, upheld=body.upheld, answer=body.answer
    )
    return _objection_out(answered)
