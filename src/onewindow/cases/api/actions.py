"""The actions on a case over HTTP: one schema and one service per action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from onewindow.cases import services
from onewindow.cases.api.output import case_out, visible_case, written
from onewindow.cases.api.router import WRITE_ERRORS, router
from onewindow.cases.models import Case, Task
from onewindow.cases.schemas import (
    AcceptIn,
    CaseOut,
    CompleteIn,
    CoReviewIn,
    DecideIn,
    DeliverIn,
    ExtendIn,
    InputSchema,
    NoInput,
    OnTheSpotIn,
    RefuseIn,
    RequestCorrectionIn,
    ReturnIn,
    SuspendIn,
    TaskIn,
    TransferIn,
    WithdrawIn,
)
from onewindow.core.api_body import json_object, validated
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.org.models import Department, User


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


def _accept(user: User, case: Case, body: AcceptIn) -> Case:
    return services.case_accept(
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
    case = visible_case(user, number)
    body = validated(schema, json_object(request))
    result = handler(user, case, body)
    return case_out(user, written(result, case), request)
