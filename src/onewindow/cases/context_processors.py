"""The desks a signed-in user works at, for the main navigation (one query for the roles,
cached on the user; nothing for anonymous visitors)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from onewindow.org.constants import Role, UserKind

#: (URL name, label, the roles that see it); applicants see "my cases" and "my certificates".
DESKS = [
    ("cases:desk", _("窗口工作台"), {Role.WINDOW_CLERK}),
    ("cases:inbox", _("待办任务"), {Role.WINDOW_CLERK, Role.REVIEWER, Role.DECIDER}),
    ("cases:board", _("红黄牌监察"), {Role.SUPERVISOR}),
    ("reviews:rectifications", _("差评整改"), {Role.REVIEWER, Role.DECIDER}),
    ("reviews:supervision", _("差评监督"), {Role.SUPERVISOR}),
    ("insights:dashboard", _("统计分析"), {Role.SUPERVISOR, Role.ANALYST, Role.ADMINISTRATOR}),
    # Every staff role but the audit administrator, who reads the audit trail only.
    ("certificates:list", _("电子证照"), set(Role) - {Role.AUDIT_ADMIN}),
    ("certificates:stats", _("证照统计"), {Role.SUPERVISOR, Role.ANALYST, Role.ADMINISTRATOR}),
    ("audit_trail", _("审计日志"), {Role.AUDIT_ADMIN}),
]


def _desks(user) -> list[tuple[str, str]]:
    if not user.is_authenticated:
        return []
    if user.kind == UserKind.APPLICANT:
        return [("cases:my_cases", _("我的办件")), ("certificates:wallet", _("我的证照"))]
    roles = user.role_set()
    return [(name, label) for name, label, allowed in DESKS if roles & allowed]


def _searches_applicants(user) -> bool:
    """Staff look applicants up; the audit administrator reads the audit trail only."""
    return bool(
        user.is_authenticated
        and user.kind == UserKind.STAFF
        and Role.AUDIT_ADMIN not in user.role_set()
    )


def desks(request) -> dict:
    return {
        "desks": SimpleLazyObject(lambda: _desks(request.user)),
        "searches_applicants": SimpleLazyObject(lambda: _searches_applicants(request.user)),
    }
