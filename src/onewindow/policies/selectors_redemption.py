"""Reads of redemptions and publication lists (the chokepoint is
``permissions.visible_redemptions``: a row outside it is a 404)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound
from onewindow.org.models import User
from onewindow.policies.constants import PublicityStatus, RedemptionStatus
from onewindow.policies.models import Publicity, Redemption
from onewindow.policies.permissions import managed_policies, visible_redemptions

#: The desk's columns, in the order of the way to payment.
DESK_STATUSES = (
    RedemptionStatus.PENDING,
    RedemptionStatus.PAYABLE,
    RedemptionStatus.PUBLICISING,
    RedemptionStatus.PAID,
)


def redemption_for(user: User, number: str) -> Redemption:
    found = (
        visible_redemptions(user)
        .select_related("version", "version__item", "version__item__policy", "enterprise", "zone")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound(_("没有找到该政策兑现"), code="redemption_not_found")
    return found


def worked_redemptions(user: User) -> QuerySet:
    """The redemptions of the policies ``user`` manages (the officer's desk)."""
    return Redemption.objects.filter(version__item__policy__in=managed_policies(user))


def desk_versions(user: User) -> list[dict]:
    """Per version the officer manages: counts by status."""
    counts = {f"n_{status}": Count("pk", filter=Q(status=status)) for status in DESK_STATUSES}
    return list(
        worked_redemptions(user)
        .values("version_id", "version__name", "version__item__code", "version__number")
        .annotate(**counts)
        .order_by("version__item__code", "version__number")
    )


def public_publicities() -> QuerySet:
    return Publicity.objects.select_related("version", "version__item").order_by(
        "-starts_on", "-id"
    )


def publicity_for(pk: int) -> Publicity:
    found = public_publicities().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("没有找到该公示"), code="publicity_not_found")
    return found


def open_publicities(version) -> QuerySet:
    return Publicity.objects.filter(version=version, status=PublicityStatus.OPEN)
