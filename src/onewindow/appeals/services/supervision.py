"""督办: raised by hand (电子监察 or the centre) or by the zone's triggers (overdue, a
department sending the order back, reopened twice, a bad return visit) against the
department that holds the order, with its own deadline in working days; the department
answers (反馈), 电子监察 closes it (销号).

Every step is audited (``AppealEvent.SUPERVISED`` / ``SUPERVISION_ANSWERED`` /
``SUPERVISION_CLOSED``) and written as an ``AppealStep``; the department's handlers are
told when a 督办 is raised. A trigger the zone has no ``SupervisionRule`` for raises
nothing; a trigger that fires again while its 督办 is open raises nothing either (the
model's unique constraint keeps one open per order and trigger).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.appeals.clock import working_days_due
from onewindow.appeals.constants import (
    APPEAL_OBJECT_TYPE,
    DEPARTMENT_ROLES,
    MAX_SUPERVISION_DAYS,
    MAX_TEXT_LENGTH,
    OPEN_STATUSES,
    STEP_SUPERVISED,
    STEP_SUPERVISION_ANSWERED,
    STEP_SUPERVISION_CLOSED,
    SUPERVISABLE_STATUSES,
    SUPERVISED_NOTIFICATION,
    SUPERVISION_TRANSITIONS,
    AppealEvent,
    SupervisionAction,
    SupervisionLevel,
    SupervisionStatus,
    SupervisionTrigger,
)
from onewindow.appeals.followup_rules import (
    format_instant,
    why_not_answer_supervision,
    why_not_close_supervision,
    why_not_supervise,
)
from onewindow.appeals.models import (
    Appeal,
    AppealReturn,
    AppealStep,
    AppealSupervision,
    SupervisionRule,
)
from onewindow.appeals.selectors import appeal_settings_for, zone_calendar
from onewindow.appeals.services.common import actor_id, actor_name, record_step
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.locks import lock_row
from onewindow.core.notifications import notify
from onewindow.core.transitions import transition
from onewindow.org.constants import UserKind
from onewindow.org.models import Department, User

#: Full-width letters and digits and the ideographic space fold to ASCII; Chinese
#: punctuation stays as typed (NFKC would turn ，into ,).
_WIDE = {
    code: unicodedata.normalize("NFKC", chr(code))
    for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0x3000)
}


def fold_text(value: str | None) -> str:
    """Typed text, folded: NFC, full-width letters and digits as ASCII, ``\\n`` line ends,
    trimmed."""
    text = unicodedata.normalize("NFC", value or "").translate(_WIDE)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def checked_text(field: str, value: str | None, label: str, *, required: bool = True) -> str:
    """``value`` folded, or a 422 naming ``field`` with the label people read."""
    text = fold_text(value)
    if required and not text:
        raise ValidationFailed.for_field(
            field, _("{label}：请填写").format(label=label), code="required"
        )
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationFailed.for_field(
            field,
            _("{label}：不能超过 {max} 个字").format(label=label, max=MAX_TEXT_LENGTH),
            code="too_long",
        )
    return text


def department_handlers(department_id: int) -> list[User]:
    """The department's 诉求承办人员 (who are told of a 督办)."""
    return list(
        User.objects.filter(
            role_assignments__role__in=DEPARTMENT_ROLES,
            role_assignments__department_id=department_id,
            is_active=True,
            kind=UserKind.STAFF,
        )
        .distinct()
        .order_by("pk")
    )


def _lock_appeal(appeal: Appeal) -> Appeal:
    return lock_row(Appeal, pk=appeal.pk, related=("zone", "lead_department"))


def _open(
    appeal: Appeal,
    *,
    department: Department,
    trigger: str,
    level: str,
    days: int,
    note: str,
    actor: User | None,
    now: dt.datetime,
) -> AppealSupervision:
    """Write the 督办 on a locked order: the row, its step and audit event, the message to
    the department's handlers."""
    settings = appeal_settings_for(appeal.zone_id)
    due_at, provisional = working_days_due(
        zone_calendar(appeal.zone), now, days, settings.workday_ends
    )
    supervision = AppealSupervision.objects.create(
        appeal=appeal,
        department=department,
        level=level,
        trigger=trigger,
        note=note,
        due_at=due_at,
        opened_by=actor,
    )
    record_step(
        appeal,
        STEP_SUPERVISED,
        actor=actor,
        event=AppealEvent.SUPERVISED,
        department=department,
        note=note or str(SupervisionTrigger(trigger).label),
        data={
            "supervision": supervision.pk,
            "trigger": trigger,
            "level": level,
            "department": department.code,
            "due_at": due_at.isoformat(),
            "days": days,
            "provisional": provisional,
        },
    )
    context = {
        "number": appeal.number,
        "subject": appeal.subject,
        "level": str(SupervisionLevel(level).label),
        "trigger": str(SupervisionTrigger(trigger).label),
        "due": format_instant(due_at),
    }
    for handler in department_handlers(department.pk):
        notify(
            handler,
            SUPERVISED_NOTIFICATION,
            context,
            link=reverse("appeals:supervision", args=[supervision.pk]),
            subject=(APPEAL_OBJECT_TYPE, appeal.pk),
            key=f"appeal_supervision:{supervision.pk}",
        )
    return supervision


