"""Cases over HTTP: apply, read a case, act on it, the task inbox, public progress.

``POST /api/v1/cases``, ``GET /api/v1/cases/{number}``,
``POST /api/v1/cases/{number}/actions/{action}``, ``GET /api/v1/tasks``,
``GET /api/v1/track/{number}?code=…``. Each endpoint parses its input, passes the access
chokepoint (``access_case_by_number``: a case one may not see is "not found") and calls
one service or selector; the services decide who may do what (403) and when (409).

Bodies are validated here against one schema per action; their errors go through the
project's validation handler, so a 422 names the field in the user's language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from onewindow.cases import deadlines, services, throttle
from onewindow.cases.constants import CaseChannel, CaseStatus, Light, MaterialState
from onewindow.cases.models import Case, Task
from onewindow.cases.permissions import (
    access_case_by_number,
    can_view_query_code,
)
from onewindow.cases.schemas import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    AcceptIn,
    CaseCreateIn,
    CaseOut,
    CompleteIn,
    CoReviewIn,
    DecideIn,
    DeliverIn,
    ExtendIn,
    InboxPageOut,
    InboxQuery,
    InputSchema,
    NoInput,
    OnTheSpotIn,
    RefuseIn,
    RequestCorrectionIn,
    ReturnIn,
    SuspendIn,
    TaskIn,
    TrackOut,
    TrackQuery,
    TransferIn,
    WithdrawIn,
)
from onewindow.cases.selectors import CaseView, case_view, public_progress, task_inbox
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.certificates.models import CertificateStatus
from onewindow.core.api_auth import session_auth
from onewindow.core.api_body import json_object, validated
from onewindow.core.calendar import WorkingCalendar
from onewindow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from onewindow.core.schemas import ERROR_RESPONSES, Error
from onewindow.core.throttle import request_address
from onewindow.org.models import Department, User
from onewindow.org.permissions import visible_applicants
from onewindow.org.selectors import calendar_for_zone
from onewindow.org.services import IdentifierChannel

router = Router(tags=["cases"], auth=session_auth)

#: Responses every authenticated endpoint may give.
READ_ERRORS = {401: Error, **ERROR_RESPONSES}
WRITE_ERRORS = {401: Error, 403: Error, 409: Error, **ERROR_RESPONSES}

IDEMPOTENCY_HEADER = "Idempotency-Key"

CASE_RELATED = ("zone", "applicant", "department", "item_version__item", "bundle", "parent")


# -- input -------------------------------------------------------------------------------


def _request_body(schema: type[InputSchema], *, required: bool = True) -> dict:
    """Documents a body that the view validates itself (``core.api_body.validated``)."""
    return {
        "requestBody": {
            "required": required,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }


def _digest(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- output ------------------------------------------------------------------------------


def _department(department: Department) -> dict:
    return {"code": department.code, "name": department.name}


def _person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"username": user.get_username(), "name": str(user)}


def _task_row(task: Task, *, today: dt.date, calendars: dict[int, WorkingCalendar]) -> dict:
    """One active task (annotated ``with_light``, its case and zone joined); ``calendars``
    keeps each zone's calendar for the request (asking for it checks its revision)."""
    remaining = None
    if task.light != Light.PAUSED:
        zone = task.case.zone
        if zone.pk not in calendars:
            calendars[zone.pk] = calendar_for_zone(zone)
        remaining = deadlines.remaining_working_days(calendars[zone.pk], today, task.deadline)
    return {
        "id": task.pk,
        "step": task.step_key,
        "name": task.name,
        "kind": task.kind,
        "kind_label": task.get_kind_display(),
        "status": task.status,
        "status_label": task.get_status_display(),
        "department": _department(task.department),
        "assignee": _person(task.assignee),
        "opened_on": task.opened_on,
        "opened_at": task.opened_at,
        "deadline": task.deadline,
        "remaining": remaining,
        "light": task.light,
    }


