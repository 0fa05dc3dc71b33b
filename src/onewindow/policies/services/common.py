"""What every policies service shares: numbers and the version in force on a day."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from onewindow.catalog.constants import VersionStatus
from onewindow.core.locks import lock_counter
from onewindow.policies.models import PolicyItem, PolicyItemVersion, RedemptionNumberCounter

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
