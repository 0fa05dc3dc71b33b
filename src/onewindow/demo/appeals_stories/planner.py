"""The demo planner (``Planner``): the moves of the centre and the departments, and the
stories made of them, each told in memory on top of ``PlannerCore``."""

from __future__ import annotations

import datetime as dt

from onewindow.appeals.clock import working_hours_due
from onewindow.appeals.constants import (
    AppealAction,
    AppealEvent,
    AppealStatus,
    AssignmentRole,
    ClosingKind,
    ExtensionStatus,
    ReturnStatus,
    Satisfaction,
    SupervisionTrigger,
    Urgency,
)
from onewindow.appeals.models import (
    AppealAssignment,
    AppealExtension,
    AppealReturn,
    AppealVisit,
)
from onewindow.demo import appeals_texts as texts
from onewindow.demo.appeals_stories.core import PlannerCore
from onewindow.demo.appeals_stories.plan import (
    ADD_PART,
    APPROVE_EXTENSION,
    EXTEND,
    LATE_RETURN,
    REFUSE_EXTENSION,
    Plan,
    Stop,
)
from onewindow.org.models import Department, User


class Planner(PlannerCore):
    """Tells each order's story in memory, move by move (see ``PlannerCore`` for the
    time, the order and the 督办 job)."""

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
