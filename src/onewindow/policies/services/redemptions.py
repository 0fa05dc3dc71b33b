"""A redemption after the match: 意愿确认 or 放弃, 公示 and 异议, 拨付, 追回, 撤销, expiry.

Every move goes through REDEMPTION_TRANSITIONS (``core.transitions``) on a locked row, in
one transaction with its audit event; the enterprise's representatives are told when the
redemption is publicised, paid and clawed back. Permissions are decided here: the
enterprise's representatives confirm and decline; the officers of the policy's department
publicise, answer objections, pay, claw back and withdraw; anyone may object during an
open publicity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.certificates.keys import active_key, load_private_key
from onewindow.certificates.signing import sign
from onewindow.core.audit import audit_append
from onewindow.core.calendar import CalendarNotCovered, CalendarOutOfRange
from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.locks import lock_row, lock_rows
from onewindow.core.notifications import notify
from onewindow.core.transitions import transition
from onewindow.org.constants import UserKind
from onewindow.org.models import Representation, User, Zone
from onewindow.org.selectors import calendar_for_zone
from onewindow.policies.constants import (
    REDEMPTION_TRANSITIONS,
    Event,
    ObjectionStatus,
    PaymentKind,
    PublicityStatus,
    RedemptionAction,
    RedemptionStatus,
)
from onewindow.policies.models import (
    Objection,
    Payment,
    PolicyItemVersion,
    Publicity,
    Redemption,
)
from onewindow.policies.notifications import (
    REDEMPTION_CLAWED_BACK,
    REDEMPTION_PAID,
    REDEMPTION_PUBLICISED,
)
from onewindow.policies.permissions import can_manage_policy, can_work_redemption, represents
from onewindow.policies.services.redemption_inputs import (
    fold,
    iso_day,
    money,
    required_text,
)

EXPIRED_REASON = "逾期未确认"
ACCOUNT_DIGITS = re.compile(r"^\d{8,30}$")


# -- shared ------------------------------------------------------------------------------------


def _actor(user: User | None) -> dict:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"actor": "system" if user is None else "anonymous", "actor_id": ""}
    return {"actor": user.username, "actor_id": user.pk}


def _move(
    redemption: Redemption,
    action: str,
    *,
    actor: User | None,
    reason: str = "",
    data: dict | None = None,
    fields=(),
) -> str:
    return transition(
        redemption,
        action,
        table=REDEMPTION_TRANSITIONS,
        event=Event.REDEMPTION_MOVED,
        object_type="redemption",
        object_id=redemption.number,
        reason=reason,
        data={"action": action, **(data or {})},
        fields=fields,
        **_actor(actor),
    )


def _locked(redemption: Redemption) -> Redemption:
    return lock_row(
        Redemption,
        pk=redemption.pk,
        related=("version", "version__item", "version__item__policy", "zone", "enterprise"),
    )


def _require_officer(user: User, redemption: Redemption) -> None:
    if not can_work_redemption(user, redemption):
        raise Forbidden(_("只有该政策所属部门的政策专员可以办理"), code="not_policy_officer")


def _require_representative(user: User, redemption: Redemption) -> None:
    if not represents(user, redemption.enterprise):
        raise Forbidden(_("只有企业的代表人可以确认或放弃兑现"), code="not_representative")


def _working_days_after(zone: Zone, day: dt.date, days: int) -> dt.date:
    try:
        return calendar_for_zone(zone).deadline(day, days, allow_provisional=True).date
    except (CalendarNotCovered, CalendarOutOfRange):
        return day + dt.timedelta(days=days * 7 // 5 + 1)


def _tell(redemption: Redemption, kind: str, context: dict, key: str) -> None:
    for link in Representation.objects.filter(
        applicant_id=redemption.enterprise_id,
        user__is_active=True,
        user__kind=UserKind.APPLICANT,
    ).select_related("user"):
        notify(
            link.user,
            kind,
            {"number": redemption.number, "item": redemption.version.name, **context},
            link=reverse("policies:my_redemption", args=[redemption.number]),
            subject=("redemption", redemption.number),
            key=key,
        )


# -- 意愿确认 ----------------------------------------------------------------------------------


def confirmation_digest(
    *, number: str, amount, account_name: str, bank: str, account_number: str, result_hash: str
) -> str:
    """sha256 over the number, amount, account and result hash, as the enterprise confirmed
    them (canonical JSON; the signature's input)."""
    payload = {
        "number": number,
        "amount": "" if amount is None else str(Decimal(amount).quantize(Decimal("0.01"))),
        "account_name": account_name,
        "bank": bank,
        "account_number": account_number,
        "result_hash": result_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def clean_account(account_name: str, bank: str, account_number: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    name, bank_name = fold(account_name), fold(bank)
    number = re.sub(r"[\s-]", "", fold(account_number))
    if not name:
        errors["account_name"] = [_("请填写收款账户名称")]
    elif len(name) > 200:
        errors["account_name"] = [_("收款账户名称不能超过 200 个字")]
    if not bank_name:
        errors["bank"] = [_("请填写开户银行")]
    elif len(bank_name) > 200:
        errors["bank"] = [_("开户银行不能超过 200 个字")]
    if not number:
        errors["account_number"] = [_("请填写银行账号")]
    elif not ACCOUNT_DIGITS.match(number):
        errors["account_number"] = [_("银行账号应为 8 至 30 位数字")]
    if errors:
        raise ValidationFailed(_("收款账户信息有误"), fields=errors)
    return name, bank_name, number


def redemption_confirm(
    redemption: Redemption,
    *,
    actor: User,
    account_name: str,
    bank: str,
    account_number: str,
    statement: bool,
) -> Redemption:
    """The representative confirms (意愿确认) with the account to pay into; the digest is
    signed with the zone's Ed25519 key (the certificates' signer)."""
    with transaction.atomic():
        redemption = _locked(redemption)
        _require_representative(actor, redemption)
        REDEMPTION_TRANSITIONS.check(redemption, RedemptionAction.CONFIRM)
        if redemption.confirm_due is not None and timezone.now() > redemption.confirm_due:
            raise Conflict(_("已超过确认截止时间，不能再确认"), code="confirm_overdue")
        name, bank_name, number = clean_account(account_name, bank, account_number)
        if statement is not True:
            raise ValidationFailed.for_field(
                "statement", _("请勾选“本企业确认所填信息真实并申请兑现”")
            )
        digest = confirmation_digest(
            number=redemption.number,
            amount=redemption.amount,
            account_name=name,
            bank=bank_name,
            account_number=number,
            result_hash=redemption.result_hash,
        )
        key = active_key(redemption.zone)
        redemption.account_name, redemption.bank, redemption.account_number = (
            name,
            bank_name,
            number,
        )
        redemption.confirmed_by = actor
        redemption.confirmed_at = timezone.now()
        redemption.confirmation_digest = digest
        redemption.confirmation_signature = sign(load_private_key(key), digest)
        _move(
            redemption,
            RedemptionAction.CONFIRM,
            actor=actor,
            data={"digest": digest, "key_id": key.key_id},
            fields=(
                "account_name",
                "bank",
                "account_number",
                "confirmed_by",
                "confirmed_at",
                "confirmation_digest",
                "confirmation_signature",
            ),
        )
    return redemption


def redemption_decline(redemption: Redemption, *, actor: User, reason: str = "") -> Redemption:
    with transaction.atomic():
        redemption = _locked(redemption)
        _require_representative(actor, redemption)
        text = fold(reason)
        if len(text) > 500:
            raise ValidationFailed.for_field("reason", _("放弃理由不能超过 500 个字"))
        redemption.reason = text or _("企业放弃兑现")
        _move(
            redemption,
            RedemptionAction.DECLINE,
            actor=actor,
            reason=redemption.reason,
            fields=("reason",),
        )
    return redemption


def expire_pending(*, zone: Zone | None = None, now: dt.datetime | None = None) -> int:
    """Pending redemptions past their confirmation deadline → declined (逾期未确认)."""
    now = now or timezone.now()
    candidates = Redemption.objects.filter(status=RedemptionStatus.PENDING, confirm_due__lt=now)
    if zone is not None:
        candidates = candidates.filter(zone=zone)
    expired = 0
    with transaction.atomic():
        for redemption in lock_rows(
            candidates, status=RedemptionStatus.PENDING, confirm_due__lt=now
        ):
            redemption.reason = EXPIRED_REASON
            _move(
                redemption,
                RedemptionAction.DECLINE,
                actor=None,
                reason=EXPIRED_REASON,
                fields=("reason",),
            )
            expired += 1
    return expired


# -- 公示 and 异议 -------------------------------------------------------------------------------


def publicity_open(
    version: PolicyItemVersion,
    *,
    actor: User,
    numbers: list[str],
    title: str = "",
    on: dt.date | None = None,
) -> Publicity:
    """A publication list of the chosen payable redemptions of ``version`` (which must ask
    for one); open for ``publicity_days`` working days."""
    on = on or timezone.localdate()
    if not can_manage_policy(actor, version.item.policy):
        raise Forbidden(_("只有该政策所属部门的政策专员可以发布公示"), code="not_policy_officer")
    if not version.requires_publicity:
        raise Conflict(_("该兑现事项无需公示"), code="publicity_not_required")
    wanted = sorted({fold(number) for number in numbers if fold(number)})
    if not wanted:
        raise ValidationFailed.for_field("numbers", _("请选择要列入公示的兑现"))
    with transaction.atomic():
        rows = lock_rows(
            Redemption.objects.select_related("version", "enterprise"),
            version=version,
            number__in=wanted,
        )
        found = {row.number for row in rows}
        missing = [number for number in wanted if number not in found]
        if missing:
            raise ValidationFailed.for_field(
                "numbers",
                _("以下兑现不属于本事项：{numbers}").format(numbers="、".join(missing)),
            )
        not_payable = [row.number for row in rows if row.status != RedemptionStatus.PAYABLE]
        if not_payable:
            raise Conflict(
                _("以下兑现不是待拨付状态，不能列入公示：{numbers}").format(
                    numbers="、".join(not_payable)
                ),
                code="transition_not_allowed",
            )
        ends_on = _working_days_after(version.item.zone, on, version.publicity_days)
        publicity = Publicity.objects.create(
            version=version,
            title=fold(title)[:200] or _("{item}拟兑现名单公示").format(item=version.name)[:200],
            starts_on=on,
            ends_on=ends_on,
            opened_by=actor,
        )
        publicity.redemptions.set(rows)
        audit_append(
            action=Event.PUBLICITY_OPENED,
            object_type="publicity",
            object_id=publicity.pk,
            data={"version": version.key, "numbers": wanted, "ends_on": ends_on.isoformat()},
            **_actor(actor),
        )
        for row in rows:
            _move(row, RedemptionAction.PUBLICISE, actor=actor, data={"publicity": publicity.pk})
            _tell(
                row,
                REDEMPTION_PUBLICISED,
                {"ends_on": ends_on.isoformat()},
                key=f"redemption:{row.pk}:publicised:{publicity.pk}",
            )
    return publicity


def publicity_is_open(publicity: Publicity, on: dt.date | None = None) -> bool:
    on = on or timezone.localdate()
    return (
        publicity.status == PublicityStatus.OPEN and publicity.starts_on <= on <= publicity.ends_on
    )


def objection_file(
    publicity: Publicity,
    *,
    number: str,
    text: str,
    contact: str = "",
    user: User | None = None,
    ip_address: str | None = None,
) -> Objection:
    """Anyone (signed in or not) objects to one redemption on an open publication list.
    The caller throttles (``policies.throttle.OBJECTION``)."""
    body = required_text("text", text, _("异议内容"))
    reach = fold(contact)
    if len(reach) > 100:
        raise ValidationFailed.for_field("contact", _("联系方式不能超过 100 个字"))
    with transaction.atomic():
        publicity = lock_row(Publicity, pk=publicity.pk)
        if not publicity_is_open(publicity):
            raise Conflict(_("公示期已结束，不能再提出异议"), code="publicity_closed")
        redemption = publicity.redemptions.filter(number=fold(number)).first()
        if redemption is None:
            raise ValidationFailed.for_field("number", _("请选择公示名单中的兑现"))
        objection = Objection.objects.create(
            publicity=publicity,
            redemption=redemption,
            text=body,
            contact=reach,
            filed_by=user if user is not None and user.is_authenticated else None,
        )
        audit_append(
            action=Event.OBJECTION_FILED,
            object_type="redemption",
            object_id=redemption.number,
            data={"publicity": publicity.pk, "objection": objection.pk},
            ip_address=ip_address,
            **_actor(user),
        )
    return objection


def objection_answer(objection: Objection, *, actor: User, upheld: bool, answer: str) -> Objection:
    """The officer answers: upheld → the redemption is withdrawn with the answer as its
    reason; dismissed → it stays on the list."""
    text = required_text("answer", answer, _("答复"))
    with transaction.atomic():
        redemption = _locked(objection.redemption)
        _require_officer(actor, redemption)
        objection = lock_row(Objection, pk=objection.pk)
        if objection.status != ObjectionStatus.OPEN:
            raise Conflict(_("该异议已答复"), code="objection_answered")
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.answer = text
        objection.answered_by = actor
        objection.answered_at = timezone.now()
        objection.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        audit_append(
            action=Event.OBJECTION_ANSWERED,
            object_type="redemption",
            object_id=redemption.number,
            data={"objection": objection.pk, "status": objection.status},
            **_actor(actor),
        )
        if upheld and redemption.status != RedemptionStatus.WITHDRAWN:
            redemption.reason = text[:500]
            _move(
                redemption,
                RedemptionAction.WITHDRAW,
                actor=actor,
                reason=redemption.reason,
                data={"objection": objection.pk},
                fields=("reason",),
            )
    return objection


def publicity_end(publicity: Publicity, *, actor: User, on: dt.date | None = None) -> Publicity:
    """After ``ends_on`` with no open objection: the list closes and its publicised
    redemptions become payable."""
    on = on or timezone.localdate()
    with transaction.atomic():
        publicity = lock_row(Publicity, pk=publicity.pk, related=("version__item__policy",))
        if not can_manage_policy(actor, publicity.version.item.policy):
            raise Forbidden(
                _("只有该政策所属部门的政策专员可以结束公示"), code="not_policy_officer"
            )
        if publicity.status != PublicityStatus.OPEN:
            raise Conflict(_("该公示已结束"), code="publicity_closed")
        if on <= publicity.ends_on:
            raise Conflict(
                _("公示期至 {ends_on}，期满后才能结束").format(ends_on=publicity.ends_on),
                code="publicity_running",
            )
        if publicity.objections.filter(status=ObjectionStatus.OPEN).exists():
            raise Conflict(_("还有未答复的异议，答复后才能结束公示"), code="objection_open")
        rows = lock_rows(
            Redemption.objects.filter(publicities=publicity), status=RedemptionStatus.PUBLICISING
        )
        for row in rows:
            _move(
                row, RedemptionAction.END_PUBLICITY, actor=actor, data={"publicity": publicity.pk}
            )
        publicity.status = PublicityStatus.CLOSED
        publicity.closed_at = timezone.now()
        publicity.save(update_fields=["status", "closed_at"])
        audit_append(
            action=Event.PUBLICITY_CLOSED,
            object_type="publicity",
            object_id=publicity.pk,
            data={"payable": [row.number for row in rows]},
            **_actor(actor),
        )
    return publicity


# -- 拨付, 追回, 撤销 -----------------------------------------------------------------------------


def redemption_pay(redemption: Redemption, *, actor: User, voucher: str, paid_on) -> Payment:
    """The officer records the payment of the redemption's amount."""
    with transaction.atomic():
        redemption = _locked(redemption)
        _require_officer(actor, redemption)
        REDEMPTION_TRANSITIONS.check(redemption, RedemptionAction.PAY)
        if (
            redemption.version.requires_publicity
            and not redemption.publicities.filter(status=PublicityStatus.CLOSED).exists()
        ):
            raise Conflict(_("该兑现须经公示期满后才能拨付"), code="publicity_required")
        if not redemption.amount:
            raise Conflict(_("该兑现没有拨付金额"), code="no_amount")
        number = required_text("voucher", voucher, _("凭证号"), limit=60)
        day = iso_day("paid_on", paid_on)
        if day > timezone.localdate():
            raise ValidationFailed.for_field("paid_on", _("拨付日期不能晚于今天"))
        payment = Payment.objects.create(
            redemption=redemption,
            kind=PaymentKind.PAYMENT,
            amount=redemption.amount,
            paid_on=day,
            voucher=number,
            recorded_by=actor,
        )
        audit_append(
            action=Event.PAYMENT_RECORDED,
            object_type="redemption",
            object_id=redemption.number,
            data={"payment": payment.pk, "kind": payment.kind, "amount": str(payment.amount)},
            **_actor(actor),
        )
        _move(redemption, RedemptionAction.PAY, actor=actor, data={"payment": payment.pk})
        _tell(
            redemption,
            REDEMPTION_PAID,
            {"amount": str(payment.amount), "voucher": number},
            key=f"redemption:{redemption.pk}:paid",
        )
    return payment


def redemption_claw_back(
    redemption: Redemption, *, actor: User, amount, reason: str, voucher: str, paid_on
) -> Payment:
    """The officer records a recovery (追回) naming the original payment; at most what was
    paid."""
    with transaction.atomic():
        redemption = _locked(redemption)
        _require_officer(actor, redemption)
        REDEMPTION_TRANSITIONS.check(redemption, RedemptionAction.CLAW_BACK)
        original = (
            Payment.objects.filter(redemption=redemption, kind=PaymentKind.PAYMENT)
            .order_by("-paid_on", "-id")
            .first()
        )
        if original is None:
            raise Conflict(_("没有找到原拨付记录"), code="no_payment")
        value = money("amount", amount, _("追回金额"))
        if value > original.amount:
            raise ValidationFailed.for_field(
                "amount",
                _("追回金额不能超过原拨付金额 {amount} 万元").format(amount=original.amount),
            )
        why = required_text("reason", reason, _("追回原因"), limit=500)
        number = required_text("voucher", voucher, _("凭证号"), limit=60)
        day = iso_day("paid_on", paid_on)
        if day < original.paid_on:
            raise ValidationFailed.for_field("paid_on", _("追回日期不能早于原拨付日期"))
        payment = Payment.objects.create(
            redemption=redemption,
            kind=PaymentKind.CLAWBACK,
            amount=value,
            paid_on=day,
            voucher=number,
            original=original,
            reason=why,
            recorded_by=actor,
        )
        audit_append(
            action=Event.PAYMENT_RECORDED,
            object_type="redemption",
            object_id=redemption.number,
            data={
                "payment": payment.pk,
                "kind": payment.kind,
                "amount": str(value),
                "original": original.pk,
            },
            **_actor(actor),
        )
        redemption.reason = why
        _move(
            redemption,
            RedemptionAction.CLAW_BACK,
            actor=actor,
            reason=why,
            data={"payment": payment.pk},
            fields=("reason",),
        )
        _tell(
            redemption,
            REDEMPTION_CLAWED_BACK,
            {"amount": str(value), "reason": why},
            key=f"redemption:{redemption.pk}:clawed_back",
        )
    return payment


def redemption_withdraw(redemption: Redemption, *, actor: User, reason: str) -> Redemption:
    """The officer withdraws a redemption not yet paid (eligibility lost, an error)."""
    with transaction.atomic():
        redemption = _locked(redemption)
        _require_officer(actor, redemption)
        REDEMPTION_TRANSITIONS.check(redemption, RedemptionAction.WITHDRAW)
        redemption.reason = required_text("reason", reason, _("撤销理由"), limit=500)
        _move(
            redemption,
            RedemptionAction.WITHDRAW,
            actor=actor,
            reason=redemption.reason,
            fields=("reason",),
        )
    return redemption
