"""Rectifying a bad rating (整改) and the return visit (回访): deadlines in the zone
calendar, who may act, the states, and the counts the supervisor sees.

A bad rating on Mon 28 Sep 2026 is due 15 working days later, across 国庆节 (1–7 Oct) and
the make-up working day Sat 10 Oct, counted by hand:

    Tue 29 Sep 1 · Wed 30 2 · [1–7 Oct] · Thu 8 Oct 3 · Fri 9 4 · Sat 10 (调休) 5 ·
    Mon 12 6 · 13 7 · 14 8 · 15 9 · Fri 16 10 · Mon 19 11 · 20 12 · 21 13 · 22 14 ·
    Fri 23 Oct 15

and the return visit 5 working days after the rectification: from Fri 23 Oct,
Mon 26 … Fri 30 Oct.
"""

from __future__ import annotations

import pytest
import time_machine

from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.core.services import holiday_notice_load
from onewindow.org.constants import CalendarOverrideKind
from onewindow.org.services import calendar_override_set
from onewindow.reviews import links
from onewindow.reviews.constants import ReviewEventAction
from onewindow.reviews.models import (
    Channel,
    Level,
    Rectification,
    RectificationStatus,
    ReturnVisitOutcome,
    ReviewSettings,
)
from onewindow.reviews.selectors import (
    rectification_counts,
    rectification_counts_by_department,
    rectification_list,
)
from onewindow.reviews.services import (
    rating_submit,
    rectification_close_without_visit,
    rectification_deadlines_recompute,
    rectification_record,
    return_visit_record,
)
from onewindow.reviews.tests.conftest import D, at, deliver_immediate

pytestmark = pytest.mark.django_db

RATED = D(2026, 9, 28)
DUE = D(2026, 10, 23)


def bad_rating(world, *, day=RATED, anonymous=False, level=Level.DISSATISFIED):
    case = deliver_immediate(world, day)
    with time_machine.travel(at(day, 14), tick=False):
        if anonymous:
            rating = rating_submit(
                case=case,
                channel=Channel.WINDOW,
                level=level,
                token=links.rating_token(case, Channel.WINDOW),
            )
        else:
            rating = rating_submit(
                case=case, channel=Channel.ONLINE, level=level, actor=world.applicant_user
            )
    return rating.rectification


def rectify(rectification, actor, *, day, facts="属实：窗口解释不清", measures="已培训窗口人员"):
    with time_machine.travel(at(day, 11), tick=False):
        return rectification_record(
            rectification=rectification, actor=actor, verified_facts=facts, measures=measures
        )


def visit(rectification, actor, *, day, outcome=ReturnVisitOutcome.SATISFIED, note=""):
    with time_machine.travel(at(day, 16), tick=False):
        return return_visit_record(
            rectification=rectification, actor=actor, outcome=outcome, note=note
        )


# -- deadlines ---------------------------------------------------------------------------


def test_the_deadline_is_15_working_days_in_the_zone_calendar(world):
    rectification = bad_rating(world)
    assert rectification.opened_on == RATED
    assert rectification.due_on == DUE
    assert rectification.due_provisional is False


def test_a_zone_closure_pushes_the_deadline(world):
    with time_machine.travel(at(D(2026, 9, 1)), tick=False):
        calendar_override_set(
            zone=world.zone,
            date=D(2026, 10, 14),
            kind=CalendarOverrideKind.CLOSED,
            reason="台风停止办公",
            actor=world.supervisor,
        )
    assert bad_rating(world).due_on == D(2026, 10, 26)  # Mon: one working day later


def test_the_limit_is_the_zones_setting(world):
    ReviewSettings.objects.create(zone=world.zone, rectification_days=5, return_visit_days=2)
    rectification = bad_rating(world)
    # Tue 29 Sep, Wed 30, Thu 8 Oct, Fri 9, Sat 10 (调休)
    assert rectification.due_on == D(2026, 10, 10)
    rectified = rectify(rectification, world.reviewer, day=D(2026, 10, 12))
    assert rectified.on_time is False
    assert rectified.visit_due_on == D(2026, 10, 14)


def test_a_deadline_beyond_the_known_calendar_is_provisional_then_recomputed(world):
    # Mon 21 Dec 2026 + 15 working days reaches into 2027, whose notice is not known:
    # Dec 22–25 (4), 28–31 (8), [Fri 1 Jan 元旦, assumed], Jan 4–8 (13), 11 (14), Tue 12 Jan
    rectification = bad_rating(world, day=D(2026, 12, 21))
    assert rectification.due_on == D(2027, 1, 12)
    assert rectification.due_provisional is True

    # when the 2027 notice is loaded (here: 元旦 1–4 Jan), the job counts it again
    with time_machine.travel(at(D(2026, 12, 22)), tick=False):
        holiday_notice_load(
            payload={
                "year": 2027,
                "title": "国务院办公厅关于2027年部分节假日安排的通知",
                "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-04"}],
            },
            actor="admin",
        )
        assert rectification_deadlines_recompute() == 1
        assert rectification_deadlines_recompute() == 0

    rectification.refresh_from_db()
    assert rectification.due_on == D(2027, 1, 13)
    assert rectification.due_provisional is False
    event = AuditEvent.objects.get(action=ReviewEventAction.DEADLINES_RECOMPUTED)
    assert event.data["from"]["due_on"] == "2027-01-12"
    assert event.data["to"]["due_on"] == "2027-01-13"


