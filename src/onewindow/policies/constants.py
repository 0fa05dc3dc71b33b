"""The policies' vocabulary (惠企政策, GLOSSARY.md "Policies"): levels, kinds, ways of
redemption, the version and redemption lifecycles, audit names."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.constants import VersionStatus
from onewindow.core.transitions import TransitionTable


class PolicyLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    ZONE = "zone", _("区级")


class ItemKind(models.TextChoices):
    """兑现事项的类别."""

    RELIEF = "relief", _("减免")
    AWARD = "award", _("奖补")
    ENTITLEMENT = "entitlement", _("权益")
    QUALIFICATION = "qualification", _("资质")


class RedemptionWay(models.TextChoices):
    """How an item is redeemed."""

    #: 免申即享: the zone matches by data; the enterprise only confirms.
    AUTOMATIC = "automatic", _("免申即享")
    #: 快申快享: a short application, materials filled from the profile, paid within the limit.
    FAST = "fast", _("快申快享")
    #: 依申请: an ordinary application through the window.
    ON_APPLICATION = "on_application", _("依申请")


#: Ways that run as a case through the spine (the item maps to a catalog item).
CASE_WAYS = frozenset({RedemptionWay.FAST, RedemptionWay.ON_APPLICATION})


class VersionAction(models.TextChoices):
    PUBLISH = "publish", _("发布")
    RETIRE = "retire", _("停用")


#: A version of a redeemable item: drafted, published (from its effective date), retired.
#: A published or retired version is final: a redemption was judged by it.
VERSION_TRANSITIONS = TransitionTable(
    subject=_("兑现事项版本"),
    statuses=VersionStatus,
    actions=VersionAction,
    moves={
        (VersionStatus.DRAFT, VersionAction.PUBLISH): VersionStatus.PUBLISHED,
        (VersionStatus.PUBLISHED, VersionAction.RETIRE): VersionStatus.RETIRED,
    },
)


class RedemptionStatus(models.TextChoices):
    #: 免申即享: matched by the batch, waiting for the enterprise's 意愿确认.
    PENDING = "pending", _("待确认")
    #: The enterprise declined the match (or let the confirmation window pass).
    DECLINED = "declined", _("已放弃")
    #: 快申快享 / 依申请: applied; the case is being reviewed.
    APPLIED = "applied", _("审核中")
    #: On the publication list (公示), open to objections.
    PUBLICISING = "publicising", _("公示中")
    #: Confirmed (and, where the policy asks, publicised without an upheld objection).
    PAYABLE = "payable", _("待拨付")
    PAID = "paid", _("已拨付")
    #: Withdrawn: an objection was upheld, the case was refused, or eligibility was lost.
    WITHDRAWN = "withdrawn", _("已撤销")
    #: The payment was recovered (追回), linked to the original payment.
    CLAWED_BACK = "clawed_back", _("已追回")


class RedemptionAction(models.TextChoices):
    CONFIRM = "confirm", _("确认兑现")
    DECLINE = "decline", _("放弃兑现")
    PUBLICISE = "publicise", _("列入公示")
    END_PUBLICITY = "end_publicity", _("公示期满")
    APPROVE = "approve", _("审核通过")
    WITHDRAW = "withdraw", _("撤销")
    PAY = "pay", _("拨付")
    CLAW_BACK = "claw_back", _("追回")


S, A = RedemptionStatus, RedemptionAction

#: 匹配 → 意愿确认 → (公示 → 期满) → 拨付 → (追回); or 申请 (a case) → 审核通过 → 拨付.
#: An objection during 公示 does not move the status; upholding it withdraws the redemption.
REDEMPTION_TRANSITIONS = TransitionTable(
    subject=_("兑现"),
    statuses=RedemptionStatus,
    actions=RedemptionAction,
    moves={
        (S.PENDING, A.CONFIRM): S.PAYABLE,
        (S.PENDING, A.DECLINE): S.DECLINED,
        (S.PENDING, A.WITHDRAW): S.WITHDRAWN,
        (S.APPLIED, A.APPROVE): S.PAYABLE,
        (S.APPLIED, A.WITHDRAW): S.WITHDRAWN,
        (S.PAYABLE, A.PUBLICISE): S.PUBLICISING,
        (S.PUBLICISING, A.END_PUBLICITY): S.PAYABLE,
        (S.PUBLICISING, A.WITHDRAW): S.WITHDRAWN,
        (S.PAYABLE, A.WITHDRAW): S.WITHDRAWN,
        (S.PAYABLE, A.PAY): S.PAID,
        (S.PAID, A.CLAW_BACK): S.CLAWED_BACK,
    },
)

del S, A

#: Statuses of a redemption still on its way to payment (one per enterprise and item at once).
LIVE_REDEMPTION_STATUSES = frozenset(
    {
        RedemptionStatus.PENDING,
        RedemptionStatus.APPLIED,
        RedemptionStatus.PUBLICISING,
        RedemptionStatus.PAYABLE,
    }
)

#: Statuses of a redemption the enterprise holds (live or paid): one of them blocks an item
#: mutually exclusive with its own (不可同时享受); declined, withdrawn and clawed back do not.
HELD_REDEMPTION_STATUSES = frozenset({*LIVE_REDEMPTION_STATUSES, RedemptionStatus.PAID})


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("拨付")
    CLAWBACK = "clawback", _("追回")


class PublicityStatus(models.TextChoices):
    OPEN = "open", _("公示中")
    CLOSED = "closed", _("已结束")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class MatchTrigger(models.TextChoices):
    PUBLISH = "publish", _("发布时匹配")
    SCHEDULE = "schedule", _("定时匹配")
    MANUAL = "manual", _("手动匹配")


#: The days an enterprise has to confirm a 免申即享 match, by default (working days).
DEFAULT_CONFIRM_DAYS = 10
#: The days a publication list stays open, by default (working days).
DEFAULT_PUBLICITY_DAYS = 5


class Event:
    """Audit event names (``policies.*``)."""

    POLICY_CREATED = "policies.policy_created"
    POLICY_CHANGED = "policies.policy_changed"
    ITEM_CREATED = "policies.item_created"
    VERSION_SAVED = "policies.version_saved"
    VERSION_PUBLISHED = "policies.version_published"
    VERSION_RETIRED = "policies.version_retired"
    FACTS_CHANGED = "policies.facts_changed"
    FACTS_IMPORTED = "policies.facts_imported"
    MATCH_RUN = "policies.match_run"
    REDEMPTION_CREATED = "policies.redemption_created"
    REDEMPTION_MOVED = "policies.redemption_moved"
    PUBLICITY_OPENED = "policies.publicity_opened"
    PUBLICITY_CLOSED = "policies.publicity_closed"
    OBJECTION_FILED = "policies.objection_filed"
    OBJECTION_ANSWERED = "policies.objection_answered"
    PAYMENT_RECORDED = "policies.payment_recorded"
    SUBSCRIBED = "policies.subscribed"
    UNSUBSCRIBED = "policies.unsubscribed"
