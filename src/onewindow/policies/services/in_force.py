"""The zone's versions in force on a day, loaded and compiled once per process.

Loading 1,000 versions with their item, policy and exclusions costs far more than judging one
enterprise against them, and they change only when a version is published or retired (or a
policy's dates are edited). Each process keeps them per (zone, day) beside the zone's
*stamp*: the count of its published and retired versions and the latest ``updated_at`` of
those versions and of their policies, read in one aggregate query per request. A publish adds
a version (and touches ``updated_at``), a retirement touches ``updated_at`` through its
transition, an edited policy touches its own: whichever process made the change, the next
request of every process sees another stamp and loads again. ``version_published`` also
forgets the zone at once in the process that published it (:func:`on_version_published`).

Published versions never change, so their compiled form is also kept per set of versions
(ids, content hashes and exclusions): the subscriptions' batch reuses it.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from onewindow.catalog.constants import VersionStatus
from onewindow.policies.models import PolicyItemVersion
from onewindow.policies.rules.evaluate import compile_item
from onewindow.policies.rules.language import parse_amount, parse_condition
from onewindow.policies.services.common import versions_in_force

# -- compiled items, kept per zone and set of published versions -------------------------------

_CACHE_SIZE = 32
_compiled: dict[tuple, list] = {}
_lock = threading.Lock()


def _signature(zone_id: int, versions: list[PolicyItemVersion]) -> tuple:
    return (
        zone_id,
        tuple(
            (
                version.pk,
                version.content_hash,
                tuple(sorted(item.pk for item in version.excludes.all())),
            )
            for version in versions
        ),
    )


def compiled_items(zone_id: int, versions: list[PolicyItemVersion]) -> list:
    """The engine's compiled items for ``versions`` (in their order), from the cache when the
    same versions were compiled before in this process."""
    signature = _signature(zone_id, versions)
    with _lock:
        found = _compiled.get(signature)
    if found is not None:
        return found
    key_of_item = {version.item_id: version.key for version in versions}
    compiled = [
        compile_item(
            version.key,
            parse_condition(version.condition),
            parse_amount(version.amount or {"kind": "none"}),
            excludes=[
                key_of_item[item.pk] for item in version.excludes.all() if item.pk in key_of_item
            ],
        )
        for version in versions
    ]
    with _lock:
        if len(_compiled) >= _CACHE_SIZE:
            _compiled.pop(next(iter(_compiled)))
        _compiled[signature] = compiled
    return compiled


# -- the versions in force per (zone, day) ------------------------------------------------------


@dataclass(frozen=True)
class InForce:
    """The zone's versions in force on a day (item and policy joined, exclusions fetched; read
    only: shared by every request of the process) and their compiled items, same order."""

    stamp: tuple
    versions: tuple[PolicyItemVersion, ...]
    compiled: list


_DAYS_KEPT = 64
_in_force: dict[tuple[int, dt.date], InForce] = {}


def zone_stamp(zone_id: int) -> tuple:
    """What changes whenever the zone's versions in force may change: the count of its
    published and retired versions, their latest ``updated_at`` and ``retired_at``, and the
    latest ``updated_at`` of their policies (one aggregate query)."""
    found = PolicyItemVersion.objects.filter(
        item__zone_id=zone_id, status__in=(VersionStatus.PUBLISHED, VersionStatus.RETIRED)
    ).aggregate(
        count=Count("id"),
        updated=Max("updated_at"),
        retired=Max("retired_at"),
        policies=Max("item__policy__updated_at"),
    )
    return (found["count"], found["updated"], found["retired"], found["policies"])


def in_force(zone_id: int, on: dt.date) -> InForce:
    """The zone's versions in force on ``on`` and their compiled items: kept in this process
    while the zone's stamp stays the same (one cheap query), loaded again otherwise."""
    stamp = zone_stamp(zone_id)  # read before loading: a change in between loads again later
    key = (zone_id, on)
    with _lock:
        found = _in_force.get(key)
    if found is not None and found.stamp == stamp:
        return found
    versions = list(versions_in_force(zone_id, on))
    kept = InForce(stamp, tuple(versions), compiled_items(zone_id, versions) if versions else [])
    with _lock:
        _in_force.pop(key, None)
        if len(_in_force) >= _DAYS_KEPT:
            _in_force.pop(next(iter(_in_force)))
        _in_force[key] = kept
    return kept


def forget_zone(zone_id: int) -> None:
    """Drop what this process keeps of the zone's days."""
    with _lock:
        for key in [key for key in _in_force if key[0] == zone_id]:
            del _in_force[key]


def forget_all() -> None:
    with _lock:
        _in_force.clear()
        _compiled.clear()


def on_version_published(sender, *, zone_id: int, **kwargs) -> None:
    """``version_published``: the zone's versions in force are loaded again on next use."""
    forget_zone(zone_id)
