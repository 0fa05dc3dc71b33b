"""受理: every way an appeal comes in (GLOSSARY.md "Appeals").

- ``appeal_submit``: an applicant's user files online (匿名 only for 举报 / 建议);
- ``appeal_record_call``: the hotline seat records a call, with one of four outcomes (for
  dispatch; answered at once from the knowledge base; not accepted, with the right channel
  told; an emergency transferred to 110 / 119 / 120 / 122, with no clock);
- ``appeal_import``: an order pushed by the upstream 12345 platform, idempotent on its id;
- ``appeal_from_rating``: a bad 好差评 rating turned into a 投诉.

Each checks every field at once and names each problem after its field (422); the order
is created received (a history step and the audit event ``appeal.received``), and any
further status change goes through ``services.common.move`` (the transition table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from onewindow.appeals.constants import (
    APPEAL_OBJECT_TYPE,
    APPEAL_TRANSITIONS,
    CENTRE_ROLES,
    MAX_NAME_LENGTH,
    MAX_SUBJECT_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_UPSTREAM_ID_LENGTH,
    OPERATOR_ROLES,
    SUPERVISION_ROLES,
    AppealAction,
    AppealEvent,
    AppealStatus,
    CallOutcome,
    Channel,
    ClosingKind,
    EmergencyService,
    Nature,
    RedirectChannel,
    Urgency,
)
from onewindow.appeals.models import (
    Appeal,
    KnowledgeVersion,
)
from onewindow.appeals.permissions import sees_requester
from onewindow.appeals.services.common import (
    actor_id,
    actor_name,
    move,
    record_step,
)
from onewindow.appeals.services.intake_parts import (
    Problems,
    _anonymous,
    _attachments,
    _choice,
    _content,
    _holds,
    _is_applicant,
    _linked_case,
    _linked_item,
    _linked_policy,
    _new_appeal,
    _phone,
    _received,
    _save_attachments,
    _tell_requester,
    _text,
    _uscc_of,
    fold_line,
    fold_text,
)
from onewindow.appeals.services.queue_counts import keeps_queue_counts
from onewindow.core.audit import audit_append
from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.identifiers import fold_code
from onewindow.core.locks import lock_row
from onewindow.core.transitions import transition_new
from onewindow.org.models import Applicant, User, Zone
from onewindow.org.permissions import represented_applicant_ids, zone_applicants
from onewindow.reviews.models import BAD_LEVELS, Rating

# -- online ------------------------------------------------------------------------------------


@keeps_queue_counts(creates=True)
def appeal_submit(
    *,
    actor: User,
    zone: Zone,
    nature: str,
    category: str,
    subject: str,
    description: str,
    requester: Applicant | None = None,
    anonymous: bool = False,
    confidential: bool = False,
    linked_case: str = "",
    linked_item: str = "",
    linked_policy: str = "",
    attachments: Sequence[Any] = (),
) -> Appeal:
    """我要反映: an applicant's user files an appeal for an applicant they represent (or,
    for 举报 and 建议 only, anonymously: nobody is named and the user is not linked; the
    query code, shown once, is then the only way back to it). ``category`` is the code of
    an active leaf category of ``zone``; a linked case must be one the user may see."""
    if not _is_applicant(actor):
        raise Forbidden(_("只有企业或群众的账号可以在网上反映诉求"), code="not_permitted")
    problems = Problems()
    content = _content(
        problems,
        zone,
        nature=nature,
        urgency=Urgency.NORMAL,
        category=category,
        subject=subject,
        description=description,
    )
    anonymous = _anonymous(problems, content.nature, anonymous)
    if anonymous:
        requester = None
    elif requester is None:
        problems.add("requester", _("诉求人：请选择以哪个企业或个人的名义反映"))
    elif requester.pk not in represented_applicant_ids(actor):
        problems.add("requester", _("诉求人：您不能代表该企业或个人反映诉求"))
    if anonymous and fold_code(linked_case or ""):
        # One's own case names whoever filed: an anonymous appeal links none.
        problems.add("linked_case", _("关联办件：匿名反映不能关联办件（关联后可识别您的身份）"))
        linked_case = ""
    case = _linked_case(problems, actor, linked_case)
    item = _linked_item(problems, zone, linked_item)
    policy = _linked_policy(problems, linked_policy)
    files = _attachments(problems, attachments)
    problems.raise_if_any()
    appeal = _new_appeal(
        zone,
        content,
        channel=Channel.ONLINE,
        received_at=timezone.now(),
        requester=requester,
        requester_user=None if anonymous else actor,
        anonymous=anonymous,
        confidential=bool(confidential),
        contact_phone="" if anonymous or requester is None else requester.phone,
        subject_uscc=_uscc_of(requester),
        linked_case=case,
        linked_item=item,
        linked_policy=policy,
    )
    appeal.save()
    # An anonymous appeal keeps nobody's name, not even in its history.
    _received(appeal, actor=None if anonymous else actor, data={"anonymous": anonymous})
    _tell_requester(appeal)
    _save_attachments(appeal, files)
    return appeal


# -- the hotline -------------------------------------------------------------------------------


@keeps_queue_counts(creates=True)
def appeal_record_call(
    *,
    actor: User,
    outcome: str,
    nature: str,
    category: str,
    subject: str,
    description: str,
    urgency: str = Urgency.NORMAL,
    caller_name: str = "",
    caller_phone: str = "",
    applicant: Applicant | None = None,
    anonymous: bool = False,
    confidential: bool = False,
    reply: str = "",
    knowledge_version: int | None = None,
    redirect_channel: str = "",
    emergency_service: str = "",
) -> Appeal:
    """来电登记: the hotline seat (话务员) records a call of its zone, with one outcome:

    - ``dispatch``: received, for the centre to dispatch;
    - ``answer_now``: answered at once from the knowledge base (即时办结): ``reply`` is
      what the caller was told, ``knowledge_version`` the version of the published article
      of the zone it came from; received → closed;
    - ``refuse``: not accepted (不予受理), ``redirect_channel`` told with ``reply``; the
      clock is kept for the record but never counted as overdue;
    - ``emergency``: transferred to ``emergency_service`` (110 / 119 / 120 / 122) and
      recorded with no clock at all.

    The caller is an existing applicant of the zone, or a name and phone (or nobody, for
    an anonymous 举报 / 建议). 疑难 needs the centre's approval, so it is not set here."""
    zone = actor.zone if actor.is_authenticated else None
    if zone is None or not _holds(actor, zone, OPERATOR_ROLES):
        raise Forbidden(_("只有本开发区的话务员可以登记来电"), code="not_permitted")
    problems = Problems()
    outcome = _choice(problems, "outcome", outcome or "", CallOutcome, _("处理方式"))
    content = _content(
        problems,
        zone,
        nature=nature,
        urgency=urgency or Urgency.NORMAL,
        category=category,
        subject=subject,
        description=description,
    )
    if content.urgency == Urgency.DIFFICULT:
        problems.add("urgency", _("紧急程度：疑难件须由中心派单时审批，来电登记请选一般或紧急"))
    emergency = outcome == CallOutcome.EMERGENCY
    anonymous = _anonymous(problems, content.nature, anonymous)
    name = _text(
        problems,
        "caller_name",
        fold_line(caller_name),
        _("来电人"),
        MAX_NAME_LENGTH,
        required=False,
    )
    phone = _phone(problems, "caller_phone", caller_phone, required=False)
    if anonymous:
        applicant, name = None, ""
    elif applicant is not None:
        if not zone_applicants(zone.pk).filter(pk=applicant.pk).exists():
            problems.add("applicant", _("诉求人：不是本开发区的企业或个人"))
    elif not emergency:
        if not name:
            problems.add("caller_name", _("来电人：请填写姓名（或选择已登记的企业、个人）"))
        if not phone:
            problems.add("caller_phone", _("联系电话：请填写"))
    version = None
    told = fold_text(reply)
    if outcome == CallOutcome.ANSWER_NOW:
        _text(problems, "reply", told, _("答复内容"), MAX_TEXT_LENGTH)
        version = _cited_version(problems, zone, knowledge_version)
    elif outcome == CallOutcome.REFUSE:
        _choice(
            problems, "redirect_channel", redirect_channel or "", RedirectChannel, _("告知渠道")
        )
        _text(problems, "reply", told, _("告知内容"), MAX_TEXT_LENGTH)
    elif emergency:
        _choice(
            problems, "emergency_service", emergency_service or "", EmergencyService, _("转接热线")
        )
    else:
        told = ""
    problems.raise_if_any()

    now = timezone.now()
    appeal = _new_appeal(
        zone,
        content,
        channel=Channel.HOTLINE,
        received_at=now,
        requester=applicant,
        anonymous=anonymous,
        confidential=bool(confidential),
        contact_name=name,
        contact_phone=phone or (applicant.phone if applicant is not None else ""),
        subject_uscc=_uscc_of(applicant),
        received_by=actor,
    )
    if emergency:
        # No clock: an emergency is not ours to handle; it is transferred and recorded.
        appeal.due_at = appeal.warn_at = None
        appeal.due_provisional = False
        appeal.emergency_service = emergency_service
        appeal.closed_at = now
        transition_new(appeal, AppealAction.TRANSFER, table=APPEAL_TRANSITIONS)
        appeal.save()
        record_step(
            appeal,
            AppealAction.TRANSFER,
            actor=actor,
            event=AppealEvent.TRANSFERRED,
            to_status=AppealStatus.TRANSFERRED,
            note=EmergencyService(emergency_service).label,
            data={
                "from": AppealStatus.RECEIVED,
                "to": AppealStatus.TRANSFERRED,
                "service": emergency_service,
                "channel": appeal.channel,
            },
        )
        return appeal
    appeal.save()
    _received(appeal, actor=actor)
    if outcome == CallOutcome.ANSWER_NOW:
        appeal.reply = told
        appeal.knowledge_version = version
        appeal.closing_kind = ClosingKind.INSTANT
        appeal.replied_at = appeal.answered_at = appeal.closed_at = now
        move(
            appeal,
            AppealAction.ANSWER_NOW,
            actor=actor,
            event=AppealEvent.ANSWERED_NOW,
            data={"knowledge_version": version.pk},
            fields=[
                "reply",
                "knowledge_version",
                "closing_kind",
                "replied_at",
                "answered_at",
                "closed_at",
            ],
        )
    elif outcome == CallOutcome.REFUSE:
        appeal.reply = told
        appeal.redirect_channel = redirect_channel
        appeal.overdue = False  # 不予受理 is never counted as overdue
        appeal.closed_at = now
        move(
            appeal,
            AppealAction.REFUSE,
            actor=actor,
            event=AppealEvent.REFUSED,
            note=RedirectChannel(redirect_channel).label,
            data={"redirect_channel": redirect_channel},
            fields=["reply", "redirect_channel", "overdue", "closed_at"],
        )
    return appeal


