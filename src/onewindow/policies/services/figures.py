"""The supervisors' figures per policy and item: matched, confirmed, paid, amounts, budget
used, time from publication to payment (working days), and the enterprises that were
eligible but did not redeem."""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from onewindow.catalog.constants import VersionStatus
from onewindow.core.audit import audit_append
from onewindow.org.constants import Role
from onewindow.org.models import Applicant, User
from onewindow.org.selectors import calendar_for_zone
from onewindow.policies.constants import CASE_WAYS, PaymentKind, RedemptionStatus
from onewindow.policies.models import Payment, PolicyItem, PolicyItemVersion, Redemption
from onewindow.policies.permissions import holds_any, is_officer, officer_department_ids
from onewindow.policies.rules.evaluate import evaluate
from onewindow.policies.rules.results import ELIGIBLE
from onewindow.policies.rules.table import FactTable
from onewindow.policies.services.applications import compiled
from onewindow.policies.services.profile import facts_for

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
    """The zone's enterprises eligible for ``version`` on ``on``: one vectorised evaluation
    of the item over every enterprise of the zone (one query for the facts)."""
    facts = facts_for(zone=version.item.zone_id)
    ids = sorted(facts)
    if not ids:
        return []
    item = compiled(version)
    outcomes = evaluate([item], FactTable.from_rows([facts[i] for i in ids], on)).arrays(0)
    flags = outcomes.outcomes() == ELIGIBLE
    return [eid for eid, flag in zip(ids, flags, strict=True) if flag]


# -- who reads which figures, and the export ------------------------------------------------

#: The zone's readers of every policy's figures (policy officers read their departments').
ZONE_FIGURE_ROLES = frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ANALYST})
#: Audit event of an export of the figures (who took which enterprises' names out).
FIGURES_EXPORTED = "policies.figures_exported"


def can_read_figures(user: User) -> bool:
    return (holds_any(user, ZONE_FIGURE_ROLES) and bool(user.zone_id)) or is_officer(user)


def figure_items(user: User) -> QuerySet:
    """The items whose figures ``user`` reads: the zone's for supervisors, analysts and the
    administrator; a policy officer's departments' policies' otherwise; none for others."""
    if not user.is_authenticated or not user.is_active or not user.zone_id:
        return PolicyItem.objects.none()
    items = PolicyItem.objects.filter(zone_id=user.zone_id)
    if holds_any(user, ZONE_FIGURE_ROLES):
        return items
    departments = officer_department_ids(user)
    return items.filter(policy__department_id__in=departments) if departments else items.none()


def figure_redemptions(user: User) -> QuerySet:
    return Redemption.objects.filter(version__item__in=figure_items(user))


def figures_for(user: User, *, item: PolicyItem | None = None) -> list[ItemFigures]:
    redemptions = figure_redemptions(user)
    if item is not None:
        redemptions = redemptions.filter(version__item=item)
    return item_figures(redemptions)


def latest_version(item: PolicyItem) -> PolicyItemVersion | None:
    """The item's latest published version, else its latest retired one."""
    versions = item.versions.exclude(status=VersionStatus.DRAFT)
    return versions.order_by(
        Case(When(status=VersionStatus.PUBLISHED, then=0), default=1), "-number"
    ).first()


def export_not_redeemed(
    user: User, item: PolicyItem, version: PolicyItemVersion, *, on: dt.date | None = None
) -> bytes:
    """The item's figures and the enterprises that did not redeem as a workbook, audited
    (the export carries enterprises' names out of the system)."""
    on = on or timezone.localdate()
    rows = not_redeemed(version, on=on)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("未兑现企业"))
    sheet.append([_("统一社会信用代码"), _("企业名称"), _("原因")])
    words = {"declined": _("已放弃或逾期未确认"), "eligible": _("符合条件未申请")}
    for row in rows:
        sheet.append([row["uscc"], row["name"], words.get(row["reason"], row["reason"])])
    summary = book.create_sheet(_("兑现统计"))
    summary.append([_("事项编码"), _("事项名称"), _("匹配"), _("确认"), _("拨付"),
                    _("确认金额（万元）"), _("拨付金额（万元，扣除追回）")])  # fmt: skip
    for entry in figures_for(user, item=item):
        summary.append([entry.code, entry.name, entry.matched, entry.confirmed, entry.paid,
                        float(entry.amount_confirmed), float(entry.amount_paid)])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    audit_append(
        action=FIGURES_EXPORTED,
        actor=user.username,
        actor_id=user.pk,
        object_type="policy_item",
        object_id=item.pk,
        data={"version": version.key, "rows": len(rows), "on": on.isoformat()},
    )
    return buffer.getvalue()
