"""Who may see and do what on appeals (pure; services raise these answers, pages show
them). The scope: the centre, the hotline and 电子监察 see their zone's orders; a
department's handlers see the orders their department currently holds (lead or co); an
applicant's user sees the orders filed by or for the applicants they represent."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from onewindow.appeals.constants import (
    CENTRE_ROLES,
    CONFIDENTIAL_READER_ROLES,
    DEPARTMENT_ROLES,
    OPERATOR_ROLES,
    SUPERVISION_ROLES,
)
from onewindow.appeals.models import Appeal, AppealAssignment
from onewindow.core.identifiers import mask_name
from onewindow.core.notifications.backends import mask_phone
from onewindow.org.models import User
from onewindow.org.permissions import represented_applicant_ids

ZONE_WIDE_ROLES = OPERATOR_ROLES | CENTRE_ROLES | SUPERVISION_ROLES


def holds_any(user: User, roles) -> bool:
    return bool(user.is_authenticated and not user.is_applicant and user.role_set() & roles)


def handler_department_ids(user: User) -> frozenset[int]:
    """The departments whose appeals ``user`` handles (诉求承办人员 assignments)."""
    if not user.is_authenticated or user.is_applicant:
        return frozenset()
    return frozenset(
        department
        for role, department in user.role_pairs()
        if role in DEPARTMENT_ROLES and department is not None
    )


def is_zone_wide(user: User) -> bool:
    return holds_any(user, ZONE_WIDE_ROLES)


def is_centre(user: User) -> bool:
    return holds_any(user, CENTRE_ROLES)


def is_operator(user: User) -> bool:
    return holds_any(user, OPERATOR_ROLES)


def is_supervisor(user: User) -> bool:
    return holds_any(user, SUPERVISION_ROLES)


def visible_appeals(user: User, queryset: QuerySet | None = None) -> QuerySet:
    """The one chokepoint: every read of appeals by a user goes through it (a row outside
    it is a 404, never a 403)."""
    queryset = Appeal.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_applicant:
        applicants = represented_applicant_ids(user)
        return queryset.filter(Q(requester_user=user) | Q(requester_id__in=applicants))
    condition = Q(pk__in=[])
    if is_zone_wide(user) and user.zone_id:
        condition |= Q(zone_id=user.zone_id)
    departments = handler_department_ids(user)
    if departments:
        condition |= Q(
            pk__in=AppealAssignment.objects.filter(
                department_id__in=departments, is_current=True
            ).values("appeal_id")
        )
    return queryset.filter(condition)


def sees_requester(user: User, appeal: Appeal) -> bool:
    """Whether ``user`` sees the requester's name and phone in full: everyone who sees the
    order, except departments when the requester asked for confidentiality (only the
    centre, the hotline and 电子监察 see them then; each such view is audited)."""
    if user.is_authenticated and user.is_applicant:
        return True
    if not appeal.confidential:
        return True
    return holds_any(user, CONFIDENTIAL_READER_ROLES)


def requester_name_for(user: User, appeal: Appeal) -> str:
    name = appeal.requester.name if appeal.requester_id else appeal.contact_name
    if appeal.anonymous:
        return ""
    return name if sees_requester(user, appeal) else mask_name(name)


def requester_phone_for(user: User, appeal: Appeal) -> str:
    phone = appeal.contact_phone or (appeal.requester.phone if appeal.requester_id else "")
    return phone if sees_requester(user, appeal) else mask_phone(phone)