def _applicant(view: CaseView) -> dict:
    """The case's applicant; the identifier by the one rule (``org.permissions``), a staff
    member's full view recorded once for this response (ADR 0015)."""
    applicant, shown = view.case.applicant, view.identifier
    return {
        "name": applicant.name,
        "kind": applicant.kind,
        "identifier_label": str(applicant.identifier_label),
        "identifier": shown.value,
        "identifier_masked": not shown.full,
    }


def _case_out(user: User, case: Case, request: HttpRequest) -> dict:
    """The case as ``user`` (who may see it) sees it: one response, one identifier view."""
    view = case_view(
        viewer=user,
        case=case,
        channel=IdentifierChannel.API,
        ip_address=request_address(request),
        on=timezone.localdate(),
    )
    today, clock = view.today, view.clock
    decided = bool(case.decision)
    show_code = can_view_query_code(user, case)
    return {
        "number": case.number,
        "query_code": case.query_code if show_code else None,
        "status": case.status,
        "status_label": case.get_status_display(),
        "title": case.title,
        "item": case.item_version.item.implementation_code if case.item_version_id else None,
        "bundle": case.bundle.code if case.bundle_id else None,
        "parent": case.parent.number if case.parent_id else None,
        "channel": case.channel,
        "channel_label": case.get_channel_display(),
        "applicant": _applicant(view),
        "department": _department(case.department),
        "submitted_at": case.submitted_at,
        "accepted_on": case.accepted_on,
        "decided_on": case.decided_on,
        "delivered_on": case.delivered_on,
        "withdrawn_at": case.withdrawn_at,
        "limit_days": case.limit_days,
        "legal_limit_days": case.legal_limit_days,
        "deadline": clock.deadline,
        "deadline_provisional": clock.provisional,
        "remaining": clock.remaining,
        "light": clock.light,
        "acceptance_mode": case.acceptance_mode,
        "acceptance_mode_label": case.get_acceptance_mode_display() if case.acceptance_mode else "",
        "tolerance_due_on": case.tolerance_due_on,
        "correction_items": list(case.correction_items or []),
        "extension": (
            {"days": case.extension_days, "reason": case.extension_reason}
            if case.extension_days
            else None
        ),
        "refusal": (
            {"reason": case.refusal_reason, "legal_basis": case.refusal_legal_basis}
            if case.status == CaseStatus.NOT_ACCEPTED
            else None
        ),
        "decision": (
            {
                "decision": case.decision,
                "decision_label": case.get_decision_display(),
                "reason": case.decision_reason,
                "remedy_notice": case.remedy_notice,
                "decided_on": case.decided_on,
                "on_time": case.on_time,
            }
            if decided
            else None
        ),
        "children": [
            {
                "number": child.number,
                "title": child.title,
                "status": child.status,
                "status_label": child.get_status_display(),
                "decision": child.decision,
            }
            for child in view.children
        ],
        "materials": [
            {
                "id": row.pk,
                "position": row.position,
                "name": row.name,
                "required": row.required,
                "tolerable": row.tolerable,
                "commitment_allowed": row.commitment_allowed,
                "state": row.state,
                "state_label": str(MaterialState(row.state).label),
                "certificate": (row.reference if row.state == MaterialState.CERTIFICATE else None),
            }
            for row in view.materials
        ],
        "certificates": [_certificate_out(certificate) for certificate in view.certificates],
        "tasks": [_task_row(task, today=today, calendars={}) for task in view.active_tasks],
    }


def _certificate_out(certificate) -> dict:
    """One certificate of a ``CaseView`` (its status today read once)."""
    status = certificate.status_today
    return {
        "identifier": certificate.identifier,
        "type": certificate.certificate_type.name,
        "case": certificate.case_number,
        "status": status,
        "status_label": str(CertificateStatus(status).label),
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "verify_url": settings.ONEWINDOW_PUBLIC_URL + certificate.verification_path(),
    }


def _reread(case: Case) -> Case:
    return Case.objects.select_related(*CASE_RELATED).get(pk=case.pk)


