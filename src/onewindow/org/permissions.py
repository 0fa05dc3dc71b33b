"""Who may see what of the organisation: ``rules`` predicates and the applicant chokepoint.

**The one rule for personal identifiers** (GLOSSARY.md, "Identifiers"; ADR 0015). A
居民身份证号码 or a passport number is shown masked (first 4 and last 4 kept) except to:

1. its owner: the users who represent the applicant (本人, 法定代表人, 经办人, 代办员);
2. staff handling the applicant: window clerks (综合窗口人员, who verify identity at intake)
   of a zone the applicant belongs to.

No other role sees a full number anywhere (page, API, PDF, admin, export), and only these
roles may look an applicant up by the full number. A 统一社会信用代码 is a public
registration number: it is never masked and its view is not personal data.

**Every full view by staff is an audited event**: no code shows a staff member a full
number by itself; it asks ``org.services.identifier_show`` (which applies this rule and
writes ``org.identifier_viewed`` with the channel) — :func:`shown_identifier` here gives
the full number to the applicant's own representatives only.

**Zones.** A staff member sees only the applicants of their zone: those a user of the zone
represents, those in a park of the zone, those registered (or their documents checked) at
one of its windows (``Applicant.registered_zones``), and those a higher app ties to the
zone (cases registers "a case of the zone names it" with :func:`register_zone_tie`), plus
those not yet tied to any zone (registered and never used). An applicant of another zone
is "not found", exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable

import rules
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound
from onewindow.org.constants import ApplicantKind, Role, UserKind
from onewindow.org.models import Applicant, Representation, User

#: Functions ``zone_id -> Q`` over ``Applicant``: what else ties an applicant to a zone
#: (``zone_id=None``: to any zone).
_ZONE_TIES: dict[str, Callable[[int | None], Q]] = {}


def register_zone_tie(name: str, condition: Callable[[int | None], Q]) -> None:
    """Let a higher app tie applicants to a zone (cases: a case of the zone names it).

    ``condition(zone_id)`` is a ``Q`` over ``Applicant``; ``condition(None)`` means "tied to
    any zone". Called from an ``AppConfig.ready``; registering a name again replaces it."""
    _ZONE_TIES[name] = condition


def _zone_ties(zone_id: int | None) -> Q:
    registered = Applicant.registered_zones.through.objects.filter(applicant=OuterRef("pk"))
    if zone_id is None:
        condition = (
            Q(park__isnull=False)
            | Q(
                Exists(
                    Representation.objects.filter(
                        applicant=OuterRef("pk"), user__zone__isnull=False
                    )
                )
            )
            | Q(Exists(registered))
        )
    else:
        condition = (
            Q(park__zone_id=zone_id)
            | Q(
                Exists(
                    Representation.objects.filter(applicant=OuterRef("pk"), user__zone_id=zone_id)
                )
            )
            | Q(Exists(registered.filter(zone_id=zone_id)))
        )
    for tie in _ZONE_TIES.values():
        condition |= tie(zone_id)
    return condition


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


def zone_applicants(zone_id: int, queryset: QuerySet | None = None) -> QuerySet:
    """The applicants that belong to zone ``zone_id``: tied to it, or not yet tied to any
    zone (registered, never used: the first case or representation places them)."""
    queryset = Applicant.objects.all() if queryset is None else queryset
    return queryset.filter(_zone_ties(zone_id) | ~_zone_ties(None))


def visible_applicants(user: User, queryset: QuerySet | None = None) -> QuerySet:
    """The applicants ``user`` may see at all: its own, or (staff) those of its zone."""
    queryset = Applicant.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.kind == UserKind.STAFF and user.zone_id is not None:
        return zone_applicants(user.zone_id, queryset)
    return queryset.filter(pk__in=represented_applicant_ids(user))


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


@rules.predicate
def in_users_zone(user: User, applicant: Applicant) -> bool:
    """The applicant belongs to the (staff) user's zone."""
    if applicant is None or applicant.pk is None or user.zone_id is None:
        return False
    cache = getattr(user, "_zone_applicant_cache", None)
    if cache is None:
        cache = user._zone_applicant_cache = {}
    if applicant.pk not in cache:
        cache[applicant.pk] = zone_applicants(
            user.zone_id, Applicant.objects.filter(pk=applicant.pk)
        ).exists()
    return cache[applicant.pk]


#: Roles that handle applicants' identities and so may see and search full numbers.
IDENTIFIER_ROLES = frozenset({Role.WINDOW_CLERK})

#: Staff who may see full numbers and look applicants up by them (in their zone).
can_search_by_identifier = is_window_clerk

#: The full identifier: the applicant's own representatives, and window clerks of its zone.
can_view_full_identifier = represents_applicant | (is_window_clerk & in_users_zone)

#: The applicant's record at all: its representatives, and staff of its zone.
can_view_applicant = represents_applicant | (is_staff_member & in_users_zone)

# Only a name Django does not use: "org.view_applicant" is the model's admin permission,
# and a rule under that name would open the admin's applicant pages to every staff member.
rules.add_perm("org.view_full_identifier", can_view_full_identifier)


def is_personal(applicant: Applicant) -> bool:
    """A person's or a foreigner's number (personal data); a USCC is public."""
    return applicant.kind != ApplicantKind.ENTERPRISE


def full_view_is_audited(user: User, applicant: Applicant) -> bool:
    """Showing ``user`` the full number is an access the audit trail must keep: a personal
    number, allowed by the rule, and ``user`` is not one of the applicant's own."""
    return (
        is_personal(applicant)
        and not represents_applicant(user, applicant)
        and can_view_full_identifier(user, applicant)
    )


def shown_identifier(user: User, applicant: Applicant) -> str:
    """The identifier as ``user`` may see it *without an audit record*: full for the
    applicant's own representatives (and a public USCC), masked for everyone else. Staff
    full views go through ``org.services.identifier_show``."""
    if not is_personal(applicant) or represents_applicant(user, applicant):
        return applicant.identifier
    return applicant.masked_identifier


def access_applicant(user: User, pk: int) -> Applicant:
    """The applicant ``pk`` if ``user`` may see it; "not found" for missing, forbidden and
    another zone's alike."""
    applicant = visible_applicants(user).select_related("park").filter(pk=pk).first()
    if applicant is None:
        raise NotFound(_("申请人不存在"), code="applicant_not_found")
    return applicant
