"""After the match: confirm (digest and signature), decline, 公示 and objections, pay,
claw back, withdraw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from onewindow.certificates.signing import verify
from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.models import Notification
from onewindow.policies.constants import (
    ObjectionStatus,
    PaymentKind,
    PublicityStatus,
    RedemptionStatus,
)
from onewindow.policies.models import Payment, Redemption
from onewindow.policies.services import matching
from onewindow.policies.services import redemptions as service
from onewindow.policies.tests.factories import make_version
from onewindow.policies.tests.test_matching_support import (
    QUALIFIED,
    facts,  # noqa: F401 (fixture)
    zone_key,  # noqa: F401 (fixture)
)

ACCOUNT = {"account_name": "示范智能制造有限公司", "bank": "示范银行高新支行"}


def _pending(pw, facts, **fields):  # noqa: F811
    facts[pw.enterprise.pk] = dict(QUALIFIED)
    version = make_version(pw, **fields)
    matching.run_match(version, on=dt.date(2026, 3, 2))
    return Redemption.objects.get(version=version)


def _confirm(pw, row, **changes):
    values = {**ACCOUNT, "account_number": "6222 0000 1111 2222", "statement": True, **changes}
    return service.redemption_confirm(row, actor=pw.representative, **values)


@pytest.fixture
def pending(pw, facts, zone_key):  # noqa: F811
    return _pending(pw, facts)


@pytest.fixture
def payable(pw, pending):
    return _confirm(pw, pending)


def test_confirm_signs_the_digest_with_the_zone_key(pw, pending, zone_key):  # noqa: F811
    row = _confirm(pw, pending, account_number="６２２２-0000-1111-2222")  # full-width folded
    row.refresh_from_db()
    assert row.status == RedemptionStatus.PAYABLE
    assert row.account_number == "6222000011112222"
    expected = service.confirmation_digest(
        number=row.number,
        amount=row.amount,
        account_name=ACCOUNT["account_name"],
        bank=ACCOUNT["bank"],
        account_number="6222000011112222",
        result_hash=row.result_hash,
    )
    assert row.confirmation_digest == expected
    assert verify(bytes(zone_key.public_key), expected, row.confirmation_signature)
    assert not verify(bytes(zone_key.public_key), "0" * 64, row.confirmation_signature)
    assert row.confirmed_by == pw.representative


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"account_name": " "}, "account_name"),
        ({"bank": ""}, "bank"),
        ({"account_number": "12ab5678"}, "account_number"),
        ({"account_number": "123"}, "account_number"),
        ({"statement": False}, "statement"),
    ],
)
def test_confirm_names_the_bad_field(pw, pending, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        _confirm(pw, pending, **changes)
    assert field in refused.value.fields
    pending.refresh_from_db()
    assert pending.status == RedemptionStatus.PENDING


def test_only_a_representative_confirms(pw, pending):
    for person in (pw.other_representative, pw.officer):
        with pytest.raises(Forbidden):
            service.redemption_confirm(
                pending, actor=person, **ACCOUNT, account_number="62220000", statement=True
            )


def test_confirm_after_the_deadline_is_refused(pw, pending):
    Redemption.objects.update(confirm_due=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(Conflict):
        _confirm(pw, pending)


def test_decline_then_confirm_is_refused(pw, pending):
    service.redemption_decline(pending, actor=pw.representative, reason="暂不需要")
    pending.refresh_from_db()
    assert pending.status == RedemptionStatus.DECLINED and pending.reason == "暂不需要"
    with pytest.raises(Conflict):
        _confirm(pw, pending)


def test_pay_records_the_amount_and_tells_the_enterprise(pw, payable):
    payment = service.redemption_pay(
        payable, actor=pw.officer, voucher="PZ-001", paid_on=timezone.localdate()
    )
    payable.refresh_from_db()
    assert payable.status == RedemptionStatus.PAID
    assert payment.amount == payable.amount and payment.kind == PaymentKind.PAYMENT
    assert Notification.objects.filter(
        recipient=pw.representative, key=f"redemption:{payable.pk}:paid"
    ).exists()


def test_pay_refusals(pw, pending, payable):
    with pytest.raises(Forbidden):
        service.redemption_pay(payable, actor=pw.other_officer, voucher="X", paid_on="2026-03-02")
    with pytest.raises(ValidationFailed) as refused:
        service.redemption_pay(payable, actor=pw.officer, voucher=" ", paid_on="2026-03-02")
    assert "voucher" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        service.redemption_pay(payable, actor=pw.officer, voucher="X", paid_on="昨天")
    assert "paid_on" in refused.value.fields


def test_pay_before_publicity_is_refused_when_the_item_asks_for_one(pw, facts, zone_key):  # noqa: F811
    row = _confirm(pw, _pending(pw, facts, requires_publicity=True))
    with pytest.raises(Conflict) as refused:
        service.redemption_pay(row, actor=pw.officer, voucher="X", paid_on="2026-03-02")
    assert refused.value.code == "publicity_required"


def test_claw_back_names_the_original_and_at_most_its_amount(pw, payable):
    paid = service.redemption_pay(
        payable, actor=pw.officer, voucher="PZ-1", paid_on=timezone.localdate()
    )
    with pytest.raises(ValidationFailed) as refused:
        service.redemption_claw_back(
            payable,
            actor=pw.officer,
            amount="20.01",
            reason="虚报",
            voucher="ZH-1",
            paid_on=timezone.localdate(),
        )
    assert "amount" in refused.value.fields
    back = service.redemption_claw_back(
        payable,
        actor=pw.officer,
        amount="５",
        reason="虚报研发费用",
        voucher="ZH-1",
        paid_on=timezone.localdate(),
    )
    assert back.original == paid and back.amount == Decimal("5")
    assert back.kind == PaymentKind.CLAWBACK
    payable.refresh_from_db()
    assert payable.status == RedemptionStatus.CLAWED_BACK


def test_claw_back_only_from_paid(pw, payable):
    with pytest.raises(Conflict):
        service.redemption_claw_back(
            payable, actor=pw.officer, amount="1", reason="x", voucher="y", paid_on="2026-03-02"
        )
    assert not Payment.objects.exists()


def test_withdraw(pw, payable):
    with pytest.raises(ValidationFailed):
        service.redemption_withdraw(payable, actor=pw.officer, reason="")
    service.redemption_withdraw(payable, actor=pw.officer, reason="资格复核不符")
    payable.refresh_from_db()
    assert payable.status == RedemptionStatus.WITHDRAWN


@pytest.fixture
def publicised(pw, facts, zone_key):  # noqa: F811
    row = _confirm(pw, _pending(pw, facts, requires_publicity=True, publicity_days=5))
    publicity = service.publicity_open(row.version, actor=pw.officer, numbers=[row.number])
    return row, publicity


def test_publicity_moves_the_rows_and_tells_the_enterprise(pw, publicised):
    row, publicity = publicised
    row.refresh_from_db()
    assert row.status == RedemptionStatus.PUBLICISING
    assert publicity.ends_on > publicity.starts_on
    assert Notification.objects.filter(recipient=pw.representative, kind__contains="publicised")


def test_publicity_refusals(pw, pending, facts):  # noqa: F811
    with pytest.raises(Conflict):  # the item does not ask for one
        service.publicity_open(pending.version, actor=pw.officer, numbers=[pending.number])
    version = make_version(pw, code="ZC-2026-005", requires_publicity=True)
    with pytest.raises(Forbidden):
        service.publicity_open(version, actor=pw.other_officer, numbers=["X"])
    with pytest.raises(ValidationFailed):
        service.publicity_open(version, actor=pw.officer, numbers=[])
    with pytest.raises(ValidationFailed):  # not of this version
        service.publicity_open(version, actor=pw.officer, numbers=[pending.number])


def test_an_upheld_objection_withdraws(pw, publicised):
    row, publicity = publicised
    objection = service.objection_file(publicity, number=row.number, text="该企业研发数据虚报")
    assert objection.filed_by is None
    with pytest.raises(Forbidden):
        service.objection_answer(objection, actor=pw.other_officer, upheld=True, answer="x")
    service.objection_answer(objection, actor=pw.officer, upheld=True, answer="经核实属实")
    row.refresh_from_db()
    assert row.status == RedemptionStatus.WITHDRAWN and row.reason == "经核实属实"
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD


def test_a_dismissed_objection_keeps_it_and_the_end_makes_it_payable(pw, publicised):
    row, publicity = publicised
    objection = service.objection_file(
        publicity, number=row.number, text="怀疑", contact="138", user=pw.stranger
    )
    after = publicity.ends_on + dt.timedelta(days=1)
    with pytest.raises(Conflict):  # an objection is open
        service.publicity_end(publicity, actor=pw.officer, on=after)
    service.objection_answer(objection, actor=pw.officer, upheld=False, answer="经核实不成立")
    with pytest.raises(Conflict):  # still running
        service.publicity_end(publicity, actor=pw.officer, on=publicity.ends_on)
    service.publicity_end(publicity, actor=pw.officer, on=after)
    row.refresh_from_db()
    publicity.refresh_from_db()
    assert row.status == RedemptionStatus.PAYABLE
    assert publicity.status == PublicityStatus.CLOSED
    service.redemption_pay(row, actor=pw.officer, voucher="PZ-9", paid_on=timezone.localdate())


def test_objection_refusals(pw, publicised):
    row, publicity = publicised
    with pytest.raises(ValidationFailed) as refused:
        service.objection_file(publicity, number=row.number, text="  ")
    assert "text" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        service.objection_file(publicity, number="NOPE", text="x")
    assert "number" in refused.value.fields
    publicity.status = PublicityStatus.CLOSED
    publicity.save()
    with pytest.raises(Conflict):
        service.objection_file(publicity, number=row.number, text="x")
