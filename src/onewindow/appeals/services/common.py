"""What every appeal use-case shares: numbers, the clock, the one move helper (status
through ``core.transitions``, a history step, the audit event) and steps that do not move
the status."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils import timezone

from onewindow.appeals.clock import Limit, due
from onewindow.appeals.constants import (
    APPEAL_OBJECT_TYPE,
    APPEAL_TRANSITIONS,
    NUMBER_PREFIX,
)
from onewindow.appeals.models import Appeal, AppealNumberCounter, AppealSettings, AppealStep
from onewindow.core.audit import audit_append
from onewindow.core.calendar import WorkingCalendar
from onewindow.core.locks import lock_counter
from onewindow.core.transitions import transition
from onewindow.org.models import Department, User

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


def actor_name(actor: User | None) -> str:
    return actor.get_username() if actor is not None else "system"


def actor_id(actor: User | None) -> str | int:
    return actor.pk if actor is not None else ""


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def format_appeal_number(zone_code: str, year: int, sequence: int) -> str:
    """``SFQ-SQ2026-000042``: the zone, 诉求 and the year's sequence."""
    return f"{zone_code}-{NUMBER_PREFIX}{year}-{sequence:06d}"


def next_appeal_number(zone, *, year: int | None = None) -> str:
    """The zone's next number for the year, taken under the counter's lock (in the
    caller's transaction: a rolled-back intake gives its number back)."""
    year = year or timezone.localdate().year
    counter = lock_counter(AppealNumberCounter, zone_id=zone.pk, year=year, defaults={"last": 0})
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_appeal_number(zone.code, year, counter.last)


def set_clock(
    appeal: Appeal,
    *,
    start: dt.datetime,
    settings: AppealSettings,
    calendar: WorkingCalendar,
) -> list[str]:
    """Start (or restart) the order's clock at ``start`` with the limit it holds
    (``limit_unit`` / ``limit_amount`` + ``extended_days``); returns the fields set."""
    result = due(
        calendar,
        start=start,
        limit=Limit(appeal.limit_unit, appeal.limit_amount, appeal.extended_days),
        workday_ends=settings.workday_ends,
        warn_percent=settings.warn_percent,
    )
    appeal.clock_started_at = start
    appeal.due_at = result.due_at
    appeal.warn_at = result.warn_at
    appeal.due_provisional = result.provisional
    return ["clock_started_at", "due_at", "warn_at", "due_provisional"]


def record_step(
    appeal: Appeal,
    action: str,
    *,
    actor: User | None,
    event: str,
    department: Department | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
) -> AppealStep:
    """A step that does not move the status (an extension asked, a 督办, a part added):
    the history row and the audit event."""
    step = AppealStep.objects.create(
        appeal=appeal,
        action=action,
        from_status=from_status,
        to_status=to_status,
        department=department,
        actor=actor,
        note=note,
    )
    if not from_status:
        audit_append(
            action=event,
            actor=actor_name(actor),
            actor_id=actor_id(actor),
            object_type=APPEAL_OBJECT_TYPE,
            object_id=appeal.pk,
            data={"number": appeal.number, **(data or {})},
        )
    return step


def move(
    appeal: Appeal,
    action: str,
    *,
    actor: User | None,
    event: str,
    department: Department | None = None,
    note: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: list[str] | tuple[str, ...] = (),
) -> str:
    """Move a locked order by ``action`` (the one place its status changes): the table
    decides, ``core.transitions`` saves and audits, and a history step is written."""
    before = appeal.status
    target = transition(
        appeal,
        action,
        table=APPEAL_TRANSITIONS,
        event=event,
        object_type=APPEAL_OBJECT_TYPE,
        object_id=appeal.pk,
        actor=actor_name(actor),
        actor_id=actor_id(actor),
        reason=reason,
        data={"number": appeal.number, **(data or {})},
        fields=fields,
    )
    record_step(
        appeal,
        action,
        actor=actor,
        event=event,
        department=department,
        note=note or reason,
        from_status=before,
        to_status=target,
    )
    return target
