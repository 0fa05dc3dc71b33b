"""Background jobs of cases (Django's Tasks API, the ``django_tasks`` backport).

Thin: each job calls the functions that do the work, so a management command or a test
can call them the same way.
"""

from __future__ import annotations

from django_tasks import task

from onewindow.cases.reminders import (
    remind_overdue_supplements,
    remind_supplements_due_soon,
    remind_warned_tasks,
)
from onewindow.cases.services import drafts_expire, recompute_deadlines


@task()
def send_reminders() -> dict[str, int]:
    """Daily: remind the holders of yellow and red tasks; record overdue supplements;
    remind applicants of supplements due soon."""
    return {
        "tasks": remind_warned_tasks(),
        "supplements": remind_overdue_supplements(),
        "supplements_due_soon": remind_supplements_due_soon(),
    }


@task()
def recompute_case_deadlines(zone_id: int | None = None) -> int:
    """After a change of working days: the running cases' deadlines follow it."""
    return recompute_deadlines(zone_id=zone_id)


def on_calendar_changed(sender, *, zone_id: int | None = None, **kwargs) -> None:
    """``core.signals.calendar_changed`` (sent after commit): hand the work to a worker."""
    recompute_case_deadlines.enqueue(zone_id=zone_id)


@task()
def expire_drafts() -> int:
    """Daily: remove the application drafts not saved for ``DRAFT_KEEP_DAYS`` days."""
    return drafts_expire()
