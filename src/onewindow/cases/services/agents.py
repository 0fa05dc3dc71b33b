"""A walk-in application brought by an agent (经办人) with a written authorisation
(授权委托书): one use-case, the case and its agent written together or not at all
(ADR 0026)."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.constants import CaseChannel, CaseEventAction
from onewindow.cases.models import Case, CaseAgent
from onewindow.cases.services.common import _event
from onewindow.cases.services.intake import case_create
from onewindow.cases.uploads import UploadInfo, inspect_upload
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.core.errors import Forbidden, ValidationFailed
from onewindow.core.identifiers import validate_id_number
from onewindow.org.constants import Role
from onewindow.org.models import Applicant, User, Window

#: A phone number as people write it: digits, with +, -, blanks or brackets between.
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ()]{4,18}[0-9]$")


@dataclass(frozen=True)
class AgentInput:
    """The agent at the window, as the clerk typed it, and the scanned authorisation."""

    name: str
    id_number: str
    phone: str
    authorisation: Any  # an uploaded file (``UploadedFile``) or None


@dataclass(frozen=True)
class _CheckedAgent:
    name: str
    id_number: str
    phone: str
    authorisation: Any
    file: UploadInfo


def _fold(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def _checked(agent: AgentInput) -> _CheckedAgent:
    """Every field of the agent, or a refusal naming the first field that is wrong."""
    name = _fold(agent.name)
    if not name:
        raise ValidationFailed.for_field("agent_name", _("经办人姓名不能为空"))
    if len(name) > 100:
        raise ValidationFailed.for_field("agent_name", _("经办人姓名不能超过 100 个字"))
    try:
        id_number = validate_id_number(agent.id_number, field="agent_id_number")
    except ValidationFailed as error:
        raise ValidationFailed.for_field(
            "agent_id_number", _("经办人{message}").format(message=error.message), code=error.code
        ) from None
    phone = _fold(agent.phone)
    if not phone:
        raise ValidationFailed.for_field("agent_phone", _("经办人联系电话不能为空"))
    if not PHONE_RE.fullmatch(phone):
        raise ValidationFailed.for_field(
            "agent_phone", _("经办人联系电话应为 6 至 20 位数字（可含 +、- 和括号）")
        )
    if agent.authorisation is None:
        raise ValidationFailed.for_field(
            "agent_authorisation", _("授权委托书：请上传申请人签署的授权委托书扫描件")
        )
    try:
        info = inspect_upload(agent.authorisation)
    except ValidationFailed as error:
        raise ValidationFailed.for_field(
            "agent_authorisation",
            _("授权委托书：{message}").format(message=error.message),
            code=error.code,
        ) from None
    return _CheckedAgent(name, id_number, phone, agent.authorisation, info)


def _record(case: Case, agent: _CheckedAgent, *, actor: User) -> CaseAgent:
    row = CaseAgent(
        case=case,
        name=agent.name,
        id_number=agent.id_number,
        phone=agent.phone,
        original_name=(getattr(agent.authorisation, "name", "") or "")[:255],
        content_type=agent.file.content_type,
        size=agent.file.size,
        sha256=agent.file.sha256,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    row.authorisation.save(
        secrets.token_hex(16) + agent.file.extension, agent.authorisation, save=False
    )
    stored = row.authorisation.name
    try:
        row.save()
        _event(
            case,
            CaseEventAction.AGENT_RECORDED,
            actor=actor,
            data={
                "name": agent.name,
                "id_number": row.masked_id_number,  # never the full number in the trail
                "sha256": agent.file.sha256,
                "size": agent.file.size,
            },
        )
    except Exception:  # the file is the last write: nothing half-written stays
        row.authorisation.storage.delete(stored)
        raise
    return row


@transaction.atomic
def case_create_at_window(
    *,
    actor: User,
    applicant: Applicant,
    item_version: ItemVersion | None = None,
    bundle: Bundle | None = None,
    window: Window | None = None,
    form_data: dict[str, Any] | None = None,
    agent: AgentInput | None = None,
) -> Case:
    """A walk-in application registered by a window clerk (submitted, waiting for
    pre-review), with the agent who brought it (经办人) when one did: the agent's
    identity and authorisation are checked before anything is written; the agent and
    the stored authorisation are the last writes (``case.agent_recorded``)."""
    if not actor.has_role(Role.WINDOW_CLERK):
        raise Forbidden(_("只有窗口人员可以登记窗口申请"), code="window_clerk_only")
    checked = _checked(agent) if agent is not None else None
    case = case_create(
        actor=actor,
        applicant=applicant,
        item_version=item_version,
        bundle=bundle,
        channel=CaseChannel.WINDOW,
        window=window,
        form_data=form_data,
    )
    if checked is not None:
        _record(case, checked, actor=actor)
    return case
