"""The enterprise profile over HTTP: ``GET`` and ``PUT /api/v1/enterprises/{uscc}/facts``.

``GET``: the enterprise's representatives and its zone's staff who read policies.
``PUT``: the zone's policy officers and administrator; a department pushes its figures with
source ``department`` (an import's or a certificate's value with ``imported`` or
``certificate``). An unknown 统一社会信用代码 and one the user may not see answer the same
404. A wrong value is a 422 whose ``fields`` name the fact.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field

from onewindow.core.api_auth import session_auth
from onewindow.core.errors import Forbidden, ValidationFailed
from onewindow.core.schemas import Error
from onewindow.org.models import Applicant
from onewindow.policies import permissions, profile_values
from onewindow.policies.api.router import router
from onewindow.policies.services import profile as service


class FactsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    facts: dict[str, Any] = Field(
        description='事实名 → 值（如 employees: 350、revenue: "1500"（万元）、'
        'industry_code: "C3919"）；null 清除该事实'
    )
    source: str = Field(
        max_length=20, description="数据来源：department 部门推送、imported 导入、certificate 证照"
    )
    source_detail: str = Field("", max_length=200, description="来源说明（部门、批次或证书编号）")
    as_of: str = Field(max_length=20, description="数据日期（如 2026-01-31），不晚于今天")


class ProfileFactOut(Schema):
    value: Any
    display: str
    source: str
    source_label: str
    source_detail: str
    as_of: dt.date
    recorded_at: dt.datetime


class ProfileOut(Schema):
    uscc: str
    name: str
    size_class: str | None
    size_class_label: str
    facts: dict[str, ProfileFactOut]
    changed: list[str] = []


RESPONSES = {200: ProfileOut, 401: Error, 403: Error, 404: Error, 422: Error}


def profile_out(enterprise: Applicant, changed: list[str] | None = None) -> dict:
    facts = {}
    size = None
    size_label = ""
    for fact in service.profile_rows(enterprise):
        row = fact.row
        if row is None:
            continue
        facts[fact.name] = {
            "value": row.value,
            "display": fact.display,
            "source": row.source,
            "source_label": row.get_source_display(),
            "source_detail": row.source_detail,
            "as_of": row.as_of,
            "recorded_at": row.recorded_at,
        }
        if fact.name == service.SIZE_CLASS:
            size, size_label = row.value, fact.display
    return {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "size_class": size,
        "size_class_label": size_label,
        "facts": facts,
        "changed": changed or [],
    }


@router.get(
    "/enterprises/{uscc}/facts",
    auth=session_auth,
    response=RESPONSES,
    summary="企业档案：各项事实的当前值、来源和数据日期（企业本身和本区工作人员）",
)
def enterprise_facts(request: HttpRequest, uscc: str):
    enterprise = service.profile_enterprise_for(request.user, uscc)
    return profile_out(enterprise)


@router.put(
    "/enterprises/{uscc}/facts",
    auth=session_auth,
    response=RESPONSES,
    summary="更新企业档案：政策专员、管理员或部门推送事实（写入变更记录，企业规模自动推算）",
)
def enterprise_facts_put(request: HttpRequest, uscc: str, body: FactsIn):
    enterprise = service.profile_enterprise_for(request.user, uscc)
    if not permissions.can_write_facts(request.user, enterprise):
        raise Forbidden(_("您不能修改该企业的档案。"), code="facts_forbidden")
    as_of = profile_values.parse_date(body.as_of)
    if as_of is None:
        raise ValidationFailed.for_field(
            "as_of", _("数据日期“%(value)s”不是有效日期（如 2026-01-31）。") % {"value": body.as_of}
        )
    result = service.record_facts(
        request.user,
        enterprise,
        body.facts,
        source=body.source,
        source_detail=body.source_detail,
        as_of=as_of,
    )
    return profile_out(enterprise, result.changed)