# -- creating a case -----------------------------------------------------------------------


def _published_version(user: User, code: str) -> ItemVersion:
    version = (
        ItemVersion.objects.published()
        .filter(item__zone_id=user.zone_id, item__implementation_code=code.strip())
        .select_related("item__zone", "department")
        .first()
    )
    if version is None:
        raise ValidationFailed.for_field(
            "item", _("没有该事项，或该事项没有现行版本"), code="item_not_found"
        )
    return version


def _bundle(user: User, code: str) -> Bundle:
    bundle = (
        Bundle.objects.filter(zone_id=user.zone_id, code=code.strip())
        .select_related("zone", "lead_department")
        .first()
    )
    if bundle is None:
        raise ValidationFailed.for_field("bundle", _("没有该一件事"), code="bundle_not_found")
    return bundle


def _case_by_key(user: User, key: str) -> Case | None:
    return (
        Case.objects.select_related(*CASE_RELATED)
        .filter(submitted_by=user, idempotency_key=key)
        .first()
    )


def _replay(case: Case, digest: str) -> Case:
    """The case an earlier request with the same key made, if the body was the same."""
    if case.request_digest != digest:
        message = _("该幂等键已用于另一份申请")
        raise Conflict(
            message, code="idempotency_key_reused", fields={IDEMPOTENCY_HEADER: [message]}
        )
    return case


@router.post(
    "/cases",
    response={201: CaseOut, 200: CaseOut, **WRITE_ERRORS},
    summary="申请：创建并提交办件（同一幂等键重复提交返回同一办件）",
    openapi_extra={
        **_request_body(CaseCreateIn),
        # Read by the view, so a too long key is named like a body field in the 422.
        "parameters": [
            {
                "name": IDEMPOTENCY_HEADER,
                "in": "header",
                "required": False,
                "description": (
                    "幂等键：同一用户以同一键重复提交同一内容，返回同一办件（201 后为 200）；"
                    "同一键用于不同内容答复 409"
                ),
                "schema": {"type": "string", "maxLength": MAX_IDEMPOTENCY_KEY_LENGTH},
            }
        ],
    },
)
def case_create(request):
    user = request.auth
    data = json_object(request)
    body = validated(CaseCreateIn, data)
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValidationFailed.for_field(
            IDEMPOTENCY_HEADER,
            _("幂等键不能超过 {max} 个字符").format(max=MAX_IDEMPOTENCY_KEY_LENGTH),
            code="too_long",
        )
    digest = _digest(data)
    if key and (existing := _case_by_key(user, key)) is not None:
        return Status(200, _case_out(user, _replay(existing, digest), request))

    language = body.language or getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed.for_field("language", _("不支持该语言"), code="invalid_language")
    if body.channel is not None:
        channel = body.channel
    else:
        channel = CaseChannel.ONLINE if user.is_applicant else CaseChannel.WINDOW
    # Staff apply for the applicants of their zone, applicants for their own (ADR 0015).
    applicant = visible_applicants(user).filter(pk=body.applicant).first()
    if applicant is None:  # missing, another zone's or not represented: one answer
        raise NotFound(_("申请人不存在"), code="applicant_not_found")
    try:
        case = services.case_create(
            actor=user,
            applicant=applicant,
            item_version=_published_version(user, body.item) if body.item else None,
            bundle=_bundle(user, body.bundle) if body.bundle else None,
            channel=channel,
            form_data=body.form,
            language=language,
            window=user.window if channel == CaseChannel.WINDOW else None,
            idempotency_key=key,
            request_digest=digest if key else "",
        )
    except (Conflict, IntegrityError) as error:
        # A concurrent request with the same key won the race: answer with its case.
        reused = isinstance(error, IntegrityError) or error.code == "idempotency_key_reused"
        existing = _case_by_key(user, key) if key and reused else None
        if existing is None:
            raise
        return Status(200, _case_out(user, _replay(existing, digest), request))
    return Status(201, _case_out(user, _reread(case), request))


