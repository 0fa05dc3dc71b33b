"""好差评: ratings of delivered cases, and the rectification of bad ones (整改 / 回访).

Rules (GLOSSARY.md, "Ratings"; docs/reviews.md): five levels; one rating per case and
channel; 不满意 and 非常不满意 are bad ratings and open a rectification for the responsible
department, due within the zone's rectification limit in working days; real-name bad
ratings must all get a return visit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case
from onewindow.catalog.models import Item
from onewindow.org.models import Department, Zone


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


#: Bad ratings (差评): they open a rectification.
BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})
#: Levels counted as satisfied in the satisfaction rate.
SATISFIED_LEVELS = frozenset({Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED})


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口评价器或二维码")
    ONLINE = "online", _("网上办事大厅")
    MOBILE = "mobile", _("移动端")
    SMS = "sms", _("短信")
    HOTLINE = "hotline", _("12345 热线")


class ReviewSettings(models.Model):
    """A zone's 好差评 limits (provinces differ: 5, 7 or 15 working days are all in force)."""

    zone = models.OneToOneField(Zone, on_delete=models.CASCADE, related_name="review_settings")
    rating_window_days = models.PositiveSmallIntegerField(_("评价期限（送达后工作日）"), default=15)
    rectification_days = models.PositiveSmallIntegerField(_("整改时限（工作日）"), default=15)
    return_visit_days = models.PositiveSmallIntegerField(_("回访时限（整改后工作日）"), default=5)
    legal_basis = models.CharField(
        _("时限依据"),
        max_length=300,
        default="《国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见》（国办发〔2019〕51号）",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["zone_id"]
        verbose_name = _("好差评设置")
        verbose_name_plural = _("好差评设置")
        constraints = [
            models.CheckConstraint(
                name="review_settings_positive",
                condition=Q(rating_window_days__gte=1)
                & Q(rectification_days__gte=1)
                & Q(return_visit_days__gte=1),
            )
        ]

    def __str__(self) -> str:
        return str(self.zone)


class Rating(models.Model):
    """One rating of one case through one channel.

    ``department`` and ``item`` are copied from the case when rated (the responsible
    department and the item; a bundle's parent has no item), and ``rated_on`` is the local
    date, so the dashboard groups ratings without joining cases.
    """

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="ratings")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("责任部门")
    )
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
        verbose_name=_("事项"),
    )
    channel = models.CharField(_("评价渠道"), max_length=10, choices=Channel.choices)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    comment = models.TextField(_("评价内容"), blank=True, max_length=1000)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评价人"),
    )
    real_name = models.BooleanField(_("实名评价"), default=True)
    rated_at = models.DateTimeField(_("评价时间"))
    rated_on = models.DateField(_("评价日期"))

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        constraints = [
            models.UniqueConstraint(fields=["case", "channel"], name="rating_once_per_channel"),
            models.CheckConstraint(
                name="rating_level_1_to_5", condition=Q(level__gte=1, level__lte=5)
            ),
        ]
        indexes = [
            models.Index(fields=["zone", "rated_on", "department"], name="rating_zone_day_dept"),
            models.Index(fields=["department", "rated_on"], name="rating_dept_day"),
            # The bad ratings of a period (a twentieth of all), read with their
            # rectifications by the dashboard from this index alone.
            models.Index(
                fields=["zone", "rated_on"],
                include=["id", "department", "item"],
                condition=Q(level__in=[int(level) for level in sorted(BAD_LEVELS)]),
                name="rating_bad_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_channel_display()} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFIED = "rectified", _("已整改，待回访")
    CLOSED = "closed", _("已办结")


class ReturnVisitOutcome(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    UNREACHABLE = "unreachable", _("无法联系")


class Rectification(models.Model):
    """整改: the responsible department's handling of a bad rating, then the return visit.

    Open → rectified (what was verified and done, by ``due_on``) → closed (return visit
    with the applicant's response, by ``visit_due_on``; or, for an anonymous rating only,
    without a visit for a recorded reason). Overdue while open past ``due_on``.
    """

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name=_("责任部门"),
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    opened_on = models.DateField(_("交办日期"))
    due_on = models.DateField(_("整改期限"))
    due_provisional = models.BooleanField(_("期限为暂定"), default=False)
    verified_facts = models.TextField(_("核实情况"), blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("整改人"),
    )
    visit_due_on = models.DateField(_("回访期限"), null=True, blank=True)
    visit_due_provisional = models.BooleanField(_("回访期限为暂定"), default=False)
    visited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回访人"),
    )
    visit_outcome = models.CharField(
        _("回访结果"), max_length=20, choices=ReturnVisitOutcome.choices, blank=True
    )
    visit_note = models.TextField(_("回访记录"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    close_reason = models.TextField(
        _("未回访理由"), blank=True, help_text=_("匿名差评不回访即办结时的理由")
    )
    on_time = models.BooleanField(_("按期整改"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [
            models.Index(
                fields=["zone", "department", "due_on"],
                condition=Q(status__in=["open", "rectified"]),
                name="rectification_open",
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="rectification_rectified_has_time",
                condition=Q(status="open") | Q(rectified_at__isnull=False),
            ),
            models.CheckConstraint(
                name="rectification_closed_has_time",
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating} → {self.department}"

    @property
    def visited(self) -> bool:
        return self.visited_at is not None


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("已发送")
    NO_RECIPIENT = "no_recipient", _("无可发送的手机号码")


class RatingInvitation(models.Model):
    """短信评价邀请: the SMS link (channel ``sms``) sent once per delivered case.

    The periodic job (``reviews.tasks.send_rating_invitations``) writes one row per case,
    whatever happened, so a case is never invited twice; the gateway is called after the
    row commits.
    """

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="rating_invitation", verbose_name=_("办件")
    )
    status = models.CharField(_("状态"), max_length=20, choices=InvitationStatus.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接收人"),
    )
    phone = models.CharField(_("手机号码（脱敏）"), max_length=20, blank=True)
    sent_at = models.DateTimeField(_("发送时间"))

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("短信评价邀请")
        verbose_name_plural = _("短信评价邀请")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"
