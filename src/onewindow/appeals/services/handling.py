"""Handling an appeal (GLOSSARY.md "Appeals"): the centre dispatches (派单), re-dispatches
or designates (改派 / 指定承办), decides extensions and reviews replies; the lead
department signs (签收), may send the order back within the return window (退回), asks
for an extension, replies; co-departments sign their part and add it (协办).

Every move goes through ``services.common.move`` on a row locked through ``core.locks``;
refusals are ``core.errors`` (403 wrong person, 409 wrong moment, 422 bad input naming
the field). The ``why_not_*`` functions answer "may this user do this now, and if not,
why" without writing: the services raise their answer, the pages show only the forms the
services would accept.

A late return is refused **and counted**: ``appeal_return`` records the refused request
(an ``AppealReturn`` row of status LATE, ``late_return_count`` + 1, a step, an audit
event) in its own transaction, then raises the 409. Call it outside any transaction that
a raised error would roll back (the API and the pages do), or the count goes with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.appeals.constants import (
    ANSWERED_NOTIFICATION,
    MAX_EXTENSION_DAYS,
    AppealAction,
    AppealEvent,
    AssignmentRole,
    ExtensionStatus,
    HandlingEvent,
    HandlingStep,
    ReturnStatus,
)
from onewindow.appeals.models import (
    Appeal,
    AppealAssignment,
    AppealExtension,
    AppealReturn,
    DispatchRule,
)
from onewindow.appeals.notifications import requester_link
from onewindow.appeals.selectors import appeal_settings_for, zone_calendar
from onewindow.appeals.services.common import move, record_step, set_clock
from onewindow.appeals.services.handling_rules import (
    CO_WORK_STATUSES,
    _assign,
    _decide_pending_return,
    _department,
    _local,
    _lock,
    _notify_departments,
    _raise,
    _start_dispatch_clock,
    _text,
    co_assignments_of,
    dispatch_action,
    fold_text,
    handles_lead,
    pending_extension,
    why_not_co_work,
    why_not_designate,
    why_not_dispatch,
    why_not_extension_decide,
    why_not_extension_request,
    why_not_reply,
    why_not_return,
    why_not_review_reply,
    why_not_sign,
)
from onewindow.appeals.services.queue_counts import keeps_queue_counts
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.locks import lock_row
from onewindow.core.notifications import notify
from onewindow.org.models import Department, User

#: The services, and the checks of ``handling_rules`` the pages and the API import from here.
__all__ = [
    "CO_WORK_STATUSES",
    "appeal_add_part",
    "appeal_co_sign",
    "appeal_designate",
    "appeal_dispatch",
    "appeal_extension_decide",
    "appeal_extension_request",
    "appeal_reply",
    "appeal_return",
    "appeal_review_reply",
    "appeal_sign",
    "co_assignments_of",
    "dispatch_action",
    "fold_text",
    "handles_lead",
    "pending_extension",
    "why_not_co_work",
    "why_not_designate",
    "why_not_dispatch",
    "why_not_extension_decide",
    "why_not_extension_request",
    "why_not_reply",
    "why_not_return",
    "why_not_review_reply",
    "why_not_sign",
]


# -- the centre: dispatch, re-dispatch, designate -------------------------------------------------


@keeps_queue_counts()
def appeal_dispatch(
    *,
    appeal: Appeal,
    actor: User,
    lead: Department | str | None = None,
    co: Iterable[Department | str] = (),
) -> Appeal:
    """派单 (RECEIVED → DISPATCHED) or 改派 (RETURN_REQUESTED → DISPATCHED): by the zone's
    dispatch catalogue for the order's category unless ``lead`` (and ``co``) are given.

    Sets the lead department, a fresh sign limit (working hours of the zone's office
    hours) and return window; the handling clock (``due_at``) is not restarted. A
    re-dispatch marks the pending return REDISPATCHED and must name another department
    (keeping the same one is 指定承办). The departments' handlers are told."""
    appeal = _lock(appeal)
    _raise(why_not_dispatch(actor, appeal))
    action = dispatch_action(appeal)
    lead_department = _department(appeal.zone_id, lead, field="lead", label=_("主办部门"))
    co_departments = [
        found
        for value in co
        if (found := _department(appeal.zone_id, value, field="co", label=_("协办部门")))
    ]
    rule = None
    if lead_department is None:
        rule = (
            DispatchRule.objects.filter(zone_id=appeal.zone_id, category_id=appeal.category_id)
            .select_related("lead_department")
            .first()
        )
        if rule is None or not rule.lead_department.is_active:
            raise ValidationFailed.for_field(
                "lead",
                _("主办部门：分类“{category}”没有派单目录，请指定主办部门").format(
                    category=appeal.category.name
                ),
                code="no_dispatch_rule",
            )
        lead_department = rule.lead_department
        if not co_departments:
            co_departments = list(rule.co_departments.filter(is_active=True).order_by("pk"))
    co_departments = list({department.pk: department for department in co_departments}.values())
    if any(department.pk == lead_department.pk for department in co_departments):
        if rule is None:
            raise ValidationFailed.for_field(
                "co", _("协办部门：不能与主办部门相同"), code="co_is_lead"
            )
        co_departments = [d for d in co_departments if d.pk != lead_department.pk]
    if action == AppealAction.REDISPATCH and lead_department.pk == appeal.lead_department_id:
        raise ValidationFailed.for_field(
            "lead",
            _("主办部门：改派须选择其他部门；仍由原部门承办的，请使用“指定承办”"),
            code="same_department",
        )
    now = timezone.now()
    previous = appeal.lead_department
    appeal.lead_department = lead_department
    appeal.designated = False
    fields = ["lead_department", "designated", *_start_dispatch_clock(appeal, now)]
    _assign(appeal, lead_department, co_departments)
    if action == AppealAction.REDISPATCH:
        _decide_pending_return(appeal, ReturnStatus.REDISPATCHED, actor, now)
    note = _("主办：{lead}").format(lead=lead_department.name)
    if co_departments:
        note += _("；协办：{co}").format(co="、".join(d.name for d in co_departments))
    move(
        appeal,
        action,
        actor=actor,
        event=(
            AppealEvent.DISPATCHED if action == AppealAction.DISPATCH else AppealEvent.REDISPATCHED
        ),
        department=lead_department,
        note=note,
        data={
            "lead": lead_department.code,
            "co": [department.code for department in co_departments],
            "by_catalogue": rule is not None,
            **({"previous": previous.code} if previous is not None else {}),
        },
        fields=fields,
    )
    _notify_departments(appeal, lead_department, co_departments)
    return appeal


