"""The locks of role changes, in the order of ADR 0019 (PostgreSQL): a user row whose roles
change is a shared row; no audit chain head is locked (ADR 0004)."""

from __future__ import annotations

from onewindow.org.constants import Role
from onewindow.org.services import role_grant, role_revoke
from onewindow.testing.locks import CHAIN_HEAD, locked_tables, postgresql_only

pytestmark = postgresql_only


def test_granting_and_revoking_take_only_the_user(make_staff, department):
    security = make_staff(Role.SECURITY_ADMIN, username="security")
    user = make_staff(username="li")

    with locked_tables() as granted:
        role_grant(actor=security, user=user, role=Role.REVIEWER, department=department)
    with locked_tables() as revoked:
        role_revoke(actor=security, user=user, role=Role.REVIEWER, department=department)

    assert granted == revoked == ["org_user"]
    assert CHAIN_HEAD not in granted
