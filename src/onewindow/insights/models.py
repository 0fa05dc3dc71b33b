"""The roll-up tables of the dashboard (电子监察与统计). ``insights`` owns nothing else: every
other table it reads belongs to another app (docs/insights.md).

- :class:`CalendarDay`: a zone's working-day calendar as rows, so that SQL can count
  working days (``ordinal(b) - ordinal(a)``), which a plain date difference cannot.
- :class:`CaseFact`: one row per accepted item case (a standalone case or a bundle's
  child), with its working-day durations and window visits, written by the roll-up job
  (``insights.services.rollup``) for the days on which the case was accepted, decided or
  delivered.
- :class:`DailyFigures` and :class:`DailyRatings`: the facts and the ratings added up per
  day, lead department and item, for periods of months.
- :class:`MonthlyFigures`, :class:`MonthlyRatings` and :class:`MonthlyDurations`: the
  days of each closed month added up (and the working days of its decisions and
  deliveries counted per value), for periods of a year.
- :class:`RollupState`: per zone, the last day through which every day has been rolled up
  (the dashboard reads facts up to it and live data after it) and the calendar revision
  that :class:`CalendarDay` was built from.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.cases.constants import CaseStatus
from onewindow.cases.models import Case
from onewindow.catalog.models import Item
from onewindow.org.models import Department, Zone

#: A fact written while its case was in one of these statuses may still change: the
#: dashboard reads the case itself instead (``selectors``). Delivered and withdrawn
#: cases never change again, so their facts are final.
OPEN_FACT_STATUSES = (
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.SUSPENDED,
    CaseStatus.APPROVED,
    CaseStatus.DENIED,
)
FINAL_FACT_STATUSES = (CaseStatus.DELIVERED, CaseStatus.WITHDRAWN)


class CalendarDay(models.Model):
    """One day of a zone's working calendar (a copy of ``core.calendar`` for SQL).

    ``ordinal`` counts the working days from the calendar's first day up to and including
    ``date``; the working days x with a < x ≤ b are ``ordinal(b) - ordinal(a)``, exactly
    ``WorkingCalendar.count(a, b)``.
    """

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("日期"))
    working = models.BooleanField(_("工作日"))
    ordinal = models.PositiveIntegerField(_("累计工作日序号"))

    class Meta:
        ordering = ["zone_id", "date"]
        verbose_name = _("统计用工作日历")
        verbose_name_plural = _("统计用工作日历")
        constraints = [
            models.UniqueConstraint(fields=["zone", "date"], name="insights_calendar_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.date} {self.ordinal}"


class CaseFact(models.Model):
    """统计事实: one accepted item case as the dashboard counts it (written by the roll-up).

    Durations are working days in the zone calendar, the acceptance day not counted (the
    clock's rule): ``decision_days`` from acceptance to decision, ``delivery_days`` from
    acceptance to delivery. ``window_visits`` is the number of days the applicant had to
    come to the window (docs/insights.md, "最多跑一次"); 0 means 全程网办.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("牵头部门")
    )
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态（统计时）"), max_length=30, choices=CaseStatus.choices)
    channel = models.CharField(_("申请渠道"), max_length=20)
    acceptance_mode = models.CharField(_("受理方式"), max_length=20)
    accepted_on = models.DateField(_("受理日期"))
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    decision_days = models.IntegerField(_("受理至决定（工作日）"), null=True, blank=True)
    delivery_days = models.IntegerField(_("受理至送达（工作日）"), null=True, blank=True)
    window_visits = models.PositiveSmallIntegerField(_("到窗口次数"), default=0)
    rolled_at = models.DateTimeField(_("统计时间"))

    class Meta:
        ordering = ["zone_id", "accepted_on", "case_id"]
        verbose_name = _("办件统计事实")
        verbose_name_plural = _("办件统计事实")
        # One index per date: the dashboard reads each family of figures (accepted,
        # decided, delivered) from its date's index alone on PostgreSQL (the columns the
        # family needs are included: an index-only scan). Other databases ignore
        # ``include``.
        indexes = [
            models.Index(
                fields=["zone", "accepted_on"],
                include=["case", "department", "item", "acceptance_mode", "status"],
                name="insights_fact_accepted",
            ),
            models.Index(
                fields=["zone", "decided_on"],
                include=[
                    "case",
                    "department",
                    "item",
                    "on_time",
                    "decision_days",
                    "window_visits",
                ],
                name="insights_fact_decided",
            ),
            models.Index(
                fields=["zone", "delivered_on"],
                include=["case", "department", "item", "delivery_days"],
                name="insights_fact_delivered",
            ),
            # Facts that may still change: the dashboard reads their cases live.
            models.Index(
                fields=["zone"],
                condition=Q(status__in=OPEN_FACT_STATUSES),
                name="insights_fact_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class FigureCounts(models.Model):
    """The case figures a roll-up row adds up (each family counted on its own date)."""

    accepted = models.PositiveIntegerField(_("受理"), default=0)
    tolerated = models.PositiveIntegerField(_("容缺受理"), default=0)
    commitment = models.PositiveIntegerField(_("告知承诺"), default=0)
    decided = models.PositiveIntegerField(_("办结"), default=0)
    on_time = models.PositiveIntegerField(_("按时办结"), default=0)
    decision_days_total = models.PositiveIntegerField(_("受理至决定工作日合计"), default=0)
    decision_days_count = models.PositiveIntegerField(_("受理至决定计入件数"), default=0)
    online = models.PositiveIntegerField(_("全程网办"), default=0)
    one_visit = models.PositiveIntegerField(_("最多跑一次"), default=0)
    delivered = models.PositiveIntegerField(_("送达"), default=0)
    delivery_days_total = models.PositiveIntegerField(_("受理至送达工作日合计"), default=0)
    delivery_days_count = models.PositiveIntegerField(_("受理至送达计入件数"), default=0)

    class Meta:
        abstract = True


class DailyFigures(FigureCounts):
    """日汇总: the case figures of one day for one lead department and item, each family
    counted on its own date (accepted on ``day``, decided on ``day``, delivered on
    ``day``). Rebuilt from the facts by the roll-up for the days it rolls; the dashboard
    adds these rows up for the days through ``RollupState.rolled_through``."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["zone_id", "day", "department_id", "item_id"]
        verbose_name = _("办件日汇总")
        verbose_name_plural = _("办件日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "day", "department", "item"], name="insights_daily_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.day} {self.department_id}/{self.item_id}"


class DailyRatings(models.Model):
    """评价日汇总: ratings given on ``day`` per responsible department, item (none for a
    bundle's rating) and level. Ratings never change once given."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("评价等级"))
    ratings = models.PositiveIntegerField(_("评价数"))

    class Meta:
        ordering = ["zone_id", "day", "department_id", "item_id", "level"]
        verbose_name = _("评价日汇总")
        verbose_name_plural = _("评价日汇总")
        indexes = [models.Index(fields=["zone", "day"], name="insights_daily_ratings_day")]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.day} {self.department_id}/{self.item_id} {self.level}"


class MonthlyFigures(FigureCounts):
    """月汇总: the daily figures of one closed month (``month`` is its first day) for one
    lead department and item, added up. A month is closed once every day of it is
    through ``RollupState.rolled_through``; its rows are rebuilt whenever one of its days
    is rolled again, so a month is always the sum of its days."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["zone_id", "month", "department_id", "item_id"]
        verbose_name = _("办件月汇总")
        verbose_name_plural = _("办件月汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "month", "department", "item"], name="insights_monthly_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.month:%Y-%m} {self.department_id}/{self.item_id}"


class MonthlyRatings(models.Model):
    """评价月汇总: the daily ratings of one closed month added up (as ``MonthlyFigures``)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("评价等级"))
    ratings = models.PositiveIntegerField(_("评价数"))

    class Meta:
        ordering = ["zone_id", "month", "department_id", "item_id", "level"]
        verbose_name = _("评价月汇总")
        verbose_name_plural = _("评价月汇总")
        indexes = [models.Index(fields=["zone", "month"], name="insights_monthly_ratings")]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.month:%Y-%m} {self.department_id}/{self.item_id}"


