"""诉求工单 (appeals): the order, its settings and catalogues, and the rows beside it
(assignments, extensions, returns, visits, 督办, steps, attachments, knowledge base).

The clock is stored, not recomputed on read: ``due_at`` (and ``sign_due_at``,
``warn_at``) are set by ``appeals.clock`` when the order is received, extended or
reopened, and recomputed in bulk after a calendar change (``appeal_deadlines_recompute``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.appeals.constants import (
    DEFAULT_DUPLICATE_WINDOW_DAYS,
    DEFAULT_MAX_EXTENSIONS,
    DEFAULT_REOPEN_WINDOW_DAYS,
    DEFAULT_RETURN_WINDOW_HOURS,
    DEFAULT_SIGN_WITHIN_WORKING_HOURS,
    DEFAULT_WARN_PERCENT,
    MAX_SUBJECT_LENGTH,
    MAX_TEXT_LENGTH,
    AppealStatus,
    Channel,
    ClosingKind,
    EmergencyService,
    LimitUnit,
    Nature,
    RedirectChannel,
    Satisfaction,
    Urgency,
)
from onewindow.appeals.models_handling import (
    AppealAssignment,
    AppealAttachment,
    AppealExtension,
    AppealNumberCounter,
    AppealQueueCount,
    AppealReturn,
    AppealStep,
    AppealSupervision,
    AppealVisit,
    SupervisionRule,
)
from onewindow.cases.models import Case
from onewindow.catalog.models import Item
from onewindow.org.models import Applicant, Department, Zone
from onewindow.reviews.models import Rating

__all__ = [
    "Appeal",
    "AppealAssignment",
    "AppealAttachment",
    "AppealCategory",
    "AppealExtension",
    "AppealNumberCounter",
    "AppealQueueCount",
    "AppealReturn",
    "AppealSettings",
    "AppealStep",
    "AppealSupervision",
    "AppealTimeLimit",
    "AppealVisit",
    "DispatchRule",
    "KnowledgeArticle",
    "KnowledgeVersion",
    "SupervisionRule",
]

USER = settings.AUTH_USER_MODEL


# -- the zone's settings and catalogues ------------------------------------------------------


class AppealSettings(models.Model):
    """A zone's appeal rules (one row per zone; GLOSSARY.md "Limits are data"). Orders keep
    the limit they were received under (``Appeal.limit_unit`` / ``limit_amount``)."""

    zone = models.OneToOneField(
        Zone, on_delete=models.CASCADE, related_name="appeal_settings", verbose_name=_("开发区")
    )
    workday_starts = models.TimeField(_("上班时间"), default=dt.time(9, 0))
    workday_ends = models.TimeField(_("下班时间"), default=dt.time(17, 30))
    sign_within_working_hours = models.PositiveSmallIntegerField(
        _("签收时限（工作小时）"), default=DEFAULT_SIGN_WITHIN_WORKING_HOURS
    )
    return_window_hours = models.PositiveSmallIntegerField(
        _("退回时限（派单后小时）"), default=DEFAULT_RETURN_WINDOW_HOURS
    )
    reopen_window_days = models.PositiveSmallIntegerField(
        _("申请重办期限（答复后自然日）"), default=DEFAULT_REOPEN_WINDOW_DAYS
    )
    max_extensions = models.PositiveSmallIntegerField(
        _("每单最多延期次数"), default=DEFAULT_MAX_EXTENSIONS
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("预警比例（时限的百分比）"), default=DEFAULT_WARN_PERCENT
    )
    duplicate_window_days = models.PositiveSmallIntegerField(
        _("重复诉求比对天数"), default=DEFAULT_DUPLICATE_WINDOW_DAYS
    )
    legal_basis = models.CharField(_("时限依据"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("诉求办理规则")
        verbose_name_plural = _("诉求办理规则")
        constraints = [
            models.CheckConstraint(
                name="appeal_settings_workday_order",
                condition=Q(workday_starts__lt=models.F("workday_ends")),
            ),
            models.CheckConstraint(
                name="appeal_settings_warn_percent",
                condition=Q(warn_percent__gte=1) & Q(warn_percent__lte=99),
            ),
        ]

    def __str__(self) -> str:
        return str(self.zone)


class AppealTimeLimit(models.Model):
    """办理时限 per nature × urgency, in working days or natural hours, valid from a date
    (a new row with a later ``valid_from`` replaces the old one from then on)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    nature = models.CharField(_("诉求性质"), max_length=12, choices=Nature.choices)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices)
    unit = models.CharField(_("计时方式"), max_length=14, choices=LimitUnit.choices)
    amount = models.PositiveSmallIntegerField(_("时限"))
    valid_from = models.DateField(_("生效日期"))
    legal_basis = models.CharField(_("依据"), max_length=300)

    class Meta:
        ordering = ["zone_id", "nature", "urgency", "-valid_from"]
        verbose_name = _("诉求办理时限")
        verbose_name_plural = _("诉求办理时限")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "nature", "urgency", "valid_from"], name="appeal_limit_unique"
            ),
            models.CheckConstraint(name="appeal_limit_positive", condition=Q(amount__gte=1)),
            models.CheckConstraint(
                name="appeal_limit_unit_known", condition=Q(unit__in=LimitUnit.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} · {self.get_urgency_display()}"


class AppealCategory(models.Model):
    """诉求分类: the zone's tree (a code per node, GB/T 39666-2020 style)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级分类"),
    )
    code = models.CharField(_("分类编码"), max_length=20)
    name = models.CharField(_("分类名称"), max_length=60)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["zone_id", "code"]
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="appeal_category_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DispatchRule(models.Model):
    """派单目录: a category's lead department and optional co-departments."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    category = models.OneToOneField(
        AppealCategory, on_delete=models.CASCADE, related_name="dispatch_rule"
    )
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("主办部门")
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("协办部门")
    )

    class Meta:
        ordering = ["zone_id", "category_id"]
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")

    # -- the knowledge base ------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.category_id} → {self.lead_department_id}"