@keeps_queue_counts()
def appeal_designate(
    *,
    appeal: Appeal,
    actor: User,
    department: Department | str | None = None,
    reason: str = "",
) -> Appeal:
    """指定承办 (RETURN_REQUESTED → DISPATCHED, designated): the centre decides a disputed
    order stays with ``department`` (the one that asked to return it, unless told), which
    may not send it back again. A fresh sign limit; the handling clock stays."""
    appeal = _lock(appeal)
    _raise(why_not_designate(actor, appeal))
    chosen = _department(appeal.zone_id, department, field="department", label=_("承办部门"))
    reason = _text("reason", reason, _("指定理由"), required=False)
    chosen = chosen or appeal.lead_department
    now = timezone.now()
    co = [
        assignment.department
        for assignment in AppealAssignment.objects.filter(
            appeal=appeal, is_current=True, role=AssignmentRole.CO
        )
        .exclude(department=chosen)
        .select_related("department")
        .order_by("pk")
    ]
    previous = appeal.lead_department
    appeal.lead_department = chosen
    appeal.designated = True
    fields = ["lead_department", "designated", *_start_dispatch_clock(appeal, now)]
    _assign(appeal, chosen, co)
    _decide_pending_return(appeal, ReturnStatus.DESIGNATED, actor, now)
    move(
        appeal,
        AppealAction.DESIGNATE,
        actor=actor,
        event=AppealEvent.DESIGNATED,
        department=chosen,
        note=reason or _("指定由{department}承办").format(department=chosen.name),
        data={"department": chosen.code, "previous": previous.code if previous else ""},
        fields=fields,
    )
    _notify_departments(appeal, chosen, [])
    return appeal


