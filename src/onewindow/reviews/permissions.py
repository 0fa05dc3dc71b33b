"""Who may rate, and who may see and handle rectifications.

- Rating on the online and mobile channels: a signed-in user representing the case's
  applicant. Anyone else is told the case does not exist (404), as on the case pages.
- Rating on the window and SMS channels: whoever holds the signed link (no login).
- The window QR page of a case: a window clerk of the case's zone.
- Rectifications: the reviewers and deciders of the responsible department see and handle
  them; supervisors (电子监察) of the zone see all of the zone's, read-only. Everyone else
  sees none: a rectification one may not see is "not found".
"""

from __future__ import annotations

import rules
from django.db.models import Q
from django.utils.translation import gettext as _

from onewindow.cases.models import Case
from onewindow.cases.permissions import (
    departments_with_role,
    is_zone_clerk,
    represents_case_applicant,
)
from onewindow.core.errors import NotFound
from onewindow.org.constants import Role
from onewindow.org.models import User
from onewindow.reviews.models import Rectification

#: Roles of the department that handles its bad ratings.
HANDLER_ROLES = (Role.REVIEWER, Role.DECIDER)


def handling_departments(user: User) -> set[int]:
    """The departments whose rectifications ``user`` handles (reviewer or decider)."""
    return departments_with_role(user, *HANDLER_ROLES)


@rules.predicate
def is_ratings_supervisor(user: User) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.SUPERVISOR))


@rules.predicate
def can_rate_with_account(user: User, case: Case) -> bool:
    """The online and mobile channels: the applicant's own representatives."""
    return represents_case_applicant(user, case)


@rules.predicate
def can_show_rating_code(user: User, case: Case) -> bool:
    """The window QR code of a case: a window clerk of its zone."""
    return is_zone_clerk(user, case)


@rules.predicate
def can_handle_rectification(user: User, rectification: Rectification) -> bool:
    return rectification is not None and rectification.department_id in handling_departments(user)


@rules.predicate
def can_use_rectification_inbox(user: User) -> bool:
    return bool(handling_departments(user))


def visible_rectifications(user: User, queryset=None):
    """The rectifications ``user`` may see (one query, no Python filtering)."""
    queryset = Rectification.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    condition = Q(pk__in=[])
    handling = handling_departments(user)
    if handling:
        condition |= Q(department_id__in=handling)
    if is_ratings_supervisor(user) and user.zone_id is not None:
        condition |= Q(zone_id=user.zone_id)
    return queryset.filter(condition)


def access_rectification(user: User, pk: int) -> Rectification:
    """The rectification ``pk`` if ``user`` may see it; "not found" otherwise."""
    rectification = (
        visible_rectifications(
            user,
            Rectification.objects.select_related(
                "rating__case__applicant",
                "rating__case__department",
                "rating__item",
                "rating__rater",
                "department",
                "zone",
                "rectified_by",
                "visited_by",
                "closed_by",
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if rectification is None:
        raise NotFound(_("整改事项不存在"), code="rectification_not_found")
    return rectification
