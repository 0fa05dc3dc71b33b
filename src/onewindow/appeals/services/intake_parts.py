"""The parts every intake shares: what people type, folded and checked field by field
(``Problems`` gathers the errors, each naming its field), the content of an appeal, its
links and attachments, and the new order with its clock. The intake services are in
``services.intake``."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.appeals.constants import (
    ANONYMOUS_NATURES,
    MAX_ATTACHMENTS,
    MAX_POLICY_LENGTH,
    MAX_SUBJECT_LENGTH,
    MAX_TEXT_LENGTH,
    RECEIVED_NOTIFICATION,
    STEP_RECEIVE,
    AppealEvent,
    AppealStatus,
    Nature,
    Urgency,
)
from onewindow.appeals.models import (
    Appeal,
    AppealAttachment,
    AppealCategory,
)
from onewindow.appeals.selectors import appeal_settings_for, time_limit_for, zone_calendar
from onewindow.appeals.services.common import (
    new_query_code,
    next_appeal_number,
    record_step,
    set_clock,
)
from onewindow.appeals.similarity import words_of
from onewindow.cases.models import Case
from onewindow.cases.permissions import visible_cases
from onewindow.cases.uploads import inspect_upload
from onewindow.catalog.models import Item
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import fold_code
from onewindow.core.notifications import notify
from onewindow.org.constants import ApplicantKind, UserKind
from onewindow.org.models import Applicant, User, Zone

# -- what people type --------------------------------------------------------------------------

#: Full-width letters and digits and the ideographic space, typed with a Chinese input
#: method, fold to ASCII (their NFKC form); Chinese punctuation (，：（）) stays as typed.
_WIDE = {
    code: unicodedata.normalize("NFKC", chr(code))
    for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0x3000)
}
#: A phone number as people write it: digits, an optional leading +, dashes and blanks
#: between groups (``0512-6688 1234``); 5 to 20 digits.
_PHONE = re.compile(r"\+?\d[\d-]{3,24}")


def fold_line(value: str | None) -> str:
    """A one-line text as typed, folded: NFKC, blanks collapsed to one space, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def fold_text(value: str | None) -> str:
    """A text of several lines, folded: NFC, full-width letters and digits and the
    ideographic space as ASCII, Windows line ends as ``\\n``, trimmed."""
    text = unicodedata.normalize("NFC", value or "").translate(_WIDE)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def fold_phone(value: str | None) -> str:
    """A phone number as typed (full-width digits, blanks): NFKC, blanks removed."""
    return "".join(unicodedata.normalize("NFKC", value or "").split())