# -- the flow ------------------------------------------------------------------------------


def test_rectified_on_the_last_day_is_on_time_and_the_visit_is_due_5_days_later(world):
    rectification = bad_rating(world)

    rectified = rectify(rectification, world.reviewer, day=DUE)

    assert rectified.status == RectificationStatus.RECTIFIED
    assert rectified.on_time is True
    assert rectified.rectified_by == world.reviewer
    assert rectified.verified_facts == "属实：窗口解释不清"
    assert rectified.measures == "已培训窗口人员"
    assert rectified.visit_due_on == D(2026, 10, 30)

    closed = visit(rectified, world.decider, day=D(2026, 10, 27), note="申请人表示满意")

    assert closed.status == RectificationStatus.CLOSED
    assert closed.visit_outcome == ReturnVisitOutcome.SATISFIED
    assert closed.visited_by == world.decider
    assert closed.closed_at == closed.visited_at
    actions = list(
        AuditEvent.objects.filter(object_type="rectification")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        ReviewEventAction.RECTIFICATION_OPENED,
        ReviewEventAction.RECTIFICATION_RECORDED,
        ReviewEventAction.RETURN_VISIT_RECORDED,
    ]
    moves = AuditEvent.objects.filter(object_type="rectification").order_by("id")[1:]
    assert [(event.data["from"], event.data["to"]) for event in moves] == [
        ("open", "rectified"),
        ("rectified", "closed"),
    ]


def test_rectified_a_day_late_is_not_on_time(world):
    rectified = rectify(bad_rating(world), world.reviewer, day=D(2026, 10, 26))
    assert rectified.on_time is False


def test_only_the_responsible_departments_reviewers_and_deciders_act(world):
    rectification = bad_rating(world)
    for outsider in (
        world.other_reviewer,
        world.other_decider,
        world.supervisor,
        world.clerk,
        world.regulator,
        world.analyst,
        world.applicant_user,
    ):
        with pytest.raises(Forbidden):
            rectify(rectification, outsider, day=RATED)
    assert Rectification.objects.get().status == RectificationStatus.OPEN


def test_rectification_needs_both_texts(world):
    rectification = bad_rating(world)
    with pytest.raises(ValidationFailed) as error:
        rectify(rectification, world.reviewer, day=RATED, facts="  ")
    assert error.value.fields == {"verified_facts": ["核实情况：请填写"]}
    with pytest.raises(ValidationFailed) as error:
        rectify(rectification, world.reviewer, day=RATED, measures="")
    assert error.value.fields == {"measures": ["整改措施：请填写"]}
    with pytest.raises(ValidationFailed) as error:
        rectify(rectification, world.reviewer, day=RATED, measures="改" * 2001)
    assert list(error.value.fields) == ["measures"]


def test_rectified_once(world):
    rectification = rectify(bad_rating(world), world.reviewer, day=RATED)
    with pytest.raises(Conflict) as error:
        rectify(rectification, world.decider, day=RATED)
    assert (error.value.status, error.value.code) == (409, "transition_not_allowed")
    assert error.value.message == "整改事项当前状态为“已整改，待回访”，不能执行“登记整改”"


# -- the return visit -------------------------------------------------------------------------


def test_no_visit_before_the_rectification(world):
    rectification = bad_rating(world)
    with pytest.raises(Conflict) as error:
        visit(rectification, world.reviewer, day=RATED)
    assert (error.value.status, error.value.code) == (409, "transition_not_allowed")
    assert error.value.message == "整改事项当前状态为“待整改”，不能执行“登记回访并办结”"
    assert Rectification.objects.get().status == RectificationStatus.OPEN


def test_an_unreachable_or_still_dissatisfied_applicant_is_recorded_with_a_note(world):
    rectification = rectify(bad_rating(world), world.reviewer, day=RATED)
    for outcome in (ReturnVisitOutcome.UNREACHABLE, ReturnVisitOutcome.DISSATISFIED):
        with pytest.raises(ValidationFailed) as error:
            visit(rectification, world.reviewer, day=RATED, outcome=outcome)
        assert error.value.fields == {"note": ["回访记录：请填写"]}

    closed = visit(
        rectification,
        world.reviewer,
        day=RATED,
        outcome=ReturnVisitOutcome.UNREACHABLE,
        note="三次致电 138****0000 均未接通",
    )
    assert closed.status == RectificationStatus.CLOSED
    assert closed.visit_outcome == ReturnVisitOutcome.UNREACHABLE


def test_a_visit_outcome_must_be_one_of_the_list(world):
    rectification = rectify(bad_rating(world), world.reviewer, day=RATED)
    with pytest.raises(ValidationFailed) as error:
        visit(rectification, world.reviewer, day=RATED, outcome="happy")
    assert list(error.value.fields) == ["outcome"]