def _cited_version(problems: Problems, zone: Zone, version_id: int | None):
    """The knowledge version an instant answer cites: of a published article of ``zone``."""
    if version_id in (None, ""):
        problems.add("knowledge_version", _("引用知识：请选择答复所依据的知识库条目"))
        return None
    version = (
        KnowledgeVersion.objects.select_related("article")
        .filter(pk=version_id, article__zone=zone, article__is_published=True)
        .first()
        if str(version_id).isdigit()
        else None
    )
    if version is None:
        problems.add("knowledge_version", _("引用知识：不是本开发区已发布的知识库条目"))
    return version


# -- the upstream 12345 platform ---------------------------------------------------------------


def _received_at(problems: Problems, value: Any) -> dt.datetime:
    now = timezone.now()
    if value in (None, ""):
        return now
    moment = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if moment is None or timezone.is_naive(moment):
        problems.add("received_at", _("受理时间：应为带时区的时间，如 2026-03-02T09:30:00+08:00"))
        return now
    if moment > now + dt.timedelta(minutes=5):
        problems.add("received_at", _("受理时间：不能晚于现在"))
        return now
    return moment


@keeps_queue_counts(creates=True)
def appeal_import(*, actor: User, zone: Zone, payload: Mapping[str, Any]) -> tuple[Appeal, bool]:
    """接收 12345 平台推送的工单: idempotent on ``upstream_id`` (the same id again returns
    the order made the first time and writes nothing; two pushes at once are decided by
    the unique constraint ``appeal_upstream_unique``). An unknown category code is a 422
    naming it, never a silent default. Returns the order and whether it was created.
    The clock starts when the upstream platform received it (``received_at``)."""
    if not _holds(actor, zone, CENTRE_ROLES):
        raise Forbidden(_("只有本开发区的派单员可以接收12345平台工单"), code="not_permitted")
    problems = Problems()
    upstream_id = _text(
        problems,
        "upstream_id",
        fold_line(str(payload.get("upstream_id") or "")),
        _("上游工单号"),
        MAX_UPSTREAM_ID_LENGTH,
    )
    if upstream_id:
        existing = Appeal.objects.filter(zone=zone, upstream_id=upstream_id).first()
        if existing is not None:
            return existing, False
    content = _content(
        problems,
        zone,
        nature=payload.get("nature") or "",
        urgency=payload.get("urgency") or Urgency.NORMAL,
        category=str(payload.get("category") or ""),
        subject=payload.get("subject") or "",
        description=payload.get("description") or "",
    )
    anonymous = _anonymous(problems, content.nature, bool(payload.get("anonymous")))
    name = _text(
        problems,
        "contact_name",
        fold_line(payload.get("contact_name") or ""),
        _("联系人"),
        MAX_NAME_LENGTH,
        required=False,
    )
    phone = _phone(problems, "contact_phone", payload.get("contact_phone") or "", required=False)
    uscc = fold_code(str(payload.get("subject_uscc") or ""))
    if len(uscc) > 18:
        problems.add("subject_uscc", _("涉及企业统一社会信用代码：应为 18 位"))
    received_at = _received_at(problems, payload.get("received_at"))
    problems.raise_if_any()
    try:
        # A savepoint: when another push of the same id won the race, its number (taken
        # here under the counter's lock) is given back with it.
        with transaction.atomic():
            appeal = _new_appeal(
                zone,
                content,
                channel=Channel.IMPORT,
                received_at=received_at,
                upstream_id=upstream_id,
                anonymous=anonymous,
                confidential=bool(payload.get("confidential")),
                contact_name="" if anonymous else name,
                contact_phone=phone,
                subject_uscc=uscc,
                received_by=actor,
            )
            appeal.save()
    except IntegrityError:
        # Pushed twice at once: the unique constraint let the other push make it.
        existing = Appeal.objects.filter(zone=zone, upstream_id=upstream_id).first()
        if existing is None:
            raise
        return existing, False
    _received(appeal, actor=actor, data={"upstream_id": upstream_id})
    return appeal, True


