"""差评转诉求, the read side: who may turn a bad rating into an appeal, the rating they
may turn (a rating outside their zone is "not found"), and the appeal a rating became
(the staff's rectification page and the rater's pages show it).

The write is ``services.intake.appeal_from_rating``; its rule of who may (the centre or
电子监察 of the rating's zone) is the one :func:`may_turn_ratings` reads here, so a page
offers the button exactly to those the service lets through.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from onewindow.appeals.constants import CENTRE_ROLES, SUPERVISION_ROLES
from onewindow.appeals.models import Appeal
from onewindow.core.errors import NotFound
from onewindow.org.constants import UserKind
from onewindow.org.models import User
from onewindow.reviews.models import BAD_LEVELS, Rating

TURNING_ROLES = CENTRE_ROLES | SUPERVISION_ROLES


def may_turn_ratings(user: User) -> bool:
    """Staff of a zone holding a role that turns bad ratings into appeals."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.kind == UserKind.STAFF
        and user.zone_id is not None
        and user.role_set() & TURNING_ROLES
    )


def rating_to_turn(user: User, pk: int) -> Rating:
    """The rating ``pk`` of ``user``'s zone (with its case, item and rater); "not found"
    for a rating of another zone or none."""
    rating = (
        Rating.objects.select_related("zone", "case__applicant", "case__department", "item")
        .filter(pk=pk, zone_id=user.zone_id)
        .first()
    )
    if rating is None:
        raise NotFound(_("评价不存在"), code="rating_not_found")
    return rating


def is_bad(rating: Rating) -> bool:
    return rating.level in BAD_LEVELS


def appeal_of_rating(rating: Rating) -> Appeal | None:
    """The appeal ``rating`` was turned into (a rating is turned once), or None."""
    return Appeal.objects.filter(rating=rating).only("pk", "number", "status").first()


def appeals_of_cases(user: User, case_ids: Iterable[int]) -> dict[int, Appeal]:
    """Case id → the appeal that a rating of that case became, for the rater ``user``
    (only orders filed for them: ``requester_user``)."""
    rows = (
        Appeal.objects.filter(rating__case_id__in=list(case_ids), requester_user=user)
        .only("pk", "number", "status", "rating__case_id")
        .select_related("rating")
    )
    return {row.rating.case_id: row for row in rows}