class Problems(dict):
    """The problems found in one request, by field; raised all at once."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self:
            message = _("；").join(message for messages in self.values() for message in messages)
            raise ValidationFailed(message, code="invalid", fields=dict(self))


def _text(
    problems: Problems, field: str, value: str, label: str, limit: int, *, required: bool = True
) -> str:
    if not value:
        if required:
            problems.add(field, _("{label}：请填写").format(label=label))
    elif len(value) > limit:
        problems.add(field, _("{label}：不能超过 {max} 个字").format(label=label, max=limit))
    return value


def _choice(problems: Problems, field: str, value: str, choices, label: str) -> str:
    if value not in choices.values:
        problems.add(field, _("{label}：请从列表中选择").format(label=label))
    return value


def _phone(problems: Problems, field: str, value: str, *, required: bool) -> str:
    phone = fold_phone(value)
    if not phone:
        if required:
            problems.add(field, _("联系电话：请填写"))
        return ""
    digits = sum(ch.isdigit() for ch in phone)
    if not _PHONE.fullmatch(phone) or not 5 <= digits <= 20:
        problems.add(field, _("联系电话：格式不正确，请只填写数字（可含区号和“-”）"))
    return phone


# -- the parts every intake shares -------------------------------------------------------------


@dataclass
class Content:
    """What an appeal is about, checked: the fields every channel fills."""

    nature: str
    urgency: str
    category: AppealCategory | None
    subject: str
    description: str


def _category(problems: Problems, zone: Zone, code: str, *, field: str = "category"):
    """The active leaf category ``code`` of ``zone``, or a problem naming ``field``."""
    code = fold_code(code or "")
    if not code:
        problems.add(field, _("诉求分类：请选择"))
        return None
    category = AppealCategory.objects.filter(zone=zone, code=code, is_active=True).first()
    if category is None:
        problems.add(
            field,
            _("诉求分类：本开发区没有启用编码为“{code}”的分类").format(code=code[:20]),
        )
        return None
    if AppealCategory.objects.filter(parent=category, is_active=True).exists():
        problems.add(
            field, _("诉求分类：“{name}”下还有细分分类，请选择具体分类").format(name=category.name)
        )
        return None
    return category


def _content(
    problems: Problems,
    zone: Zone,
    *,
    nature: str,
    urgency: str,
    category: str,
    subject: str,
    description: str,
) -> Content:
    nature = _choice(problems, "nature", nature or "", Nature, _("诉求性质"))
    urgency = _choice(problems, "urgency", urgency or "", Urgency, _("紧急程度"))
    found = _category(problems, zone, category)
    subject = _text(problems, "subject", fold_line(subject), _("标题"), MAX_SUBJECT_LENGTH)
    description = _text(
        problems, "description", fold_text(description), _("诉求内容"), MAX_TEXT_LENGTH
    )
    return Content(nature, urgency, found, subject, description)


def _anonymous(problems: Problems, nature: str, anonymous: bool) -> bool:
    if anonymous and nature in Nature.values and nature not in ANONYMOUS_NATURES:
        problems.add(
            "anonymous",
            _("匿名：只有举报和建议可以匿名反映，{nature}请留下姓名和联系方式").format(
                nature=Nature(nature).label
            ),
        )
    return bool(anonymous)


def _linked_case(problems: Problems, actor: User, number: str) -> Case | None:
    number = fold_code(number or "")
    if not number:
        return None
    case = visible_cases(actor).filter(number=number).first()
    if case is None:
        problems.add("linked_case", _("关联办件：没有找到该办件，或该办件不是您的"))
    return case


def _linked_item(problems: Problems, zone: Zone, code: str) -> Item | None:
    code = fold_code(code or "")
    if not code:
        return None
    item = Item.objects.filter(zone=zone, implementation_code=code).first()
    if item is None:
        problems.add("linked_item", _("关联事项：本开发区没有该实施编码的事项"))
    return item


def _linked_policy(problems: Problems, code: str) -> str:
    return _text(
        problems,
        "linked_policy",
        fold_line(code),
        _("相关政策"),
        MAX_POLICY_LENGTH,
        required=False,
    )


@dataclass(frozen=True)
class CheckedFile:
    uploaded: Any
    content_type: str
    extension: str
    size: int
    sha256: str
    name: str


def _attachments(problems: Problems, files: Sequence[Any]) -> list[CheckedFile]:
    """Each file checked by its content (cases.uploads); a refusal names the file."""
    files = [given for given in files or () if given is not None]
    if len(files) > MAX_ATTACHMENTS:
        problems.add("attachments", _("附件：最多上传 {max} 个文件").format(max=MAX_ATTACHMENTS))
        return []
    checked = []
    for given in files:
        name = (getattr(given, "name", "") or "")[:200] or _("附件")
        try:
            info = inspect_upload(given)
        except ValidationFailed as refusal:
            problems.add(
                "attachments",
                _("附件“{name}”：{problem}").format(name=name, problem=refusal.message),
            )
            continue
        checked.append(
            CheckedFile(given, info.content_type, info.extension, info.size, info.sha256, name)
        )
    return checked


def _save_attachments(appeal: Appeal, files: list[CheckedFile]) -> None:
    """Stored under a name of ours (a random token and the extension of the type found),
    never the uploader's. Called last in the intake, so that nothing after it can roll
    the order back and leave a stored file behind."""
    for given in files:
        row = AppealAttachment(
            appeal=appeal,
            name=given.name,
            content_type=given.content_type,
            size=given.size,
            sha256=given.sha256,
        )
        given.uploaded.seek(0)
        row.file.save(secrets.token_hex(16) + given.extension, given.uploaded, save=False)
        stored, storage = row.file.name, row.file.storage
        try:
            row.save()
        except Exception:
            storage.delete(stored)
            raise


def _new_appeal(
    zone: Zone,
    content: Content,
    *,
    channel: str,
    received_at: dt.datetime,
    **fields: Any,
) -> Appeal:
    """An order of ``zone``, numbered and with its clock set (not saved)."""
    settings = appeal_settings_for(zone)
    limit = time_limit_for(
        zone.pk, content.nature, content.urgency, on=timezone.localdate(received_at)
    )
    appeal = Appeal(
        zone=zone,
        number=next_appeal_number(zone, year=timezone.localdate(received_at).year),
        query_code=new_query_code(),
        channel=channel,
        nature=content.nature,
        urgency=content.urgency,
        category=content.category,
        subject=content.subject,
        description=content.description,
        words=" ".join(words_of(content.subject + " " + content.description)),
        limit_unit=limit.unit,
        limit_amount=limit.amount,
        **fields,
    )
    set_clock(appeal, start=received_at, settings=settings, calendar=zone_calendar(zone))
    return appeal


def _received(appeal: Appeal, *, actor: User | None, data: dict | None = None) -> None:
    """The order is saved: its first history step and the audit event ``appeal.received``."""
    record_step(
        appeal,
        STEP_RECEIVE,
        actor=actor,
        event=AppealEvent.RECEIVED,
        to_status=AppealStatus.RECEIVED,
        data={"channel": appeal.channel, "nature": appeal.nature, **(data or {})},
    )


def _tell_requester(appeal: Appeal) -> None:
    """The requester's user is told the number (in the inbox, then the notifiers)."""
    if appeal.requester_user_id is None:
        return
    notify(
        appeal.requester_user,
        RECEIVED_NOTIFICATION,
        {"number": appeal.number, "subject": appeal.subject, "zone": appeal.zone.name},
        link=reverse("appeals:my_appeal", args=[appeal.number]),
        subject=("appeal", appeal.number),
        key=f"appeal:{appeal.pk}:received",
    )


def _is_applicant(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.kind == UserKind.APPLICANT)


def _holds(user: User, zone: Zone, roles) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.kind == UserKind.STAFF
        and user.zone_id == zone.pk
        and user.role_set() & roles
    )


def _uscc_of(applicant: Applicant | None) -> str:
    if applicant is not None and applicant.kind == ApplicantKind.ENTERPRISE:
        return applicant.uscc
    return ""
