"""Time-limit arithmetic of a case and of its tasks (GLOSSARY.md, "Time limits").

Pure functions over a :class:`onewindow.core.calendar.WorkingCalendar`; no database.

- The clock starts on the acceptance date, which is not counted (民法典 art. 201).
- Deadline = the (limit + suspended + extension)-th working day after acceptance
  (行政许可法 art. 42 for the one extension of at most 10 working days; art. 45 for the
  special procedures whose time is not counted).
- Suspended working days of one suspension = working days x with start < x ≤ resume:
  the day it starts still counts, the clock runs again from the day after the resume.
- Yellow when the remaining working days ≤ max(1, ceil(20 % of the limit)); red when the
  deadline has passed without a decision. Stored as the date the light turns yellow
  (``yellow_from``), so lists compute lights in SQL by comparing dates.
- On time: the decision day is on or before the deadline.

Deadlines may fall in a year whose holiday notice is not yet published (in November the
next year's often is not): they are then *provisional* (weekends and fixed-date holidays
only), flagged, and recomputed when the notice is loaded.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from onewindow.cases.constants import YELLOW_SHARE_PERCENT, Light
from onewindow.core.calendar import WorkingCalendar


@dataclass(frozen=True)
class Clock:
    """Where a time limit stands: its deadline and the day its light turns yellow."""

    deadline: dt.date
    yellow_from: dt.date
    provisional: bool


def yellow_threshold(limit_days: int) -> int:
    """Remaining working days at which the light turns yellow: max(1, ⌈20 % of limit⌉)."""
    return max(1, math.ceil(limit_days * YELLOW_SHARE_PERCENT / 100))


def clock(
    calendar: WorkingCalendar,
    *,
    start: dt.date,
    limit_days: int,
    paused_days: int = 0,
    extension_days: int = 0,
) -> Clock:
    """The deadline of a limit that started on ``start`` (not counted)."""
    result = calendar.deadline(
        start, limit_days + paused_days + extension_days, allow_provisional=True
    )
    yellow = calendar.working_day_before(
        result.date, yellow_threshold(limit_days + extension_days), allow_provisional=True
    )
    # Never yellow before the clock started.
    yellow_from = max(yellow.date, start)
    return Clock(result.date, yellow_from, result.provisional or yellow.provisional)


def paused_working_days(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> int:
    """Working days not counted for a suspension from ``start`` to its resume on ``end``."""
    if end <= start:
        return 0
    return calendar.count(start, end, allow_provisional=True).working_days


def remaining_working_days(calendar: WorkingCalendar, today: dt.date, deadline: dt.date) -> int:
    """Working days left until the deadline (negative when it has passed)."""
    return calendar.count(today, deadline, allow_provisional=True).working_days


def light(
    *,
    today: dt.date,
    deadline: dt.date | None,
    yellow_from: dt.date | None,
    running: bool = True,
    paused: bool = False,
) -> str:
    """The light of a running clock (the same rule as ``CaseQuerySet.with_light`` in SQL)."""
    if not running or deadline is None:
        return Light.NONE
    if paused:
        return Light.PAUSED
    if today > deadline:
        return Light.RED
    if yellow_from is not None and today >= yellow_from:
        return Light.YELLOW
    return Light.GREEN


def on_time(*, decided_on: dt.date, deadline: dt.date) -> bool:
    return decided_on <= deadline


def correction_due(calendar: WorkingCalendar, requested_on: dt.date, period_days: int) -> dt.date:
    """The last day to put a correction notice right: the ``period_days``-th working day
    after the day of the notice (which is not counted, as for the clock)."""
    return calendar.add_working_days(requested_on, period_days)


# -- 容缺: the due date of tolerated materials ------------------------------------------------


def tolerance_due_default(
    calendar: WorkingCalendar, *, today: dt.date, deadline: dt.date, days: int
) -> dt.date:
    """The due date offered for tolerated materials: ``days`` working days from today,
    but never after the case's deadline (the supplement must be in before the decision
    is due, or the certificate could not be issued on time)."""
    proposed = calendar.deadline(today, days, allow_provisional=True).date
    return min(proposed, deadline)


def tolerance_due_problem(due_on: dt.date, *, today: dt.date, deadline: dt.date) -> str | None:
    """Why ``due_on`` cannot be the due date of tolerated materials of a case accepted
    today with ``deadline``, or None when it can: after today, not after the deadline
    (``no_room``: a deadline of today leaves no day to supplement in)."""
    if deadline <= today:
        return "no_room"
    if due_on <= today:
        return "not_after_today"
    if due_on > deadline:
        return "after_deadline"
    return None
