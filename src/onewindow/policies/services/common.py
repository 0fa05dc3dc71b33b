"""What every policies service shares: numbers, the version in force on a day and the items
an item may not be combined with."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.catalog.constants import VersionStatus
from onewindow.core.locks import lock_counter
from onewindow.policies.constants import HELD_REDEMPTION_STATUSES
from onewindow.policies.models import (
    PolicyItem,
    PolicyItemVersion,
    Redemption,
    RedemptionNumberCounter,
)

NUMBER_PREFIX = "DX"  # 兑现


def format_redemption_number(zone_code: str, year: int, sequence: int) -> str:
    """``SFQ-DX2026-000042``: the zone, 兑现 and the year's sequence."""
    return f"{zone_code}-{NUMBER_PREFIX}{year}-{sequence:06d}"


def reserve_redemption_numbers(zone, count: int, *, year: int | None = None) -> list[str]:
    """``count`` consecutive numbers of the zone for the year, taken under the counter's lock
    in the caller's transaction (a batch of 免申即享 matches takes its range at once; a rolled
    back batch gives its numbers back)."""
    if count <= 0:
        return []
    year = year or timezone.localdate().year
    counter = lock_counter(
        RedemptionNumberCounter, zone_id=zone.pk, year=year, defaults={"last": 0}
    )
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [format_redemption_number(zone.code, year, n) for n in range(first, counter.last + 1)]


def next_redemption_number(zone, *, year: int | None = None) -> str:
    return reserve_redemption_numbers(zone, 1, year=year)[0]


def version_in_force(item: PolicyItem, on: date) -> PolicyItemVersion | None:
    """The version that judged (or judges) an event on ``on``: among the published and retired
    versions whose span covers the day, the latest effective; None before the first."""
    return (
        PolicyItemVersion.objects.in_force_on(on)
        .filter(item=item)
        .order_by("-effective_from", "-number")
        .first()
    )


def versions_in_force(zone_id: int, on: date) -> QuerySet:
    """The zone's items as they stand on ``on``: one version per item (the latest effective
    published version whose span covers the day), with item and policy joined; only
    published versions (a retired one no longer offers anything) whose policy is in force."""
    candidates = (
        PolicyItemVersion.objects.in_force_on(on)
        .filter(item__zone_id=zone_id, status=VersionStatus.PUBLISHED)
        .filter(item__policy__effective_from__lte=on)
        .exclude(item__policy__expires_on__lt=on)
        .order_by("item_id", "-effective_from", "-number")
    )
    ids, seen = [], set()
    for version_id, item_id in candidates.values_list("id", "item_id"):
        if item_id not in seen:
            seen.add(item_id)
            ids.append(version_id)
    return (
        PolicyItemVersion.objects.filter(id__in=ids)
        .select_related("item", "item__policy")
        .prefetch_related("excludes")
        .order_by("item__code")
    )


# -- mutual exclusions (互斥, 不可同时享受) ---------------------------------------------------


def exclusive_items(item_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each of ``item_ids``, the items it may not be combined with: two items exclude each
    other when a **published** version of either names the other (symmetric, as the
    calculator's ``apply_exclusions``; a draft or a retired version does not count). One
    query; an item without exclusions is left out."""
    wanted = set(item_ids)
    if not wanted:
        return {}
    through = PolicyItemVersion.excludes.through
    pairs = (
        through.objects.filter(policyitemversion__status=VersionStatus.PUBLISHED)
        .filter(Q(policyitemversion__item_id__in=wanted) | Q(policyitem_id__in=wanted))
        .values_list("policyitemversion__item_id", "policyitem_id")
        .distinct()
    )
    found: dict[int, set[int]] = {}
    for naming, named in pairs:
        if naming == named:
            continue
        if naming in wanted:
            found.setdefault(naming, set()).add(named)
        if named in wanted:
            found.setdefault(named, set()).add(naming)
    return found


def held_redemptions(item_ids: Iterable[int]) -> QuerySet:
    """Redemptions of ``item_ids`` that an enterprise holds (live or paid:
    ``HELD_REDEMPTION_STATUSES``), oldest first; the caller narrows to an enterprise."""
    return Redemption.objects.filter(
        version__item_id__in=set(item_ids), status__in=HELD_REDEMPTION_STATUSES
    ).order_by("created_at", "pk")


def exclusions_held(enterprise_id: int, item_ids: Iterable[int]) -> dict[int, Redemption]:
    """For each of ``item_ids``, the enterprise's oldest held redemption of an item mutually
    exclusive with it (with its version and item read along); an item with none is left out.
    Two queries whatever the number of items (the calculator's page asks for all at once)."""
    exclusive = exclusive_items(item_ids)
    if not exclusive:
        return {}
    held = list(
        held_redemptions(set().union(*exclusive.values()))
        .filter(enterprise_id=enterprise_id)
        .select_related("version__item")
    )
    found: dict[int, Redemption] = {}
    for item_id, others in exclusive.items():
        blocking = next((row for row in held if row.version.item_id in others), None)
        if blocking is not None:
            found[item_id] = blocking
    return found
