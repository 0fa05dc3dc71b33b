"""A bad rating's rectification and return visit (整改, 回访), with their deadlines."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.constants import CASE_OBJECT_TYPE
from onewindow.core.audit import audit_append
from onewindow.core.calendar import WorkingCalendar
from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.locks import lock_row
from onewindow.core.notifications import notify
from onewindow.core.transitions import transition
from onewindow.org.constants import UserKind
from onewindow.org.models import User
from onewindow.org.selectors import calendar_for_zone
from onewindow.reviews.constants import (
    BAD_RATING_NOTIFICATION,
    RECTIFICATION_OBJECT_TYPE,
    RECTIFICATION_TRANSITIONS,
    RectificationAction,
    ReviewEventAction,
)
from onewindow.reviews.models import (
    Rating,
    Rectification,
    RectificationStatus,
    ReturnVisitOutcome,
    ReviewSettings,
)
from onewindow.reviews.permissions import (
    HANDLER_ROLES,
    can_handle_rectification,
)
from onewindow.reviews.selectors import review_settings_for
from onewindow.reviews.services.common import (
    NOTE_REQUIRED_OUTCOMES,
    _actor_id,
    _actor_name,
    _text,
)

# -- rectification ---------------------------------------------------------------------------


def _handlers(department_id: int) -> list[User]:
    """The department's reviewers and deciders (who are told of a bad rating)."""
    return list(
        User.objects.filter(
            role_assignments__role__in=HANDLER_ROLES,
            role_assignments__department_id=department_id,
            is_active=True,
            kind=UserKind.STAFF,
        )
        .distinct()
        .order_by("pk")
    )


def _open_rectification(
    rating: Rating, *, settings: ReviewSettings, calendar: WorkingCalendar, today: dt.date
) -> Rectification:
    due = calendar.deadline(today, settings.rectification_days, allow_provisional=True)
    rectification = Rectification.objects.create(
        rating=rating,
        zone_id=rating.zone_id,
        department_id=rating.department_id,
        status=RectificationStatus.OPEN,
        opened_on=today,
        due_on=due.date,
        due_provisional=due.provisional,
    )
    audit_append(
        action=ReviewEventAction.RECTIFICATION_OPENED,
        actor="system",
        object_type=RECTIFICATION_OBJECT_TYPE,
        object_id=rectification.pk,
        data={
            "rating": rating.pk,
            "case": rating.case.number,
            "department": rating.case.department.code,
            "due_on": str(due.date),
            "provisional": due.provisional,
            "limit_days": settings.rectification_days,
        },
    )
    _notify_handlers(rectification, rating)
    return rectification


def _notify_handlers(rectification: Rectification, rating: Rating) -> None:
    """In-app message to the department's reviewers and deciders, handed to the notifier
    backends after commit (``core.notifications``)."""
    case = rating.case
    context = {
        "number": case.number,
        "title": case.title,
        "level": rating.get_level_display(),
        "channel": rating.get_channel_display(),
        "due": rectification.due_on,
        "link": reverse("reviews:rectification", args=[rectification.pk]),
    }
    for recipient in _handlers(rectification.department_id):
        notify(
            recipient,
            BAD_RATING_NOTIFICATION,
            context,
            link=reverse("cases:case", args=[case.number]),
            subject=(CASE_OBJECT_TYPE, case.number),
        )


def _lock_rectification(rectification: Rectification) -> Rectification:
    """The rectification row, locked and fresh (only its own row: core.locks)."""
    return lock_row(Rectification, pk=rectification.pk, related=("rating", "zone", "department"))


def _transition(
    rectification: Rectification,
    action: str,
    *,
    actor: User,
    event: str,
    data: dict,
    fields: list[str],
) -> None:
    """The only place a rectification's status changes (``RECTIFICATION_TRANSITIONS``),
    on the row ``_lock_rectification`` locked."""
    transition(
        rectification,
        action,
        table=RECTIFICATION_TRANSITIONS,
        event=event,
        object_type=RECTIFICATION_OBJECT_TYPE,
        object_id=rectification.pk,
        actor=_actor_name(actor),
        actor_id=_actor_id(actor),
        data=data,
        fields=fields,
    )


def _require_handler(actor: User, rectification: Rectification) -> None:
    if not can_handle_rectification(actor, rectification):
        raise Forbidden(
            _("只有责任部门（{department}）的审查或决定人员可以办理整改").format(
                department=rectification.department.name
            ),
            code="not_permitted",
        )


@transaction.atomic
def rectification_record(
    *, rectification: Rectification, actor: User, verified_facts: str, measures: str
) -> Rectification:
    """整改: the department records what it verified and what it did; the return visit
    is then due ``return_visit_days`` working days later."""
    rectification = _lock_rectification(rectification)
    _require_handler(actor, rectification)
    RECTIFICATION_TRANSITIONS.check(rectification, RectificationAction.RECTIFY)
    verified_facts = _text("verified_facts", verified_facts, _("核实情况"))
    measures = _text("measures", measures, _("整改措施"))
    now = timezone.now()
    today = timezone.localdate(now)
    settings = review_settings_for(rectification.zone)
    visit_due = calendar_for_zone(rectification.zone).deadline(
        today, settings.return_visit_days, allow_provisional=True
    )
    rectification.verified_facts = verified_facts
    rectification.measures = measures
    rectification.rectified_at = now
    rectification.rectified_by = actor
    rectification.on_time = today <= rectification.due_on
    rectification.visit_due_on = visit_due.date
    rectification.visit_due_provisional = visit_due.provisional
    _transition(
        rectification,
        RectificationAction.RECTIFY,
        actor=actor,
        event=ReviewEventAction.RECTIFICATION_RECORDED,
        data={
            "on_time": rectification.on_time,
            "due_on": str(rectification.due_on),
            "visit_due_on": str(visit_due.date),
        },
        fields=[
            "verified_facts",
            "measures",
            "rectified_at",
            "rectified_by",
            "on_time",
            "visit_due_on",
            "visit_due_provisional",
        ],
    )
    return rectification


