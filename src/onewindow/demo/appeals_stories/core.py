"""The demo planner's ground (``PlannerCore``): time, who asks, the order and its steps,
the 督办 job."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from onewindow.appeals.clock import Limit, due, working_days_due, working_hours_due
from onewindow.appeals.constants import (
    APPEAL_TRANSITIONS,
    DEFAULT_LIMITS,
    AppealEvent,
    AppealStatus,
    Channel,
    Nature,
    SupervisionLevel,
    SupervisionStatus,
    SupervisionTrigger,
    Urgency,
)
from onewindow.appeals.models import (
    Appeal,
    AppealStep,
    AppealSupervision,
)
from onewindow.appeals.selectors import zone_calendar
from onewindow.appeals.similarity import words_of
from onewindow.demo import appeals_texts as texts
from onewindow.demo.appeals_stories.plan import (
    ANSWER_SUPERVISION,
    CLOSE_SUPERVISION,
    MANUAL_SUPERVISION_DAYS,
    RECEIVE,
    SUPERVISE,
    WATCHED,
    Event,
    Plan,
    Stop,
    Topic,
    Who,
)
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant, Department, User
from onewindow.reviews.models import Level, Rating

if TYPE_CHECKING:
    from onewindow.demo.appeals_data import Setup


class PlannerCore:
    """The planner's ground: the zone's office time, who asks about what, the order and
    its steps and moves, and the 督办 job. ``Planner`` adds the moves of the centre and
    the departments and the stories made of them."""

    def __init__(self, setup: Setup, *, now: dt.datetime, rng: random.Random) -> None:
        self.s = setup
        self.now = now
        self.rng = rng
        self.calendar = zone_calendar(setup.zone)
        self.settings = setup.settings
        self.plans: list[Plan] = []
        enterprises = (
            Applicant.objects.filter(kind=ApplicantKind.ENTERPRISE, users__zone=setup.zone)
            .distinct()
            .order_by("pk")
        )
        self.enterprises = [(a, a.users.order_by("pk").first()) for a in enterprises]
        people = (
            Applicant.objects.filter(
                kind__in=[ApplicantKind.PERSON, ApplicantKind.FOREIGNER], users__zone=setup.zone
            )
            .distinct()
            .order_by("pk")
        )
        self.people = [(a, a.users.order_by("pk").first()) for a in people]
        # The demo's own enterprise login files a few orders in the states worth seeing.
        self.own = next(
            (pair for pair in self.enterprises if pair[1] and pair[1].username == "enterprise"),
            None,
        )
        self.topics = [
            Topic(leaf, *entry) for leaf, entries in texts.TOPICS.items() for entry in entries
        ]
        self.ratings = list(
            Rating.objects.filter(
                zone=setup.zone, level__lte=Level.DISSATISFIED, appeals__isnull=True
            )
            .select_related("case__applicant")
            .order_by("rated_at")[:2]
        )

    # -- time

    def office(self, start: dt.datetime, hours: float) -> dt.datetime:
        """``hours`` of office time after ``start`` (the zone's office hours)."""
        return working_hours_due(
            self.calendar,
            start=start,
            hours=hours,
            workday_starts=self.settings.workday_starts,
            workday_ends=self.settings.workday_ends,
        )

    def after(self, plan: Plan, start: dt.datetime, low: float, high: float) -> dt.datetime:
        """The next staff action, ``low``–``high`` office hours after ``start`` (minutes
        round the clock for an urgent order)."""
        hours = self.rng.uniform(low, high)
        if plan.appeal.urgency == Urgency.URGENT:
            return start + dt.timedelta(minutes=5 + hours * 3)
        return self.office(start, hours)

    def receipt(self, low_days: float, high_days: float) -> dt.datetime:
        """A receipt ``low``–``high`` days ago: mostly in office hours, some in the evening
        or at the weekend (the hotline and the site never close)."""
        moment = self.now - dt.timedelta(days=self.rng.uniform(low_days, high_days))
        if self.rng.random() < 0.75:
            moment = self.office(moment, 0)
        return moment.replace(microsecond=0)

    # -- who asks, about what

    def topic(
        self,
        natures: set[str] | None = None,
        leaves: set[str] | None = None,
        *,
        company: bool = False,
    ) -> Topic:
        pool = [
            t
            for t in self.topics
            if (natures is None or t.nature in natures)
            and (leaves is None or t.leaf in leaves)
            and (not company or "{company}" in t.description)
        ]
        return self.rng.choice(pool)

    def caller(self) -> tuple[str, str]:
        name = self.rng.choice(texts.CALLER_SURNAMES) + self.rng.choice(texts.CALLER_GIVEN)
        return name, f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def who(self, topic: Topic, channel: str, *, contact: bool, own: bool = False) -> Who:
        """The requester of an order about ``topic`` coming in by ``channel``: an
        enterprise when the text names one; anonymous sometimes for 举报 and 建议 (never
        when the story needs someone to call back: ``contact``)."""
        company = "{company}" in topic.description
        if (
            not company
            and not contact
            and topic.nature in (Nature.REPORT, Nature.SUGGESTION)
            and self.rng.random() < 0.6
        ):
            return Who(anonymous=True)
        if company:
            applicant, user = self.own if own and self.own else self.rng.choice(self.enterprises)
            who = Who(requester=applicant, uscc=applicant.uscc, company=applicant.name)
            if channel == Channel.ONLINE:
                who.user = user
            else:
                who.contact_name, who.contact_phone = self.caller()
            return who
        if channel == Channel.ONLINE and self.people:
            applicant, user = self.rng.choice(self.people)
            return Who(requester=applicant, user=user)
        name, phone = self.caller()
        return Who(contact_name=name, contact_phone=phone)

    # -- the order and its steps

    def new(
        self,
        story: str,
        topic: Topic,
        who: Who,
        *,
        channel: str,
        received: dt.datetime,
        urgency: str = Urgency.NORMAL,
    ) -> Plan:
        description = topic.description.format(company=who.company or "我公司")
        unit, amount = DEFAULT_LIMITS[urgency]
        appeal = Appeal(
            zone=self.s.zone,
            channel=channel,
            nature=topic.nature,
            urgency=urgency,
            category=self.s.categories[topic.leaf],
            subject=topic.subject,
            description=description,
            words=" ".join(words_of(f"{topic.subject}\n{description}")),
            requester=who.requester,
            requester_user=who.user,
            anonymous=who.anonymous,
            contact_name=who.contact_name,
            contact_phone=who.contact_phone,
            confidential=not who.anonymous and self.rng.random() < 0.12,
            subject_uscc=who.uscc,
            status=AppealStatus.RECEIVED,
            limit_unit=unit,
            limit_amount=amount,
            received_by=self.s.operator if channel == Channel.HOTLINE else None,
            created_at=received,
        )
        plan = Plan(appeal=appeal, story=story)
        self.set_clock(plan, received)
        receiver = who.user if channel == Channel.ONLINE else appeal.received_by
        event = AppealEvent.IMPORTED if channel == Channel.IMPORT else AppealEvent.RECEIVED
        self.step(plan, RECEIVE, received, actor=receiver, event=event)
        return plan

    def set_clock(self, plan: Plan, start: dt.datetime) -> None:
        appeal = plan.appeal
        result = due(
            self.calendar,
            start=start,
            limit=Limit(appeal.limit_unit, appeal.limit_amount, appeal.extended_days),
            workday_ends=self.settings.workday_ends,
            warn_percent=self.settings.warn_percent,
        )
        appeal.clock_started_at = start
        appeal.due_at = result.due_at
        appeal.warn_at = result.warn_at
        appeal.due_provisional = result.provisional

    def step(
        self,
        plan: Plan,
        action: str,
        at: dt.datetime,
        *,
        actor: User | None,
        event: str,
        department: Department | None = None,
        note: str = "",
        data: dict | None = None,
    ) -> None:
        """A history step that does not move the status, and its audit event."""
        if action not in (SUPERVISE, ANSWER_SUPERVISION, CLOSE_SUPERVISION):
            self.watch(plan, at)
        self._record(plan, action, at, actor=actor, department=department, note=note)
        plan.events.append(Event(at, event, actor, dict(data or {})))

    def _record(self, plan, action, at, *, actor, department, note, before="", after=""):
        if plan.last is not None and at < plan.last:
            at = plan.last + dt.timedelta(minutes=1)
        if at > self.now - dt.timedelta(minutes=1):
            raise Stop
        plan.last = at
        plan.steps.append(
            (
                at,
                AppealStep(
                    action=action,
                    from_status=before,
                    to_status=after,
                    department=department,
                    actor=actor,
                    note=note,
                    created_at=at,
                ),
            )
        )

    def move(
        self,
        plan: Plan,
        action: str,
        at: dt.datetime,
        *,
        actor: User | None,
        event: str,
        department: Department | None = None,
        note: str = "",
        reason: str = "",
    ) -> dt.datetime:
        """Move the order by ``action`` as the transition table says (a story the table
        refuses is a bug of this module: ``Conflict``), with its step and audit event."""
        self.watch(plan, at)
        before = plan.appeal.status
        after = APPEAL_TRANSITIONS.target(before, action)
        plan.appeal.status = after
        self._record(
            plan,
            action,
            at,
            actor=actor,
            department=department,
            note=note or reason,
            before=before,
            after=after,
        )
        at = plan.last
        plan.moves.append((at, after))
        data = {"from": str(before), "to": str(after)}
        if reason:
            data["reason"] = reason
        plan.events.append(Event(at, event, actor, data))
        return at

    # -- 督办

    def watch(self, plan: Plan, until: dt.datetime) -> None:
        """The 督办 job: an order a department holds past its deadline gets an OVERDUE
        督办 at the job's first run after the deadline (office hours), once."""
        appeal = plan.appeal
        if (
            appeal.status not in WATCHED
            or appeal.due_at is None
            or SupervisionTrigger.OVERDUE in plan.open_supervisions
        ):
            return
        run = self.office(appeal.due_at, 0.25)
        if run < until and run < self.now - dt.timedelta(minutes=2):
            self.supervise(plan, run, SupervisionTrigger.OVERDUE)

    def supervise(
        self,
        plan: Plan,
        at: dt.datetime,
        trigger: str,
        *,
        actor: User | None = None,
        level: str | None = None,
    ) -> AppealSupervision | None:
        rule = self.s.rules.get(trigger)
        if trigger != SupervisionTrigger.MANUAL and rule is None:
            return None  # a trigger without a rule raises nothing
        if trigger in plan.open_supervisions:
            return None  # a trigger that fires again is not a new 督办
        level = level or rule.level
        days = rule.answer_within_days if rule else MANUAL_SUPERVISION_DAYS
        note = texts.SUPERVISION_NOTES[trigger]
        self.step(
            plan,
            SUPERVISE,
            at,
            actor=actor,
            event=AppealEvent.SUPERVISED,
            department=plan.appeal.lead_department,
            note=f"{SupervisionLevel(level).label}：{note}",
            data={"trigger": str(trigger), "level": str(level)},
        )
        at = plan.last
        supervision = AppealSupervision(
            department=plan.appeal.lead_department,
            level=level,
            trigger=trigger,
            note=note,
            due_at=working_days_due(self.calendar, at, days, self.settings.workday_ends)[0],
            opened_by=actor,
            created_at=at,
        )
        plan.supervisions.append(supervision)
        return supervision

    def answer_supervisions(self, plan: Plan, at: dt.datetime) -> None:
        for supervision in plan.open_supervisions.values():
            if supervision.status != SupervisionStatus.OPEN:
                continue
            supervision.status = SupervisionStatus.ANSWERED
            supervision.response = self.rng.choice(texts.SUPERVISION_RESPONSES)
            supervision.answered_at = at
            self.step(
                plan,
                ANSWER_SUPERVISION,
                at,
                actor=self.handler(plan),
                event=AppealEvent.SUPERVISION_ANSWERED,
                department=supervision.department,
                note=supervision.response,
                data={"trigger": str(supervision.trigger)},
            )

    def close_supervisions(self, plan: Plan, at: dt.datetime) -> None:
        for supervision in plan.open_supervisions.values():
            if supervision.status != SupervisionStatus.ANSWERED:
                continue
            supervision.status = SupervisionStatus.CLOSED
            supervision.closed_at = at
            self.step(
                plan,
                CLOSE_SUPERVISION,
                at,
                actor=self.s.supervisor,
                event=AppealEvent.SUPERVISION_CLOSED,
                department=supervision.department,
                note="已核实办理情况，督办销号。",
                data={"trigger": str(supervision.trigger)},
            )
