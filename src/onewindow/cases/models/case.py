"""Cases (办件) and their tasks and suspensions: the case table and its clock.

A case is one application for one item version, or for a bundle (一件事): then it is a
parent case with one child case per item. Every status change goes through
``services._transition`` (the table in ``constants``) and appends an audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Case as When_
from django.db.models import Q, Value, When
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    CLOCK_STATUSES,
    AcceptanceMode,
    CaseChannel,
    CaseStatus,
    Decision,
    Light,
    SuspensionKind,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.rules import SUPPLEMENT_STATUSES
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.catalog.wording import DecisionWording, decision_wording
from onewindow.org.models import Applicant, Department, Window, Zone

if TYPE_CHECKING:
    from onewindow.cases.models.records import CaseAgent


def light_expression(today: dt.date, *, running: Q, paused: Q) -> When_:
    """The light in SQL, the same rule as :func:`onewindow.cases.deadlines.light`."""
    return When_(
        When(~running, then=Value(Light.NONE)),
        When(paused, then=Value(Light.PAUSED)),
        When(deadline__lt=today, then=Value(Light.RED)),
        When(yellow_from__lte=today, then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=models.CharField(),
    )


#: The statuses in which a case's clock runs (a suspended case is paused: never yellow or red).
TICKING_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)


def overdue_condition(today: dt.date) -> Q:
    """超期 (red), the one definition of the supervision board and the dashboard
    (docs/decisions/0030-one-definition-of-overdue.md): an *item case* (standalone or a
    bundle's child, never the bundle's parent) whose clock runs and whose deadline is
    before ``today``. A case decided after its deadline is not overdue but "not on time"
    (``Case.on_time``, the dashboard's 按时办结率)."""
    return Q(item_version__isnull=False, status__in=TICKING_STATUSES, deadline__lt=today)


def due_soon_condition(today: dt.date) -> Q:
    """临近期限 (yellow): an item case whose clock runs, inside the yellow band
    (``yellow_from``, ``deadlines.light``) and not yet past its deadline."""
    return Q(
        item_version__isnull=False,
        status__in=TICKING_STATUSES,
        yellow_from__lte=today,
        deadline__gte=today,
    )


class CaseQuerySet(models.QuerySet):
    def running(self):
        """Cases whose clock runs or is paused (accepted, not yet decided)."""
        return self.filter(status__in=CLOCK_STATUSES)

    def with_light(self, today: dt.date):
        return self.annotate(
            light=light_expression(
                today,
                running=Q(status__in=CLOCK_STATUSES),
                paused=Q(status=CaseStatus.SUSPENDED),
            )
        )

    def item_cases(self):
        """Cases of one item: standalone cases and a bundle's children, never the bundle's
        parent (its children carry the work; counting both would count it twice)."""
        return self.filter(item_version__isnull=False)

    def warned(self, today: dt.date):
        """Item cases that are yellow or red today: :meth:`due_soon` or :meth:`overdue`
        (the yellow band starts on or before the deadline, so one range on ``yellow_from``
        finds both, through the ``case_zone_warned`` index)."""
        return self.item_cases().filter(status__in=TICKING_STATUSES, yellow_from__lte=today)

    def supplement_owed(self):
        """Cases whose tolerated (容缺) materials are owed, in SQL: ``rules.supplement_owed``."""
        return self.filter(status__in=SUPPLEMENT_STATUSES).exclude(decision=Decision.DENIED)

    def overdue(self, today: dt.date):
        """Red today: :func:`overdue_condition`."""
        return self.filter(overdue_condition(today))

    def due_soon(self, today: dt.date):
        """Yellow today: :func:`due_soon_condition`."""
        return self.filter(due_soon_condition(today))


class Case(models.Model):
    """办件: one application, from submission to delivery."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="cases")
    number = models.CharField(_("办件编号"), max_length=32, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    query_code = models.CharField(_("查询码"), max_length=12, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("一件事主件"),
    )
    bundle = models.ForeignKey(
        Bundle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("一件事"),
    )
    item_version = models.ForeignKey(
        ItemVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("事项版本"),
    )
    title = models.CharField(_("办件名称"), max_length=200)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("实施机关（牵头部门）"),
    )
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="cases", verbose_name=_("申请人")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="submitted_cases",
        verbose_name=_("提交人"),
    )
    channel = models.CharField(_("申请渠道"), max_length=20, choices=CaseChannel.choices)
    window = models.ForeignKey(
        Window, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("受理窗口")
    )
    language = models.CharField(_("申请人语言"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("状态"), max_length=30, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    form_data = models.JSONField(_("申请表"), default=dict, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True, default="")
    request_digest = models.CharField(max_length=64, blank=True, default="")

    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    correction_items = models.JSONField(_("补正告知内容"), default=list, blank=True)
    correction_requested_at = models.DateTimeField(_("补正告知时间"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    refusal_legal_basis = models.TextField(_("不予受理依据"), blank=True)

    acceptance_mode = models.CharField(
        _("受理方式"), max_length=20, choices=AcceptanceMode.choices, blank=True
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受理人"),
    )
    limit_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), null=True, blank=True)
    legal_limit_days = models.PositiveSmallIntegerField(
        _("法定时限（工作日）"), null=True, blank=True
    )
    paused_days = models.PositiveSmallIntegerField(_("特别程序（工作日）"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("延长（工作日）"), default=0)
    extension_reason = models.TextField(_("延长理由"), blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("延长批准人"),
    )
    deadline = models.DateField(_("办结期限"), null=True, blank=True)
    yellow_from = models.DateField(_("黄灯起始日"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("期限为暂定"), default=False)
    tolerance_due_on = models.DateField(_("容缺补齐期限"), null=True, blank=True)
    supplement_overdue_recorded = models.BooleanField(default=False)

    decision = models.CharField(_("审批决定"), max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    remedy_notice = models.TextField(_("救济途径告知"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回原因"), blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "number"], condition=~Q(number=""), name="case_number_unique"
            ),
            models.UniqueConstraint(
                fields=["zone", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="case_sequence_unique",
            ),
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="case_idempotency_key_unique",
            ),
            models.CheckConstraint(
                name="case_item_or_bundle",
                condition=Q(item_version__isnull=False, bundle__isnull=True)
                | Q(item_version__isnull=True, bundle__isnull=False),
            ),
            models.CheckConstraint(
                name="case_extension_at_most_10",
                condition=Q(extension_days__lte=10),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
            models.Index(fields=["zone", "status", "yellow_from"], name="case_zone_warned"),
            models.Index(fields=["applicant", "-created_at"], name="case_applicant_recent"),
            models.Index(fields=["department", "status", "deadline"], name="case_dept_status"),
            models.Index(fields=["status", "tolerance_due_on"], name="case_tolerance_due"),
            # The board's warned cases: running cases only, by deadline (a few thousand
            # entries however many cases the zone has finished).
            models.Index(
                fields=["zone", "deadline", "yellow_from"],
                condition=Q(status__in=["accepted", "in_review"]),
                name="case_running_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_bundle(self) -> bool:
        return self.bundle_id is not None

    @property
    def is_child(self) -> bool:
        return self.parent_id is not None

    @property
    def decision_wording(self) -> DecisionWording:
        """准予登记 / 不予登记, 准予许可 / 不予许可 or 准予 / 不予, by the item."""
        version = self.item_version if self.item_version_id else None
        return decision_wording(
            item_type=version.item_type if version else None,
            name=version.name if version else None,
        )

    def decision_display(self) -> str:
        """The decision in the item's words (``get_decision_display`` says 许可 always)."""
        if not self.decision:
            return ""
        wording = self.decision_wording
        return str(wording.approve if self.decision == Decision.APPROVED else wording.deny)

    @property
    def clock_running(self) -> bool:
        return self.status in CLOCK_STATUSES

    @cached_property
    def walk_in_agent(self) -> CaseAgent | None:
        """经办人 recorded at the window (a bundle child's is its parent's), or None."""
        from onewindow.cases.models.records import CaseAgent

        return CaseAgent.objects.filter(case_id=self.parent_id or self.pk).first()


class CaseNumberSequence(models.Model):
    """The last case sequence number given out per zone and year (locked to number)."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["zone_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "year"], name="case_number_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.zone_id}-{self.year}: {self.last}"


class TaskQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_TASK_STATUSES)

    def with_light(self, today: dt.date):
        return self.annotate(
            light=light_expression(
                today,
                running=Q(status__in=ACTIVE_TASK_STATUSES),
                paused=Q(case__status=CaseStatus.SUSPENDED),
            )
        )


class Task(models.Model):
    """任务: one step of a case's workflow held by a department (or a co-review)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks")
    step_key = models.CharField(_("环节编码"), max_length=40)
    name = models.CharField(_("环节名称"), max_length=100)
    kind = models.CharField(_("任务类型"), max_length=20, choices=TaskKind.choices)
    role = models.CharField(_("办理角色"), max_length=20)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("办理部门")
    )
    parent_task = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="co_reviews",
        verbose_name=_("发起会签的任务"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("办理人"),
    )
    limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"), default=0)
    opened_at = models.DateTimeField(_("到达时间"))
    opened_on = models.DateField(_("到达日期"))
    deadline = models.DateField(_("环节期限"))
    yellow_from = models.DateField(_("黄灯起始日"))
    light_notified = models.CharField(max_length=10, blank=True, default="")
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("完成人"),
    )
    outcome = models.CharField(_("办理结果"), max_length=20, blank=True)
    comment = models.TextField(_("办理意见"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["case_id", "opened_at", "id"]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        indexes = [
            models.Index(fields=["department", "status", "deadline"], name="task_inbox"),
            models.Index(fields=["status", "yellow_from"], name="task_warned"),
            models.Index(fields=["assignee", "status"], name="task_assignee"),
            # Inbox and board read active tasks only: partial indexes stay small.
            models.Index(
                fields=["department", "deadline"],
                condition=Q(status__in=["open", "claimed"]),
                name="task_active_inbox",
            ),
            models.Index(
                fields=["deadline", "yellow_from"],
                condition=Q(status__in=["open", "claimed"]),
                name="task_active_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_TASK_STATUSES


class Suspension(models.Model):
    """特别程序: a period not counted in the limit (行政许可法 art. 45)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="suspensions")
    kind = models.CharField(_("特别程序类型"), max_length=20, choices=SuspensionKind.choices)
    reason = models.TextField(_("理由"))
    started_at = models.DateTimeField(_("开始时间"))
    started_on = models.DateField(_("开始日期"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paused_days = models.PositiveSmallIntegerField(_("不计时工作日"), default=0)

    class Meta:
        ordering = ["case_id", "started_at"]
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="one_open_suspension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"