# -- the lead department: sign, return, reply -------------------------------------------------


@keeps_queue_counts()
def appeal_sign(*, appeal: Appeal, actor: User) -> Appeal:
    """签收 (DISPATCHED → HANDLING) by a handler of the lead department; late when after
    the sign limit (``sign_overdue``, kept for the figures)."""
    appeal = _lock(appeal)
    _raise(why_not_sign(actor, appeal))
    now = timezone.now()
    appeal.signed_at = now
    appeal.sign_overdue = bool(appeal.sign_due_at and now > appeal.sign_due_at)
    AppealAssignment.objects.filter(
        appeal=appeal, is_current=True, role=AssignmentRole.LEAD
    ).update(signed_at=now)
    move(
        appeal,
        AppealAction.SIGN,
        actor=actor,
        event=AppealEvent.SIGNED,
        department=appeal.lead_department,
        data={"sign_overdue": appeal.sign_overdue},
        fields=["signed_at", "sign_overdue"],
    )
    return appeal


@dataclass(frozen=True)
class _ReturnOutcome:
    appeal: Appeal
    refusal: Conflict | None


@keeps_queue_counts()
def _return_recorded(*, appeal: Appeal, actor: User, reason: str) -> _ReturnOutcome:
    appeal = _lock(appeal)
    _raise(why_not_return(actor, appeal))
    reason = _text("reason", reason, _("退回理由"))
    now = timezone.now()
    department = appeal.lead_department
    if appeal.return_until is None or now > appeal.return_until:
        AppealReturn.objects.create(
            appeal=appeal,
            department=department,
            reason=reason,
            status=ReturnStatus.LATE,
            requested_by=actor,
        )
        appeal.late_return_count += 1
        appeal.save(update_fields=["late_return_count", "updated_at"])
        until = _local(appeal.return_until) if appeal.return_until else "—"
        record_step(
            appeal,
            HandlingStep.LATE_RETURN,
            actor=actor,
            event=AppealEvent.RETURN_REFUSED_LATE,
            department=department,
            note=reason,
            data={"department": department.code, "return_until": until},
        )
        refusal = Conflict(
            _("已超过退回时限（{until}），不能退回，请继续办理；本次超时退回已记录").format(
                until=until
            ),
            code="return_window_closed",
        )
        return _ReturnOutcome(appeal, refusal)
    AppealReturn.objects.create(
        appeal=appeal, department=department, reason=reason, requested_by=actor
    )
    appeal.return_count += 1
    move(
        appeal,
        AppealAction.RETURN,
        actor=actor,
        event=AppealEvent.RETURN_REQUESTED,
        department=department,
        reason=reason,
        data={"department": department.code},
        fields=["return_count"],
    )
    return _ReturnOutcome(appeal, None)


def appeal_return(*, appeal: Appeal, actor: User, reason: str) -> Appeal:
    """退回 (DISPATCHED / HANDLING → RETURN_REQUESTED) by the lead department within the
    return window, with its reason; the centre then re-dispatches or designates.

    Refused: a designated order (409 ``designated``); after the window (409
    ``return_window_closed``), when the refused request is still recorded and counted
    (``AppealReturn`` LATE, ``late_return_count``): it is committed in its own
    transaction before the refusal is raised."""
    outcome = _return_recorded(appeal=appeal, actor=actor, reason=reason)
    if outcome.refusal is not None:
        raise outcome.refusal
    return outcome.appeal


