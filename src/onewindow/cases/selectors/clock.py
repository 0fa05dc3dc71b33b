"""A case's clock as a page shows it: today, the case's remaining working days and
light, remaining days added to the rows of one page (O(1) each from the precomputed
calendar)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from onewindow.cases import deadlines
from onewindow.cases.constants import CaseStatus
from onewindow.cases.models import Case, Task
from onewindow.org.models import Zone
from onewindow.org.selectors import calendar_for_zone


def today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class ClockView:
    deadline: dt.date | None
    remaining: int | None
    light: str
    provisional: bool


def case_clock(case: Case, *, on: dt.date | None = None) -> ClockView:
    """The case's clock for one page (remaining working days, the light)."""
    on = on or today()
    running = case.clock_running and case.deadline is not None
    remaining = None
    if running and case.status != CaseStatus.SUSPENDED:
        remaining = deadlines.remaining_working_days(
            calendar_for_zone(case.zone), on, case.deadline
        )
    return ClockView(
        deadline=case.deadline,
        remaining=remaining,
        light=deadlines.light(
            today=on,
            deadline=case.deadline,
            yellow_from=case.yellow_from,
            running=running,
            paused=case.status == CaseStatus.SUSPENDED,
        ),
        provisional=case.deadline_provisional,
    )


def with_remaining(rows, *, on: dt.date | None = None, calendars: dict | None = None):
    """Attach ``remaining`` working days to each row of one page (tasks or cases).

    The zone's calendar is looked up by the row's zone id (no zone row is read); a page
    with two lists passes one ``calendars`` dict to both, so the calendar's revision is
    checked once per page."""
    on = on or today()
    rows = list(rows)
    calendars = {} if calendars is None else calendars
    for row in rows:
        zone_id = row.case.zone_id if isinstance(row, Task) else row.zone_id
        if zone_id not in calendars:
            calendars[zone_id] = calendar_for_zone(Zone(pk=zone_id))
        row.remaining = (
            deadlines.remaining_working_days(calendars[zone_id], on, row.deadline)
            if row.deadline
            else None
        )
    return rows


def correction_due_on(case: Case) -> dt.date | None:
    """The last day to put the correction notice (一次性告知) right: the period
    (``ONEWINDOW_CORRECTION_PERIOD_DAYS`` working days) after the day of the request; the
    notice and the applicant's message both say this date (ADR 0023)."""
    requested = case.correction_requested_at
    if requested is None:
        return None
    return deadlines.correction_due(
        calendar_for_zone(case.zone),
        timezone.localdate(requested),
        settings.ONEWINDOW_CORRECTION_PERIOD_DAYS,
    )
