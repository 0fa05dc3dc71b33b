"""The three administrators of 等保三级 三权分立 (separation of duties), as ``rules`` predicates.

* 系统管理员 (``administrator``): the catalog, the calendar, the zone's settings;
* 安全管理员 (``security_admin``): staff accounts, role grants, login unlocks and
  second-factor resets;
* 审计管理员 (``audit_admin``): reads the audit trail and nothing else.

One person holds at most one of the three, the audit administrator holds no other role
at all, and nobody grants or revokes their own roles (``org.services.role_grant``). A
superuser with no role is the installation's bootstrap account (``onewindow
createsuperuser``): it may create the first security administrator (``onewindow
grant-role``) and should then be retired (ADR 0010).
"""

from __future__ import annotations

from collections.abc import Iterable

import rules
from django.utils.translation import gettext as _

from onewindow.org.constants import ADMINISTRATOR_ROLES, Role, UserKind


def _holds(user, role: str) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(role))


@rules.predicate
def is_system_admin(user) -> bool:
    return _holds(user, Role.ADMINISTRATOR)


@rules.predicate
def is_security_admin(user) -> bool:
    return _holds(user, Role.SECURITY_ADMIN)


@rules.predicate
def is_audit_admin(user) -> bool:
    return _holds(user, Role.AUDIT_ADMIN)


@rules.predicate
def is_bootstrap_superuser(user) -> bool:
    """A superuser holding no role: the account ``onewindow createsuperuser`` makes."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_superuser
        and user.kind == UserKind.STAFF
        and not user.role_set()
    )


#: Staff accounts, role grants, unlocks and second-factor resets.
can_manage_accounts = is_security_admin | is_bootstrap_superuser

#: The audit trail page.
can_view_audit_trail = is_audit_admin

rules.add_perm("org.manage_accounts", can_manage_accounts)
rules.add_perm("org.view_audit_trail", can_view_audit_trail)


def grant_conflict(held: Iterable[str], role: str) -> str | None:
    """Why ``role`` may not join the roles ``held`` (三权分立), or None when it may."""
    held = set(held) - {role}
    if not held:
        return None
    if role == Role.AUDIT_ADMIN or Role.AUDIT_ADMIN in held:
        return _("审计管理员不能兼任其他角色（三权分立）")
    if role in ADMINISTRATOR_ROLES and held & ADMINISTRATOR_ROLES:
        return _("系统管理员、安全管理员、审计管理员不能由同一人兼任（三权分立）")
    return None