# -- reading a case ------------------------------------------------------------------------


def _visible_case(user: User, number: str) -> Case:
    return access_case_by_number(user, number, queryset=Case.objects.select_related(*CASE_RELATED))


@router.get(
    "/cases/{number}",
    response={200: CaseOut, **READ_ERRORS},
    summary="办件详情（无权查看的办件与不存在的办件同样答复 404）",
)
def case_detail(request, number: str):
    user = request.auth
    return _case_out(user, _visible_case(user, number), request)


# -- actions -------------------------------------------------------------------------------


def _task(case: Case, task_id: int) -> Task:
    task = Task.objects.select_related("case", "department").filter(case=case, pk=task_id).first()
    if task is None:
        raise NotFound(
            _("该办件没有这个任务"),
            code="task_not_found",
            fields={"task": [_("该办件没有这个任务")]},
        )
    return task


def _colleague(case: Case, username: str) -> User:
    user = User.objects.filter(zone_id=case.zone_id, username=username.strip()).first()
    if user is None:
        raise ValidationFailed.for_field("to_user", _("没有该用户"), code="user_not_found")
    return user


def _co_department(case: Case, code: str) -> Department:
    department = Department.objects.filter(zone_id=case.zone_id, code=code.strip()).first()
    if department is None:
        raise ValidationFailed.for_field("department", _("没有该部门"), code="department_not_found")
    return department


Handler = Callable[[User, Case, Any], object]


def _accept(user: User, case: Case, body: AcceptIn) -> None:
    services.case_accept(
        case=case,
        actor=user,
        mode=body.mode,
        tolerated=body.tolerated,
        tolerance_due_on=body.tolerance_due_on,
        committed=body.committed,
        commitment_text=body.commitment_text,
        commitment_signed_name=body.commitment_signed_name,
    )


def _transfer(user: User, case: Case, body: TransferIn) -> None:
    services.task_transfer(
        task=_task(case, body.task),
        actor=user,
        to_user=_colleague(case, body.to_user),
        reason=body.reason,
    )


def _co_review(user: User, case: Case, body: CoReviewIn) -> None:
    services.task_request_co_review(
        task=_task(case, body.task),
        actor=user,
        department=_co_department(case, body.department),
        reason=body.reason,
        limit_days=body.limit_days,
    )


def _decide(user: User, case: Case, body: DecideIn) -> None:
    services.task_decide(
        task=_task(case, body.task),
        actor=user,
        decision=body.decision,
        reason=body.reason,
        remedy_notice=body.remedy_notice,
        certificate_facts=body.certificate_facts,
    )


#: action → (its body, what it does). Every write is a service.
ACTIONS: dict[str, tuple[type[InputSchema], Handler]] = {
    "submit": (NoInput, lambda u, c, b: services.case_submit(case=c, actor=u)),
    "resubmit": (NoInput, lambda u, c, b: services.case_resubmit(case=c, actor=u)),
    "request_correction": (
        RequestCorrectionIn,
        lambda u, c, b: services.case_request_correction(case=c, actor=u, items=b.items),
    ),
    "refuse": (
        RefuseIn,
        lambda u, c, b: services.case_refuse(
            case=c, actor=u, reason=b.reason, legal_basis=b.legal_basis
        ),
    ),
    "accept": (AcceptIn, _accept),
    "withdraw": (
        WithdrawIn,
        lambda u, c, b: services.case_withdraw(case=c, actor=u, reason=b.reason),
    ),
    "suspend": (
        SuspendIn,
        lambda u, c, b: services.case_suspend(case=c, actor=u, kind=b.kind, reason=b.reason),
    ),
    "resume": (NoInput, lambda u, c, b: services.case_resume(case=c, actor=u)),
    "extend": (
        ExtendIn,
        lambda u, c, b: services.case_extend(case=c, actor=u, days=b.days, reason=b.reason),
    ),
    "claim": (TaskIn, lambda u, c, b: services.task_claim(task=_task(c, b.task), actor=u)),
    "complete": (
        CompleteIn,
        lambda u, c, b: services.task_complete(task=_task(c, b.task), actor=u, comment=b.comment),
    ),
    "return": (
        ReturnIn,
        lambda u, c, b: services.task_return(task=_task(c, b.task), actor=u, reason=b.reason),
    ),
    "transfer": (TransferIn, _transfer),
    "co_review": (CoReviewIn, _co_review),
    "decide": (DecideIn, _decide),
    "deliver": (
        DeliverIn,
        lambda u, c, b: services.task_deliver(task=_task(c, b.task), actor=u, comment=b.comment),
    ),
    "on_the_spot": (
        OnTheSpotIn,
        lambda u, c, b: services.case_handle_on_the_spot(
            case=c,
            actor=u,
            decision=b.decision,
            reason=b.reason,
            certificate_facts=b.certificate_facts,
        ),
    ),
}


