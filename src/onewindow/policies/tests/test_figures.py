"""The supervisors' figures, exact on a made-up set (clawbacks, working-day median and p90)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from onewindow.org.models import Applicant
from onewindow.policies.constants import PaymentKind, RedemptionStatus, RedemptionWay
from onewindow.policies.models import FactSource, Payment, Redemption
from onewindow.policies.services import figures
from onewindow.policies.services.figures import item_figures, median, percentile, totals
from onewindow.policies.services.profile import set_facts
from onewindow.policies.tests.factories import make_version

# Monday 2026-03-02; 2026-03-09 is the Monday after: 5 working days later.
PUBLISHED = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def _redemption(pw, version, enterprise, number, status, amount):
    return Redemption.objects.create(
        number=f"T-{number}",
        zone=pw.zone,
        version=version,
        enterprise=enterprise,
        way=version.way,
        status=status,
        amount=Decimal(amount),
        result_hash="h",
        evaluated_on=dt.date(2026, 3, 2),
    )


def _pay(pw, redemption, amount, on, original=None):
    return Payment.objects.create(
        redemption=redemption,
        kind=PaymentKind.CLAWBACK if original else PaymentKind.PAYMENT,
        amount=Decimal(amount),
        paid_on=on,
        voucher=f"V{redemption.pk}{on:%d}",
        original=original,
        recorded_by=pw.officer,
    )


def test_median_and_nearest_rank_p90():
    assert median([]) is None
    assert median([5, 1, 3]) == 3.0
    assert median([1, 2, 3, 10]) == 2.5
    assert percentile([5, 10, 15], 90) == 15
    assert percentile(list(range(1, 11)), 90) == 9


def test_figures_per_item_are_exact(pw):
    version = make_version(pw, budget=Decimal("100"), published_at=PUBLISHED)
    other = make_version(pw, code="ZC-2026-002", way=RedemptionWay.FAST, published_at=PUBLISHED)
    extra = [
        Applicant.objects.create(kind=pw.enterprise.kind, name=f"企业{n}", uscc=f"9132{n:014d}")
        for n in range(3)
    ]
    a = _redemption(pw, version, pw.enterprise, 1, RedemptionStatus.PAID, "20")
    b = _redemption(pw, version, pw.other_enterprise, 2, RedemptionStatus.CLAWED_BACK, "30")
    c = _redemption(pw, version, extra[0], 3, RedemptionStatus.PAID, "10")
    _redemption(pw, version, extra[1], 4, RedemptionStatus.PAYABLE, "15")
    _redemption(pw, version, extra[2], 5, RedemptionStatus.DECLINED, "20")
    _redemption(pw, other, pw.enterprise, 6, RedemptionStatus.APPLIED, "5")
    _pay(pw, a, "20", dt.date(2026, 3, 9))  # 5 working days
    paid_b = _pay(pw, b, "30", dt.date(2026, 3, 16))  # 10
    _pay(pw, b, "30", dt.date(2026, 3, 20), original=paid_b)  # clawed back in full
    _pay(pw, c, "10", dt.date(2026, 3, 23))  # 15

    rows = {row.code: row for row in item_figures(Redemption.objects.all())}
    first = rows["ZC-2026-001"]
    assert (first.matched, first.confirmed, first.paid, first.declined) == (5, 4, 3, 1)
    assert first.amount_confirmed == Decimal("75")
    assert first.amount_paid == Decimal("30")  # 20 + 30 − 30 + 10
    assert first.budget_used == Decimal("30.00")
    assert sorted(first.days_to_payment) == [5, 10, 15]
    assert first.median_days == 10.0
    assert first.p90_days == 15
    second = rows["ZC-2026-002"]
    assert (second.matched, second.confirmed, second.paid) == (1, 0, 0)
    assert second.budget_used is None and second.median_days is None
    summary = totals(list(rows.values()))
    assert summary["matched"] == 6 and summary["paid"] == 3
    assert summary["amount_paid"] == Decimal("30")


def _declare(enterprise, **facts):
    set_facts(None, enterprise, facts, source=FactSource.DECLARED, as_of=timezone.localdate())


def test_not_redeemed_lists_the_declined_and_the_eligible_without_a_redemption(pw):
    fast = make_version(pw, code="ZC-2026-002", way=RedemptionWay.FAST, published_at=PUBLISHED)
    extra = [
        Applicant.objects.create(kind=pw.enterprise.kind, name=name, uscc=f"91320000000000007{n}")
        for n, name in enumerate(("第三企业", "第四企业", "第五企业", "区外企业"))
    ]
    for enterprise in extra[:3]:
        enterprise.registered_zones.add(pw.zone)
    _declare(pw.enterprise, rd_share="0.07", credit_status="normal")
    _declare(pw.other_enterprise, rd_share="0.08", credit_status="normal")
    _declare(extra[0], rd_share="0.05", credit_status="normal")  # eligible, no redemption
    _declare(extra[1], rd_share="0.046", credit_status="normal")  # not eligible
    _declare(extra[2], rd_share="0.09")  # credit unknown: not (yet) eligible
    _declare(extra[3], rd_share="0.09", credit_status="normal")  # another zone's
    _redemption(pw, fast, pw.enterprise, 1, RedemptionStatus.DECLINED, "5")
    _redemption(pw, fast, pw.other_enterprise, 2, RedemptionStatus.APPLIED, "5")
    rows = figures.not_redeemed(fast, on=dt.date(2026, 3, 2))
    assert [(r["name"], r["reason"]) for r in rows] == [
        ("示范智能制造有限公司", "declined"),
        ("第三企业", "eligible"),
    ]
    # 免申即享: only the declined (the batch match makes the rest)
    automatic = make_version(pw, code="ZC-2026-003", published_at=PUBLISHED)
    _redemption(pw, automatic, extra[1], 3, RedemptionStatus.DECLINED, "5")
    assert [r["name"] for r in figures.not_redeemed(automatic)] == ["第四企业"]
