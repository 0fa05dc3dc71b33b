"""The demo zone's ratings (好差评) and rectifications: built through the reviews services.

Most delivered top-level cases (a bundle counts once, on its parent) are rated a little
after their delivery, each at its own past moment (``time_machine``, working hours on the
zone's working days, never later than now nor after the rating window), on the four
channels the platform takes: online and mobile by the applicant's representative (real
name), the window QR code and the SMS link (anonymous, through the signed link). Levels
are mostly good; the bad ones open rectifications for the responsible department, whose
reviewer or decider then rectifies and revisits at plausible later moments, so that
today the rectifications are in every state: open, overdue (open past the deadline),
rectified and waiting for the return visit, closed after a visit, and closed without a
visit (an anonymous rating).

A seeded ``random.Random(seed)`` decides: the same data each time, dated relative to the
day the demo is loaded. Idempotent: nothing is done when the zone has any rating.
Run after ``case_data.load_cases``; the audit events it appends carry the past moments
they happened at, after the cases' own events in the chain.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import time_machine
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onewindow.cases.constants import CaseStatus
from onewindow.cases.models import Case
from onewindow.core.calendar import WorkingCalendar
from onewindow.org.constants import Role
from onewindow.org.models import Representation, RoleAssignment, User, Zone
from onewindow.org.selectors import calendar_for_zone
from onewindow.reviews import links, services
from onewindow.reviews.models import (
    Channel,
    Level,
    Rating,
    Rectification,
    RectificationStatus,
    ReturnVisitOutcome,
)
from onewindow.reviews.selectors import rating_window, review_settings_for

SEED = 2026
#: Share of delivered cases that are rated.
RATED_SHARE = 0.8
#: Level weights of the ratings not planned as bad (mostly good, a few bad).
LEVEL_WEIGHTS = {
    Level.VERY_SATISFIED: 60,
    Level.SATISFIED: 25,
    Level.BASICALLY_SATISFIED: 9,
    Level.DISSATISFIED: 4,
    Level.VERY_DISSATISFIED: 2,
}
CHANNEL_WEIGHTS = {Channel.ONLINE: 40, Channel.WINDOW: 35, Channel.SMS: 15, Channel.MOBILE: 10}
WORK_START = dt.time(9, 0)
DAY_MINUTES = 8 * 60

GOOD_COMMENTS = [
    "",
    "",
    "",
    "窗口人员耐心细致，一次就办好了。",
    "网上提交很方便，进度随时可查。",
    "比承诺时间提前办结，点赞！",
    "材料一次性告知清楚，不用来回跑。",
    "帮办代办服务很贴心。",
]
BAD_COMMENTS = [
    "排队时间太长，取号后等了一个多小时。",
    "材料要求前后说法不一致，多跑了一趟。",
    "电话咨询一直占线，无人解答。",
    "窗口人员态度生硬，解释不清楚。",
    "办理进度长时间没有更新。",
]
FACTS = [
    "经调取窗口录像和叫号记录核实，反映情况基本属实。",
    "经与当班窗口人员核实，存在一次性告知不到位的问题。",
    "经核查系统记录，办件进度更新滞后属实。",
]
MEASURES = [
    "已对窗口人员开展服务规范培训，并在高峰时段增开窗口。",
    "已修订办事指南，统一材料要求，并在大厅公示。",
    "已安排专人负责咨询电话，工作时间内即时接听。",
]

logger = logging.getLogger(__name__)


#: Demo logins whose recent deliveries are left unrated (the visitor rates them).
DEMO_RATERS = ("enterprise", "person", "foreigner")


@dataclass(frozen=True)
class ReviewsSummary:
    ratings: int
    by_level: dict[int, int]
    rectifications: dict[str, int]  # open, overdue, rectified, closed


def summary(zone: Zone) -> ReviewsSummary:
    today = timezone.localdate()
    levels = Counter(Rating.objects.filter(zone=zone).values_list("level", flat=True))
    rows = Rectification.objects.filter(zone=zone)
    return ReviewsSummary(
        ratings=sum(levels.values()),
        by_level={level: levels[level] for level in Level.values if levels[level]},
        rectifications={
            "open": rows.filter(status=RectificationStatus.OPEN, due_on__gte=today).count(),
            "overdue": rows.filter(status=RectificationStatus.OPEN, due_on__lt=today).count(),
            "rectified": rows.filter(status=RectificationStatus.RECTIFIED).count(),
            "closed": rows.filter(status=RectificationStatus.CLOSED).count(),
        },
    )


class Clock:
    """Working days of the zone and moments inside their working hours, never after now."""

    def __init__(self, calendar: WorkingCalendar, now: dt.datetime) -> None:
        self.calendar = calendar
        self.now = now
        self.today = timezone.localdate(now)

    def after(self, day: dt.date, days: int) -> dt.date:
        return self.calendar.deadline(day, days, allow_provisional=True).date

    def working_days(self, start: dt.date, end: dt.date) -> int:
        return self.calendar.count(start, end, allow_provisional=True).working_days

    def moment(self, day: dt.date, rng: random.Random, *, not_before: dt.datetime) -> dt.datetime:
        start = timezone.make_aware(dt.datetime.combine(day, WORK_START))
        moment = start + dt.timedelta(minutes=rng.uniform(0, DAY_MINUTES))
        moment = max(moment, not_before + dt.timedelta(minutes=rng.uniform(5, 90)))
        return min(moment, self.now - dt.timedelta(minutes=1))


@dataclass
class Plan:
    case: Case
    level: int
    channel: str
    rated_on: dt.date
    fate: str = ""  # for a bad rating: open, overdue, rectified, closed, closed_anonymous


class Builder:
    def __init__(self, zone: Zone, *, now: dt.datetime, rng: random.Random) -> None:
        self.zone = zone
        self.rng = rng
        self.clock = Clock(calendar_for_zone(zone), now)
        self.settings = review_settings_for(zone)
        self.events: list[tuple[dt.datetime, int, Callable[[], object]]] = []
        self.ratings: dict[int, Rating] = {}  # case id → rating
        self._handlers: dict[int, User | None] = {}
        self._representatives: dict[int, User | None] = {}

    # -- who ----------------------------------------------------------------------------

    def handler(self, department_id: int) -> User | None:
        if department_id not in self._handlers:
            row = (
                RoleAssignment.objects.filter(
                    role__in=[Role.REVIEWER, Role.DECIDER],
                    department_id=department_id,
                    user__is_active=True,
                )
                .select_related("user")
                .order_by("role", "user_id")
                .first()
            )
            self._handlers[department_id] = row.user if row else None
        return self._handlers[department_id]

    def representative(self, applicant_id: int) -> User | None:
        if applicant_id not in self._representatives:
            row = (
                Representation.objects.filter(applicant_id=applicant_id, user__is_active=True)
                .select_related("user")
                .order_by("user_id")
                .first()
            )
            self._representatives[applicant_id] = row.user if row else None
        return self._representatives[applicant_id]

    # -- planning -------------------------------------------------------------------------

    def delivered(self) -> list[Case]:
        """Delivered cases to rate: all but the demo logins' deliveries of the last days,
        which are left for whoever opens the demo to rate."""
        recent = self.clock.today - dt.timedelta(days=5)
        left_to_rate = Q(applicant__users__username__in=DEMO_RATERS, delivered_on__gte=recent)
        return list(
            Case.objects.filter(
                zone=self.zone,
                status=CaseStatus.DELIVERED,
                parent__isnull=True,
                delivered_at__lte=self.clock.now,
            )
            .exclude(left_to_rate)
            .distinct()
            .select_related("zone", "department", "parent", "item_version")
            .order_by("delivered_at", "pk")
        )

    def _channel(self, case: Case, *, anonymous: bool = False) -> str:
        if anonymous:
            return self.rng.choice([Channel.WINDOW, Channel.SMS])
        channel = self.rng.choices(list(CHANNEL_WEIGHTS), weights=CHANNEL_WEIGHTS.values())[0]
        if channel in (Channel.ONLINE, Channel.MOBILE) and not self.representative(
            case.applicant_id
        ):
            channel = Channel.WINDOW
        return channel

    def _rated_on(self, case: Case, *, latest_offset: int = 3) -> dt.date:
        """A working day from delivery to a few days after it, inside the window."""
        window = rating_window(case, settings=self.settings, calendar=self.clock.calendar)
        offset = self.rng.randint(0, latest_offset)
        day = case.delivered_on if offset == 0 else self.clock.after(case.delivered_on, offset)
        return min(day, window.closes_on, self.clock.today)

    def plan(self) -> list[Plan]:
        cases = self.delivered()
        if not cases:
            return []
        plans: list[Plan] = []
        # The bad ratings whose rectifications must show each state today, on the oldest
        # deliveries of departments with someone to rectify (the overdue one needs age).
        fates = ["overdue", "closed", "closed_anonymous", "rectified", "open"]
        handled = [case for case in cases if self.handler(case.department_id)]
        chosen: dict[int, str] = {}
        for fate in fates:
            pool = [case for case in handled if case.pk not in chosen]
            if fate == "open":
                pool = pool[::-1]  # the newest: its deadline is still ahead
            if fate == "rectified":
                pool = pool[len(pool) // 2 :]
            if pool:
                chosen[pool[0].pk] = fate
        for case in cases:
            fate = chosen.get(case.pk, "")
            if fate:
                level = self.rng.choice([Level.DISSATISFIED, Level.VERY_DISSATISFIED])
                anonymous = fate == "closed_anonymous"
                rated_on = case.delivered_on if fate == "overdue" else self._rated_on(case)
                plans.append(
                    Plan(case, level, self._channel(case, anonymous=anonymous), rated_on, fate)
                )
                continue
            if self.rng.random() > RATED_SHARE:
                continue
            level = self.rng.choices(list(LEVEL_WEIGHTS), weights=LEVEL_WEIGHTS.values())[0]
            plans.append(Plan(case, level, self._channel(case), self._rated_on(case)))
        return plans

    # -- scheduling ----------------------------------------------------------------------

    def at(self, moment: dt.datetime, action: Callable[[], object]) -> None:
        self.events.append((moment, len(self.events), action))

    def schedule(self, plans: list[Plan]) -> None:
        for plan in plans:
            moment = self.clock.moment(plan.rated_on, self.rng, not_before=plan.case.delivered_at)
            self.at(moment, self._rate(plan))
            if plan.level in (Level.DISSATISFIED, Level.VERY_DISSATISFIED):
                self._follow_up(plan, moment)

    def _rate(self, plan: Plan) -> Callable[[], None]:
        def run() -> None:
            actor = None
            token = None
            if plan.channel in (Channel.ONLINE, Channel.MOBILE):
                actor = self.representative(plan.case.applicant_id)
            else:
                token = links.rating_token(plan.case, plan.channel)
            bad = plan.level in (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
            comment = self.rng.choice(BAD_COMMENTS if bad else GOOD_COMMENTS)
            self.ratings[plan.case.pk] = services.rating_submit(
                case=plan.case,
                channel=plan.channel,
                level=plan.level,
                comment=comment,
                actor=actor,
                token=token,
            )

        return run

    def _follow_up(self, plan: Plan, rated_at: dt.datetime) -> None:
        """Rectify and revisit a bad rating as its fate (or its age) says."""
        handler = self.handler(plan.case.department_id)
        if handler is None:
            return
        today = self.clock.today
        fate = plan.fate
        if not fate:  # an unplanned bad rating: what its age allows
            age = self.clock.working_days(plan.rated_on, today)
            fate = "open" if age < 3 else self.rng.choice(["rectified", "closed", "closed"])
        if fate in ("open", "overdue"):
            return
        # rectified within the limit (a few days before the deadline at most), but never
        # after today; the visit a working day or two later
        age = self.clock.working_days(plan.rated_on, today)
        if fate == "rectified":
            rectify_after = max(0, age - self.rng.randint(0, 1))
        else:
            upper = min(self.settings.rectification_days, max(1, age - 2))
            rectify_after = self.rng.randint(1, upper)
        rectified_on = min(self.clock.after(plan.rated_on, rectify_after), today)
        rectified_at = self.clock.moment(rectified_on, self.rng, not_before=rated_at)
        self.at(rectified_at, self._rectify(plan.case.pk, handler))
        if fate == "rectified":
            return
        visit_on = min(self.clock.after(rectified_on, self.rng.randint(1, 2)), today)
        visited_at = self.clock.moment(visit_on, self.rng, not_before=rectified_at)
        self.at(
            visited_at, self._close(plan.case.pk, handler, anonymous=fate == "closed_anonymous")
        )

    def _rectification(self, case_id: int) -> Rectification:
        return Rectification.objects.select_related("zone", "department").get(
            rating=self.ratings[case_id]
        )

    def _rectify(self, case_id: int, handler: User) -> Callable[[], None]:
        def run() -> None:
            services.rectification_record(
                rectification=self._rectification(case_id),
                actor=handler,
                verified_facts=self.rng.choice(FACTS),
                measures=self.rng.choice(MEASURES),
            )

        return run

    def _close(self, case_id: int, handler: User, *, anonymous: bool) -> Callable[[], None]:
        def run() -> None:
            rectification = self._rectification(case_id)
            if anonymous and not rectification.rating.real_name:
                services.rectification_close_without_visit(
                    rectification=rectification,
                    actor=handler,
                    reason="匿名评价（窗口扫码），无法确定评价人，已在窗口公示整改措施。",
                )
                return
            services.return_visit_record(
                rectification=rectification,
                actor=handler,
                outcome=self.rng.choice(
                    [ReturnVisitOutcome.SATISFIED, ReturnVisitOutcome.BASICALLY_SATISFIED]
                ),
                note="电话回访，申请人认可整改措施。",
            )

        return run

    def run(self) -> None:
        if not self.events:
            return
        self.events.sort(key=lambda event: event[:2])
        with time_machine.travel(self.events[0][0], tick=False) as traveller:
            for moment, _index, action in self.events:
                traveller.move_to(moment)
                action()


@contextmanager
def _quiet_gateway() -> Iterator[None]:
    """The past notifications to departments were "sent" in the past: keep the console
    gateway from printing them all when the load commits."""
    gateway = logging.getLogger("onewindow.notify")
    level = gateway.level
    gateway.setLevel(logging.WARNING)
    try:
        yield
    finally:
        gateway.setLevel(level)


def load_reviews(zone: Zone, *, seed: int = SEED) -> ReviewsSummary:
    """Rate the zone's delivered demo cases (once: nothing when it has ratings)."""
    if not Rating.objects.filter(zone=zone).exists():
        builder = Builder(zone, now=timezone.now(), rng=random.Random(seed))
        with _quiet_gateway(), transaction.atomic():
            builder.schedule(builder.plan())
            builder.run()
    return summary(zone)
