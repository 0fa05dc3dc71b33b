"""The supervisors' figures per policy and item: matched, confirmed, paid, amounts, budget
used, time from publication to payment (working days), and the enterprises that were
eligible but did not redeem."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from onewindow.org.selectors import calendar_for_zone
from onewindow.policies.constants import CASE_WAYS, PaymentKind, RedemptionStatus
from onewindow.policies.models import Payment, PolicyItemVersion, Redemption

#: Statuses a redemption reaches once confirmed (意愿确认, or the case approved).
CONFIRMED_STATUSES = frozenset(
    {
        RedemptionStatus.PAYABLE,
        RedemptionStatus.PUBLICISING,
        RedemptionStatus.PAID,
        RedemptionStatus.CLAWED_BACK,
    }
)
ZERO = Decimal("0")


@dataclass
class ItemFigures:
    item_id: int
    code: str
    name: str
    policy_id: int
    policy_title: str
    way: str
    budget: Decimal | None
    matched: int = 0
    confirmed: int = 0
    paid: int = 0
    declined: int = 0
    amount_confirmed: Decimal = ZERO
    amount_paid: Decimal = ZERO  # net of clawbacks
    days_to_payment: list[int] = field(default_factory=list)

    @property
    def budget_used(self) -> Decimal | None:
        """Paid (net) as a percentage of the budget, two decimals; None without a budget."""
        if not self.budget:
            return None
        return (self.amount_paid * 100 / self.budget).quantize(Decimal("0.01"))

    @property
    def median_days(self) -> float | None:
        return median(self.days_to_payment)

    @property
    def p90_days(self) -> int | None:
        return percentile(self.days_to_payment, 90)


def median(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[int], p: int) -> int | None:
    """Nearest rank: the smallest value with at least ``p`` % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def item_figures(redemptions: QuerySet) -> list[ItemFigures]:
    """The figures of every item that ``redemptions`` (already scoped to the reader) touch,
    ordered by policy and item code. Three queries, whatever the number of rows."""
    rows = list(
        redemptions.select_related("version__item__policy", "zone").order_by(
            "version__item__code", "id"
        )
    )
    by_item: dict[int, ItemFigures] = {}
    for redemption in rows:
        version = redemption.version
        figures = by_item.get(version.item_id)
        if figures is None:
            figures = by_item[version.item_id] = ItemFigures(
                item_id=version.item_id,
                code=version.item.code,
                name=version.name,
                policy_id=version.item.policy_id,
                policy_title=version.item.policy.title,
                way=version.way,
                budget=version.budget,
            )
        figures.matched += 1
        if redemption.status in CONFIRMED_STATUSES:
            figures.confirmed += 1
            figures.amount_confirmed += redemption.amount or ZERO
        if redemption.status == RedemptionStatus.DECLINED:
            figures.declined += 1
    payments: dict[int, list[Payment]] = defaultdict(list)
    for payment in Payment.objects.filter(redemption__in=[r.pk for r in rows]).order_by(
        "paid_on", "id"
    ):
        payments[payment.redemption_id].append(payment)
    calendars: dict[int, object] = {}
    for redemption in rows:
        given = payments.get(redemption.pk)
        if not given:
            continue
        figures = by_item[redemption.version.item_id]
        figures.amount_paid += sum((p.signed_amount for p in given), ZERO)
        first = next((p for p in given if p.kind == PaymentKind.PAYMENT), None)
        if first is None:
            continue
        figures.paid += 1
        published = redemption.version.published_at
        if published is not None:
            calendar = calendars.get(redemption.zone_id)
            if calendar is None:
                calendar = calendars[redemption.zone_id] = calendar_for_zone(redemption.zone)
            start = timezone.localdate(published)
            figures.days_to_payment.append(
                calendar.count(start, first.paid_on, allow_provisional=True).working_days
            )
    return sorted(by_item.values(), key=lambda f: (f.policy_title, f.code))


def totals(figures: list[ItemFigures]) -> dict:
    days = [day for entry in figures for day in entry.days_to_payment]
    return {
        "items": len(figures),
        "matched": sum(f.matched for f in figures),
        "confirmed": sum(f.confirmed for f in figures),
        "paid": sum(f.paid for f in figures),
        "amount_confirmed": sum((f.amount_confirmed for f in figures), ZERO),
        "amount_paid": sum((f.amount_paid for f in figures), ZERO),
        "median_days": median(days),
        "p90_days": percentile(days, 90),
    }


def not_redeemed(version: PolicyItemVersion, *, on: dt.date | None = None) -> list[dict]:
    """Enterprises eligible but without a redemption: those that declined (or let the
    confirmation pass), and — for 快申快享 / 依申请 — those eligible now by the calculator with
    no redemption of the version (one vectorised evaluation over the zone's enterprises)."""
    from onewindow.org.models import Applicant

    on = on or timezone.localdate()
    rows = [
        {"enterprise_id": eid, "reason": "declined"}
        for eid in Redemption.objects.filter(
            version=version, status=RedemptionStatus.DECLINED
        ).values_list("enterprise_id", flat=True)
    ]
    if version.way in CASE_WAYS:
        redeemed = set(
            Redemption.objects.filter(version__item_id=version.item_id).values_list(
                "enterprise_id", flat=True
            )
        )
        for eid in eligible_enterprise_ids(version, on):
            if eid not in redeemed:
                rows.append({"enterprise_id": eid, "reason": "eligible"})
    names = dict(
        Applicant.objects.filter(pk__in=[r["enterprise_id"] for r in rows]).values_list(
            "pk", "name"
        )
    )
    uscc = dict(
        Applicant.objects.filter(pk__in=[r["enterprise_id"] for r in rows]).values_list(
            "pk", "uscc"
        )
    )
    for row in rows:
        row["name"] = names.get(row["enterprise_id"], "")
        row["uscc"] = uscc.get(row["enterprise_id"], "")
    return rows


def eligible_enterprise_ids(version: PolicyItemVersion, on: dt.date) -> list[int]:
    """The zone's enterprises eligible for ``version`` on ``on`` (engine, vectorised)."""
    from onewindow.policies.rules.evaluate import compile_item, evaluate
    from onewindow.policies.rules.language import parse_amount, parse_condition
    from onewindow.policies.rules.table import FactTable
    from onewindow.policies.services.profile import facts_for

    facts = facts_for(zone=version.item.zone)
    ids = list(facts)
    item = compile_item(
        version.key, parse_condition(version.condition), parse_amount(version.amount)
    )
    evaluation = evaluate([item], FactTable.from_rows([facts[i] for i in ids], on))
    return [
        eid
        for index, eid in enumerate(ids)
        if str(evaluation.result(index, item).outcome) == "eligible"
    ]
