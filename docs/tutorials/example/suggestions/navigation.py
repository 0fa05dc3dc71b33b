"""What suggestions contributes to the site's shell (``core.registry``, read by the portal):
the main navigation's link, for applicants and the staff who read a zone's suggestions, and
the staff home page's panel of suggestions waiting for an answer.

A real app writes these calls at the top level of ``navigation.py``: the portal imports
every app's ``navigation`` module at start-up (``PortalConfig.ready``). The example keeps
them in ``register()``, which only its tests call (and then restore the registry), so the
rest of the suite never sees a link to a page the product does not have.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core import registry
from suggestions.constants import READER_ROLES
from suggestions.selectors import waiting_count


def _waiting(context) -> dict | None:
    """The panel for window clerks and supervisors with suggestions waiting; else none."""
    waiting = waiting_count(context["request"].user)
    return {"waiting": waiting} if waiting else None


def register() -> None:
    registry.nav_entry(
        "suggestions:list",
        _("意见建议"),
        order=60,
        roles=READER_ROLES,
        applicant=True,
        current_names=("new", "detail"),
    )
    registry.fragment(
        "portal.home.staff", "suggestions/home/_waiting.html", order=60, context=_waiting
    )