@transaction.atomic
def return_visit_record(
    *, rectification: Rectification, actor: User, outcome: str, note: str = ""
) -> Rectification:
    """回访: the applicant's response after the rectification; closes it. An applicant
    who cannot be reached, or is still dissatisfied, is recorded with a note."""
    rectification = _lock_rectification(rectification)
    _require_handler(actor, rectification)
    RECTIFICATION_TRANSITIONS.check(rectification, RectificationAction.VISIT)
    if outcome not in ReturnVisitOutcome.values:
        raise ValidationFailed.for_field(
            "outcome", _("回访结果：请从列表中选择"), code="invalid_outcome"
        )
    note = _text("note", note, _("回访记录"), required=outcome in NOTE_REQUIRED_OUTCOMES)
    now = timezone.now()
    rectification.visit_outcome = outcome
    rectification.visit_note = note
    rectification.visited_at = now
    rectification.visited_by = actor
    rectification.closed_at = now
    rectification.closed_by = actor
    _transition(
        rectification,
        RectificationAction.VISIT,
        actor=actor,
        event=ReviewEventAction.RETURN_VISIT_RECORDED,
        data={
            "outcome": outcome,
            "visit_due_on": str(rectification.visit_due_on),
            "visited_on": str(timezone.localdate(now)),
        },
        fields=[
            "visit_outcome",
            "visit_note",
            "visited_at",
            "visited_by",
            "closed_at",
            "closed_by",
        ],
    )
    return rectification


@transaction.atomic
def rectification_close_without_visit(
    *, rectification: Rectification, actor: User, reason: str
) -> Rectification:
    """Close an anonymous bad rating's rectification without a return visit, for a
    recorded reason. Real-name bad ratings must all be revisited."""
    rectification = _lock_rectification(rectification)
    _require_handler(actor, rectification)
    RECTIFICATION_TRANSITIONS.check(rectification, RectificationAction.CLOSE_WITHOUT_VISIT)
    if rectification.rating.real_name:
        raise Conflict(
            _("实名差评必须回访：请登记回访结果（无法联系的请选择“无法联系”并说明）"),
            code="visit_required",
        )
    reason = _text("reason", reason, _("未回访理由"))
    now = timezone.now()
    rectification.close_reason = reason
    rectification.closed_at = now
    rectification.closed_by = actor
    _transition(
        rectification,
        RectificationAction.CLOSE_WITHOUT_VISIT,
        actor=actor,
        event=ReviewEventAction.CLOSED_WITHOUT_VISIT,
        data={"reason": reason},
        fields=["close_reason", "closed_at", "closed_by"],
    )
    return rectification


def rectification_deadlines_recompute(*, zone_id: int | None = None) -> int:
    """Provisional deadlines (a year whose holiday notice was not known) are counted again
    once it is: each pending rectification with a provisional deadline, one per
    transaction; returns how many moved."""
    moved = 0
    pending = Rectification.objects.filter(
        Q(status=RectificationStatus.OPEN, due_provisional=True)
        | Q(status=RectificationStatus.RECTIFIED, visit_due_provisional=True)
    ).order_by("pk")
    if zone_id is not None:
        pending = pending.filter(zone_id=zone_id)
    for pk in pending.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            row = lock_row(Rectification, pk=pk, related=("zone",))
            if _recompute(row):
                moved += 1
    return moved


def _recompute(row: Rectification) -> bool:
    settings = review_settings_for(row.zone)
    calendar = calendar_for_zone(row.zone)
    before = {"due_on": str(row.due_on), "visit_due_on": str(row.visit_due_on)}
    changed = []
    if row.status == RectificationStatus.OPEN and row.due_provisional:
        # The limit in force when it was opened is not stored: the zone's current one.
        due = calendar.deadline(row.opened_on, settings.rectification_days, allow_provisional=True)
        row.due_on, row.due_provisional = due.date, due.provisional
        changed += ["due_on", "due_provisional"]
    if row.status == RectificationStatus.RECTIFIED and row.visit_due_provisional:
        start = timezone.localdate(row.rectified_at)
        due = calendar.deadline(start, settings.return_visit_days, allow_provisional=True)
        row.visit_due_on, row.visit_due_provisional = due.date, due.provisional
        changed += ["visit_due_on", "visit_due_provisional"]
    after = {"due_on": str(row.due_on), "visit_due_on": str(row.visit_due_on)}
    row.save(update_fields=changed)
    if after == before:
        return False
    audit_append(
        action=ReviewEventAction.DEADLINES_RECOMPUTED,
        actor="system",
        object_type=RECTIFICATION_OBJECT_TYPE,
        object_id=row.pk,
        data={"from": before, "to": after},
    )
    return True
