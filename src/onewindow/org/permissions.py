"""Who may see what of the organisation: ``rules`` predicates and the applicant chokepoint.

Identifiers (GLOSSARY.md, "Identifiers"): an ID card or passport number is shown masked
except to its owner and to staff handling the applicant. Today that means the users who
represent the applicant and window clerks, who verify identity at intake; case handlers
join when the cases module assigns them.
"""

from __future__ import annotations

import rules
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound
from onewindow.org.constants import Role, UserKind
from onewindow.org.models import Applicant, Representation, User


def represented_applicant_ids(user: User) -> frozenset[int]:
    """The applicants ``user`` acts for (one query, then cached on the user object)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_represented_applicant_ids", None)
    if cached is None:
        cached = frozenset(
            Representation.objects.filter(user=user).values_list("applicant_id", flat=True)
        )
        user._represented_applicant_ids = cached
    return cached


@rules.predicate
def is_staff_member(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.kind == UserKind.STAFF)


@rules.predicate
def is_window_clerk(user: User) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.WINDOW_CLERK))


@rules.predicate
def represents_applicant(user: User, applicant: Applicant) -> bool:
    if applicant is None:
        return False
    return applicant.pk in represented_applicant_ids(user)


#: The full identifier: the applicant's own representatives and window clerks.
can_view_full_identifier = represents_applicant | is_window_clerk

#: The applicant's record at all: its representatives and any staff member.
can_view_applicant = represents_applicant | is_staff_member

# Only a name Django does not use: "org.view_applicant" is the model's admin permission,
# and a rule under that name would open the admin's applicant pages to every staff member.
rules.add_perm("org.view_full_identifier", can_view_full_identifier)


def shown_identifier(user: User, applicant: Applicant) -> str:
    """The identifier as ``user`` may see it: full or masked."""
    if can_view_full_identifier(user, applicant):
        return applicant.identifier
    return applicant.masked_identifier


def access_applicant(user: User, pk: int) -> Applicant:
    """The applicant ``pk`` if ``user`` may see it; "not found" for missing and forbidden."""
    applicant = Applicant.objects.select_related("park").filter(pk=pk).first()
    if applicant is None or not can_view_applicant(user, applicant):
        raise NotFound(_("申请人不存在"), code="applicant_not_found")
    return applicant
