"""Who may see, download and revoke certificates."""

from __future__ import annotations

from onewindow.certificates.models import Certificate
from onewindow.org.constants import Role, UserKind
from onewindow.org.models import RoleAssignment, User
from onewindow.org.permissions import represented_applicant_ids


def is_zone_staff(user: User, zone_id: int) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.kind == UserKind.STAFF
        and user.zone_id == zone_id
        and bool(user.role_set())
    )


def can_view(user: User, certificate: Certificate) -> bool:
    """The holder's representatives, and staff of the zone (any role)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_applicant:
        return certificate.holder_id in represented_applicant_ids(user)
    return is_zone_staff(user, certificate.zone_id)


def can_revoke(user: User, certificate: Certificate) -> bool:
    """A decider of the issuing department, or an administrator of the zone."""
    if not is_zone_staff(user, certificate.zone_id):
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    return RoleAssignment.objects.filter(
        user=user, role=Role.DECIDER, department_id=certificate.issuing_department_id
    ).exists()


def can_see_stats(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.kind == UserKind.STAFF
        and (
            user.has_role(Role.SUPERVISOR)
            or user.has_role(Role.ANALYST)
            or user.has_role(Role.ADMINISTRATOR)
        )
    )