def _has_open(appeal: Appeal, trigger: str) -> bool:
    return (
        AppealSupervision.objects.filter(appeal=appeal, trigger=trigger)
        .exclude(status=SupervisionStatus.CLOSED)
        .exists()
    )


# -- by hand ----------------------------------------------------------------------------------


@transaction.atomic
def appeal_supervise(
    *, appeal: Appeal, actor: User, level: str, note: str, days: int
) -> AppealSupervision:
    """人工督办: 电子监察 or the centre raise a 督办 against the order's lead department,
    which must answer within ``days`` working days (one open manual 督办 per order)."""
    appeal = _lock_appeal(appeal)
    refusal = why_not_supervise(actor, appeal)
    if refusal is not None:
        raise refusal
    problems: dict[str, list[str]] = {}
    if level not in SupervisionLevel.values:
        problems["level"] = [_("督办级别：请从列表中选择")]
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_SUPERVISION_DAYS:
        problems["days"] = [
            _("反馈时限：应为 1 至 {max} 个工作日").format(max=MAX_SUPERVISION_DAYS)
        ]
    try:
        note = checked_text("note", note, _("督办意见"))
    except ValidationFailed as error:
        problems.update(error.fields)
    if problems:
        message = _("；").join(text for texts in problems.values() for text in texts)
        raise ValidationFailed(message, code="invalid", fields=problems)
    if _has_open(appeal, SupervisionTrigger.MANUAL):
        raise Conflict(
            _("该诉求工单已有未销号的人工督办，请先销号"), code="supervision_already_open"
        )
    return _open(
        appeal,
        department=appeal.lead_department,
        trigger=SupervisionTrigger.MANUAL,
        level=level,
        days=days,
        note=note,
        actor=actor,
        now=timezone.now(),
    )


# -- by the zone's triggers -------------------------------------------------------------------


@transaction.atomic
def supervise_on(
    appeal: Appeal,
    trigger: str,
    *,
    department: Department | None = None,
    now: dt.datetime | None = None,
) -> AppealSupervision | None:
    """Raise the automatic 督办 ``trigger`` on ``appeal`` (the handling part calls it when a
    department sends an order back or a late return is refused; follow-up when an order
    is reopened twice or visited 不满意; the job for overdue orders). Against
    ``department`` (the lead department unless told). None when the zone has no rule for
    the trigger, no department holds the order, or one is already open for the trigger."""
    if trigger == SupervisionTrigger.MANUAL:
        raise ValueError("a manual 督办 is raised by appeal_supervise")
    appeal = _lock_appeal(appeal)
    rule = SupervisionRule.objects.filter(zone_id=appeal.zone_id, trigger=trigger).first()
    if rule is None:
        return None
    department = department or appeal.lead_department
    if department is None or _has_open(appeal, trigger):
        return None
    return _open(
        appeal,
        department=department,
        trigger=trigger,
        level=rule.level,
        days=rule.answer_within_days,
        note="",
        actor=None,
        now=now or timezone.now(),
    )


@dataclass(frozen=True)
class Raised:
    """What one run of the job raised."""

    overdue: int = 0
    sign_refused: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.sign_refused


def overdue_without_supervision(now: dt.datetime):
    """Open orders a department holds, past due, in a zone with an OVERDUE rule, with no
    OVERDUE 督办 raised since their clock (re)started: each raises one per clock round."""
    raised = AppealSupervision.objects.filter(
        appeal=OuterRef("pk"),
        trigger=SupervisionTrigger.OVERDUE,
        created_at__gte=OuterRef("clock_started_at"),
    )
    ruled = SupervisionRule.objects.filter(
        zone=OuterRef("zone"), trigger=SupervisionTrigger.OVERDUE
    )
    return (
        Appeal.objects.filter(
            status__in=OPEN_STATUSES & SUPERVISABLE_STATUSES,
            lead_department__isnull=False,
            due_at__lt=now,
        )
        .filter(Exists(ruled))
        .exclude(Exists(raised))
        .order_by("due_at", "pk")
    )


