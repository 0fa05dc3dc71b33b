"""What cases contributes to the site's shell (``core.registry``, read by the portal): the
desks in the main navigation, where each role lands after login, the home page's links to
the desks, and the "apply online" buttons of the catalog's guides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.cases.event_labels import EVENT_LABELS
from onewindow.core import registry
from onewindow.org.constants import Role
from onewindow.org.permissions import is_staff_member

registry.nav_entry("cases:desk", _("窗口工作台"), order=10, roles={Role.WINDOW_CLERK})
registry.nav_entry(
    "cases:inbox", _("待办任务"), order=20, roles={Role.WINDOW_CLERK, Role.REVIEWER, Role.DECIDER}
)
registry.nav_entry("cases:board", _("红黄牌监察"), order=30, roles={Role.SUPERVISOR})
registry.nav_entry("cases:my_cases", _("我的办件"), order=10, applicant=True)

# After login: a role's work page (a user with several roles takes the lowest order).
registry.landing("cases:desk", order=10, roles={Role.WINDOW_CLERK})
registry.landing("cases:inbox", order=20, roles={Role.REVIEWER, Role.DECIDER})
registry.landing("cases:board", order=30, roles={Role.SUPERVISOR})
registry.landing("cases:my_cases", order=10, applicant=True)

WORK_ROLES = {Role.WINDOW_CLERK, Role.REVIEWER, Role.DECIDER, Role.SUPERVISOR}


def _work_links(context) -> dict | None:
    user = context["request"].user
    roles = user.role_set()
    return {"roles": roles} if roles & WORK_ROLES else None


def _case_lookup(context) -> dict | None:
    """The case-number box: on every page of a staff member (the page to come back to
    when nothing is found is the one shown)."""
    request = context.get("request")
    if request is None or not is_staff_member(request.user):
        return None
    return {"case_lookup_next": request.get_full_path()}


registry.fragment("site.header.tools", "cases/staff/_case_lookup.html", context=_case_lookup)
registry.fragment("portal.home.staff", "cases/home/_work_links.html", order=10, context=_work_links)
registry.fragment("catalog.item_guide.apply", "cases/guide/_apply_item.html")
registry.fragment("catalog.bundle_guide.apply", "cases/guide/_apply_bundle.html")

# The audit codes cases writes, in the words of the case page's timeline.
registry.audit_labels(EVENT_LABELS)
