"""The appeal's handling and after (its departments, extensions, returns, visits,
督办, history steps, attachments) and the counters (numbers, the queue roll-up).
Imported by ``appeals.models``, where every model of the app is found."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.appeals.constants import (
    MAX_TEXT_LENGTH,
    AssignmentRole,
    ExtensionStatus,
    ReturnStatus,
    Satisfaction,
    SupervisionLevel,
    SupervisionStatus,
    SupervisionTrigger,
)
from onewindow.org.models import Department, Zone

USER = settings.AUTH_USER_MODEL


# -- the zone's settings and catalogues ------------------------------------------------------


class AppealAssignment(models.Model):
    """A department on the order: the lead (主办) or a co-department (协办) with its part."""

    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.CASCADE, related_name="assignments"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("承办方式"), max_length=4, choices=AssignmentRole.choices)
    is_current = models.BooleanField(_("当前承办"), default=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    part_reply = models.TextField(_("协办意见"), blank=True, max_length=MAX_TEXT_LENGTH)
    part_replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appeal_id", "id"]
        verbose_name = _("承办部门")
        verbose_name_plural = _("承办部门")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "department"],
                condition=Q(is_current=True),
                name="appeal_assignment_current_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["department", "is_current", "appeal"], name="appeal_assignment_dept"
            ),
            # A department's current co assignments (the clock's tabs of its queue count
            # the orders it co-handles from here: queues.department_time_counts).
            models.Index(
                fields=["department", "appeal"],
                condition=Q(is_current=True, role="co"),
                name="appeal_assignment_co_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} · {self.department_id} · {self.role}"


class AppealExtension(models.Model):
    """延期申请: one per order by default; the centre decides, with a reason."""

    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.CASCADE, related_name="extensions"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("延期工作日"))
    reason = models.TextField(_("延期理由"), max_length=MAX_TEXT_LENGTH)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("审批意见"), blank=True, max_length=MAX_TEXT_LENGTH)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["appeal_id", "id"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.CheckConstraint(name="appeal_extension_days", condition=Q(days__gte=1)),
            models.UniqueConstraint(
                fields=["appeal"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="appeal_extension_one_pending",
            ),
            models.CheckConstraint(
                name="appeal_extension_refusal_reason",
                condition=~Q(status=ExtensionStatus.REFUSED) | ~Q(decision_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} +{self.days}"


class AppealReturn(models.Model):
    """退回申请: a department says the order is not theirs. Inside the return window it
    waits for the centre (改派 or 指定); outside it is refused at once and counted."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="returns")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("退回理由"), max_length=MAX_TEXT_LENGTH)
    status = models.CharField(
        _("状态"), max_length=14, choices=ReturnStatus.choices, default=ReturnStatus.PENDING
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["appeal_id", "id"]
        verbose_name = _("退回申请")
        verbose_name_plural = _("退回申请")
        indexes = [models.Index(fields=["department", "status"], name="appeal_return_dept")]

    def __str__(self) -> str:
        return f"{self.appeal_id} ← {self.department_id}"


class AppealVisit(models.Model):
    """回访: by the centre (phone) or answered by the requester online."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="visits")
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices)
    resolved = models.BooleanField(_("问题已解决"))
    note = models.TextField(_("回访记录"), blank=True, max_length=MAX_TEXT_LENGTH)
    visited_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_requester = models.BooleanField(_("诉求人自评"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appeal_id", "id"]
        verbose_name = _("回访")
        verbose_name_plural = _("回访")

    def __str__(self) -> str:
        return f"{self.appeal_id} · {self.satisfaction}"


class AppealSupervision(models.Model):
    """督办: raised by a trigger (or by hand) against the lead department, with its own
    deadline; the department answers, the supervisor closes (销号)."""

    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.CASCADE, related_name="supervisions"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("督办级别"), max_length=10, choices=SupervisionLevel.choices)
    trigger = models.CharField(_("督办原因"), max_length=16, choices=SupervisionTrigger.choices)
    note = models.TextField(_("督办意见"), blank=True, max_length=MAX_TEXT_LENGTH)
    due_at = models.DateTimeField(_("督办期限"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.OPEN,
    )
    response = models.TextField(_("反馈"), blank=True, max_length=MAX_TEXT_LENGTH)
    opened_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["appeal_id", "id"]
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        constraints = [
            # One open 督办 per order and trigger: a trigger that fires again is not a new one.
            models.UniqueConstraint(
                fields=["appeal", "trigger"],
                condition=~Q(status=SupervisionStatus.CLOSED),
                name="appeal_supervision_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="appeal_supervision_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} · {self.level}"


class SupervisionRule(models.Model):
    """A zone's 督办 trigger: which level it raises and how many working days the
    department gets to answer. A trigger without a row raises nothing."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(_("督办原因"), max_length=16, choices=SupervisionTrigger.choices)
    level = models.CharField(_("督办级别"), max_length=10, choices=SupervisionLevel.choices)
    answer_within_days = models.PositiveSmallIntegerField(_("反馈时限（工作日）"), default=2)

    class Meta:
        ordering = ["zone_id", "trigger"]
        verbose_name = _("督办规则")
        verbose_name_plural = _("督办规则")
        constraints = [
            models.UniqueConstraint(fields=["zone", "trigger"], name="supervision_rule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.trigger} → {self.level}"


class AppealStep(models.Model):
    """The order's history as its people read it (the audit trail keeps the same moves
    with the chain's protection): one row per action."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("环节"), max_length=24)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True, max_length=MAX_TEXT_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appeal_id", "id"]
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")

    def __str__(self) -> str:
        return f"{self.appeal_id} · {self.action}"


class AppealAttachment(models.Model):
    """A file the requester attached (checked by content, like case materials)."""

    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="appeals/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appeal_id", "id"]
        verbose_name = _("诉求附件")
        verbose_name_plural = _("诉求附件")

    def __str__(self) -> str:
        return self.name


class AppealNumberCounter(models.Model):
    """The last appeal number given out per zone and year (locked to number)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["zone_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "year"], name="appeal_number_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.zone_id}-{self.year}: {self.last}"


class AppealQueueCount(models.Model):
    """How many orders a queue holds (the roll-up of the queue tabs): one row per zone,
    department (None for the centre's board) and queue, kept by the services in the same
    transaction as the write that moves an order (``services.queue_counts``). Only the
    queues a write decides are kept; 即将超期 / 已超期 follow the clock and are counted live
    on the index of the orders not yet replied."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    queue = models.CharField(max_length=20)
    count = models.IntegerField(default=0)

    class Meta:
        ordering = ["zone_id", "department_id", "queue"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "queue"],
                condition=Q(department__isnull=True),
                name="appeal_queue_count_centre",
            ),
            models.UniqueConstraint(
                fields=["zone", "department", "queue"],
                condition=Q(department__isnull=False),
                name="appeal_queue_count_department",
            ),
            models.CheckConstraint(name="appeal_queue_count_positive", condition=Q(count__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.zone_id} · {self.department_id or 'centre'} · {self.queue}: {self.count}"
