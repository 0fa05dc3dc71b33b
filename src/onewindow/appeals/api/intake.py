"""Intake over HTTP: file an appeal or record a call (``POST /appeals``), take the upstream
platform's pushes (``POST /appeals/import``), read one order (``GET /appeals/{number}``)
and the public lookup by number and query code (``GET /appeals/lookup``);
turn a bad rating into an appeal (``POST /appeals/from-rating``: the centre or 电子监察).

Who may: ``POST /appeals`` is an applicant's user (我要反映) or a hotline seat of the zone
(来电登记), each with its own body; ``POST /appeals/import`` is the centre (派单员) of the
zone, signed in like every API user (``core.api_auth`` knows sessions only: the upstream
platform's connector signs in as a dispatcher account of the zone); ``GET
/appeals/{number}`` is whoever the chokepoint lets see the order (404 otherwise); the
lookup is public and throttled together with its page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status

from onewindow.appeals import throttle
from onewindow.appeals.api.router import router
from onewindow.appeals.models import Appeal
from onewindow.appeals.permissions import (
    is_operator,
    requester_name_for,
    requester_phone_for,
)
from onewindow.appeals.ratings import may_turn_ratings, rating_to_turn
from onewindow.appeals.readout import public_appeal, reply_of, steps_of
from onewindow.appeals.schemas import (
    AppealCallIn,
    AppealFromRatingIn,
    AppealImportIn,
    AppealInputSchema,
    AppealLookupQuery,
    AppealOut,
    AppealSubmitIn,
    PublicAppealOut,
)
from onewindow.appeals.selectors import appeal_for
from onewindow.appeals.services import intake
from onewindow.core.api_auth import session_auth
from onewindow.core.api_body import json_object, validated
from onewindow.core.errors import Forbidden, ValidationFailed
from onewindow.core.identifiers import fold_code
from onewindow.core.schemas import Error
from onewindow.org.models import Applicant, Zone
from onewindow.org.permissions import represented_applicant_ids, zone_applicants

WRITE_ERRORS = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
READ_ERRORS = {401: Error, 404: Error, 422: Error}


def _request_body(*schemas: type[AppealInputSchema]) -> dict:
    """Documents a body that the view validates itself (one of ``schemas``)."""
    shapes = [schema.model_json_schema() for schema in schemas]
    schema = shapes[0] if len(shapes) == 1 else {"oneOf": shapes}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _step(step) -> dict:
    return {
        "action": step.action,
        "action_label": step.action_label,
        "status_label": step.status_label,
        "at": step.at,
        "department": step.department,
        "note": step.note,
    }


def appeal_out(user, appeal: Appeal, *, query_code: bool = False) -> dict:
    staff = not user.is_applicant
    return {
        "number": appeal.number,
        "query_code": appeal.query_code if query_code else None,
        "status": appeal.status,
        "status_label": appeal.get_status_display(),
        "channel": appeal.channel,
        "channel_label": appeal.get_channel_display(),
        "nature": appeal.nature,
        "nature_label": appeal.get_nature_display(),
        "urgency": appeal.urgency,
        "urgency_label": appeal.get_urgency_display(),
        "category": {"code": appeal.category.code, "name": appeal.category.name},
        "subject": appeal.subject,
        "description": appeal.description,
        "anonymous": appeal.anonymous,
        "confidential": appeal.confidential,
        "requester_name": requester_name_for(user, appeal),
        "requester_phone": requester_phone_for(user, appeal),
        "lead_department": appeal.lead_department.name if appeal.lead_department_id else "",
        "received_at": appeal.clock_started_at,
        "due_at": appeal.due_at,
        "due_provisional": appeal.due_provisional,
        "reply": appeal.reply if staff and appeal.reply else reply_of(appeal),
        "redirect_channel_label": appeal.get_redirect_channel_display(),
        "emergency_service_label": appeal.get_emergency_service_display(),
        "steps": [_step(step) for step in steps_of(appeal, with_notes=staff)],
    }


def _reread(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_related("zone", "category", "requester", "lead_department").get(
        pk=appeal.pk
    )


def _zone_for(user, code: str) -> Zone:
    code = fold_code(code)
    if not code:
        if user.zone_id is None:
            raise ValidationFailed.for_field("zone", _("开发区：请填写开发区代码"), code="required")
        return user.zone
    zone = Zone.objects.filter(code=code).first()
    if zone is None:
        raise ValidationFailed.for_field("zone", _("开发区：没有该开发区"), code="zone_not_found")
    return zone


def _submit(request: HttpRequest, data: dict) -> Appeal:
    user = request.auth
    body = validated(AppealSubmitIn, data)
    zone = _zone_for(user, body.zone)
    requester = None
    if body.requester is not None:
        requester = Applicant.objects.filter(
            pk=body.requester, pk__in=represented_applicant_ids(user)
        ).first()
        if requester is None:
            raise ValidationFailed.for_field(
                "requester", _("诉求人：您不能代表该企业或个人反映诉求"), code="not_represented"
            )
    return intake.appeal_submit(
        actor=user,
        zone=zone,
        nature=body.nature,
        category=body.category,
        subject=body.subject,
        description=body.description,
        requester=requester,
        anonymous=body.anonymous,
        confidential=body.confidential,
        linked_case=body.linked_case,
        linked_item=body.linked_item,
        linked_policy=body.linked_policy,
    )


def _record_call(request: HttpRequest, data: dict) -> Appeal:
    user = request.auth
    body = validated(AppealCallIn, data)
    applicant = None
    if body.applicant is not None:
        applicant = zone_applicants(user.zone_id).filter(pk=body.applicant).first()
        if applicant is None:
            raise ValidationFailed.for_field(
                "applicant", _("诉求人：不是本开发区的企业或个人"), code="applicant_not_found"
            )
    return intake.appeal_record_call(
        actor=user,
        outcome=body.outcome,
        nature=body.nature,
        urgency=body.urgency,
        category=body.category,
        subject=body.subject,
        description=body.description,
        caller_name=body.caller_name,
        caller_phone=body.caller_phone,
        applicant=applicant,
        anonymous=body.anonymous,
        confidential=body.confidential,
        reply=body.reply,
        knowledge_version=body.knowledge_version,
        redirect_channel=body.redirect_channel,
        emergency_service=body.emergency_service,
    )


@router.post(
    "/appeals",
    auth=session_auth,
    response={201: AppealOut, **WRITE_ERRORS},
    summary="受理诉求：企业或群众网上反映，或话务员登记来电（四种处理方式）",
    description=(
        "企业或群众的账号提交 AppealSubmitIn；话务员提交 AppealCallIn。其他身份答复 403。"
        "答复中的 query_code 只在此时给出一次。"
    ),
    openapi_extra=_request_body(AppealSubmitIn, AppealCallIn),
)
def appeal_create(request: HttpRequest):
    user = request.auth
    data = json_object(request, empty_is_object=False)
    if user.is_applicant:
        appeal = _submit(request, data)
    elif is_operator(user):
        appeal = _record_call(request, data)
    else:
        raise Forbidden(_("只有企业、群众或话务员可以提交诉求"), code="not_permitted")
    return Status(201, appeal_out(user, _reread(appeal), query_code=True))


@router.post(
    "/appeals/import",
    auth=session_auth,
    response={201: AppealOut, 200: AppealOut, **WRITE_ERRORS},
    summary="接收12345平台推送的工单（按上游工单号幂等：重复推送答复 200 和原工单）",
    description="由本开发区派单员账号调用；未知分类编码答复 422 并指明 category，不会默认归类。",
    openapi_extra=_request_body(AppealImportIn),
)
def appeal_import(request: HttpRequest):
    user = request.auth
    body = validated(AppealImportIn, json_object(request, empty_is_object=False))
    if user.is_applicant or user.zone_id is None:
        raise Forbidden(_("只有本开发区的派单员可以接收12345平台工单"), code="not_permitted")
    appeal, created = intake.appeal_import(actor=user, zone=user.zone, payload=body.model_dump())
    return Status(201 if created else 200, appeal_out(user, _reread(appeal)))


@router.post(
    "/appeals/from-rating",
    auth=session_auth,
    response={201: AppealOut, **WRITE_ERRORS},
    summary="差评转诉求：本开发区派单员或电子监察人员将“不满意”“非常不满意”的评价转为投诉",
    description=(
        "诉求与评价互相关联；一条差评只能转一次（再转答复 409 并给出已转的工单编号）；"
        "好评答复 422 并指明 rating；其他开发区的评价与不存在同样答复 404。"
    ),
    openapi_extra=_request_body(AppealFromRatingIn),
)
def appeal_from_rating(request: HttpRequest):
    user = request.auth
    body = validated(AppealFromRatingIn, json_object(request, empty_is_object=False))
    if not may_turn_ratings(user):
        raise Forbidden(
            _("只有本开发区的派单员或电子监察人员可以将差评转为诉求"), code="not_permitted"
        )
    rating = rating_to_turn(user, body.rating)
    appeal = intake.appeal_from_rating(actor=user, rating=rating, category=body.category)
    return Status(201, appeal_out(user, _reread(appeal)))


@router.get(
    "/appeals/lookup",
    auth=None,
    response={200: PublicAppealOut, 404: Error, 422: Error, 429: Error},
    summary="诉求公开查询（工单编号 + 查询码；任一不符均答复同样的 404；与查询页面共用限流）",
)
def appeal_lookup(request: HttpRequest, query: Query[AppealLookupQuery], response: HttpResponse):
    if not throttle.LOOKUP.allow(request):
        response["Retry-After"] = str(throttle.LOOKUP.retry_after())
        message = _("查询过于频繁，请 1 分钟后再试。")
        return Status(429, {"message": message, "code": "throttled", "fields": {}})
    appeal = public_appeal(number=query.number, code=query.code)
    return {
        "number": appeal.number,
        "status": appeal.status,
        "status_label": appeal.get_status_display(),
        "nature_label": appeal.get_nature_display(),
        "category": appeal.category.name,
        "subject": appeal.subject,
        "received_at": appeal.clock_started_at,
        "due_at": appeal.due_at,
        "due_provisional": appeal.due_provisional,
        "reply": reply_of(appeal),
        "steps": [_step(step) for step in steps_of(appeal, with_notes=False)],
    }


@router.get(
    "/appeals/{number}",
    auth=session_auth,
    response={200: AppealOut, **READ_ERRORS},
    summary="诉求工单详情（诉求人或有权查看的工作人员；其他情况与不存在同样答复 404）",
    description="对承办部门保密的诉求人姓名和电话部分隐去；工作人员查看保密诉求人的完整信息会记入审计。",
)
def appeal_detail(request: HttpRequest, number: str):
    user = request.auth
    appeal = appeal_for(user, number)
    intake.requester_viewed(actor=user, appeal=appeal)
    return appeal_out(user, appeal)
