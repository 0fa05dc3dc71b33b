"""The clock: special procedures (特别程序) pause it, an extension (延长) moves it, and a
change of working days recomputes it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases import applicant_messages, deadlines
from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    CLOCK_STATUSES,
    MAX_EXTENSION_DAYS,
    CaseAction,
    CaseEventAction,
    SuspensionKind,
)
from onewindow.cases.models import (
    Case,
    Suspension,
    Task,
)
from onewindow.cases.services.common import (
    CLOCK_FIELDS,
    _event,
    _lock,
    _may,
    _set_clock,
    _text,
    _transition,
)
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.locks import lock_first, lock_rows
from onewindow.org.models import User
from onewindow.org.selectors import calendar_for_zone

# -- suspension and extension ---------------------------------------------------------------


@transaction.atomic
def case_suspend(*, case: Case, actor: User, kind: str, reason: str) -> Suspension:
    """特别程序: hearing, testing, expert review, public notice… the clock pauses."""
    case = _lock(case)
    _may(actor, case, "suspend")  # the status first, then who (cases.rules)
    if kind not in SuspensionKind.values:
        raise ValidationFailed.for_field("kind", _("请选择特别程序类型"), code="invalid_kind")
    reason = _text("reason", reason, _("特别程序理由"))
    now = timezone.now()
    _transition(
        case,
        CaseAction.SUSPEND,
        actor=actor,
        event=CaseEventAction.SUSPENDED,
        reason=reason,
        data={"kind": kind},
    )
    suspension = Suspension.objects.create(
        case=case,
        kind=kind,
        reason=reason,
        started_at=now,
        started_on=timezone.localdate(now),
        started_by=actor,
    )
    applicant_messages.case_suspended(case, suspension)
    return suspension


@transaction.atomic
def case_resume(*, case: Case, actor: User) -> Suspension:
    """End the special procedure: the deadline (and open tasks') move by the paused days."""
    case = _lock(case)
    _may(actor, case, "resume")
    suspension = lock_first(Suspension, case=case, ended_at__isnull=True)
    if suspension is None:
        raise Conflict(_("该办件不在特别程序中"), code="transition_not_allowed")
    now = timezone.now()
    calendar = calendar_for_zone(case.zone)
    paused = deadlines.paused_working_days(calendar, suspension.started_on, timezone.localdate(now))
    # The tasks whose deadlines move, locked before the event (ADR 0019).
    active = lock_rows(Task, case=case, status__in=ACTIVE_TASK_STATUSES) if paused else []
    suspension.ended_at, suspension.ended_on, suspension.ended_by = (
        now,
        timezone.localdate(now),
        actor,
    )
    suspension.paused_days = paused
    suspension.save(update_fields=["ended_at", "ended_on", "ended_by", "paused_days"])
    case.paused_days += paused
    _set_clock(case, start=case.accepted_on)
    _transition(
        case,
        CaseAction.RESUME,
        actor=actor,
        event=CaseEventAction.RESUMED,
        data={"paused_days": paused, "deadline": str(case.deadline)},
        fields=["paused_days", *CLOCK_FIELDS],
    )
    for task in active:
        _push_task(task, calendar, paused)
    applicant_messages.case_resumed(case, suspension)
    return suspension


def _push_task(task: Task, calendar, days: int) -> None:
    task.deadline = calendar.deadline(task.deadline, days, allow_provisional=True).date
    task.yellow_from = calendar.deadline(task.yellow_from, days, allow_provisional=True).date
    task.save(update_fields=["deadline", "yellow_from", "updated_at"])


@transaction.atomic
def case_extend(*, case: Case, actor: User, days: int, reason: str) -> Case:
    """延长: once, at most 10 working days, approved by a decider (行政许可法 art. 42);
    the reason is told to the applicant (it is on the case's public progress)."""
    case = _lock(case)
    _may(actor, case, "extend")
    reason = _text("reason", reason, _("延长理由"), max_length=500)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed.for_field(
            "days",
            _("延长天数应为 1 至 {max} 个工作日").format(max=MAX_EXTENSION_DAYS),
            code="days_out_of_range",
        )
    case.extension_days = days
    case.extension_reason = reason
    case.extended_by = actor
    _set_clock(case, start=case.accepted_on)
    case.save(
        update_fields=[
            "extension_days",
            "extension_reason",
            "extended_by",
            *CLOCK_FIELDS,
            "updated_at",
        ]
    )
    _event(
        case,
        CaseEventAction.EXTENDED,
        actor=actor,
        data={"days": days, "reason": reason, "deadline": str(case.deadline)},
    )
    applicant_messages.case_extended(case)
    return case


# -- calendar changes ---------------------------------------------------------------------


def recompute_deadlines(*, zone_id: int | None = None) -> int:
    """After a change of working days (a notice loaded, a zone's own day set or removed):
    recompute the clock of every running case of the zone (of all zones for a national
    notice), one case per transaction; returns how many deadlines moved."""
    changed = 0
    pks = Case.objects.running().order_by("pk")
    if zone_id is not None:
        pks = pks.filter(zone_id=zone_id)
    for pk in pks.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            case = lock_first(Case, related=("zone",), pk=pk, status__in=CLOCK_STATUSES)
            if case is None or case.accepted_on is None:
                continue
            before = (case.deadline, case.yellow_from, case.deadline_provisional)
            _set_clock(case, start=case.accepted_on)
            if (case.deadline, case.yellow_from, case.deadline_provisional) == before:
                continue
            case.save(update_fields=[*CLOCK_FIELDS, "updated_at"])
            if case.deadline != before[0]:
                changed += 1
                _event(
                    case,
                    CaseEventAction.DEADLINE_RECOMPUTED,
                    actor=None,
                    data={"from": str(before[0]), "to": str(case.deadline)},
                )
    return changed
