"""Background jobs of cases (Django's Tasks API, the ``django_tasks`` backport).

Thin: each job calls the functions that do the work, so a management command or a test
can call them the same way.
"""

from __future__ import annotations

from django_tasks import task

from onewindow.cases.reminders import remind_overdue_supplements, remind_warned_tasks


@task()
def send_reminders() -> dict[str, int]:
    """Daily: remind the holders of yellow and red tasks; record overdue supplements."""
    return {"tasks": remind_warned_tasks(), "supplements": remind_overdue_supplements()}
