"""Core records: the audit chain, the holiday notices loaded by administrators, task
leases and the in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("audit records are append-only: they cannot be updated")

    def delete(self):
        raise TypeError("audit records are append-only: they cannot be deleted")


class AuditEvent(models.Model):
    """审计日志: one append-only event.

    Written unchained inside the audited transaction (no lock); the chainer links it
    afterwards in an :class:`AuditLink` (``sequence``, ``previous_hash``, ``hash`` =
    sha256(previous hash + canonical JSON of the event)); see :mod:`onewindow.core.audit`
    and ADR 0004. Rows are never updated or deleted (等保 level 3 keeps audit logs at least
    six months, protected from change); a database trigger refuses UPDATE and DELETE as
    well. On PostgreSQL the table also has a ``transaction_id`` column (``xid8``, filled by
    the database with ``pg_current_xact_id()``) that the chainer orders by; the ORM never
    writes it.
    """

    occurred_at = models.DateTimeField(_("发生时间"))
    actor = models.CharField(_("操作人"), max_length=150, blank=True)
    actor_id = models.CharField(_("操作人标识"), max_length=64, blank=True)
    action = models.CharField(_("动作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象标识"), max_length=128, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"]),
            models.Index(fields=["actor_id", "id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise TypeError("audit events are append-only: they cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit events are append-only: they cannot be deleted")


class AuditLink(models.Model):
    """审计链环节: the hash link of one event, written once by the chainer.

    ``sequence`` is gapless; ``hash`` = sha256(``previous_hash`` + canonical JSON of the
    event with this sequence). Insert-only (model, queryset and a database trigger).
    """

    sequence = models.PositiveBigIntegerField(_("序号"), primary_key=True)
    event = models.OneToOneField(
        AuditEvent, on_delete=models.PROTECT, related_name="link", verbose_name=_("事件")
    )
    previous_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("审计链环节")
        verbose_name_plural = _("审计链环节")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise TypeError("audit links are append-only: they cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit links are append-only: they cannot be deleted")


class AuditChainHead(models.Model):
    """The last link of the audit chain (its sequence and hash), moved forward only by the
    chainer in the transaction that writes the links; a trigger refuses moving it back,
    rewriting the hash of a sequence, and deleting it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_singleton")
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]}"