def test_a_closed_rectification_takes_no_second_visit(world):
    rectification = visit(
        rectify(bad_rating(world), world.reviewer, day=RATED), world.reviewer, day=RATED
    )
    with pytest.raises(Conflict) as error:
        visit(rectification, world.reviewer, day=RATED)
    assert (error.value.status, error.value.code) == (409, "transition_not_allowed")
    assert error.value.message == "整改事项当前状态为“已办结”，不能执行“登记回访并办结”"


def test_a_visit_by_someone_outside_the_department_is_refused(world):
    rectification = rectify(bad_rating(world), world.reviewer, day=RATED)
    with pytest.raises(Forbidden):
        visit(rectification, world.other_reviewer, day=RATED)


def test_a_real_name_bad_rating_must_be_revisited(world):
    rectification = rectify(bad_rating(world), world.reviewer, day=RATED)
    with pytest.raises(Conflict) as error, time_machine.travel(at(RATED), tick=False):
        rectification_close_without_visit(
            rectification=rectification, actor=world.reviewer, reason="无需回访"
        )
    assert error.value.code == "visit_required"
    assert Rectification.objects.get().status == RectificationStatus.RECTIFIED


def test_an_anonymous_bad_rating_may_be_closed_without_a_visit_for_a_reason(world):
    rectification = rectify(bad_rating(world, anonymous=True), world.reviewer, day=RATED)
    with time_machine.travel(at(RATED), tick=False):
        with pytest.raises(ValidationFailed) as error:
            rectification_close_without_visit(
                rectification=rectification, actor=world.reviewer, reason=""
            )
        assert error.value.fields == {"reason": ["未回访理由：请填写"]}
        closed = rectification_close_without_visit(
            rectification=rectification, actor=world.reviewer, reason="匿名评价，无法确定评价人"
        )
    assert closed.status == RectificationStatus.CLOSED
    assert closed.visited_at is None and closed.visit_outcome == ""
    assert closed.close_reason == "匿名评价，无法确定评价人"
    assert closed.closed_by == world.reviewer


def test_an_anonymous_bad_rating_may_still_be_revisited(world):
    rectification = rectify(bad_rating(world, anonymous=True), world.reviewer, day=RATED)
    assert visit(rectification, world.reviewer, day=RATED).visited_at is not None


def test_closing_without_a_visit_needs_the_rectification_first(world):
    rectification = bad_rating(world, anonymous=True)
    with pytest.raises(Conflict) as error:
        rectification_close_without_visit(
            rectification=rectification, actor=world.reviewer, reason="匿名"
        )
    assert (error.value.status, error.value.code) == (409, "transition_not_allowed")
    assert error.value.message == "整改事项当前状态为“待整改”，不能执行“不回访办结”"


# -- what the supervisor sees ---------------------------------------------------------------


def test_counts_and_lists_by_hand(world):
    """Four bad ratings of the department and one of the other department (a bundle's
    lead is the department): by Mon 26 Oct 2026 one is open and overdue, one open and not
    yet due, one rectified late and waiting for its visit, one closed."""
    overdue = bad_rating(world)  # due 23 Oct, still open
    fresh = bad_rating(world, day=D(2026, 10, 22))  # due in November
    late = rectify(bad_rating(world), world.reviewer, day=D(2026, 10, 26))  # late
    visit(rectify(bad_rating(world), world.reviewer, day=D(2026, 10, 9)), world.reviewer,
          day=D(2026, 10, 12))  # fmt: skip
    today = D(2026, 10, 26)

    counts = rectification_counts(world.zone.pk, on=today)
    assert (counts.open, counts.overdue, counts.rectified, counts.visit_overdue) == (2, 1, 1, 0)
    assert (counts.closed, counts.late, counts.pending) == (1, 1, 3)
    # the visit of the late one is due Mon 2 Nov: overdue from Tue 3 Nov
    assert rectification_counts(world.zone.pk, on=D(2026, 11, 3)).visit_overdue == 1

    (row,) = rectification_counts_by_department(world.zone.pk, on=today)
    assert row["department_id"] == world.department.pk
    assert (row["open"], row["overdue"], row["rectified"], row["closed"], row["total"]) == (
        2, 1, 1, 1, 4,
    )  # fmt: skip

    # the department's list: pending ones, open first by deadline, then waiting visits
    listed = list(rectification_list(world.reviewer, on=today))
    assert [r.pk for r in listed] == [overdue.pk, fresh.pk, late.pk]
    assert [r.pk for r in rectification_list(world.reviewer, on=today, overdue=True)] == [
        overdue.pk
    ]
    assert rectification_list(world.reviewer, on=today, status="all").count() == 4
    # another department's people see none of them; the supervisor sees all
    assert not rectification_list(world.other_reviewer, on=today).exists()
    assert rectification_list(world.supervisor, on=today).count() == 3
    assert not rectification_list(world.clerk, on=today).exists()
    assert not rectification_list(world.applicant_user, on=today).exists()