class KnowledgeArticle(models.Model):
    """知识库条目: edited by departments, versioned; answers cite the version they used."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("编辑部门")
    )
    category = models.ForeignKey(
        AppealCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("诉求分类"),
    )
    title = models.CharField(_("标题"), max_length=120)
    current_version = models.ForeignKey(
        "KnowledgeVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("现行版本"),
    )
    items = models.ManyToManyField(Item, blank=True, related_name="+", verbose_name=_("相关事项"))
    policy_refs = models.CharField(_("相关政策"), max_length=300, blank=True)
    is_published = models.BooleanField(_("已发布"), default=True)
    # Folded title + body, pinyin initials and full pinyin (kept by the services) for search.
    search_folded = models.TextField(blank=True, editable=False)
    search_initials = models.TextField(blank=True, editable=False)
    search_pinyin = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["zone_id", "title", "id"]
        verbose_name = _("知识库条目")
        verbose_name_plural = _("知识库条目")

    def __str__(self) -> str:
        return self.title


class KnowledgeVersion(models.Model):
    """One version of an article (insert-only)."""

    article = models.ForeignKey(KnowledgeArticle, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), max_length=MAX_TEXT_LENGTH)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id", "-number"]
        verbose_name = _("知识库版本")
        verbose_name_plural = _("知识库版本")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


# -- the order ---------------------------------------------------------------------------------


class Appeal(models.Model):
    """诉求工单: one request of an enterprise or a person, from receipt to return visit
    (一单到底)."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("工单编号"), max_length=32, unique=True)
    query_code = models.CharField(_("查询码"), max_length=12, blank=True)
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices)
    # NULL, not "", for orders of our own: the unique constraint covers pushed orders only.
    upstream_id = models.CharField(  # noqa: DJ001
        _("上游工单号"), max_length=64, null=True, blank=True
    )
    nature = models.CharField(_("诉求性质"), max_length=12, choices=Nature.choices)
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    category = models.ForeignKey(
        AppealCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("诉求分类")
    )
    subject = models.CharField(_("标题"), max_length=MAX_SUBJECT_LENGTH)
    description = models.TextField(_("诉求内容"), max_length=MAX_TEXT_LENGTH)
    # Segmented words of subject + description (appeals.similarity), for duplicates.
    words = models.TextField(blank=True, editable=False)

    # -- who asks
    requester = models.ForeignKey(
        Applicant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("诉求人"),
    )
    requester_user = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    anonymous = models.BooleanField(_("匿名"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    confidential = models.BooleanField(_("要求保密"), default=False)
    # The enterprise the appeal is about (for duplicates "same enterprise and category").
    subject_uscc = models.CharField(_("涉及企业统一社会信用代码"), max_length=18, blank=True)

    # -- what it is about
    linked_case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_item = models.ForeignKey(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_policy = models.CharField(_("相关政策"), max_length=64, blank=True)
    rating = models.ForeignKey(
        Rating,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("来源差评"),
    )

    # -- where it is
    status = models.CharField(
        _("状态"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.RECEIVED
    )
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主办部门"),
    )
    designated = models.BooleanField(_("已指定承办"), default=False)
    received_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # -- the clock (appeals.clock): the limit it was received under, and its instants
    limit_unit = models.CharField(_("计时方式"), max_length=14, choices=LimitUnit.choices)
    limit_amount = models.PositiveSmallIntegerField(_("时限"))
    extended_days = models.PositiveSmallIntegerField(_("延期工作日"), default=0)
    clock_started_at = models.DateTimeField(_("计时起点"))
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    due_provisional = models.BooleanField(_("期限暂定"), default=False)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("签收期限"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    return_until = models.DateTimeField(_("可退回截止"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复发出时间"), null=True, blank=True)
    # Fixed at the reply (the requester may ask to reopen until then; edits never move it).
    reopen_until = models.DateTimeField(_("可申请重办截止"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Fixed at the reply: late or not (never recomputed afterwards).
    overdue = models.BooleanField(_("超期"), default=False)
    sign_overdue = models.BooleanField(_("签收超时"), default=False)

    # -- counts
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    return_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    late_return_count = models.PositiveSmallIntegerField(_("超时退回次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)

    # -- the outcome
    reply = models.TextField(_("答复内容"), blank=True, max_length=MAX_TEXT_LENGTH)
    closing_kind = models.CharField(
        _("办结方式"), max_length=10, choices=ClosingKind.choices, blank=True
    )
    knowledge_version = models.ForeignKey(
        KnowledgeVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("引用知识"),
    )
    redirect_channel = models.CharField(
        _("告知渠道"), max_length=24, choices=RedirectChannel.choices, blank=True
    )
    emergency_service = models.CharField(
        _("转接热线"), max_length=3, choices=EmergencyService.choices, blank=True
    )
    # The latest return visit (the satisfaction figure uses it).
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    resolved = models.BooleanField(_("已解决"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_appeals",
        verbose_name=_("合并至"),
    )

    created_at = models.DateTimeField(_("受理时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("诉求工单")
        verbose_name_plural = _("诉求工单")
        constraints = [
            models.CheckConstraint(
                name="appeal_status_known", condition=Q(status__in=AppealStatus.values)
            ),
            models.UniqueConstraint(
                fields=["zone", "upstream_id"],
                condition=Q(upstream_id__isnull=False),
                name="appeal_upstream_unique",
            ),
            # An anonymous appeal names nobody (and only 举报 / 建议 may be anonymous:
            # checked by the services, which name the field).
            models.CheckConstraint(
                name="appeal_anonymous_names_nobody",
                condition=Q(anonymous=False) | (Q(requester__isnull=True) & Q(contact_name="")),
            ),
            models.CheckConstraint(
                name="appeal_not_accepted_has_channel",
                condition=~Q(status=AppealStatus.NOT_ACCEPTED) | ~Q(redirect_channel=""),
            ),
            models.CheckConstraint(
                name="appeal_transferred_has_service",
                condition=~Q(status=AppealStatus.TRANSFERRED) | ~Q(emergency_service=""),
            ),
            models.CheckConstraint(
                name="appeal_merged_has_target",
                condition=~Q(status=AppealStatus.MERGED) | Q(merged_into__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["zone", "status", "due_at"], name="appeal_zone_status_due"),
            models.Index(
                fields=["lead_department", "status", "due_at"], name="appeal_dept_status_due"
            ),
            models.Index(fields=["requester", "created_at"], name="appeal_requester_created"),
            models.Index(
                fields=["subject_uscc", "category", "created_at"], name="appeal_uscc_category"
            ),
            models.Index(fields=["zone", "created_at"], name="appeal_zone_created"),
            # The orders not yet replied, by deadline (the queues' 即将超期 / 已超期, the
            # board's overdue list): a small index the planner prefers to a scan.
            models.Index(
                fields=["zone", "due_at"],
                condition=Q(status__in=["received", "dispatched", "handling", "return_requested"]),
                name="appeal_running_due",
            ),
            # The late orders in the order the board lists them (deadline, id): running
            # ones (late once past the deadline) and replied ones late at the reply. A page
            # of the overdue list walks this index from a keyset, with no sort.
            models.Index(
                fields=["zone", "due_at", "id"],
                condition=Q(status__in=["received", "dispatched", "handling", "return_requested"])
                | Q(status__in=["replied", "answered"], overdue=True),
                name="appeal_late_due",
            ),
            # Duplicates by a caller without an account (appeals.duplicates).
            models.Index(
                fields=["contact_phone", "created_at"],
                condition=~Q(contact_phone=""),
                name="appeal_phone_created",
            ),
        ]

    def __str__(self) -> str:
        return self.number