# -- bad ratings -------------------------------------------------------------------------------


@keeps_queue_counts(creates=True)
def appeal_from_rating(*, actor: User, rating: Rating, category: str) -> Appeal:
    """差评转诉求: a rating of 不满意 or 非常不满意 becomes a 投诉 about its case (the link
    both ways: ``Appeal.rating`` and ``Rating.appeals``), filed for the case's applicant by
    the centre or 电子监察 of the rating's zone. A good rating, or one turned already, is
    refused."""
    rating = lock_row(Rating, pk=rating.pk, related=("zone", "case__applicant", "item"))
    if not _holds(actor, rating.zone, CENTRE_ROLES | SUPERVISION_ROLES):
        raise Forbidden(
            _("只有本开发区的派单员或电子监察人员可以将差评转为诉求"), code="not_permitted"
        )
    if rating.level not in BAD_LEVELS:
        raise ValidationFailed.for_field(
            "rating",
            _("评价：只有“不满意”“非常不满意”的差评可以转为诉求"),
            code="rating_not_bad",
        )
    earlier = Appeal.objects.filter(rating=rating).values_list("number", flat=True).first()
    if earlier is not None:
        raise Conflict(
            _("该差评已转为诉求 {number}").format(number=earlier), code="rating_already_turned"
        )
    problems = Problems()
    case = rating.case
    content = _content(
        problems,
        rating.zone,
        nature=Nature.COMPLAINT,
        urgency=Urgency.NORMAL,
        category=category,
        subject=_("差评转诉求：办件 {number}").format(number=case.number)[:MAX_SUBJECT_LENGTH],
        description=rating.comment
        or _("评价人对办件 {number} 评价为“{level}”，未填写评价内容。").format(
            number=case.number, level=rating.get_level_display()
        ),
    )
    problems.raise_if_any()
    applicant = case.applicant
    appeal = _new_appeal(
        rating.zone,
        content,
        channel=Channel.RATING,
        received_at=timezone.now(),
        requester=applicant,
        requester_user=rating.rater,
        # An anonymous rating stays so: its applicant is known to the centre only.
        confidential=not rating.real_name,
        contact_phone=applicant.phone if applicant is not None else "",
        subject_uscc=_uscc_of(applicant),
        linked_case=case,
        linked_item=rating.item,
        rating=rating,
        received_by=actor,
    )
    appeal.save()
    _received(appeal, actor=actor, data={"rating": rating.pk})
    _tell_requester(appeal)
    return appeal


# -- reading the requester ---------------------------------------------------------------------


def requester_viewed(*, actor: User, appeal: Appeal) -> bool:
    """Record a full view of a confidential requester by staff (the audit event
    ``appeal.requester_viewed``); True when one was recorded. The requester's own users
    and views that show the masked name record nothing."""
    if not appeal.confidential or appeal.anonymous or _is_applicant(actor):
        return False
    if not sees_requester(actor, appeal):
        return False
    audit_append(
        action=AppealEvent.REQUESTER_VIEWED,
        actor=actor_name(actor),
        actor_id=actor_id(actor),
        object_type=APPEAL_OBJECT_TYPE,
        object_id=appeal.pk,
        data={"number": appeal.number},
    )
    return True
