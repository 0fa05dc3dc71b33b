"""Background jobs of insights (Django's Tasks API, the ``django_tasks`` backport).

Thin: each job calls a service, so ``onewindow insights-rollup`` and tests call the same
code. django-tasks has no scheduler: cron runs ``onewindow insights-rollup`` (or
``insights-rollup --enqueue`` for the ``db_worker`` processes) once a day after midnight.
"""

from __future__ import annotations

from django_tasks import task

from onewindow.insights.services import calendar_refresh, rollup_due
from onewindow.org.models import Zone


@task()
def rollup_all_zones() -> dict[str, int]:
    """Daily: roll every zone's days through yesterday; facts written per zone."""
    written = {}
    for zone in Zone.objects.order_by("code"):
        result = rollup_due(zone=zone)
        written[zone.code] = result.facts if result else 0
    return written


@task()
def refresh_calendar(zone_id: int | None = None) -> int:
    """After a change of working days: the calendar rows and the facts' durations follow."""
    zones = Zone.objects.order_by("code")
    if zone_id is not None:
        zones = zones.filter(pk=zone_id)
    return sum(1 for zone in zones if calendar_refresh(zone=zone))


def on_calendar_changed(sender, *, zone_id: int | None = None, **kwargs) -> None:
    """``core.signals.calendar_changed`` (sent after commit): hand the work to a worker."""
    refresh_calendar.enqueue(zone_id=zone_id)