def returns_without_supervision():
    """Every 退回 (pending, decided or refused as late) with no SIGN_REFUSED 督办 against
    its department raised since it was asked, in a zone with a SIGN_REFUSED rule: each
    return raises one (the handling services may have raised it already)."""
    raised = AppealSupervision.objects.filter(
        appeal=OuterRef("appeal"),
        department=OuterRef("department"),
        trigger=SupervisionTrigger.SIGN_REFUSED,
        created_at__gte=OuterRef("requested_at"),
    )
    ruled = SupervisionRule.objects.filter(
        zone=OuterRef("appeal__zone"), trigger=SupervisionTrigger.SIGN_REFUSED
    )
    return (
        AppealReturn.objects.filter(Exists(ruled), appeal__status__in=OPEN_STATUSES)
        .exclude(Exists(raised))
        .select_related("department")
        .order_by("requested_at", "pk")
    )


def supervisions_raise(*, now: dt.datetime | None = None) -> Raised:
    """The periodic job: raise the OVERDUE 督办 of orders past due and the SIGN_REFUSED
    督办 of returns not yet followed; one order per transaction."""
    now = now or timezone.now()
    overdue = 0
    for appeal in list(overdue_without_supervision(now).only("pk")[:10_000]):
        if supervise_on(appeal, SupervisionTrigger.OVERDUE, now=now) is not None:
            overdue += 1
    sign_refused = 0
    for row in list(returns_without_supervision()[:10_000]):
        if (
            supervise_on(
                row.appeal, SupervisionTrigger.SIGN_REFUSED, department=row.department, now=now
            )
            is not None
        ):
            sign_refused += 1
    return Raised(overdue=overdue, sign_refused=sign_refused)


# -- answer and close ------------------------------------------------------------------------


def _lock_supervision(supervision: AppealSupervision) -> tuple[Appeal, AppealSupervision]:
    """The order, then its 督办 (parent before child: core.locks)."""
    appeal = _lock_appeal(supervision.appeal)
    return appeal, lock_row(AppealSupervision, pk=supervision.pk, related=("department",))


def _move_supervision(
    appeal: Appeal,
    supervision: AppealSupervision,
    action: str,
    *,
    actor: User,
    event: str,
    step: str,
    note: str,
    fields: list[str],
) -> None:
    transition(
        supervision,
        action,
        table=SUPERVISION_TRANSITIONS,
        event=event,
        object_type=APPEAL_OBJECT_TYPE,
        object_id=appeal.pk,
        actor=actor_name(actor),
        actor_id=actor_id(actor),
        data={"number": appeal.number, "supervision": supervision.pk, "note": note},
        fields=fields,
    )
    AppealStep.objects.create(
        appeal=appeal,
        action=step,
        department=supervision.department,
        actor=actor,
        note=note,
    )


@transaction.atomic
def supervision_answer(
    *, supervision: AppealSupervision, actor: User, response: str
) -> AppealSupervision:
    """督办反馈: a handler of the supervised department says what it did."""
    appeal, supervision = _lock_supervision(supervision)
    refusal = why_not_answer_supervision(actor, supervision)
    if refusal is not None:
        raise refusal
    response = checked_text("response", response, _("反馈"))
    supervision.response = response
    supervision.answered_at = timezone.now()
    _move_supervision(
        appeal,
        supervision,
        SupervisionAction.ANSWER,
        actor=actor,
        event=AppealEvent.SUPERVISION_ANSWERED,
        step=STEP_SUPERVISION_ANSWERED,
        note=response,
        fields=["response", "answered_at"],
    )
    return supervision


@transaction.atomic
def supervision_close(
    *, supervision: AppealSupervision, actor: User, note: str
) -> AppealSupervision:
    """督办销号: 电子监察 closes the 督办 (answered, or not answered with a note why)."""
    appeal, supervision = _lock_supervision(supervision)
    refusal = why_not_close_supervision(actor, supervision, zone_id=appeal.zone_id)
    if refusal is not None:
        raise refusal
    note = checked_text("note", note, _("销号意见"))
    supervision.closed_at = timezone.now()
    _move_supervision(
        appeal,
        supervision,
        SupervisionAction.CLOSE,
        actor=actor,
        event=AppealEvent.SUPERVISION_CLOSED,
        step=STEP_SUPERVISION_CLOSED,
        note=note,
        fields=["closed_at"],
    )
    return supervision