class AuditCheckpoint(models.Model):
    """审计链检查点: the chain's head at one moment, signed with a zone's Ed25519 key, so a
    copy kept outside the database can prove the chain was not rewritten below it.
    Insert-only (a database trigger refuses UPDATE and DELETE)."""

    sequence = models.PositiveBigIntegerField(_("序号"), unique=True)
    hash = models.CharField(_("哈希"), max_length=64)
    created_at = models.DateTimeField(_("签署时间"))
    key_id = models.CharField(_("密钥标识"), max_length=64)
    algorithm = models.CharField(_("算法"), max_length=16, default="Ed25519")
    signature = models.CharField(_("签名"), max_length=128)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("审计链检查点")
        verbose_name_plural = _("审计链检查点")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]} {self.key_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise TypeError("audit checkpoints are append-only: they cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit checkpoints are append-only: they cannot be deleted")


class CalendarRevision(models.Model):
    """A counter bumped by every change to holiday notices or zone overrides.

    Working calendars are cached per process and rebuilt when the counter moves.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("日历版本")
        verbose_name_plural = _("日历版本")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="calendar_revision_singleton")
        ]

    def __str__(self) -> str:
        return str(self.value)


class HolidayNotice(models.Model):
    """国务院办公厅节假日安排通知: one year's statutory holidays and make-up working days.

    A loaded notice replaces what ``chinesecalendar`` says about that year (it may be a
    year the package does not know yet, or a correction).
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    title = models.CharField(_("通知名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)
    loaded_by = models.CharField(_("载入人"), max_length=150, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("节假日安排通知")
        verbose_name_plural = _("节假日安排通知")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class HolidayNoticeDay(models.Model):
    """One day a notice declares a holiday or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        MAKEUP_WORKDAY = "makeup_workday", _("调休上班")

    notice = models.ForeignKey(
        HolidayNotice, on_delete=models.CASCADE, related_name="days", verbose_name=_("通知")
    )
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=50)

    class Meta:
        ordering = ["date"]
        verbose_name = _("通知中的日期")
        verbose_name_plural = _("通知中的日期")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class ThrottleCount(models.Model):
    """Requests counted for a request limit (``core.throttle``) when the cache is not Redis:
    one row per hashed client address and scope (``bucket``) and window. Written only by
    ``throttle.DatabaseCounter`` with one atomic upsert; rows of ended windows are deleted."""

    bucket = models.CharField(max_length=100)
    window_start = models.BigIntegerField()  # epoch seconds
    expires = models.BigIntegerField()  # epoch seconds: the window's end
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")
        constraints = [
            models.UniqueConstraint(
                fields=["bucket", "window_start"], name="throttle_count_bucket_window"
            )
        ]
        indexes = [models.Index(fields=["expires"], name="throttle_count_expires")]

    def __str__(self) -> str:
        return f"{self.bucket}@{self.window_start}: {self.count}"


class TaskLease(models.Model):
    """任务租约: the worker running a background task, and until when it answers for it.

    The worker writes the row when it starts the task and renews ``expires_at`` from a
    heartbeat thread; the row is deleted when the task ends or is reclaimed. A running
    task whose lease expired (its worker was killed) is put back in the queue by
    :func:`onewindow.core.workers.tasks_reclaim`. See docs/decisions/0012.
    """

    task_result = models.OneToOneField(
        "django_tasks_database.DBTaskResult",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="lease",
        verbose_name=_("任务"),
    )
    worker_id = models.CharField(_("执行进程"), max_length=64)
    taken_at = models.DateTimeField(_("开始时间"))
    renewed_at = models.DateTimeField(_("最近心跳"))
    expires_at = models.DateTimeField(_("到期时间"), db_index=True)

    class Meta:
        ordering = ["expires_at"]
        verbose_name = _("任务租约")
        verbose_name_plural = _("任务租约")

    def __str__(self) -> str:
        return f"{self.task_result_id} {self.worker_id} → {self.expires_at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """消息: an in-app message to one user (a reminder, a status change, a bad rating to
    answer), written only by :func:`onewindow.core.notifications.notify`.

    Core names no app: what the message is about is ``subject_type`` / ``subject_id`` (as
    the audit chain's ``object_type`` / ``object_id``) and where it leads is ``link``, a URL
    path. ``key``, when not empty, makes the message once per recipient (a reminder job may
    run twice); messages without a key are never deduplicated.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("收件人"),
    )
    kind = models.CharField(_("类别"), max_length=40)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    text = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=500, blank=True)
    subject_type = models.CharField(_("对象类型"), max_length=40, blank=True)
    subject_id = models.CharField(_("对象标识"), max_length=64, blank=True)
    key = models.CharField(_("去重键"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="core_notification_unread"),
            models.Index(fields=["subject_type", "subject_id"], name="core_notification_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="core_notification_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def link_label(self) -> str:
        """The words of the inbox link, as the notification's kind registered them."""
        from onewindow.core.notifications.kinds import link_label

        return link_label(self.kind)


class NotificationTemplate(models.Model):
    """消息模板: an administrator's wording of one notification kind in one language,
    replacing the kind's built-in words for recipients in that language. Written through
    ``core.notifications.templates.notification_template_save`` (validated: only the
    kind's placeholders; audited)."""

    kind = models.CharField(_("消息类别"), max_length=40)
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES)
    title = models.CharField(
        _("标题"), max_length=200, blank=True, help_text=_("留空则使用内置标题")
    )
    body = models.TextField(_("正文"), help_text=_("可用 {占位符}，见下方说明"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
    )

    class Meta:
        ordering = ["kind", "language"]
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language"], name="core_notification_template_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.language})"

    def clean(self) -> None:
        from onewindow.core.notifications.templates import validate_template

        validate_template(kind=self.kind, title=self.title, body=self.body)
