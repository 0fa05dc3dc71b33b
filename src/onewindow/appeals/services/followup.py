"""After the answer: the return visit (回访), the requester's reopen request (申请重办), the
centre closing without a visit (办结), and merging a duplicate into another order (合并).

A reopened order (回访 不满意 or 未解决, or the requester asking within the window) goes
back to its lead department with a fresh clock from now: ``extended_days`` back to 0, the
reply instants and the reopen window cleared for the next round, the overdue flag reset,
``reopen_count`` + 1. The window itself (``reopen_until``) is fixed when the reply goes
out (N natural days after it) and nothing here or elsewhere moves it on an edit.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.appeals.constants import (
    APPEAL_OBJECT_TYPE,
    MERGEABLE_STATUSES,
    MERGED_NOTIFICATION,
    REOPENS_FOR_SUPERVISION,
    SATISFIED_LEVELS,
    AppealAction,
    AppealEvent,
    AppealStatus,
    ClosingKind,
    Satisfaction,
    SupervisionTrigger,
)
from onewindow.appeals.followup_rules import (
    why_not_close,
    why_not_merge,
    why_not_reopen,
    why_not_visit,
)
from onewindow.appeals.models import Appeal, AppealStep, AppealVisit
from onewindow.appeals.selectors import appeal_for, appeal_settings_for, zone_calendar
from onewindow.appeals.services.common import move, record_step, set_clock
from onewindow.appeals.services.queue_counts import keeps_queue_counts
from onewindow.appeals.services.supervision import checked_text, supervise_on
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.core.identifiers import fold_code
from onewindow.core.locks import lock_row, lock_rows
from onewindow.core.notifications import notify
from onewindow.org.models import User

#: The history step written on the order another one was merged into.
STEP_MERGED_IN = "merged_in"


def _lock(appeal: Appeal) -> Appeal:
    return lock_row(Appeal, pk=appeal.pk, related=("zone", "lead_department"))


def _reopen(
    appeal: Appeal,
    *,
    actor: User | None,
    now: dt.datetime,
    note: str,
    data: dict,
    extra_fields: tuple[str, ...] = (),
) -> Appeal:
    """Move a locked answered or closed order back to its lead department (重办) with a
    fresh clock from ``now``; then the REOPENED_TWICE 督办 when the count reaches it."""
    appeal.reopen_count += 1
    appeal.extended_days = 0
    appeal.replied_at = None
    appeal.answered_at = None
    appeal.reopen_until = None
    appeal.closed_at = None
    appeal.closing_kind = ""
    appeal.overdue = False
    fields = set_clock(
        appeal,
        start=now,
        settings=appeal_settings_for(appeal.zone_id),
        calendar=zone_calendar(appeal.zone),
    )
    move(
        appeal,
        AppealAction.REOPEN,
        actor=actor,
        event=AppealEvent.REOPENED,
        department=appeal.lead_department,
        note=note,
        data={"reopen_count": appeal.reopen_count, "due_at": appeal.due_at.isoformat(), **data},
        fields=[
            "reopen_count",
            "extended_days",
            "replied_at",
            "answered_at",
            "reopen_until",
            "closed_at",
            "closing_kind",
            "overdue",
            *fields,
            *extra_fields,
        ],
    )
    if appeal.reopen_count >= REOPENS_FOR_SUPERVISION:
        supervise_on(appeal, SupervisionTrigger.REOPENED_TWICE, now=now)
    return appeal


@keeps_queue_counts()
def appeal_visit(
    *,
    appeal: Appeal,
    actor: User,
    satisfaction: str,
    resolved: bool,
    note: str = "",
    by_requester: bool = False,
) -> AppealVisit:
    """回访: the centre records the requester's verdict (or the requester gives it online,
    ``by_requester``). 满意 / 基本满意 and resolved closes the order (回访办结); 不满意 or not
    resolved reopens it (a BAD_VISIT 督办 on 不满意). The order keeps the latest verdict."""
    appeal = _lock(appeal)
    refusal = why_not_visit(actor, appeal, by_requester=by_requester)
    if refusal is not None:
        raise refusal
    problems: dict[str, list[str]] = {}
    if satisfaction not in Satisfaction.values:
        problems["satisfaction"] = [_("满意度：请从列表中选择")]
    if not isinstance(resolved, bool):
        problems["resolved"] = [_("是否解决：请选择“已解决”或“未解决”")]
    good = satisfaction in SATISFIED_LEVELS and resolved is True
    try:
        note = checked_text("note", note, _("回访记录"), required=False)
    except ValidationFailed as error:
        problems.update(error.fields)
    if not problems and not good and not note:
        problems["note"] = [_("回访记录：不满意或未解决时，请写明原因")]
    if problems:
        message = _("；").join(text for texts in problems.values() for text in texts)
        raise ValidationFailed(message, code="invalid", fields=problems)

    now = timezone.now()
    visit = AppealVisit.objects.create(
        appeal=appeal,
        satisfaction=satisfaction,
        resolved=resolved,
        note=note,
        visited_by=actor,
        by_requester=by_requester,
    )
    appeal.satisfaction = satisfaction
    appeal.resolved = resolved
    data = {
        "visit": visit.pk,
        "satisfaction": satisfaction,
        "resolved": resolved,
        "by_requester": by_requester,
    }
    if good:
        appeal.closing_kind = ClosingKind.VISITED
        appeal.closed_at = now
        move(
            appeal,
            AppealAction.VISIT,
            actor=actor,
            event=AppealEvent.VISITED,
            note=note or str(Satisfaction(satisfaction).label),
            data=data,
            fields=["satisfaction", "resolved", "closing_kind", "closed_at"],
        )
        return visit
    record_step(
        appeal,
        AppealAction.VISIT,
        actor=actor,
        event=AppealEvent.VISITED,
        note=note,
        data=data,
    )
    _reopen(
        appeal,
        actor=actor,
        now=now,
        note=note,
        data={"visit": visit.pk},
        extra_fields=("satisfaction", "resolved"),
    )
    if satisfaction == Satisfaction.DISSATISFIED:
        supervise_on(appeal, SupervisionTrigger.BAD_VISIT, now=now)
    return visit


@keeps_queue_counts()
def appeal_reopen(*, appeal: Appeal, actor: User, reason: str = "") -> Appeal:
    """申请重办: the requester, within ``reopen_until`` (N natural days after the reply),
    sends an answered or closed order back to its lead department with a fresh clock."""
    appeal = _lock(appeal)
    now = timezone.now()
    refusal = why_not_reopen(actor, appeal, now=now)
    if refusal is not None:
        raise refusal
    reason = checked_text("reason", reason, _("重办理由"), required=False)
    return _reopen(
        appeal,
        actor=actor,
        now=now,
        note=reason or _("诉求人申请重办"),
        data={"by_requester": True},
    )


@keeps_queue_counts()
def appeal_close(*, appeal: Appeal, actor: User, reason: str) -> Appeal:
    """中心办结: the centre closes an answered order without a return visit (the requester
    cannot be reached, declined the visit ...), saying why."""
    appeal = _lock(appeal)
    refusal = why_not_close(actor, appeal)
    if refusal is not None:
        raise refusal
    reason = checked_text("reason", reason, _("办结理由"))
    appeal.closing_kind = ClosingKind.CENTRE
    appeal.closed_at = timezone.now()
    move(
        appeal,
        AppealAction.CLOSE,
        actor=actor,
        event=AppealEvent.CLOSED,
        reason=reason,
        data={"closing_kind": ClosingKind.CENTRE},
        fields=["closing_kind", "closed_at"],
    )
    return appeal


def _requester_users(appeal: Appeal) -> list[User]:
    """Who hears about the order: the user who filed it, else the users who represent its
    applicant (an anonymous order has nobody: its query code shows the merge)."""
    if appeal.requester_user_id is not None:
        return [appeal.requester_user]
    if appeal.requester_id is None:
        return []
    return list(
        User.objects.filter(representations__applicant_id=appeal.requester_id, is_active=True)
        .distinct()
        .order_by("pk")
    )


def _my_order_link(appeal: Appeal) -> str:
    return reverse("appeals:my_appeal", kwargs={"number": appeal.number})


def _refuse_target(message: str, code: str) -> ValidationFailed:
    return ValidationFailed.for_field("into", message, code=code)


def merge_target_for(actor: User, number: str) -> Appeal:
    """The order ``number`` (as typed: folded) that ``actor`` names as the merge target,
    or a 422 on ``into``: a target out of the actor's sight is "not found" like a missing
    one, never a 404 of the whole request."""
    folded = fold_code(number or "")
    if not folded:
        raise ValidationFailed.for_field("into", _("合并目标：请填写工单编号"), code="required")
    try:
        return appeal_for(actor, folded)
    except NotFound:
        raise ValidationFailed.for_field(
            "into",
            _("合并目标：没有找到工单 {number}").format(number=folded),
            code="merge_target_not_found",
        ) from None


@keeps_queue_counts()
def appeal_merge(*, appeal: Appeal, into: Appeal, actor: User) -> Appeal:
    """合并: the centre merges an open order (a duplicate) into another open order of the
    zone; the merged order ends (已合并, ``merged_into``) and both requesters are told."""
    if appeal.pk == into.pk:
        raise _refuse_target(_("合并目标：不能合并到本工单自身"), "merge_into_self")
    locked = {row.pk: row for row in lock_rows(Appeal, pk__in=[appeal.pk, into.pk])}
    appeal, into = locked[appeal.pk], locked[into.pk]
    refusal = why_not_merge(actor, appeal)
    if refusal is not None:
        raise refusal
    if into.zone_id != appeal.zone_id:
        raise _refuse_target(_("合并目标：只能合并到本开发区的诉求工单"), "merge_other_zone")
    # Follow the target's own merges: an order merged (directly or not) into this one
    # would make a cycle, and one merged elsewhere is no longer where the work is.
    seen = {into.pk}
    cursor = into
    while cursor.merged_into_id is not None:
        if cursor.merged_into_id == appeal.pk:
            raise _refuse_target(
                _("合并目标：工单 {number} 已合并到本工单，不能反向合并").format(
                    number=into.number
                ),
                "merge_cycle",
            )
        if cursor.merged_into_id in seen:
            break
        seen.add(cursor.merged_into_id)
        cursor = Appeal.objects.only("pk", "merged_into_id", "number").get(pk=cursor.merged_into_id)
    if into.status == AppealStatus.MERGED:
        raise _refuse_target(
            _("合并目标：工单 {number} 已合并到 {target}，请直接合并到 {target}").format(
                number=into.number, target=cursor.number
            ),
            "merge_into_merged",
        )
    if into.status not in MERGEABLE_STATUSES:
        raise _refuse_target(
            _("合并目标：工单 {number} 当前状态为“{status}”，只能合并到办理中的工单").format(
                number=into.number, status=AppealStatus(into.status).label
            ),
            "merge_into_closed",
        )
    appeal.merged_into = into
    move(
        appeal,
        AppealAction.MERGE,
        actor=actor,
        event=AppealEvent.MERGED,
        note=_("合并至 {number}").format(number=into.number),
        data={"into": into.number},
        fields=["merged_into"],
    )
    AppealStep.objects.create(
        appeal=into,
        action=STEP_MERGED_IN,
        actor=actor,
        note=_("工单 {number} 已合并到本工单").format(number=appeal.number),
    )
    told: set[int] = set()
    for order, key in ((appeal, "merged"), (into, f"merged_from:{appeal.pk}")):
        for user in _requester_users(order):
            if user.pk in told:
                continue
            told.add(user.pk)
            notify(
                user,
                MERGED_NOTIFICATION,
                {"number": appeal.number, "into": into.number, "subject": into.subject},
                link=_my_order_link(order),
                subject=(APPEAL_OBJECT_TYPE, order.pk),
                key=f"appeal:{order.pk}:{key}",
            )
    return appeal
