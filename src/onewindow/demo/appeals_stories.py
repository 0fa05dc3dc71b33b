"""The stories of the demo appeals: a planner that tells each order's story in memory,
move by move through the transition table, with the clock, the 督办 job, the counts and
the history, and the recipes of the stories the demo shows (see ``appeals_data``, which
writes what is planned here in bulk).

A story that does not fit before the moment it is told up to (``Planner.now``) raises
``Stop`` and is told again from another receipt instant.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from onewindow.appeals.clock import Limit, due, working_days_due, working_hours_due
from onewindow.appeals.constants import (
    APPEAL_TRANSITIONS,
    DEFAULT_LIMITS,
    STEP_RECEIVE,
    STEP_SUPERVISED,
    STEP_SUPERVISION_ANSWERED,
    STEP_SUPERVISION_CLOSED,
    AppealAction,
    AppealEvent,
    AppealStatus,
    AssignmentRole,
    Channel,
    ClosingKind,
    ExtensionStatus,
    HandlingStep,
    Nature,
    ReturnStatus,
    Satisfaction,
    SupervisionLevel,
    SupervisionStatus,
    SupervisionTrigger,
    Urgency,
)
from onewindow.appeals.models import (
    Appeal,
    AppealAssignment,
    AppealExtension,
    AppealReturn,
    AppealStep,
    AppealSupervision,
    AppealVisit,
)
from onewindow.appeals.selectors import zone_calendar
from onewindow.appeals.similarity import words_of
from onewindow.demo import appeals_texts as texts
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant, Department, User
from onewindow.reviews.models import Level, Rating

if TYPE_CHECKING:
    from onewindow.demo.appeals_data import Setup

SPAN_DAYS = 60

#: The history's names of the steps that do not move the status (the moves use the
#: ``AppealAction`` values).
RECEIVE = STEP_RECEIVE
EXTEND = HandlingStep.EXTENSION_REQUEST.value
APPROVE_EXTENSION = HandlingStep.EXTENSION_APPROVE.value
REFUSE_EXTENSION = HandlingStep.EXTENSION_REFUSE.value
LATE_RETURN = HandlingStep.LATE_RETURN.value
ADD_PART = HandlingStep.ADD_PART.value
SUPERVISE = STEP_SUPERVISED
ANSWER_SUPERVISION = STEP_SUPERVISION_ANSWERED
CLOSE_SUPERVISION = STEP_SUPERVISION_CLOSED

#: Statuses in which the 督办 job looks for orders past their deadline (a department holds
#: them).
WATCHED = frozenset({AppealStatus.DISPATCHED, AppealStatus.HANDLING, AppealStatus.RETURN_REQUESTED})
#: Statuses an order may be merged from, and into.
MERGEABLE = frozenset(
    {
        AppealStatus.RECEIVED,
        AppealStatus.DISPATCHED,
        AppealStatus.HANDLING,
        AppealStatus.RETURN_REQUESTED,
    }
)
MANUAL_SUPERVISION_DAYS = 3


# --- one order's story -----------------------------------------------------------------------


@dataclass
class Event:
    """An audit event to append at ``at`` once the order has its id and number."""

    at: dt.datetime
    action: str
    actor: User | None
    data: dict


@dataclass
class Plan:
    """An order being written: the unsaved row and the rows of its story."""

    appeal: Appeal
    story: str
    steps: list[tuple[dt.datetime, AppealStep]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    assignments: list[AppealAssignment] = field(default_factory=list)
    returns: list[AppealReturn] = field(default_factory=list)
    extensions: list[AppealExtension] = field(default_factory=list)
    visits: list[AppealVisit] = field(default_factory=list)
    supervisions: list[AppealSupervision] = field(default_factory=list)
    moves: list[tuple[dt.datetime, str]] = field(default_factory=list)  # (when, status after)
    last: dt.datetime | None = None
    merge_into: Plan | None = None
    topic_reply: str = ""
    special: tuple | None = None  # the 不予受理 or emergency entry it was made from

    @property
    def open_supervisions(self) -> dict[str, AppealSupervision]:
        return {
            sup.trigger: sup for sup in self.supervisions if sup.status != SupervisionStatus.CLOSED
        }

    def status_at(self, moment: dt.datetime) -> str:
        status = AppealStatus.RECEIVED
        for at, after in self.moves:
            if at > moment:
                break
            status = after
        return status

    def current(self, department: Department) -> AppealAssignment | None:
        return next(
            (a for a in self.assignments if a.is_current and a.department_id == department.pk),
            None,
        )


class Stop(Exception):
    """The story does not fit before now (or not as planned): try another receipt."""


@dataclass
class Who:
    requester: Applicant | None = None
    user: User | None = None
    contact_name: str = ""
    contact_phone: str = ""
    uscc: str = ""
    company: str = ""
    anonymous: bool = False


@dataclass(frozen=True)
class Topic:
    leaf: str
    nature: str
    subject: str
    description: str
    reply: str


# --- the planner -------------------------------------------------------------------------------


class Planner:
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

    # -- the moves of the centre and the departments

    def handler(self, plan: Plan, department: Department | None = None) -> User | None:
        department = department or plan.appeal.lead_department
        return self.s.handlers.get(department.pk) if department else None

    def dispatch(self, plan: Plan, at: dt.datetime, *, lead: Department | None = None) -> None:
        """派单 by the catalogue (or to ``lead`` on a re-dispatch: co-departments stay)."""
        appeal = plan.appeal
        leaf = appeal.category.code
        redispatch = appeal.status == AppealStatus.RETURN_REQUESTED
        lead = lead or self.s.leads[leaf]
        action = AppealAction.REDISPATCH if redispatch else AppealAction.DISPATCH
        event = AppealEvent.REDISPATCHED if redispatch else AppealEvent.DISPATCHED
        at = self.move(
            plan,
            action,
            at,
            actor=self.s.dispatcher,
            event=event,
            department=lead,
            note=f"派往{lead.short_name}" if not redispatch else f"改派{lead.short_name}",
        )
        if redispatch:
            # The former lead leaves; a co-department that now leads holds one assignment.
            for assignment in plan.assignments:
                if assignment.is_current and (
                    assignment.role == AssignmentRole.LEAD or assignment.department_id == lead.pk
                ):
                    assignment.is_current = False
        appeal.lead_department = lead
        self._dispatched(plan, at)
        plan.assignments.append(
            AppealAssignment(department=lead, role=AssignmentRole.LEAD, created_at=at)
        )
        if not redispatch:
            for department in self.s.co.get(leaf, []):
                if department.pk != lead.pk:
                    plan.assignments.append(
                        AppealAssignment(
                            department=department, role=AssignmentRole.CO, created_at=at
                        )
                    )

    def _dispatched(self, plan: Plan, at: dt.datetime) -> None:
        appeal = plan.appeal
        appeal.dispatched_at = at
        appeal.return_until = at + dt.timedelta(hours=self.settings.return_window_hours)
        appeal.sign_due_at = working_hours_due(
            self.calendar,
            start=at,
            hours=self.settings.sign_within_working_hours,
            workday_starts=self.settings.workday_starts,
            workday_ends=self.settings.workday_ends,
        )
        appeal.signed_at = None

    def sign(self, plan: Plan, *, late: bool = False) -> dt.datetime:
        appeal = plan.appeal
        if late:
            at = self.after(plan, appeal.sign_due_at, 0.3, 5)
        else:
            limit = self.settings.sign_within_working_hours
            at = self.after(plan, appeal.dispatched_at, 0.1, limit * 0.9)
        at = self.move(
            plan,
            AppealAction.SIGN,
            at,
            actor=self.handler(plan),
            event=AppealEvent.SIGNED,
            department=appeal.lead_department,
        )
        appeal.signed_at = at
        appeal.sign_overdue = at > appeal.sign_due_at
        plan.current(appeal.lead_department).signed_at = at
        return at

    def add_parts(self, plan: Plan, at: dt.datetime) -> dt.datetime:
        """The co-departments sign their part and add their opinion."""
        for assignment in plan.assignments:
            if assignment.role != AssignmentRole.CO or not assignment.is_current:
                continue
            at = self.after(plan, at, 0.5, 6)
            assignment.signed_at = at
            assignment.part_reply = self.rng.choice(texts.PART_REPLIES)
            assignment.part_replied_at = at
            self.step(
                plan,
                ADD_PART,
                at,
                actor=self.handler(plan, assignment.department),
                event=AppealEvent.PART_ADDED,
                department=assignment.department,
                note=assignment.part_reply,
            )
            at = plan.last
        return at

    def send_back(self, plan: Plan, at: dt.datetime) -> tuple[dt.datetime, Department]:
        """The lead department asks, within the return window, to send the order back."""
        appeal = plan.appeal
        other = self.s.departments[texts.MISROUTED[appeal.lead_department.code]]
        reason = self.rng.choice(texts.RETURN_REASONS).format(department=other.short_name)
        if at > appeal.return_until:
            raise Stop
        at = self.move(
            plan,
            AppealAction.RETURN,
            at,
            actor=self.handler(plan),
            event=AppealEvent.RETURN_REQUESTED,
            department=appeal.lead_department,
            reason=reason,
        )
        plan.returns.append(
            AppealReturn(
                department=appeal.lead_department,
                reason=reason,
                requested_by=self.handler(plan),
                requested_at=at,
            )
        )
        appeal.return_count += 1
        return at, other

    def late_return(self, plan: Plan, at: dt.datetime) -> dt.datetime:
        """A return asked after the window: refused at once, and counted."""
        appeal = plan.appeal
        if at <= appeal.return_until:
            raise Stop
        other = self.s.departments[texts.MISROUTED[appeal.lead_department.code]]
        reason = texts.LATE_RETURN_REASONS[0].format(department=other.short_name)
        plan.returns.append(
            AppealReturn(
                department=appeal.lead_department,
                reason=reason,
                status=ReturnStatus.LATE,
                requested_by=self.handler(plan),
                requested_at=at,
                decided_at=at,
            )
        )
        appeal.late_return_count += 1
        self.step(
            plan,
            LATE_RETURN,
            at,
            actor=self.handler(plan),
            event=AppealEvent.RETURN_REFUSED_LATE,
            department=appeal.lead_department,
            note=f"{reason}（已超过派单后{self.settings.return_window_hours}小时的退回时限，"
            "退回不予受理）",
        )
        return plan.last

    def decide_return(self, plan: Plan, at: dt.datetime, other: Department, *, designate: bool):
        """The centre re-dispatches to ``other`` or designates the same department."""
        pending = plan.returns[-1]
        pending.decided_by = self.s.dispatcher
        if designate:
            appeal = plan.appeal
            note = self.rng.choice(texts.DESIGNATION_NOTES)
            appeal.designated = True
            at = self.move(
                plan,
                AppealAction.DESIGNATE,
                at,
                actor=self.s.dispatcher,
                event=AppealEvent.DESIGNATED,
                department=appeal.lead_department,
                note=note,
            )
            self._dispatched(plan, at)
            pending.status = ReturnStatus.DESIGNATED
        else:
            self.dispatch(plan, at, lead=other)
            at = plan.last
            pending.status = ReturnStatus.REDISPATCHED
        pending.decided_at = at
        return at

    def ask_extension(self, plan: Plan, at: dt.datetime) -> AppealExtension:
        appeal = plan.appeal
        days = 10 if appeal.urgency == Urgency.DIFFICULT else 5
        reason = self.rng.choice(texts.EXTENSION_REASONS)
        self.step(
            plan,
            EXTEND,
            at,
            actor=self.handler(plan),
            event=AppealEvent.EXTENSION_REQUESTED,
            department=appeal.lead_department,
            note=f"申请延期{days}个工作日：{reason}",
            data={"days": days},
        )
        extension = AppealExtension(
            department=appeal.lead_department,
            days=days,
            reason=reason,
            requested_by=self.handler(plan),
            requested_at=plan.last,
        )
        plan.extensions.append(extension)
        return extension

    def decide_extension(self, plan: Plan, at: dt.datetime, *, approve: bool) -> None:
        appeal = plan.appeal
        extension = plan.extensions[-1]
        reasons = texts.EXTENSION_APPROVALS if approve else texts.EXTENSION_REFUSALS
        extension.decision_reason = self.rng.choice(reasons)
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        extension.decided_by = self.s.dispatcher
        self.step(
            plan,
            APPROVE_EXTENSION if approve else REFUSE_EXTENSION,
            at,
            actor=self.s.dispatcher,
            event=AppealEvent.EXTENSION_DECIDED,
            department=appeal.lead_department,
            note=("同意延期：" if approve else "不同意延期：") + extension.decision_reason,
            data={"approved": approve, "days": extension.days},
        )
        extension.decided_at = plan.last
        if approve:
            appeal.extended_days += extension.days
            appeal.extension_count += 1
            self.set_clock(plan, appeal.clock_started_at)

    def reply(self, plan: Plan, at: dt.datetime, *, text: str) -> dt.datetime:
        appeal = plan.appeal
        at = self.move(
            plan,
            AppealAction.REPLY,
            at,
            actor=self.handler(plan),
            event=AppealEvent.REPLIED,
            department=appeal.lead_department,
            note=text,
        )
        appeal.reply = text
        appeal.replied_at = at
        appeal.overdue = at > appeal.due_at
        appeal.reopen_until = at + dt.timedelta(days=self.settings.reopen_window_days)
        self.answer_supervisions(plan, at)
        return plan.last

    def review_reply(self, plan: Plan, at: dt.datetime, *, approve: bool = True) -> dt.datetime:
        appeal = plan.appeal
        if approve:
            at = self.move(
                plan,
                AppealAction.APPROVE_REPLY,
                at,
                actor=self.s.dispatcher,
                event=AppealEvent.REPLY_APPROVED,
            )
            appeal.answered_at = at
            if self.rng.random() < 0.8:
                self.close_supervisions(plan, self.after(plan, at, 0.5, 4))
            return plan.last
        return self.move(
            plan,
            AppealAction.REJECT_REPLY,
            at,
            actor=self.s.dispatcher,
            event=AppealEvent.REPLY_REJECTED,
            department=appeal.lead_department,
            reason=texts.REPLY_REJECTIONS[0],
        )

    def visit(self, plan: Plan, at: dt.datetime, *, good: bool) -> dt.datetime:
        """回访: 满意 closes the order; 不满意 (or unresolved) reopens it."""
        appeal = plan.appeal
        by_requester = appeal.requester_user is not None and self.rng.random() < 0.5
        if good:
            satisfaction = self.rng.choice([Satisfaction.SATISFIED] * 4 + [Satisfaction.BASICALLY])
            resolved = True
        else:
            satisfaction = Satisfaction.DISSATISFIED
            resolved = self.rng.random() < 0.3
        note = self.rng.choice(texts.VISIT_NOTES["good" if good else "bad"])
        actor = appeal.requester_user if by_requester else self.s.dispatcher
        plan.visits.append(
            AppealVisit(
                satisfaction=satisfaction,
                resolved=resolved,
                note=note,
                visited_by=actor,
                by_requester=by_requester,
                created_at=at,
            )
        )
        appeal.satisfaction = satisfaction
        appeal.resolved = resolved
        label = f"{Satisfaction(satisfaction).label}，{'已解决' if resolved else '未解决'}"
        if good:
            at = self.move(
                plan,
                AppealAction.VISIT,
                at,
                actor=actor,
                event=AppealEvent.VISITED,
                note=f"回访：{label}。{note}",
            )
            plan.visits[-1].created_at = at
            appeal.closed_at = at
            appeal.closing_kind = ClosingKind.VISITED
            return at
        at = self.reopen(plan, at, actor=actor, note=f"回访：{label}。{note}")
        plan.visits[-1].created_at = at
        self.supervise(plan, self.after(plan, at, 0.1, 0.5), SupervisionTrigger.BAD_VISIT)
        return plan.last

    def reopen(self, plan: Plan, at: dt.datetime, *, actor: User | None, note: str):
        appeal = plan.appeal
        if appeal.status == AppealStatus.CLOSED and at > appeal.reopen_until:
            raise Stop
        at = self.move(
            plan, AppealAction.REOPEN, at, actor=actor, event=AppealEvent.REOPENED, note=note
        )
        appeal.reopen_count += 1
        appeal.extended_days = 0
        appeal.reply = ""
        appeal.replied_at = appeal.answered_at = appeal.reopen_until = None
        appeal.closed_at = None
        appeal.closing_kind = ""
        appeal.overdue = False
        self.set_clock(plan, at)
        if appeal.reopen_count >= 2:
            self.supervise(plan, at, SupervisionTrigger.REOPENED_TWICE)
        return at

    def close_by_centre(self, plan: Plan, at: dt.datetime) -> dt.datetime:
        appeal = plan.appeal
        reason = texts.CENTRE_CLOSING[1 if appeal.anonymous else 0]
        at = self.move(
            plan,
            AppealAction.CLOSE,
            at,
            actor=self.s.dispatcher,
            event=AppealEvent.CLOSED,
            reason=reason,
        )
        appeal.closed_at = at
        appeal.closing_kind = ClosingKind.CENTRE
        return at

    # -- the stories

    def handled(self, plan: Plan, *, late_sign: bool = False, parts: bool = True) -> dt.datetime:
        """Dispatched by the catalogue and signed (co-departments add their part)."""
        self.dispatch(plan, self.after(plan, plan.last, 0.1, 1.2))
        at = self.sign(plan, late=late_sign)
        if parts:
            at = self.add_parts(plan, at)
        return at

    def replied(self, plan: Plan, start: dt.datetime, *, late: bool = False) -> dt.datetime:
        appeal = plan.appeal
        text = plan.topic_reply
        if late:
            at = self.after(plan, appeal.due_at, 1, 14)
        elif appeal.urgency == Urgency.URGENT:
            at = start + dt.timedelta(minutes=self.rng.uniform(20, 60))
        else:
            at = self.after(plan, start, 2, 24)
            if at > appeal.due_at:
                at = self.after(plan, start, 0.5, 2)
        return self.reply(plan, at, text=text)

    def answered(self, plan: Plan, start: dt.datetime, *, late: bool = False) -> dt.datetime:
        at = self.replied(plan, start, late=late)
        if self.rng.random() < 0.1:
            at = self.review_reply(plan, self.after(plan, at, 0.3, 3), approve=False)
            at = self.reply(plan, self.after(plan, at, 1, 6), text=plan.topic_reply)
        return self.review_reply(plan, self.after(plan, at, 0.3, 3))

    def closed_round(self, plan: Plan, start: dt.datetime, *, late: bool = False):
        at = self.answered(plan, start, late=late)
        if plan.appeal.anonymous:
            return self.close_by_centre(plan, self.after(plan, at, 2, 12))
        return self.visit(plan, self.after(plan, at, 3, 16), good=True)

    def finish(self, plan: Plan) -> Plan:
        self.watch(plan, self.now)
        return plan


# --- recipes: (name, weight per 300 orders, channels, natures, needs a contact, own) ----------


def _recipes(p: Planner) -> list[tuple[str, int, Callable[[Plan], None], tuple, dict]]:
    """Each story: a name, its weight among 300 orders, its timeline (raising ``Stop`` when
    it does not fit), the receipt ages in days to try, and how to pick the order."""
    now = p.now
    S = AppealStatus

    def nothing(plan: Plan) -> None:
        return None

    def instant(plan: Plan) -> None:
        appeal = plan.appeal
        article = p.rng.choice(p.s.articles[appeal.category.code])
        version = article.current_version
        at = plan.last + dt.timedelta(minutes=p.rng.uniform(3, 9))
        reply = f"依据知识库《{version.title}》（第{version.number}版）当场答复：{version.body}"
        at = p.move(
            plan,
            AppealAction.ANSWER_NOW,
            at,
            actor=p.s.operator,
            event=AppealEvent.ANSWERED_NOW,
            note=f"引用知识库《{version.title}》第{version.number}版",
        )
        appeal.knowledge_version = version
        appeal.reply = reply[:4000]
        appeal.replied_at = appeal.answered_at = appeal.closed_at = at
        appeal.reopen_until = at + dt.timedelta(days=p.settings.reopen_window_days)
        appeal.closing_kind = ClosingKind.INSTANT

    def dispatched(plan: Plan) -> None:
        p.dispatch(plan, p.after(plan, plan.last, 0.1, 1))
        if now >= plan.appeal.sign_due_at:
            raise Stop

    def late_to_sign(plan: Plan) -> None:
        p.dispatch(plan, p.after(plan, plan.last, 0.1, 1))
        if now < plan.appeal.sign_due_at + dt.timedelta(minutes=30):
            raise Stop

    def redispatched(plan: Plan) -> None:
        p.dispatch(plan, p.after(plan, plan.last, 0.1, 1))
        at, other = p.send_back(plan, p.after(plan, plan.last, 0.2, 1.5))
        p.decide_return(plan, p.after(plan, at, 0.3, 2), other, designate=False)

    def return_pending(plan: Plan) -> None:
        p.dispatch(plan, p.after(plan, plan.last, 0.1, 1))
        at = p.sign(plan) if p.rng.random() < 0.5 else plan.last
        p.send_back(plan, p.after(plan, at, 0.2, 3))

    def designated(plan: Plan, *, close: bool) -> None:
        p.dispatch(plan, p.after(plan, plan.last, 0.1, 1))
        at, other = p.send_back(plan, p.after(plan, plan.last, 0.2, 1.5))
        p.decide_return(plan, p.after(plan, at, 0.3, 2), other, designate=True)
        at = p.add_parts(plan, p.sign(plan))
        if close:
            p.closed_round(plan, at)

    def handling(plan: Plan, *, when: str) -> None:
        p.handled(plan, late_sign=p.rng.random() < 0.15)
        appeal = plan.appeal
        if p.rng.random() < 0.2 and appeal.status == S.HANDLING:
            p.late_return(plan, p.after(plan, appeal.return_until, 0.5, 8))
        if when == "green" and not now < appeal.warn_at:
            raise Stop
        if when == "warning" and not appeal.warn_at <= now < appeal.due_at:
            raise Stop
        if when == "overdue":
            if not appeal.due_at < now - dt.timedelta(hours=1):
                raise Stop
            p.watch(plan, now)
            overdue = plan.open_supervisions.get(SupervisionTrigger.OVERDUE)
            if overdue and p.rng.random() < 0.5:
                answer = p.after(plan, overdue.created_at, 1, 6)
                if answer < now - dt.timedelta(minutes=5):
                    p.answer_supervisions(plan, answer)

    def interview(plan: Plan) -> None:
        handling(plan, when="overdue")
        appeal = plan.appeal
        moment = p.office(appeal.due_at, 20)
        if moment > now - dt.timedelta(hours=1):
            raise Stop
        p.supervise(
            plan,
            moment,
            SupervisionTrigger.MANUAL,
            actor=p.s.supervisor,
            level=SupervisionLevel.INTERVIEW,
        )

    def extension(plan: Plan, *, decision: str) -> None:
        at = p.handled(plan)
        p.ask_extension(plan, p.after(plan, at, 2, 10))
        if decision != "pending":
            p.decide_extension(plan, p.after(plan, plan.last, 0.5, 4), approve=decision == "yes")
        appeal = plan.appeal
        if not now < appeal.due_at:
            raise Stop
        if decision == "yes" and p.rng.random() < 0.4:
            p.closed_round(plan, plan.last)

    def late_return(plan: Plan) -> None:
        p.handled(plan)
        p.late_return(plan, p.after(plan, plan.appeal.return_until, 0.5, 10))

    def reopened(plan: Plan, *, times: int, then_close: bool = False) -> None:
        at = p.handled(plan)
        for _ in range(times):
            at = p.answered(plan, at)
            at = p.visit(plan, p.after(plan, at, 3, 16), good=False)
        if then_close:
            p.closed_round(plan, at)

    def requester_reopen(plan: Plan) -> None:
        at = p.answered(plan, p.handled(plan))
        appeal = plan.appeal
        if p.rng.random() < 0.5:
            at = p.visit(plan, p.after(plan, at, 3, 12), good=True)
        moment = p.after(plan, at, 4, 40)
        if moment > appeal.reopen_until:
            raise Stop
        p.reopen(
            plan,
            moment,
            actor=appeal.requester_user,
            note="诉求人申请重办：问题仍未解决。",
        )

    def replied_only(plan: Plan) -> None:
        p.replied(plan, p.handled(plan))

    def rejected(plan: Plan) -> None:
        at = p.replied(plan, p.handled(plan))
        p.review_reply(plan, p.after(plan, at, 0.3, 3), approve=False)

    def answered_waiting(plan: Plan) -> None:
        p.answered(plan, p.handled(plan))
        if not now < plan.appeal.reopen_until:
            raise Stop

    def closed(plan: Plan) -> None:
        late = p.rng.random() < 0.15 and plan.appeal.urgency != Urgency.URGENT
        urgent = plan.appeal.urgency == Urgency.URGENT
        at = p.handled(plan, late_sign=not urgent and p.rng.random() < 0.1)
        p.closed_round(plan, at, late=late)

    def closed_by_centre(plan: Plan) -> None:
        at = p.answered(plan, p.handled(plan))
        p.close_by_centre(plan, p.after(plan, at, 8, 24))

    def not_accepted(plan: Plan) -> None:
        entry = plan.special
        appeal = plan.appeal
        at = p.move(
            plan,
            AppealAction.REFUSE,
            plan.last + dt.timedelta(minutes=p.rng.uniform(4, 10)),
            actor=p.s.operator,
            event=AppealEvent.REFUSED,
            reason=entry[4],
        )
        appeal.redirect_channel = entry[1]
        appeal.reply = entry[4]
        del at

    def transferred(plan: Plan) -> None:
        appeal = plan.appeal
        appeal.emergency_service = plan.special[1]
        appeal.due_at = appeal.warn_at = None
        appeal.due_provisional = False
        p.move(
            plan,
            AppealAction.TRANSFER,
            plan.last + dt.timedelta(minutes=p.rng.uniform(1, 3)),
            actor=p.s.operator,
            event=AppealEvent.TRANSFERRED,
            note=f"已转接{appeal.get_emergency_service_display()}，不计办理时限",
        )

    # (name, weight, timeline, (receipt ages in days), how to pick the order)
    return [
        ("received", 10, nothing, (0.01, 0.12), {}),
        ("instant", 30, instant, (0.1, 58), {"instant": True}),
        ("not_accepted", 10, not_accepted, (0.1, 58), {"special": texts.NOT_ACCEPTED}),
        ("transferred", 6, transferred, (0.1, 58), {"special": texts.EMERGENCIES}),
        ("dispatched", 10, dispatched, (0.01, 1.5), {}),
        ("late_to_sign", 6, late_to_sign, (0.2, 3), {}),
        ("redispatched", 4, redispatched, (0.2, 3), {}),
        ("return_pending", 7, return_pending, (0.05, 1), {}),
        ("designated", 6, lambda plan: designated(plan, close=False), (0.5, 6), {}),
        ("designated_closed", 3, lambda plan: designated(plan, close=True), (8, 58), {}),
        ("handling", 25, lambda plan: handling(plan, when="green"), (0.1, 3), {}),
        ("warning", 12, lambda plan: handling(plan, when="warning"), (3, 12), {}),
        ("overdue", 11, lambda plan: handling(plan, when="overdue"), (8, 25), {}),
        ("interview", 1, interview, (15, 30), {}),
        ("extension_pending", 5, lambda plan: extension(plan, decision="pending"), (1, 6), {}),
        ("extension_approved", 6, lambda plan: extension(plan, decision="yes"), (5, 18), {}),
        ("extension_refused", 4, lambda plan: extension(plan, decision="no"), (1, 6), {}),
        ("late_return", 4, late_return, (2, 6), {}),
        ("reopened", 6, lambda plan: reopened(plan, times=1), (5, 20), {"contact": True}),
        ("reopened_twice", 4, lambda plan: reopened(plan, times=2), (14, 40), {"contact": True}),
        ("requester_reopen", 3, requester_reopen, (5, 20), {"contact": True, "online": True}),
        ("replied", 12, replied_only, (0.5, 6), {}),
        ("reply_rejected", 3, rejected, (1, 6), {}),
        ("answered", 18, answered_waiting, (1, 8), {"contact": True, "own": 2}),
        ("closed", 71, closed, (2, 58), {"own": 2, "urgent": True}),
        ("closed_reopened", 8, lambda plan: reopened(plan, times=1, then_close=True), (12, 58),
         {"contact": True}),
        ("closed_centre", 5, closed_by_centre, (5, 58), {}),
        ("merged", 8, nothing, (0, 0), {"merge": True}),
        ("rating", 2, closed, (0, 0), {"rating": True}),
    ]  # fmt: skip


def plan_orders(planner: Planner, count: int) -> list[Plan]:
    """About ``count`` orders, each story at least once."""
    p = planner
    recipes = _recipes(p)
    total = sum(weight for _name, weight, *_rest in recipes)
    plans: list[Plan] = []
    mergers = []
    for name, weight, timeline, ages, how in recipes:
        wanted = max(1, round(weight * count / total))
        if how.get("merge"):
            mergers.append(wanted)
            continue
        if how.get("rating"):
            for rating in p.ratings[:wanted]:
                plan = _rated(p, rating, timeline)
                if plan is not None:
                    plans.append(plan)
            continue
        for index in range(wanted):
            plan = _one(p, name, timeline, ages, how, own=index < how.get("own", 0))
            if plan is not None:
                plans.append(plan)
    for wanted in mergers:
        plans += _merged(p, plans, wanted)
    return plans


def _one(p: Planner, name, timeline, ages, how, *, own: bool) -> Plan | None:
    special = None
    if how.get("instant"):
        topic = p.topic({Nature.CONSULT}, set(p.s.articles))
        channel = Channel.HOTLINE
    elif how.get("special"):
        special = p.rng.choice(how["special"])
        leaf, _kind, subject, description, *rest = special
        topic = Topic(leaf, Nature.COMPLAINT if rest else Nature.HELP, subject, description,
                      rest[0] if rest else "")  # fmt: skip
        channel = Channel.HOTLINE
    else:
        online = bool(how.get("online") or own)
        topic = p.topic(company=online)
        if online:
            channel = Channel.ONLINE
        else:
            channel = p.rng.choices(
                [Channel.ONLINE, Channel.HOTLINE, Channel.IMPORT], weights=[50, 40, 10]
            )[0]
    who = p.who(topic, channel, contact=how.get("contact", False), own=own)
    urgency = Urgency.NORMAL
    roll = p.rng.random()
    if special is None and not how.get("instant"):
        extended = name.startswith("extension") and roll < 0.5
        if extended or (name in ("closed", "closed_reopened", "designated_closed") and roll < 0.08):
            urgency = Urgency.DIFFICULT
        elif how.get("urgent") and roll > 0.9:
            urgency = Urgency.URGENT
    low, high = ages
    for attempt in range(120):
        # Told again and again further back: around weekends and long holidays (no office
        # hours for days) a story needs more room than on an ordinary Wednesday.
        stretch = 1 + attempt // 30
        received = p.receipt(low, min(high * stretch + attempt // 30, SPAN_DAYS - 1))
        try:
            plan = p.new(name, topic, who, channel=channel, received=received, urgency=urgency)
            plan.topic_reply = topic.reply
            plan.special = special
            if channel == Channel.IMPORT:
                serial = p.rng.randrange(10**5)
                plan.appeal.upstream_id = (
                    f"JS12345-{timezone.localtime(received):%Y%m%d}-{serial:05d}"
                )
            timeline(plan)
        except Stop:
            continue
        return p.finish(plan)
    return None


def _rated(p: Planner, rating: Rating, timeline) -> Plan | None:
    """A 差评 turned into an appeal by the centre (投诉, linked both ways)."""
    applicant = rating.case.applicant
    who = Who(
        requester=applicant,
        user=applicant.users.order_by("pk").first(),
        uscc=applicant.uscc,
        company=applicant.name,
    )
    leaf = "0103"
    description = f"好差评转办：{rating.get_level_display()}。" + (
        rating.comment or "评价人未填写具体意见。"
    )
    topic = Topic(
        leaf,
        Nature.COMPLAINT,
        f"差评转诉求：{rating.case.number}",
        description,
        "已联系评价人核实情况，对服务问题进行整改，并向评价人说明整改结果。",
    )
    start = max(rating.rated_at, p.now - dt.timedelta(days=SPAN_DAYS))
    for _attempt in range(60):
        received = p.office(start, p.rng.uniform(0.5, 6))
        try:
            plan = p.new("rating", topic, who, channel=Channel.RATING, received=received)
            plan.appeal.received_by = p.s.dispatcher
            plan.appeal.rating = rating
            plan.topic_reply = topic.reply
            timeline(plan)
        except Stop:
            continue
        return p.finish(plan)
    return None


def _merged(p: Planner, plans: list[Plan], wanted: int) -> list[Plan]:
    """Orders filed again by the same requester about the same thing while the first was
    still open: the centre merges them into it."""
    targets = [
        plan
        for plan in plans
        if plan.appeal.dispatched_at is not None
        and not plan.appeal.anonymous
        and plan.appeal.status not in (AppealStatus.MERGED,)
        and plan.story in ("handling", "warning", "overdue", "replied", "answered", "closed")
    ]
    p.rng.shuffle(targets)
    made: list[Plan] = []
    for target in targets:
        if len(made) >= wanted:
            break
        source = target.appeal
        first = source.created_at
        for _attempt in range(20):
            received = first + (p.now - first) * p.rng.uniform(0.05, 0.6)
            moment = p.office(received, p.rng.uniform(0.3, 2))
            if (
                moment > p.now - dt.timedelta(minutes=5)
                or target.status_at(moment) not in MERGEABLE
            ):
                continue
            channel = p.rng.choice([Channel.ONLINE, Channel.HOTLINE])
            who = Who(
                requester=source.requester,
                user=source.requester_user if channel == Channel.ONLINE else None,
                uscc=source.subject_uscc,
            )
            if channel == Channel.HOTLINE or who.user is None:
                who.user = None
                who.contact_name = source.contact_name or p.caller()[0]
                who.contact_phone = source.contact_phone or p.caller()[1]
            topic = Topic(
                source.category.code,
                source.nature,
                f"再次反映：{source.subject}"[:80],
                f"{source.description}之前已经反映过，至今还没有结果，请尽快处理。",
                "",
            )
            try:
                plan = p.new("merged", topic, who, channel=channel, received=received)
                p.move(
                    plan,
                    AppealAction.MERGE,
                    moment,
                    actor=p.s.dispatcher,
                    event=AppealEvent.MERGED,
                    note="与此前诉求内容相同，合并办理。",
                )
            except Stop:
                continue
            plan.merge_into = target
            made.append(p.finish(plan))
            break
    return made
