"""What insights contributes to the site's shell (``core.registry``, read by the portal): the
dashboard in the main navigation, and the analyst's landing after login."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core import registry
from onewindow.org.constants import Role

registry.nav_entry(
    "insights:dashboard",
    _("统计分析"),
    order=60,
    roles={Role.SUPERVISOR, Role.ANALYST, Role.ADMINISTRATOR},
)
registry.landing("insights:dashboard", order=40, roles={Role.ANALYST})
