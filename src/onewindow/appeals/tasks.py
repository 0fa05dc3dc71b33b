"""Background jobs of appeals (Django's Tasks API, the ``django_tasks`` backport).

Thin: each job calls the service that does the work, so a test or a command calls it the
same way.
"""

from __future__ import annotations

from django_tasks import task

# -- the clock ----------------------------------------------------------------------------------
from onewindow.appeals.services.clock import appeal_deadlines_recompute
from onewindow.org.models import Zone


@task()
def recompute_appeal_deadlines(zone_id: int | None = None) -> int:
    """After a change of working days: the open orders' deadlines follow it."""
    if zone_id is None:
        return appeal_deadlines_recompute()
    zone = Zone.objects.filter(pk=zone_id).first()
    return appeal_deadlines_recompute(zone=zone) if zone is not None else 0


def on_calendar_changed(sender, *, zone_id: int | None = None, **kwargs) -> None:
    """``core.signals.calendar_changed`` (sent after commit): hand the work to a worker."""
    recompute_appeal_deadlines.enqueue(zone_id=zone_id)
