"""A case over HTTP: apply (create and submit, idempotent by key) and read one."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.utils.translation import gettext as _
from ninja import Status

from onewindow.cases import services
from onewindow.cases.api.output import CASE_RELATED, case_out, reread, visible_case
from onewindow.cases.api.router import READ_ERRORS, WRITE_ERRORS, router
from onewindow.cases.constants import CaseChannel
from onewindow.cases.models import Case
from onewindow.cases.schemas import MAX_IDEMPOTENCY_KEY_LENGTH, CaseCreateIn, CaseOut, InputSchema
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.core.api_body import json_object, validated
from onewindow.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from onewindow.org.models import Applicant, User
from onewindow.org.permissions import visible_applicants

IDEMPOTENCY_HEADER = "Idempotency-Key"


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
    try:
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
        version = _published_version(user, body.item) if body.item else None
        bundle = _bundle(user, body.bundle) if body.bundle else None
        case = services.case_create(
            actor=user,
            applicant=applicant,
            item_version=version,
            bundle=bundle,
            channel=channel,
            form_data=body.form,
            language=language,
            window=user.window if channel == CaseChannel.WINDOW else None,
            idempotency_key=key,
            request_digest=digest if key else "",
        )
    except (ApplicationError, IntegrityError):
        # Nothing is read before: a key used before breaks the unique constraint (or the
        # request meets a check its first sending passed). Answer with the case the key
        # made, or 409 when the body differs; with no such case, the error stands.
        existing = _case_by_key(user, key) if key else None
        if existing is None:
            raise
        return Status(200, case_out(user, _replay(existing, digest), request))
    case = _created(case, applicant, version, bundle)
    return Status(201, case_out(user, case, request, created=True))


def _created(
    case: Case, applicant: Applicant, version: ItemVersion | None, bundle: Bundle | None
) -> Case:
    """The new case with the rows this request read already attached (its applicant, its
    item version, item and zone or its bundle, its department), so the response reads
    none of them again; read afresh if the service chose other rows."""
    related: dict[str, object] = {"applicant": applicant}
    if version is not None:
        related.update(item_version=version, zone=version.item.zone, department=version.department)
    if bundle is not None:
        related.update(bundle=bundle, zone=bundle.zone, department=bundle.lead_department)
    if case.parent_id is not None:
        return reread(case)
    for field, row in related.items():
        if getattr(case, f"{field}_id") != row.pk:
            return reread(case)
        setattr(case, field, row)
    return case


# -- reading a case ------------------------------------------------------------------------


@router.get(
    "/cases/{number}",
    response={200: CaseOut, **READ_ERRORS},
    summary="办件详情（无权查看的办件与不存在的办件同样答复 404）",
)
def case_detail(request, number: str):
    user = request.auth
    return case_out(user, visible_case(user, number), request)
