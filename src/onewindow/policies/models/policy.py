"""Policies, their redeemable items (versioned like catalog items) and the redemptions."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.constants import VersionStatus
from onewindow.org.models import Applicant, Department, Zone
from onewindow.policies.constants import (
    DEFAULT_PUBLICITY_DAYS,
    ItemKind,
    MatchTrigger,
    ObjectionStatus,
    PaymentKind,
    PolicyLevel,
    PublicityStatus,
    RedemptionStatus,
    RedemptionWay,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class Policy(models.Model):
    """A policy document (政策文件): 文号, issuer, level, effective span, interpretation."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="policies")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("负责部门"),
        help_text=_("录入并维护本政策的部门"),
    )
    title = models.CharField(_("政策名称"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100)
    issuer = models.CharField(_("发文机关"), max_length=200)
    level = models.CharField(_("政策层级"), max_length=20, choices=PolicyLevel.choices)
    effective_from = models.DateField(_("生效日期"))
    expires_on = models.DateField(_("失效日期"), null=True, blank=True)
    interpretation_url = models.URLField(_("政策解读链接"), blank=True)
    summary = models.TextField(_("政策摘要"), blank=True)
    #: Marks illustrative policies (the demo's): pages say so.
    illustrative = models.BooleanField(_("示例政策"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-effective_from", "id"]
        verbose_name = _("政策")
        verbose_name_plural = _("政策")
        constraints = [
            models.UniqueConstraint(fields=["zone", "doc_number"], name="policy_doc_number_unique"),
            models.CheckConstraint(
                name="policy_expiry_after_effective",
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("effective_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.doc_number}）"

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.expires_on is None or day <= self.expires_on)


class PolicyItem(models.Model):
    """A redeemable item (兑现事项) of a policy: its identity across versions."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="items")
    #: Stable within the zone (``ZC-2026-001``): URLs, the API and exclusions name it.
    code = models.CharField(_("事项编码"), max_length=40)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("兑现事项")
        verbose_name_plural = _("兑现事项")
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="policy_item_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class PolicyItemVersionQuerySet(models.QuerySet):
    def published(self) -> PolicyItemVersionQuerySet:
        return self.filter(status=VersionStatus.PUBLISHED)

    def in_force_on(self, day: date) -> PolicyItemVersionQuerySet:
        """Versions that were published and whose span covers ``day`` (a past event is
        judged by the version in force that day; one per item, the latest effective)."""
        return self.filter(
            status__in=(VersionStatus.PUBLISHED, VersionStatus.RETIRED),
            effective_from__lte=day,
        ).filter(models.Q(effective_until__isnull=True) | models.Q(effective_until__gte=day))


class PolicyItemVersion(models.Model):
    """One version of a redeemable item: what it gives, to whom, on which conditions.

    ``condition`` and ``amount`` are the rule language's JSON (``policies.rules.language``);
    ``materials`` lists what is still needed, each ``{"name", "fact"}`` where a fact of the
    profile stands for it. ``content_hash`` covers everything a result depends on.
    """

    item = models.ForeignKey(PolicyItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    name = models.CharField(_("事项名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=ItemKind.choices)
    way = models.CharField(_("兑现方式"), max_length=20, choices=RedemptionWay.choices)
    beneficiary = models.CharField(_("支持对象"), max_length=300)
    condition = models.JSONField(_("申报条件"), default=dict)
    amount = models.JSONField(_("支持标准"), default=dict)
    #: Words for the amount as the policy puts it ("按研发费用的10%给予补助，最高200万元").
    amount_text = models.CharField(_("支持标准说明"), max_length=300, blank=True)
    materials = models.JSONField(_("所需材料"), default=list, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("兑现时限（工作日）"), default=60)
    excludes = models.ManyToManyField(
        PolicyItem,
        blank=True,
        related_name="excluded_by_versions",
        verbose_name=_("不可同时享受"),
    )
    stacking_note = models.CharField(_("叠加规则"), max_length=300, blank=True)
    budget = models.DecimalField(_("预算（万元）"), null=True, blank=True, **MONEY)
    requires_publicity = models.BooleanField(_("拨付前需公示"), default=False)
    publicity_days = models.PositiveSmallIntegerField(
        _("公示期（工作日）"), default=DEFAULT_PUBLICITY_DAYS
    )
    #: 快申快享 / 依申请: the catalog item the application runs as (a case on the spine).
    catalog_item = models.ForeignKey(
        "catalog.Item",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("对应办理事项"),
    )
    effective_from = models.DateField(_("生效日期"))
    effective_until = models.DateField(_("截止日期"), null=True, blank=True)
    content_hash = models.CharField(max_length=64, editable=False, default="")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PolicyItemVersionQuerySet.as_manager()

    class Meta:
        ordering = ["item_id", "-number"]
        verbose_name = _("兑现事项版本")
        verbose_name_plural = _("兑现事项版本")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="policy_version_unique"),
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="draft"),
                name="policy_version_one_draft",
            ),
            models.UniqueConstraint(
                fields=["item", "effective_from"],
                condition=models.Q(status__in=("published", "retired")),
                name="policy_version_one_per_effective_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "way"], name="policy_version_status_way")]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        self.content_hash = self.compute_content_hash()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "content_hash" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "content_hash"]
        super().save(*args, **kwargs)

    @property
    def key(self) -> str:
        """The version's name in results and hashes: ``<item code>@<number>``."""
        return f"{self.item.code}@{self.number}"

    def content(self) -> dict:
        """Everything a result depends on, as plain JSON (the hash's input)."""
        return {
            "condition": self.condition,
            "amount": self.amount,
            "kind": self.kind,
            "way": self.way,
            "effective_from": self.effective_from.isoformat(),
            "effective_until": self.effective_until.isoformat() if self.effective_until else None,
        }

    def compute_content_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


class MatchRun(models.Model):
    """One run of the 免申即享 match over the zone's enterprises for one version."""

    version = models.ForeignKey(
        PolicyItemVersion, on_delete=models.PROTECT, related_name="match_runs"
    )
    trigger = models.CharField(_("触发方式"), max_length=20, choices=MatchTrigger.choices)
    evaluated_on = models.DateField(_("判定日期"))
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    enterprises = models.PositiveIntegerField(_("参与匹配企业数"), default=0)
    eligible = models.PositiveIntegerField(_("符合条件"), default=0)
    near = models.PositiveIntegerField(_("接近符合"), default=0)
    unknown = models.PositiveIntegerField(_("信息不全"), default=0)
    created = models.PositiveIntegerField(_("新生成确认任务"), default=0)
    #: Eligible enterprises left out because the version's budget would be exceeded.
    over_budget = models.PositiveIntegerField(_("超出预算未生成"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("匹配批次")
        verbose_name_plural = _("匹配批次")

    def __str__(self) -> str:
        return f"{self.version} {self.evaluated_on}"


class Redemption(models.Model):
    """One enterprise's redemption of one item version: a 免申即享 match to confirm, or an
    application running as a case; then 公示, 拨付 and perhaps 追回."""

    number = models.CharField(_("兑现编号"), max_length=30, unique=True)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        PolicyItemVersion, on_delete=models.PROTECT, related_name="redemptions"
    )
    enterprise = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("企业")
    )
    way = models.CharField(_("兑现方式"), max_length=20, choices=RedemptionWay.choices)
    status = models.CharField(_("状态"), max_length=20, choices=RedemptionStatus.choices)
    amount = models.DecimalField(_("兑现金额（万元）"), null=True, blank=True, **MONEY)
    #: The evaluation it came from: reasons per condition, and the hash over its inputs.
    result = models.JSONField(default=dict, blank=True)
    result_hash = models.CharField(_("判定指纹"), max_length=64)
    evaluated_on = models.DateField(_("判定日期"))
    run = models.ForeignKey(
        MatchRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="redemptions"
    )
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redemption",
        verbose_name=_("办件"),
    )
    confirm_due = models.DateTimeField(_("确认截止"), null=True, blank=True)
    # -- 意愿确认: the account and the representative's signed confirmation
    account_name = models.CharField(_("收款账户名称"), max_length=200, blank=True)
    bank = models.CharField(_("开户银行"), max_length=200, blank=True)
    account_number = models.CharField(_("银行账号"), max_length=40, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    #: sha256 over number, amount, account and result hash, as confirmed (the signature's input).
    confirmation_digest = models.CharField(max_length=64, blank=True)
    confirmation_signature = models.TextField(blank=True)
    reason = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("政策兑现")
        verbose_name_plural = _("政策兑现")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "enterprise"],
                condition=models.Q(
                    status__in=("pending", "applied", "publicising", "payable", "paid")
                ),
                name="redemption_one_live_per_version",
            ),
        ]
        indexes = [
            models.Index(fields=["zone", "status"], name="redemption_zone_status"),
            models.Index(fields=["enterprise", "status"], name="redemption_enterprise_status"),
        ]

    def __str__(self) -> str:
        return self.number


class RedemptionNumberCounter(models.Model):
    """The last redemption number given out per zone and year (locked to number)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["zone_id", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "year"], name="redemption_number_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.zone_id}-{self.year}: {self.last}"


class Publicity(models.Model):
    """A publication list (公示) of redemptions of one version before payment."""

    version = models.ForeignKey(
        PolicyItemVersion, on_delete=models.PROTECT, related_name="publicities"
    )
    title = models.CharField(_("公示标题"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=20, choices=PublicityStatus.choices, default=PublicityStatus.OPEN
    )
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示截止"))
    redemptions = models.ManyToManyField(Redemption, related_name="publicities")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")

    def __str__(self) -> str:
        return self.title


class Objection(models.Model):
    """An objection (异议) to a redemption on a publication list, and its answer."""

    publicity = models.ForeignKey(Publicity, on_delete=models.PROTECT, related_name="objections")
    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("异议内容"))
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self) -> str:
        return f"{self.redemption} #{self.pk}"


class Payment(models.Model):
    """A payment (拨付) or a recovery (追回) of one redemption; a recovery names the payment."""

    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("类型"), max_length=20, choices=PaymentKind.choices)
    amount = models.DecimalField(_("金额（万元）"), **MONEY)
    paid_on = models.DateField(_("日期"))
    voucher = models.CharField(_("凭证号"), max_length=60)
    original = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clawback",
        verbose_name=_("原拨付"),
    )
    reason = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("拨付记录")
        verbose_name_plural = _("拨付记录")
        constraints = [
            models.CheckConstraint(
                name="payment_amount_positive", condition=models.Q(amount__gt=0)
            ),
            models.CheckConstraint(
                name="payment_clawback_names_original",
                condition=(models.Q(kind="payment") & models.Q(original__isnull=True))
                | (models.Q(kind="clawback") & models.Q(original__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.kind == PaymentKind.PAYMENT else -self.amount


class Subscription(models.Model):
    """An enterprise's subscription: told when a new or changed item matches it."""

    enterprise = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="policy_subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_subscriptions"
    )
    #: Also tell of items the enterprise nearly qualifies for.
    include_near = models.BooleanField(_("接近符合时也提醒"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enterprise_id", "user_id"]
        verbose_name = _("政策订阅")
        verbose_name_plural = _("政策订阅")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "user"], name="subscription_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} / {self.user}"
