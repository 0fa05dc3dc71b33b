"""Background jobs of appeals (Django's Tasks API, the ``django_tasks`` backport).

Thin: each job calls the services that do the work, so tests and commands call them the
same way. Each part of the app keeps its jobs in its own section.
"""

from __future__ import annotations

from django_tasks import task

from onewindow.appeals.services.clock import appeal_deadlines_recompute
from onewindow.appeals.services.supervision import supervisions_raise
from onewindow.org.models import Zone

# -- follow-up and supervision ----------------------------------------------------------------


@task()
def raise_supervisions() -> dict[str, int]:
    """Hourly (or more often): raise the zone's automatic 督办 of orders past due and of
    orders a department sent back, once each (a rule per trigger decides the level and the
    answer deadline; a zone without the rule raises nothing)."""
    raised = supervisions_raise()
    return {"overdue": raised.overdue, "sign_refused": raised.sign_refused}


# -- the clock ----------------------------------------------------------------------------------


@task()
def recompute_appeal_deadlines(zone_id: int | None = None) -> int:
    """After a change of working days: the open orders' deadlines follow it, and so do
    the limits to sign of the orders awaiting their sign (office hours); the return window,
    natural hours after the dispatch, does not depend on the calendar and stays."""
    if zone_id is None:
        return appeal_deadlines_recompute()
    zone = Zone.objects.filter(pk=zone_id).first()
    return appeal_deadlines_recompute(zone=zone) if zone is not None else 0


def on_calendar_changed(sender, *, zone_id: int | None = None, **kwargs) -> None:
    """``core.signals.calendar_changed`` (sent after commit): hand the work to a worker."""
    recompute_appeal_deadlines.enqueue(zone_id=zone_id)
