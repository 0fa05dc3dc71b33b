"""What org contributes to the site's shell (``core.registry``, read by the portal): the
audit trail and the applicant search in the main navigation, and the organisation's panels
of the home page (``home_panels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core import registry
from onewindow.org import home_panels
from onewindow.org.constants import Role, UserKind
from onewindow.org.pages import AUDIT_ACTION_LABELS


def searches_applicants(user) -> bool:
    """Staff look applicants up; the audit administrator reads the audit trail only."""
    return user.kind == UserKind.STAFF and Role.AUDIT_ADMIN not in user.role_set()


registry.nav_entry("audit_trail", _("审计日志"), order=90, roles={Role.AUDIT_ADMIN})
registry.nav_entry(
    "applicant_search",
    _("申请人查询"),
    order=100,
    shown=searches_applicants,
    current_names=("applicant_search", "applicant_detail"),
)

STAFF_PANELS = [
    ("org/home/_profile.html", 20, home_panels.for_everyone_on_staff),
    ("org/home/_window_clerk.html", 30, home_panels.for_roles(Role.WINDOW_CLERK)),
    ("org/home/_administrator.html", 40, home_panels.for_roles(Role.ADMINISTRATOR)),
    ("org/home/_security_admin.html", 50, home_panels.for_roles(Role.SECURITY_ADMIN)),
    ("org/home/_audit_admin.html", 60, home_panels.for_roles(Role.AUDIT_ADMIN)),
    ("org/home/_supervisor.html", 70, home_panels.for_roles(Role.SUPERVISOR)),
    ("org/home/_analyst.html", 80, home_panels.with_figures),
    ("org/home/_departments.html", 90, home_panels.with_department_overviews),
    ("org/home/_logins.html", 100, home_panels.for_everyone_on_staff),
]
for template, order, context in STAFF_PANELS:
    registry.fragment("portal.home.staff", template, order=order, context=context)

registry.fragment(
    "portal.home.applicant",
    "org/home/_identities.html",
    order=10,
    context=home_panels.for_applicants,
)
registry.fragment(
    "portal.home.applicant",
    "org/home/_account.html",
    order=20,
    context=home_panels.for_applicants,
)

# The audit codes of core and org in words (the audit trail, the home pages).
registry.audit_labels(AUDIT_ACTION_LABELS)
