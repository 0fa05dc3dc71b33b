"""Who may see the dashboard: the zone's supervisors (电子监察), analysts (领导与分析人员)
and administrators (行政审批局). Everyone else is refused (403 on pages and in the API;
anonymous visitors are sent to the login page, or get 401 from the API). The public
service summary is open to all and carries no personal data."""

from __future__ import annotations

import rules

from onewindow.org.constants import Role
from onewindow.org.models import User

DASHBOARD_ROLES = (Role.SUPERVISOR, Role.ANALYST, Role.ADMINISTRATOR)


@rules.predicate
def can_view_dashboard(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.zone_id is not None
        and any(user.has_role(role) for role in DASHBOARD_ROLES)
    )


rules.add_perm("insights.view_dashboard", can_view_dashboard)
