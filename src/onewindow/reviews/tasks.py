"""Background jobs of reviews (Django's Tasks API, the ``django_tasks`` backport).

Thin: each job calls the functions that do the work, so the management command and the
tests call them the same way.
"""

from __future__ import annotations

from django_tasks import task

from onewindow.reviews.invitations import send_invitations
from onewindow.reviews.services import rectification_deadlines_recompute


@task()
def send_rating_invitations() -> dict[str, int]:
    """Daily (or more often): text the rating link to the applicants of newly delivered
    cases, once per case; count provisional rectification deadlines again (a holiday
    notice may have been loaded since)."""
    return {
        "invitations": send_invitations(),
        "deadlines": rectification_deadlines_recompute(),
    }