def _actions_body() -> dict:
    """The body of each action, for the OpenAPI document."""
    schemas = []
    for name, (schema, _handler) in ACTIONS.items():
        document = schema.model_json_schema()
        document["title"] = name
        schemas.append(document)
    return {
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": {"anyOf": schemas}}},
        }
    }


@router.post(
    "/cases/{number}/actions/{action}",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="办件操作：" + "、".join(ACTIONS),
    description=(
        "每个操作有自己的请求体（见 requestBody 中与操作同名的 schema）。"
        "未知操作答复 404（unknown_action）；任务须属于该办件。"
    ),
    openapi_extra=_actions_body(),
)
def case_action(request, number: str, action: str):
    user = request.auth
    entry = ACTIONS.get(action)
    if entry is None:
        raise NotFound(_("没有该操作：{action}").format(action=action), code="unknown_action")
    schema, handler = entry
    case = _visible_case(user, number)
    body = validated(schema, json_object(request))
    handler(user, case, body)
    return _case_out(user, _reread(case), request)


# -- the inbox -----------------------------------------------------------------------------


@router.get(
    "/tasks",
    response={200: InboxPageOut, 401: Error, 403: Error, **ERROR_RESPONSES},
    summary="待办任务（本人角色和部门的任务，最紧急的在前）",
)
def inbox(request, query: Query[InboxQuery]):
    user = request.auth
    if user.is_applicant:
        raise Forbidden(_("只有工作人员有待办任务"), code="staff_only")
    today = timezone.localdate()
    tasks = task_inbox(user, on=today, light=query.light, mine=query.mine).select_related(
        "case__zone"
    )
    results = []
    calendars: dict[int, WorkingCalendar] = {}
    for task in tasks[query.offset : query.offset + query.limit]:
        row = _task_row(task, today=today, calendars=calendars)
        row.update(case=task.case.number, title=task.case.title, applicant=task.case.applicant.name)
        results.append(row)
    return {
        "count": tasks.count(),
        "limit": query.limit,
        "offset": query.offset,
        "results": results,
    }


# -- public progress -----------------------------------------------------------------------


@router.get(
    "/track/{number}",
    response={200: TrackOut, **ERROR_RESPONSES, 429: Error},
    summary="办件进度公开查询（办件编号 + 查询码；任一不符均答复 404；与查询页面共用限流）",
    auth=None,
)
def track(request, number: str, query: Query[TrackQuery], response: HttpResponse):
    if not throttle.TRACK.allow(request):
        response["Retry-After"] = str(throttle.TRACK.retry_after())
        message = _("查询过于频繁，请 1 分钟后再试。")
        return Status(429, {"message": message, "code": "throttled", "fields": {}})
    progress = public_progress(number=number, code=query.code)
    return {
        **dataclasses.asdict(progress),
        "status_label": str(progress.status_label),
        "steps": [{**step, "status": str(step["status"])} for step in progress.steps],
    }
