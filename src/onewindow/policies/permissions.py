"""Who may see and do what on policies (pure; services raise these answers, pages show them).

- A policy officer (政策专员) manages the policies of the departments they are assigned to, in
  their zone, and works their redemptions (publicity, objections, payments).
- The zone's administrator, supervisors (电子监察) and analysts read every policy and
  redemption of the zone; the administrator also edits enterprise facts.
- An enterprise's representatives see its own matches and redemptions, and confirm them.
- Everybody, signed in or not, reads published policies and uses the calculator by typing facts.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from onewindow.org.constants import Role
from onewindow.org.models import Applicant, User
from onewindow.org.permissions import represented_applicant_ids
from onewindow.policies.models import Policy, Redemption

OFFICER_ROLES = frozenset({Role.POLICY_OFFICER})
#: Staff who read every policy and redemption of their zone (the supervisors' figures).
READER_ROLES = frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ANALYST, Role.POLICY_OFFICER})
#: Staff who write enterprise facts (departments push theirs with source "department").
FACT_WRITER_ROLES = frozenset({Role.POLICY_OFFICER, Role.ADMINISTRATOR})


def holds_any(user: User, roles) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_applicant
        and user.role_set() & roles
    )


def officer_department_ids(user: User) -> frozenset[int]:
    """The departments whose policies ``user`` manages (政策专员 assignments)."""
    if not holds_any(user, OFFICER_ROLES):
        return frozenset()
    return frozenset(
        department
        for role, department in user.role_pairs()
        if role in OFFICER_ROLES and department is not None
    )


def is_officer(user: User) -> bool:
    return bool(officer_department_ids(user))


def is_zone_reader(user: User) -> bool:
    return holds_any(user, READER_ROLES) and bool(user.zone_id)


def can_manage_policy(user: User, policy: Policy) -> bool:
    return policy.zone_id == user.zone_id and policy.department_id in officer_department_ids(user)


def managed_policies(user: User, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Policy.objects.all() if queryset is None else queryset
    departments = officer_department_ids(user)
    if not departments:
        return queryset.none()
    return queryset.filter(zone_id=user.zone_id, department_id__in=departments)


def can_write_facts(user: User, enterprise: Applicant) -> bool:
    """Staff who may change an enterprise's facts: the policy officers and administrator of a
    zone the enterprise belongs to (its park's zone, or a zone whose window registered it)."""
    if not holds_any(user, FACT_WRITER_ROLES) or not user.zone_id:
        return False
    return enterprise_in_zone(enterprise, user.zone_id)


def can_import_facts(user: User) -> bool:
    """Staff who may import facts from Excel: the policy officers and administrator of a
    zone (the import reaches only the enterprises of their zone)."""
    return holds_any(user, FACT_WRITER_ROLES) and bool(user.zone_id)


def enterprise_in_zone(enterprise: Applicant, zone_id: int) -> bool:
    if enterprise.park_id is not None and enterprise.park.zone_id == zone_id:
        return True
    return enterprise.registered_zones.filter(pk=zone_id).exists()


def represents(user: User, enterprise: Applicant) -> bool:
    return bool(
        user.is_authenticated
        and user.is_applicant
        and enterprise.pk in represented_applicant_ids(user)
    )


def can_read_facts(user: User, enterprise: Applicant) -> bool:
    if represents(user, enterprise):
        return True
    return is_zone_reader(user) and enterprise_in_zone(enterprise, user.zone_id)


def visible_redemptions(user: User, queryset: QuerySet | None = None) -> QuerySet:
    """The one chokepoint for reading redemptions (a row outside it is a 404, never a 403)."""
    queryset = Redemption.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_applicant:
        return queryset.filter(enterprise_id__in=represented_applicant_ids(user))
    condition = Q(pk__in=[])
    if is_zone_reader(user):
        condition |= Q(zone_id=user.zone_id)
    return queryset.filter(condition)


def can_work_redemption(user: User, redemption: Redemption) -> bool:
    """Publicity, objections and payments: the officers of the policy's department."""
    policy = redemption.version.item.policy
    return can_manage_policy(user, policy)
