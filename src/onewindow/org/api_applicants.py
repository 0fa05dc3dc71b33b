"""Applicants over HTTP: ``POST /api/v1/applicants``, a window clerk registers the walk-in
applicant (ADR 0026).

201 with the new applicant; 409 ``applicant_exists`` with the registered applicant's
reference (``applicant.id``, what ``POST /api/v1/cases`` takes) when the identifier is
already registered; 422 naming the field, with the admin form's messages.
"""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from onewindow.core.api_auth import session_auth
from onewindow.core.api_body import json_object, validated
from onewindow.core.errors import Forbidden
from onewindow.core.schemas import ERROR_RESPONSES, Error
from onewindow.core.throttle import request_address
from onewindow.org.constants import Role
from onewindow.org.models import Applicant
from onewindow.org.services import IdentifierChannel, applicant_register_walk_in
from onewindow.org.services.walkin import IDENTIFIER_FIELD

router = Router(tags=["applicants"], auth=session_auth)


class ApplicantRegisterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["enterprise", "person", "foreigner"] = Field(
        description="enterprise 企业；person 个人；foreigner 外国人"
    )
    name: str = Field(max_length=200, description="名称或姓名（与证件一致）")
    uscc: str = Field("", max_length=40, description="统一社会信用代码（企业）")
    id_number: str = Field("", max_length=40, description="居民身份证号码（个人）")
    passport_number: str = Field("", max_length=40, description="护照号码（外国人）")
    nationality: str = Field("", max_length=2, description="国籍，ISO 3166 两位代码（外国人）")
    legal_representative: str = Field("", max_length=100, description="法定代表人（企业）")
    phone: str = Field("", max_length=20, description="联系电话")
    address: str = Field("", max_length=200, description="地址")


class ApplicantOut(Schema):
    id: int = Field(description="申请人编号（申请办件时的 applicant）")
    kind: str
    name: str
    identifier_label: str
    identifier: str = Field(description="证件号码（个人证件号码已遮蔽；统一社会信用代码完整）")


class ApplicantExists(Error):
    """409: the identifier is registered. ``applicant`` is the registered applicant (now
    of the caller's zone), absent when the number belongs to another zone under another
    name."""

    applicant: ApplicantOut | None = None


def _out(applicant: Applicant) -> dict:
    return {
        "id": applicant.pk,
        "kind": applicant.kind,
        "name": applicant.name,
        "identifier_label": str(applicant.identifier_label),
        "identifier": applicant.masked_identifier,
    }


@router.post(
    "/applicants",
    response={201: ApplicantOut, 401: Error, 403: Error, 409: ApplicantExists, **ERROR_RESPONSES},
    summary="窗口登记申请人（企业、个人或外国人）；证件号码已登记时答复 409 及该申请人",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ApplicantRegisterIn.model_json_schema()}},
        }
    },
)
def applicant_register(request):
    user = request.auth
    if not user.has_role(Role.WINDOW_CLERK):  # before the body: a refused role learns nothing
        raise Forbidden(_("只有窗口人员可以登记申请人"), code="window_clerk_only")
    body = validated(ApplicantRegisterIn, json_object(request))
    result = applicant_register_walk_in(
        actor=user,
        channel=IdentifierChannel.API,
        ip_address=request_address(request),
        **body.model_dump(),
    )
    if result.created:
        return Status(201, _out(result.applicant))
    message = _("该证件号码已登记：{name}").format(name=result.applicant.name)
    return Status(
        409,
        {
            "message": message,
            "code": "applicant_exists",
            "fields": {IDENTIFIER_FIELD[result.applicant.kind]: [_("该证件号码已登记")]},
            "applicant": _out(result.applicant),
        },
    )
