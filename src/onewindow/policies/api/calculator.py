"""The calculator over HTTP: ``POST /policies/evaluate`` (typed facts, by anyone, throttled
when not signed in; or an enterprise the caller may read) and ``GET
/enterprises/{uscc}/matches`` (the enterprise's representatives and its zone's readers; 404
otherwise, the same as for an unknown code)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status
from pydantic import Field

from onewindow.core.api_auth import refuse_bad_csrf, session_auth
from onewindow.core.api_body import json_object, validated
from onewindow.core.errors import ValidationFailed
from onewindow.core.schemas import Error
from onewindow.org.models import Zone
from onewindow.org.selectors import zone_by_code
from onewindow.policies.api.router import router
from onewindow.policies.models import PolicyItemVersion
from onewindow.policies.rules.evaluate import INELIGIBLE
from onewindow.policies.services import calculator
from onewindow.policies.services.calculator import CalculatorResult, FactError


class CalculatorEvaluateIn(Schema):
    facts: dict[str, Any] | None = Field(
        None, description="企业信息（按政策计算器的信息项名称）；与 enterprise 二选一"
    )
    enterprise: str | None = Field(
        None, description="统一社会信用代码：按企业档案测算（本企业或有权查看的工作人员）"
    )
    zone: str | None = Field(None, description="开发区代码（按 facts 测算时；默认本站开发区）")
    on: dt.date | None = Field(None, description="判定日期（默认今天）")
    include_ineligible: bool = Field(
        False,
        description=(
            "是否列出不符合的事项及其理由（默认否：results 只含可享受、接近符合和信息不全的事项，"
            "不符合的只计入 counts.ineligible）"
        ),
    )


class CalculatorMatchesQuery(Schema):
    on: dt.date | None = None
    include_ineligible: bool = Field(
        False,
        description=(
            "是否列出不符合的事项及其理由（默认否：results 只含可享受、接近符合和信息不全的事项，"
            "不符合的只计入 counts.ineligible）"
        ),
    )


class CalculatorReasonOut(Schema):
    clause: str
    outcome: str
    text: str


class CalculatorResultOut(Schema):
    code: str
    version: int
    key: str
    name: str
    kind: str
    way: str
    way_label: str
    outcome: str
    amount: str | None
    amount_known: bool
    reasons: list[CalculatorReasonOut]
    missing: list[CalculatorReasonOut]
    excluded_by: str | None
    result_hash: str


class CalculatorCountsOut(Schema):
    eligible: int
    near: int
    unknown: int
    ineligible: int


class CalculatorOut(Schema):
    on: dt.date
    zone: str
    enterprise: str | None
    indicative: bool
    counts: CalculatorCountsOut
    eligible_total: str
    #: Whether ``results`` lists the ineligible items too.
    include_ineligible: bool
    results: list[CalculatorResultOut] = Field(
        description="每项结果及理由；不符合的事项仅在 include_ineligible 为真时列出"
    )


def _way_labels() -> dict[str, str]:
    """The ways' labels in the active language, read once per answer (``get_way_display``
    rebuilds the choices for each of a thousand results)."""
    field = PolicyItemVersion._meta.get_field("way")
    return {str(value): str(label) for value, label in field.flatchoices}


def _result(result: CalculatorResult, way_labels: Mapping[str, str]) -> dict:
    version = result.version
    return {
        "code": version.item.code,
        "version": version.number,
        "key": result.key,
        "name": version.name,
        "kind": version.kind,
        "way": version.way,
        "way_label": way_labels.get(version.way, version.way),
        "outcome": result.outcome,
        "amount": None if result.amount is None else format(result.amount, "f"),
        "amount_known": result.amount_known,
        "reasons": list(result.reasons),
        "missing": list(result.missing),
        "excluded_by": result.excluded_by,
        "result_hash": result.result_hash,
    }


def calculator_out(results, *, on, zone, enterprise=None, include_ineligible=False) -> dict:
    """The answer: counts of every outcome; the results (with their reasons) of the eligible,
    near and unknown items, and of the ineligible only when asked."""
    groups = calculator.grouped(results)
    way_labels = _way_labels()
    return {
        "on": on,
        "zone": zone.code,
        "enterprise": enterprise.uscc if enterprise is not None else None,
        "indicative": enterprise is None,
        "counts": {
            "eligible": len(groups.eligible) + len(groups.excluded),
            "near": len(groups.near),
            "unknown": len(groups.unknown),
            "ineligible": groups.ineligible_count,
        },
        "eligible_total": format(groups.total_amount, "f"),
        "include_ineligible": include_ineligible,
        "results": [
            _result(result, way_labels)
            for result in results
            if include_ineligible or result.outcome != INELIGIBLE
        ],
    }


def _body_schema() -> dict:
    schema = CalculatorEvaluateIn.model_json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


@router.post(
    "/policies/evaluate",
    auth=None,
    response={200: CalculatorOut, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error},
    summary="政策计算器：按填写的企业信息或企业档案测算可享受、接近符合和信息不全的兑现事项",
    description=(
        "facts：任何人可用（未登录时限流，结果仅供参考）；enterprise：本企业的代表或本开发区有权"
        "查看企业档案的工作人员，其他情况与企业不存在同样答复 404。每项结果附各条件的理由（条款）、"
        "金额和判定指纹；不符合的事项默认只计数，include_ineligible=true 时一并列出。"
    ),
    openapi_extra=_body_schema(),
)
def evaluate(request: HttpRequest, response: HttpResponse):
    user = request.user
    if user.is_authenticated:
        refuse_bad_csrf(request)
    body = validated(CalculatorEvaluateIn, json_object(request, empty_is_object=False))
    if (body.facts is None) == (body.enterprise is None):
        message = _("请填写企业信息（facts）或统一社会信用代码（enterprise），二选一")
        raise ValidationFailed(message, code="facts_or_enterprise", fields={"facts": [message]})
    if body.enterprise is not None:
        if not user.is_authenticated:
            return Status(401, {"message": _("请先登录"), "code": "unauthenticated", "fields": {}})
        enterprise = calculator.enterprise_for_reader(user, body.enterprise)
        zone = _zone(calculator.enterprise_zone_id(enterprise))
        on = body.on or timezone.localdate()
        results = calculator.evaluate_enterprise(enterprise, on, zone_id=zone.pk)
        return calculator_out(
            results,
            on=on,
            zone=zone,
            enterprise=enterprise,
            include_ineligible=body.include_ineligible,
        )
    if not user.is_authenticated and not calculator.TRY_LIMIT.allow(request):
        response["Retry-After"] = str(calculator.TRY_LIMIT.retry_after())
        message = _("试算过于频繁，请 1 分钟后再试。")
        return Status(429, {"message": message, "code": "throttled", "fields": {}})
    zone = zone_by_code(body.zone or (user.zone.code if getattr(user, "zone_id", None) else None))
    on = body.on or timezone.localdate()
    try:
        facts = calculator.typed_facts(body.facts, on)
    except FactError as error:
        raise ValidationFailed(
            error.message, code="invalid_fact", fields={f"facts.{error.field}": [error.message]}
        ) from None
    return calculator_out(
        calculator.evaluate_facts(facts, zone, on),
        on=on,
        zone=zone,
        include_ineligible=body.include_ineligible,
    )


def _zone(zone_id: int | None) -> Zone:
    """The enterprise's zone, or the site's default zone for one tied to none."""
    return Zone.objects.get(pk=zone_id) if zone_id is not None else zone_by_code(None)


@router.get(
    "/enterprises/{uscc}/matches",
    auth=session_auth,
    response={200: CalculatorOut, 401: Error, 404: Error, 422: Error},
    summary="企业的政策匹配结果（按企业档案；本企业的代表和本开发区有权查看的工作人员）",
    description=(
        "其他情况与企业不存在同样答复 404。不符合的事项默认只计数，include_ineligible=true 时"
        "一并列出。"
    ),
)
def enterprise_matches(request: HttpRequest, uscc: str, query: Query[CalculatorMatchesQuery]):
    user = request.auth
    enterprise = calculator.enterprise_for_reader(user, uscc)
    zone = _zone(calculator.enterprise_zone_id(enterprise))
    on = query.on or timezone.localdate()
    results = calculator.evaluate_enterprise(enterprise, on, zone_id=zone.pk)
    return calculator_out(
        results,
        on=on,
        zone=zone,
        enterprise=enterprise,
        include_ineligible=query.include_ineligible,
    )
