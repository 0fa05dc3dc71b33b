"""免申即享: the batch match of a published version over the zone's enterprises.

One run evaluates every enterprise of the zone at once (the rule engine, vectorised), and
for every eligible enterprise without a live redemption of the version writes a pending
Redemption that its representatives confirm (意愿确认) within DEFAULT_CONFIRM_DAYS working
days. The run is one MatchRun with its counts and one audit event; each matched enterprise's
representatives get one message (keyed: never twice for one redemption).

- Idempotent: an enterprise with a live or paid redemption of the version, or with an
  earlier redemption judged on exactly the same inputs (same ``result_hash``: declined,
  withdrawn, expired), is not proposed again. A change of facts makes a new hash.
- Budget: with a budget (万元), matches are proposed in enterprise order while the live and
  paid amounts stay within it; the rest are counted as ``over_budget`` and named in the
  run's audit event.
- Two runs of one version at once: the version row is locked for the run (``core.locks``),
  so the second waits and then finds the first's rows; the partial unique constraint
  ``redemption_one_live_per_version`` is the last guard (``ignore_conflicts``), and the run
  counts what was really inserted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from onewindow.catalog.constants import VersionStatus
from onewindow.core.audit import audit_append
from onewindow.core.calendar import CalendarNotCovered, CalendarOutOfRange
from onewindow.core.locks import lock_row
from onewindow.core.notifications import notify
from onewindow.org.constants import UserKind
from onewindow.org.models import Representation, Zone
from onewindow.org.selectors import calendar_for_zone
from onewindow.policies.constants import (
    DEFAULT_CONFIRM_DAYS,
    LIVE_REDEMPTION_STATUSES,
    Event,
    MatchTrigger,
    RedemptionStatus,
    RedemptionWay,
)
from onewindow.policies.models import MatchRun, PolicyItemVersion, Redemption
from onewindow.policies.notifications import REDEMPTION_MATCHED
from onewindow.policies.rules.evaluate import compile_item, evaluate
from onewindow.policies.rules.language import parse_amount, parse_condition
from onewindow.policies.rules.results import ELIGIBLE, NEAR, UNKNOWN_OUTCOME, result_hash
from onewindow.policies.rules.table import FactTable
from onewindow.policies.services.common import (
    exclusive_items,
    held_redemptions,
    reserve_redemption_numbers,
    versions_in_force,
)
from onewindow.policies.services.profile import facts_for

#: Rows per INSERT when writing the matches.
BATCH_SIZE = 2000
#: Statuses whose amounts count against a budget (what is promised or already paid).
BUDGET_STATUSES = (*sorted(LIVE_REDEMPTION_STATUSES), RedemptionStatus.PAID)
#: The enterprises an audit event names by id at most (the count is always complete).
AUDIT_NAMED = 200


@dataclass(frozen=True)
class Match:
    """One eligible enterprise: the amount (万元, None for an item without money), the
    reasons (one per condition) and the hash over the inputs that decided it."""

    enterprise_id: int
    amount: Decimal | None
    reasons: list[dict[str, Any]]
    result_hash: str


@dataclass
class VersionEvaluation:
    enterprises: int = 0
    #: Every eligible enterprise counted; ``matches`` holds those not skipped.
    eligible: int = 0
    matches: list[Match] = field(default_factory=list)
    near: int = 0
    unknown: int = 0


# -- the profile and the engine ---------------------------------------------------------------


def zone_facts(zone: Zone) -> dict[int, dict[str, Any]]:
    """Every enterprise of the zone with its facts (the profile's bulk reader)."""
    return facts_for(zone=zone)


@dataclass(frozen=True)
class FactSnapshot:
    """The zone's facts on one day as the engine's column table, built once and shared by
    every version a schedule matches (enterprise ``ids[row]`` is the table's ``row``)."""

    ids: list[int]
    rows: list[Mapping[str, Any]]
    table: FactTable | None

    @classmethod
    def of(cls, facts: Mapping[int, Mapping[str, Any]], on: dt.date) -> FactSnapshot:
        ids = list(facts)
        rows = [facts[enterprise_id] for enterprise_id in ids]
        return cls(ids, rows, FactTable.from_rows(rows, on) if ids else None)

    @classmethod
    def for_zone(cls, zone: Zone, on: dt.date) -> FactSnapshot:
        return cls.of(zone_facts(zone), on)


def evaluate_version(
    version: PolicyItemVersion,
    snapshot: FactSnapshot,
    on: dt.date,
    skip: Collection[int] = frozenset(),
) -> VersionEvaluation:
    """One vectorised evaluation of ``version`` over the ``snapshot``: the outcomes are
    counted from the engine's arrays; only the eligible rows are read one by one (their
    amount, reasons and hash)."""
    found = VersionEvaluation(enterprises=len(snapshot.ids))
    if snapshot.table is None:
        return found
    item = compile_item(
        version.key, parse_condition(version.condition), parse_amount(version.amount)
    )
    evaluation = evaluate([item], snapshot.table)
    outcomes = evaluation.arrays(0).outcomes()
    found.near = int(np.count_nonzero(outcomes == NEAR))
    found.unknown = int(np.count_nonzero(outcomes == UNKNOWN_OUTCOME))
    content = version.content()
    eligible = np.flatnonzero(outcomes == ELIGIBLE).tolist()
    found.eligible = len(eligible)
    for row in eligible:
        if snapshot.ids[row] in skip:
            continue
        result = evaluation.result(row, 0)
        found.matches.append(
            Match(
                enterprise_id=snapshot.ids[row],
                amount=result.amount,
                reasons=[asdict(reason) for reason in result.reasons],
                result_hash=result_hash(snapshot.rows[row], version.key, content, on),
            )
        )
    return found


# -- the run ---------------------------------------------------------------------------------


def confirm_due_for(zone: Zone, start: dt.datetime) -> dt.datetime:
    """The end of the DEFAULT_CONFIRM_DAYS-th working day after ``start``'s local day on the
    zone's calendar (natural days when the calendar does not reach that far)."""
    day = timezone.localtime(start).date()
    try:
        due = calendar_for_zone(zone).deadline(day, DEFAULT_CONFIRM_DAYS, allow_provisional=True)
        last = due.date
    except (CalendarNotCovered, CalendarOutOfRange):
        last = day + dt.timedelta(days=DEFAULT_CONFIRM_DAYS * 7 // 5)
    return timezone.make_aware(dt.datetime.combine(last, dt.time(23, 59, 59)))


def _taken(version: PolicyItemVersion) -> tuple[set[int], set[tuple[int, str]]]:
    """Enterprises with a live or paid redemption of the version, and the (enterprise,
    hash) pairs already judged (whatever became of them)."""
    rows = Redemption.objects.filter(version=version).values_list(
        "enterprise_id", "status", "result_hash"
    )
    live, judged = set(), set()
    for enterprise_id, status, digest in rows:
        if status in BUDGET_STATUSES:
            live.add(enterprise_id)
        judged.add((enterprise_id, digest))
    return live, judged


def _excluded_holders(version: PolicyItemVersion) -> set[int]:
    """Enterprises holding a live or paid redemption of an item mutually exclusive with this
    one (不可同时享受: ``common.exclusive_items``, the rule 快申快享 applications follow too)."""
    others = exclusive_items([version.item_id]).get(version.item_id)
    if not others:
        return set()
    return set(held_redemptions(others).values_list("enterprise_id", flat=True))


def _within_budget(
    version: PolicyItemVersion, matches: list[Match]
) -> tuple[list[Match], list[Match]]:
    if version.budget is None:
        return matches, []
    used = Redemption.objects.filter(version=version, status__in=BUDGET_STATUSES).aggregate(
        total=Sum("amount")
    )["total"] or Decimal(0)
    kept, left = [], []
    for match in matches:
        amount = match.amount or Decimal(0)
        if left or used + amount > version.budget:
            left.append(match)  # in enterprise order: once one does not fit, none after it
            continue
        used += amount
        kept.append(match)
    return kept, left


def run_match(
    version: PolicyItemVersion,
    *,
    trigger: str = MatchTrigger.MANUAL,
    on: dt.date | None = None,
    actor=None,
    snapshot: FactSnapshot | None = None,
) -> MatchRun:
    """Match ``version`` (a published 免申即享 version) over its zone's enterprises on
    ``on`` (today by default); the run with its counts. ``snapshot``: the zone's facts on
    ``on`` when the caller has them (a schedule reads them once per zone)."""
    on = on or timezone.localdate()
    with transaction.atomic():
        version = lock_row(
            PolicyItemVersion, pk=version.pk, related=("item", "item__zone", "item__policy")
        )
        if version.status != VersionStatus.PUBLISHED or version.way != RedemptionWay.AUTOMATIC:
            raise ValueError(f"{version.key} is not a published 免申即享 version")
        zone = version.item.zone
        if snapshot is None:
            snapshot = FactSnapshot.for_zone(zone, on)
        live, judged = _taken(version)
        blocked = _excluded_holders(version)
        found = evaluate_version(version, snapshot, on, skip=live | blocked)
        fresh = sorted(
            (
                match
                for match in found.matches
                if (match.enterprise_id, match.result_hash) not in judged
            ),
            key=lambda match: match.enterprise_id,
        )
        proposed, over = _within_budget(version, fresh)
        run = MatchRun.objects.create(
            version=version,
            trigger=trigger,
            evaluated_on=on,
            enterprises=found.enterprises,
            eligible=found.eligible,
            near=found.near,
            unknown=found.unknown,
            over_budget=len(over),
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        inserted = _insert(version, zone, run, proposed, on)
        run.created = len(inserted)
        run.finished_at = timezone.now()
        run.save(update_fields=["created", "finished_at"])
        audit_append(
            action=Event.MATCH_RUN,
            actor=getattr(actor, "username", "") or "system",
            actor_id=getattr(actor, "pk", "") or "",
            object_type="policy_version",
            object_id=version.key,
            data={
                "run": run.pk,
                "trigger": trigger,
                "evaluated_on": on.isoformat(),
                "enterprises": run.enterprises,
                "eligible": run.eligible,
                "near": run.near,
                "unknown": run.unknown,
                "created": run.created,
                "over_budget": run.over_budget,
                "over_budget_enterprises": [m.enterprise_id for m in over[:AUDIT_NAMED]],
                "numbers": [inserted[0].number, inserted[-1].number] if inserted else [],
            },
        )
        _tell(version, inserted)
    return run


def _insert(
    version: PolicyItemVersion, zone: Zone, run: MatchRun, matches: list[Match], on: dt.date
) -> list[Redemption]:
    """Write the matches (numbers in one call, rows in batches); the rows really inserted
    (a row the constraint refused is left out: its number stays unused)."""
    if not matches:
        return []
    numbers = reserve_redemption_numbers(zone, len(matches))
    due = confirm_due_for(zone, timezone.now())
    rows = [
        Redemption(
            number=number,
            zone=zone,
            version=version,
            enterprise_id=match.enterprise_id,
            way=RedemptionWay.AUTOMATIC,
            status=RedemptionStatus.PENDING,
            amount=match.amount,
            result={"outcome": "eligible", "reasons": match.reasons},
            result_hash=match.result_hash,
            evaluated_on=on,
            run=run,
            confirm_due=due,
        )
        for number, match in zip(numbers, matches, strict=True)
    ]
    for start in range(0, len(rows), BATCH_SIZE):
        Redemption.objects.bulk_create(rows[start : start + BATCH_SIZE], ignore_conflicts=True)
    return list(
        Redemption.objects.filter(run=run)
        .only("pk", "number", "enterprise_id", "amount", "confirm_due")
        .order_by("number")
    )


def _representatives(enterprise_ids: Iterable[int]) -> dict[int, list]:
    found: dict[int, list] = {}
    for link in Representation.objects.filter(
        applicant_id__in=list(enterprise_ids),
        user__is_active=True,
        user__kind=UserKind.APPLICANT,
    ).select_related("user"):
        found.setdefault(link.applicant_id, []).append(link.user)
    return found


def _tell(version: PolicyItemVersion, redemptions: list[Redemption]) -> None:
    """One message per redemption to each representative of its enterprise."""
    people = _representatives(row.enterprise_id for row in redemptions)
    for row in redemptions:
        for user in people.get(row.enterprise_id, []):
            notify(
                user,
                REDEMPTION_MATCHED,
                {
                    "number": row.number,
                    "item": version.name,
                    "amount": str(row.amount) if row.amount is not None else "",
                    "due": timezone.localtime(row.confirm_due).date().isoformat(),
                },
                link=reverse("policies:my_redemption", args=[row.number]),
                subject=("redemption", row.number),
                key=f"redemption:{row.pk}:matched",
            )


# -- what the schedule runs --------------------------------------------------------------------


@dataclass
class ScheduleOutcome:
    runs: list[MatchRun]
    expired: int


def automatic_versions(zone: Zone, on: dt.date) -> list[PolicyItemVersion]:
    return [
        version
        for version in versions_in_force(zone.pk, on)
        if version.way == RedemptionWay.AUTOMATIC
    ]


def run_schedule(
    *, zone: Zone | None = None, version_id: int | None = None, on: dt.date | None = None
) -> ScheduleOutcome:
    """The periodic job: expire what was not confirmed in time, then match every published
    免申即享 version in force (of ``zone``, or every zone; or only ``version_id``)."""
    from onewindow.policies.services.redemptions import expire_pending

    on = on or timezone.localdate()
    expired = expire_pending(zone=zone)
    if version_id is not None:
        versions = list(
            PolicyItemVersion.objects.select_related("item__zone").filter(
                pk=version_id, status=VersionStatus.PUBLISHED, way=RedemptionWay.AUTOMATIC
            )
        )
    else:
        zones = [zone] if zone is not None else list(Zone.objects.all())
        versions = [version for each in zones for version in automatic_versions(each, on)]
    snapshots: dict[int, FactSnapshot] = {}
    runs = []
    for version in versions:
        zone_id = version.item.zone_id
        if zone_id not in snapshots:  # the zone's facts read and tabled once for its versions
            snapshots[zone_id] = FactSnapshot.for_zone(version.item.zone, on)
        runs.append(
            run_match(version, trigger=MatchTrigger.SCHEDULE, on=on, snapshot=snapshots[zone_id])
        )
    return ScheduleOutcome(runs=runs, expired=expired)


def on_version_published(
    sender=None,
    *,
    version_id: int | None = None,
    version: PolicyItemVersion | None = None,
    **kwargs,
) -> None:
    """``version_published`` (sent after the publish commits): match a 免申即享 version at once
    when it is already in force (a version effective later is matched by the schedule from its
    date on)."""
    if version is None:
        version = (
            PolicyItemVersion.objects.select_related("item__zone").filter(pk=version_id).first()
        )
    if version is None:
        return
    if (
        version.way == RedemptionWay.AUTOMATIC
        and version.status == VersionStatus.PUBLISHED
        and version.effective_from <= timezone.localdate()
    ):
        run_match(version, trigger=MatchTrigger.PUBLISH)