@keeps_queue_counts()
def appeal_reply(*, appeal: Appeal, actor: User, reply: str) -> Appeal:
    """答复 (HANDLING → REPLIED) by the lead department: the overdue flag is fixed now
    (replied after ``due_at``) and the reopen window too (``reopen_window_days`` natural
    days from the reply); neither is recomputed by later edits."""
    appeal = _lock(appeal)
    _raise(why_not_reply(actor, appeal))
    reply = _text("reply", reply, _("答复内容"))
    now = timezone.now()
    settings = appeal_settings_for(appeal.zone_id)
    appeal.reply = reply
    appeal.replied_at = now
    appeal.overdue = bool(appeal.due_at and now > appeal.due_at)
    appeal.reopen_until = now + dt.timedelta(days=settings.reopen_window_days)
    move(
        appeal,
        AppealAction.REPLY,
        actor=actor,
        event=AppealEvent.REPLIED,
        department=appeal.lead_department,
        note=reply,
        data={"overdue": appeal.overdue},
        fields=["reply", "replied_at", "overdue", "reopen_until"],
    )
    return appeal


# -- co-departments -----------------------------------------------------------------------------


def _own_co_assignment(appeal: Appeal, actor: User, *, signed: bool) -> AppealAssignment:
    """The actor's current co assignment on the locked order (the first unsigned one to
    sign, the first signed one to add a part), locked."""
    candidates = [
        assignment
        for assignment in co_assignments_of(actor, appeal)
        if bool(assignment.signed_at) == signed
    ]
    return lock_row(AppealAssignment, pk=candidates[0].pk, related=("department",))


@keeps_queue_counts()
def appeal_co_sign(*, appeal: Appeal, actor: User) -> AppealAssignment:
    """协办签收: a co-department signs its assignment (the order does not move)."""
    appeal = _lock(appeal)
    _raise(why_not_co_work(actor, appeal, signing=True))
    assignment = _own_co_assignment(appeal, actor, signed=False)
    assignment.signed_at = timezone.now()
    assignment.save(update_fields=["signed_at"])
    record_step(
        appeal,
        HandlingStep.CO_SIGN,
        actor=actor,
        event=HandlingEvent.CO_SIGNED,
        department=assignment.department,
        data={"department": assignment.department.code},
    )
    return assignment


@keeps_queue_counts()
def appeal_add_part(*, appeal: Appeal, actor: User, text: str) -> AppealAssignment:
    """协办意见: a co-department that signed writes its part on its assignment (the lead
    department replies for all; a later part replaces the earlier one, each is a step)."""
    appeal = _lock(appeal)
    _raise(why_not_co_work(actor, appeal, signing=False))
    text = _text("text", text, _("协办意见"))
    assignment = _own_co_assignment(appeal, actor, signed=True)
    assignment.part_reply = text
    assignment.part_replied_at = timezone.now()
    assignment.save(update_fields=["part_reply", "part_replied_at"])
    record_step(
        appeal,
        HandlingStep.ADD_PART,
        actor=actor,
        event=AppealEvent.PART_ADDED,
        department=assignment.department,
        note=text,
        data={"department": assignment.department.code},
    )
    return assignment


# -- extensions ------------------------------------------------------------------------------------


def _days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed.for_field(
            "days",
            _("延期工作日：请填写 1 到 {max} 之间的整数").format(max=MAX_EXTENSION_DAYS),
            code="invalid_days",
        )
    return days


@keeps_queue_counts()
def appeal_extension_request(
    *, appeal: Appeal, actor: User, days: int, reason: str
) -> AppealExtension:
    """申请延期: the lead department, while handling, asks for ``days`` more working days;
    at most the zone's ``max_extensions`` approved per order, one pending at a time."""
    appeal = _lock(appeal)
    _raise(why_not_extension_request(actor, appeal))
    days = _days(days)
    reason = _text("reason", reason, _("延期理由"))
    extension = AppealExtension.objects.create(
        appeal=appeal,
        department=appeal.lead_department,
        days=days,
        reason=reason,
        requested_by=actor,
    )
    record_step(
        appeal,
        HandlingStep.EXTENSION_REQUEST,
        actor=actor,
        event=AppealEvent.EXTENSION_REQUESTED,
        department=appeal.lead_department,
        note=_("申请延期 {days} 个工作日：{reason}").format(days=days, reason=reason),
        data={"days": days},
    )
    return extension


