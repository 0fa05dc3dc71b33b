"""Background jobs of appeals (Django's Tasks API, the ``django_tasks`` backport).

Thin: each job calls the services that do the work, so tests and commands call them the
same way. Each part of the app keeps its jobs in its own section.
"""

from __future__ import annotations

from django_tasks import task

# -- follow-up and supervision ----------------------------------------------------------------
from onewindow.appeals.services.supervision import supervisions_raise


@task()
def raise_supervisions() -> dict[str, int]:
    """Hourly (or more often): raise the zone's automatic 督办 of orders past due and of
    orders a department sent back, once each (a rule per trigger decides the level and the
    answer deadline; a zone without the rule raises nothing)."""
    raised = supervisions_raise()
    return {"overdue": raised.overdue, "sign_refused": raised.sign_refused}