class MonthlyDurations(models.Model):
    """工作日分布月汇总: of the facts decided (``family`` "d") or delivered ("l") in one
    closed month, how many took ``days`` working days, per lead department and item: the
    medians of long periods are read from these counts (``selectors.median_of_counts``)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    family = models.CharField(_("类别"), max_length=1)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    days = models.IntegerField(_("工作日"))
    cases = models.PositiveIntegerField(_("件数"))

    class Meta:
        ordering = ["zone_id", "month", "family", "department_id", "item_id", "days"]
        verbose_name = _("工作日分布月汇总")
        verbose_name_plural = _("工作日分布月汇总")
        indexes = [
            # The long-period medians read one zone's months from this index alone.
            models.Index(
                fields=["zone", "month"],
                include=["family", "department", "item", "days", "cases"],
                name="insights_monthly_durations",
            )
        ]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.month:%Y-%m} {self.family} {self.item_id}: {self.days}"


class RollupState(models.Model):
    """Where the roll-up of a zone stands."""

    zone = models.OneToOneField(Zone, on_delete=models.CASCADE, related_name="+")
    rolled_through = models.DateField(_("已汇总至"), null=True, blank=True)
    #: The last day of the last closed month whose month rows are written (None: none).
    months_through = models.DateField(_("月汇总至"), null=True, blank=True)
    calendar_revision = models.BigIntegerField(_("工作日历版本"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("最近汇总时间"), null=True, blank=True)
    last_run_from = models.DateField(_("最近汇总起始日"), null=True, blank=True)
    last_run_to = models.DateField(_("最近汇总截止日"), null=True, blank=True)
    last_run_facts = models.PositiveIntegerField(_("最近汇总办件数"), default=0)
    last_run_seconds = models.FloatField(_("最近汇总耗时（秒）"), default=0)

    class Meta:
        ordering = ["zone_id"]
        verbose_name = _("统计汇总状态")
        verbose_name_plural = _("统计汇总状态")

    def __str__(self) -> str:
        return f"{self.zone_id} → {self.rolled_through}"