@keeps_queue_counts()
def appeal_extension_decide(
    *, appeal: Appeal, actor: User, approve: bool, reason: str = ""
) -> AppealExtension:
    """审批延期 (the centre): approving adds the days to the order's limit and recomputes
    its deadline from its own clock start; refusing needs a reason, which the
    department (and the requester) read on the order."""
    appeal = _lock(appeal)
    _raise(why_not_extension_decide(actor, appeal))
    reason = _text("reason", reason, _("审批意见"), required=not approve)
    extension = lock_row(AppealExtension, pk=pending_extension(appeal).pk)
    now = timezone.now()
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by = actor
    extension.decided_at = now
    extension.decision_reason = reason
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if approve:
        before = appeal.due_at
        appeal.extended_days += extension.days
        appeal.extension_count += 1
        fields = set_clock(
            appeal,
            start=appeal.clock_started_at,
            settings=appeal_settings_for(appeal.zone_id),
            calendar=zone_calendar(appeal.zone),
        )
        appeal.save(update_fields=["extended_days", "extension_count", *fields, "updated_at"])
        note = _("同意延期 {days} 个工作日，办理期限由 {before} 延至 {after}").format(
            days=extension.days,
            before=_local(before) if before else "—",
            after=_local(appeal.due_at),
        )
        if reason:
            note += _("；{reason}").format(reason=reason)
    else:
        note = _("不同意延期：{reason}").format(reason=reason)
    record_step(
        appeal,
        HandlingStep.EXTENSION_APPROVE if approve else HandlingStep.EXTENSION_REFUSE,
        actor=actor,
        event=AppealEvent.EXTENSION_DECIDED,
        department=extension.department,
        note=note,
        data={"approved": approve, "days": extension.days, "reason": reason},
    )
    return extension


# -- the centre reviews the reply --------------------------------------------------------------


@keeps_queue_counts()
def appeal_review_reply(*, appeal: Appeal, actor: User, approve: bool, reason: str = "") -> Appeal:
    """审核答复 (the centre): approving sends the reply out (REPLIED → ANSWERED, the
    requester's user is told); rejecting (REPLIED → HANDLING) needs a reason, which the
    department reads on the order, and the reply is to be given again."""
    appeal = _lock(appeal)
    _raise(why_not_review_reply(actor, appeal))
    reason = _text("reason", reason, _("审核意见"), required=not approve)
    if approve:
        appeal.answered_at = timezone.now()
        move(
            appeal,
            AppealAction.APPROVE_REPLY,
            actor=actor,
            event=AppealEvent.REPLY_APPROVED,
            department=appeal.lead_department,
            reason=reason,
            fields=["answered_at"],
        )
        if appeal.requester_user_id is not None:
            notify(
                appeal.requester_user,
                ANSWERED_NOTIFICATION,
                {"number": appeal.number, "subject": appeal.subject, "reply": appeal.reply},
                link=requester_link(appeal.number),
                subject=("appeal", appeal.number),
                key=f"appeal:{appeal.number}:answered:{appeal.answered_at.isoformat()}",
            )
        return appeal
    # The reply is not the final one: the next reply fixes its own instants.
    appeal.replied_at = None
    appeal.reopen_until = None
    move(
        appeal,
        AppealAction.REJECT_REPLY,
        actor=actor,
        event=AppealEvent.REPLY_REJECTED,
        department=appeal.lead_department,
        reason=reason,
        fields=["replied_at", "reopen_until"],
    )
    return appeal
