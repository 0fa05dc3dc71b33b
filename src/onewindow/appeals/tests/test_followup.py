"""Follow-up services: the return visit, the requester's reopen request and its window,
the centre closing without a visit, merging."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import time_machine

from onewindow.appeals.constants import (
    AppealEvent,
    AppealStatus,
    ClosingKind,
    Satisfaction,
    SupervisionLevel,
    SupervisionTrigger,
)
from onewindow.appeals.models import (
    Appeal,
    AppealCategory,
    AppealSettings,
    AppealStep,
    AppealSupervision,
    AppealVisit,
    SupervisionRule,
)
from onewindow.appeals.services.followup import (
    appeal_close,
    appeal_merge,
    appeal_reopen,
    appeal_visit,
)
from onewindow.appeals.tests.factories import at, make_appeal
from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.models import AuditEvent, Notification
from onewindow.testing import worlds

pytestmark = pytest.mark.django_db

#: Mon 2 Mar 2026, 10:00: the orders are received; replied at 13:00, answered at 14:00, so
#: the reopen window (10 natural days from the reply) ends Thu 12 Mar 2026 13:00.
RECEIVED = at(dt.date(2026, 3, 2), 10)
#: Thu 5 Mar 2026, 10:00: when the follow-up happens.
LATER = at(dt.date(2026, 3, 5), 10)


def answered(aw, **fields) -> Appeal:
    return make_appeal(aw, AppealStatus.ANSWERED, received=RECEIVED, **fields)


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# -- the return visit --------------------------------------------------------------------------


def test_a_satisfied_resolved_visit_closes_the_order(aw):
    appeal = answered(aw)
    with time_machine.travel(LATER, tick=False):
        visit = appeal_visit(
            appeal=appeal, actor=aw.dispatcher, satisfaction=Satisfaction.SATISFIED, resolved=True
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED
    assert appeal.closing_kind == ClosingKind.VISITED
    assert appeal.closed_at == LATER
    assert (appeal.satisfaction, appeal.resolved) == (Satisfaction.SATISFIED, True)
    assert visit.visited_by == aw.dispatcher and not visit.by_requester
    assert events(AppealEvent.VISITED) == 1
    assert AppealStep.objects.filter(appeal=appeal, to_status=AppealStatus.CLOSED).count() == 1


def test_an_unresolved_visit_reopens_with_a_fresh_clock(aw):
    appeal = answered(aw, extended_days=3, overdue=True)
    with time_machine.travel(LATER, tick=False):
        appeal_visit(
            appeal=appeal,
            actor=aw.dispatcher,
            satisfaction=Satisfaction.BASICALLY,
            resolved=False,
            note="执照仍未拿到",
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.HANDLING
    assert appeal.lead_department == aw.lead
    assert appeal.reopen_count == 1
    assert appeal.extended_days == 0
    assert appeal.overdue is False
    assert appeal.replied_at is None and appeal.answered_at is None
    assert appeal.reopen_until is None
    assert appeal.clock_started_at == LATER
    # Thu 5 Mar 2026 + 5 working days (that day not counted): Fri 6, Mon 9, Tue 10, Wed 11,
    # Thu 12 Mar: due at the end of Thu 12 Mar (17:30).
    assert appeal.due_at == at(dt.date(2026, 3, 12), 17, 30)
    assert (appeal.satisfaction, appeal.resolved) == (Satisfaction.BASICALLY, False)
    assert events(AppealEvent.VISITED) == 1
    assert events(AppealEvent.REOPENED) == 1
    # Not 不满意 and no rule: no 督办.
    assert not AppealSupervision.objects.exists()


def test_a_dissatisfied_visit_reopens_and_raises_the_bad_visit_supervision(aw):
    SupervisionRule.objects.create(
        zone=aw.zone, trigger=SupervisionTrigger.BAD_VISIT, level=SupervisionLevel.LISTED
    )
    appeal = answered(aw)
    with time_machine.travel(LATER, tick=False):
        appeal_visit(
            appeal=appeal,
            actor=aw.dispatcher,
            satisfaction=Satisfaction.DISSATISFIED,
            resolved=True,
            note="答复敷衍",
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.HANDLING
    supervision = AppealSupervision.objects.get()
    assert supervision.trigger == SupervisionTrigger.BAD_VISIT
    assert supervision.level == SupervisionLevel.LISTED
    assert supervision.department == aw.lead


def test_the_latest_visit_is_the_one_that_counts(aw):
    appeal = answered(aw)
    with time_machine.travel(LATER, tick=False):
        appeal_visit(
            appeal=appeal,
            actor=aw.dispatcher,
            satisfaction=Satisfaction.DISSATISFIED,
            resolved=False,
            note="没有解决",
        )
    # The department replies again and the centre approves (the handling part's moves).
    Appeal.objects.filter(pk=appeal.pk).update(
        status=AppealStatus.ANSWERED,
        replied_at=LATER + dt.timedelta(days=1),
        answered_at=LATER + dt.timedelta(days=1),
        reopen_until=LATER + dt.timedelta(days=11),
    )
    with time_machine.travel(LATER + dt.timedelta(days=2), tick=False):
        appeal_visit(
            appeal=appeal,
            actor=aw.requester,
            satisfaction="satisfied",
            resolved=True,
            by_requester=True,
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED
    assert (appeal.satisfaction, appeal.resolved) == (Satisfaction.SATISFIED, True)
    assert AppealVisit.objects.filter(appeal=appeal).count() == 2
    assert AppealVisit.objects.filter(appeal=appeal, by_requester=True).count() == 1


@pytest.mark.parametrize(
    ("who", "by_requester"),
    [
        ("handler", False),
        ("supervisor", False),
        ("requester", False),
        ("stranger", True),
        ("dispatcher", True),
    ],
)
def test_only_the_centre_or_the_requester_visit(aw, who, by_requester):
    appeal = answered(aw)
    with pytest.raises(Forbidden):
        appeal_visit(
            appeal=appeal,
            actor=getattr(aw, who),
            satisfaction=Satisfaction.SATISFIED,
            resolved=True,
            by_requester=by_requester,
        )
    assert not AppealVisit.objects.exists()


def test_a_dispatcher_of_another_zone_may_not_visit(aw):
    elsewhere = worlds.department_elsewhere()
    dispatcher = worlds.staff(elsewhere.zone, "dispatcher", username="x_dispatcher")
    with pytest.raises(Forbidden):
        appeal_visit(appeal=answered(aw), actor=dispatcher, satisfaction="satisfied", resolved=True)


@pytest.mark.parametrize(
    "status", [AppealStatus.HANDLING, AppealStatus.REPLIED, AppealStatus.CLOSED]
)
def test_the_table_refuses_a_visit_before_the_answer_or_after_the_close(aw, status):
    appeal = make_appeal(aw, status, received=RECEIVED)
    with pytest.raises(Conflict) as refused:
        appeal_visit(appeal=appeal, actor=aw.dispatcher, satisfaction="satisfied", resolved=True)
    assert refused.value.code == "transition_not_allowed"


@pytest.mark.parametrize(
    ("satisfaction", "resolved", "note", "field"),
    [
        ("happy", True, "", "satisfaction"),
        ("", True, "", "satisfaction"),
        ("satisfied", "yes", "", "resolved"),
        ("dissatisfied", True, "", "note"),
        ("satisfied", False, "   ", "note"),
        ("satisfied", True, "长" * 4001, "note"),
    ],
)
def test_bad_visit_input_is_named(aw, satisfaction, resolved, note, field):
    appeal = answered(aw)
    with pytest.raises(ValidationFailed) as refused:
        appeal_visit(
            appeal=appeal,
            actor=aw.dispatcher,
            satisfaction=satisfaction,
            resolved=resolved,
            note=note,
        )
    assert field in refused.value.fields
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED and not AppealVisit.objects.exists()


# -- the requester's reopen request -------------------------------------------------------------


def test_the_requester_reopens_within_the_window(aw):
    appeal = answered(aw)
    with time_machine.travel(LATER, tick=False):
        appeal_reopen(appeal=appeal, actor=aw.requester, reason="问题复发")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.HANDLING
    assert appeal.reopen_count == 1
    assert appeal.due_at == at(dt.date(2026, 3, 12), 17, 30)
    step = AppealStep.objects.get(appeal=appeal, to_status=AppealStatus.HANDLING)
    assert step.note == "问题复发"


def test_a_closed_order_reopens_on_the_last_instant_of_the_window(aw):
    appeal = make_appeal(aw, AppealStatus.CLOSED, received=RECEIVED, closing_kind="visited")
    assert appeal.reopen_until == at(dt.date(2026, 3, 12), 13)
    with time_machine.travel(appeal.reopen_until, tick=False):
        appeal_reopen(appeal=appeal, actor=aw.requester)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.HANDLING
    assert appeal.closed_at is None and appeal.closing_kind == ""


def test_after_the_window_the_reopen_is_refused_with_the_date(aw):
    appeal = answered(aw)
    after = appeal.reopen_until + dt.timedelta(seconds=1)
    with time_machine.travel(after, tick=False), pytest.raises(Conflict) as refused:
        appeal_reopen(appeal=appeal, actor=aw.requester)
    assert refused.value.code == "reopen_window_closed"
    assert "2026年03月12日 13:00" in refused.value.message
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED and appeal.reopen_count == 0


def test_edits_do_not_restart_the_reopen_window(aw):
    appeal = answered(aw)
    until = appeal.reopen_until
    # Days later, the order is edited (its subject corrected, a field saved in full).
    with time_machine.travel(LATER, tick=False):
        appeal.subject = "营业执照办理进度（更正）"
        appeal.save()
        Appeal.objects.filter(pk=appeal.pk).update(contact_phone="13800000000")
    appeal.refresh_from_db()
    assert appeal.reopen_until == until
    with (
        time_machine.travel(until + dt.timedelta(hours=1), tick=False),
        pytest.raises(Conflict) as refused,
    ):
        appeal_reopen(appeal=appeal, actor=aw.requester)
    assert refused.value.code == "reopen_window_closed"


@pytest.mark.parametrize("who", ["dispatcher", "handler", "stranger"])
def test_only_the_requester_reopens(aw, who):
    appeal = answered(aw)
    with time_machine.travel(LATER, tick=False), pytest.raises(Forbidden):
        appeal_reopen(appeal=appeal, actor=getattr(aw, who))


def test_a_representative_of_the_enterprise_reopens_too(aw):
    colleague = worlds.applicant_user(aw.zone, "colleague", represents=aw.enterprise)
    appeal = answered(aw)
    with time_machine.travel(LATER, tick=False):
        appeal_reopen(appeal=appeal, actor=colleague)
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.HANDLING


def test_an_order_still_being_worked_cannot_be_reopened(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    with time_machine.travel(LATER, tick=False), pytest.raises(Conflict) as refused:
        appeal_reopen(appeal=appeal, actor=aw.requester)
    assert refused.value.code == "transition_not_allowed"


def test_the_second_reopen_raises_the_reopened_twice_supervision_once(aw):
    SupervisionRule.objects.create(
        zone=aw.zone, trigger=SupervisionTrigger.REOPENED_TWICE, level=SupervisionLevel.INTERVIEW
    )
    appeal = answered(aw, reopen_count=1)
    with time_machine.travel(LATER, tick=False):
        appeal_reopen(appeal=appeal, actor=aw.requester)
    supervision = AppealSupervision.objects.get()
    assert supervision.trigger == SupervisionTrigger.REOPENED_TWICE
    assert supervision.level == SupervisionLevel.INTERVIEW
    # A third reopen while that 督办 is open raises nothing new.
    Appeal.objects.filter(pk=appeal.pk).update(
        status=AppealStatus.ANSWERED, reopen_until=LATER + dt.timedelta(days=10)
    )
    with time_machine.travel(LATER + dt.timedelta(days=1), tick=False):
        appeal_reopen(appeal=appeal, actor=aw.requester)
    assert AppealSupervision.objects.count() == 1
    assert Appeal.objects.get(pk=appeal.pk).reopen_count == 3


def test_a_first_reopen_raises_no_supervision(aw):
    SupervisionRule.objects.create(
        zone=aw.zone, trigger=SupervisionTrigger.REOPENED_TWICE, level=SupervisionLevel.DAILY
    )
    with time_machine.travel(LATER, tick=False):
        appeal_reopen(appeal=answered(aw), actor=aw.requester)
    assert not AppealSupervision.objects.exists()


# -- the centre closes --------------------------------------------------------------------------


def test_the_centre_closes_an_answered_order_with_a_reason(aw):
    appeal = answered(aw)
    with time_machine.travel(LATER, tick=False):
        appeal_close(appeal=appeal, actor=aw.dispatcher, reason="三次回访均未接通")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED
    assert appeal.closing_kind == ClosingKind.CENTRE
    assert appeal.closed_at == LATER
    event = AuditEvent.objects.get(action=AppealEvent.CLOSED)
    assert event.data["reason"] == "三次回访均未接通"


def test_closing_needs_a_reason(aw):
    appeal = answered(aw)
    with pytest.raises(ValidationFailed) as refused:
        appeal_close(appeal=appeal, actor=aw.dispatcher, reason="  ")
    assert refused.value.fields == {"reason": ["办结理由：请填写"]}


@pytest.mark.parametrize("who", ["handler", "supervisor", "requester", "operator"])
def test_only_the_centre_closes(aw, who):
    with pytest.raises(Forbidden):
        appeal_close(appeal=answered(aw), actor=getattr(aw, who), reason="无法联系")


def test_the_table_refuses_closing_an_order_being_worked(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    with pytest.raises(Conflict):
        appeal_close(appeal=appeal, actor=aw.dispatcher, reason="无法联系")


# -- merging ------------------------------------------------------------------------------------


def test_a_duplicate_is_merged_and_both_requesters_are_told(aw):
    duplicate = make_appeal(aw, AppealStatus.RECEIVED, received=RECEIVED)
    original = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED, requester_user=aw.stranger)
    appeal_merge(appeal=duplicate, into=original, actor=aw.dispatcher)
    duplicate.refresh_from_db()
    assert duplicate.status == AppealStatus.MERGED
    assert duplicate.merged_into == original
    assert AppealStep.objects.filter(appeal=original, action="merged_in").count() == 1
    assert events(AppealEvent.MERGED) == 1
    told = Notification.objects.filter(kind="appeal_merged")
    assert {row.recipient_id for row in told} == {aw.requester.pk, aw.stranger.pk}
    mine = told.get(recipient=aw.requester)
    assert mine.link == f"/appeals/my/{duplicate.number}/"
    assert original.number in mine.text


def test_one_requester_of_both_orders_is_told_once(aw):
    duplicate = make_appeal(aw, AppealStatus.DISPATCHED, received=RECEIVED)
    original = make_appeal(aw, AppealStatus.RETURN_REQUESTED, received=RECEIVED)
    appeal_merge(appeal=duplicate, into=original, actor=aw.dispatcher)
    assert Notification.objects.filter(kind="appeal_merged").count() == 1


def test_an_order_is_not_merged_into_itself(aw):
    appeal = make_appeal(aw, AppealStatus.RECEIVED, received=RECEIVED)
    with pytest.raises(ValidationFailed) as refused:
        appeal_merge(appeal=appeal, into=appeal, actor=aw.dispatcher)
    assert refused.value.code == "merge_into_self" and "into" in refused.value.fields


def test_merging_back_into_an_order_merged_into_this_one_is_a_cycle(aw):
    first = make_appeal(aw, AppealStatus.RECEIVED, received=RECEIVED)
    second = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    appeal_merge(appeal=first, into=second, actor=aw.dispatcher)
    with pytest.raises(ValidationFailed) as refused:
        appeal_merge(appeal=second, into=first, actor=aw.dispatcher)
    assert refused.value.code == "merge_cycle"
    assert Appeal.objects.get(pk=second.pk).status == AppealStatus.HANDLING


def test_an_order_already_merged_elsewhere_is_no_target(aw):
    first = make_appeal(aw, AppealStatus.RECEIVED, received=RECEIVED)
    second = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    third = make_appeal(aw, AppealStatus.RECEIVED, received=RECEIVED)
    appeal_merge(appeal=first, into=second, actor=aw.dispatcher)
    with pytest.raises(ValidationFailed) as refused:
        appeal_merge(appeal=third, into=first, actor=aw.dispatcher)
    assert refused.value.code == "merge_into_merged"
    assert second.number in refused.value.message


def test_a_closed_order_is_no_target(aw):
    appeal = make_appeal(aw, AppealStatus.RECEIVED, received=RECEIVED)
    closed = make_appeal(aw, AppealStatus.CLOSED, received=RECEIVED)
    with pytest.raises(ValidationFailed) as refused:
        appeal_merge(appeal=appeal, into=closed, actor=aw.dispatcher)
    assert refused.value.code == "merge_into_closed"


def test_an_order_of_another_zone_is_no_target(aw):
    elsewhere = worlds.department_elsewhere()
    zone = elsewhere.zone
    category = AppealCategory.objects.create(zone=zone, code="01", name="营商环境")
    other_world = dataclasses.replace(
        aw,
        zone=zone,
        lead=elsewhere,
        category=category,
        settings=AppealSettings.objects.create(zone=zone),
    )
    foreign = make_appeal(other_world, AppealStatus.HANDLING, received=RECEIVED)
    appeal = make_appeal(aw, AppealStatus.RECEIVED, received=RECEIVED)
    with pytest.raises(ValidationFailed) as refused:
        appeal_merge(appeal=appeal, into=foreign, actor=aw.dispatcher)
    assert refused.value.code == "merge_other_zone"


@pytest.mark.parametrize(
    "status", [AppealStatus.REPLIED, AppealStatus.ANSWERED, AppealStatus.CLOSED]
)
def test_only_an_open_order_is_merged_away(aw, status):
    appeal = make_appeal(aw, status, received=RECEIVED)
    target = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    with pytest.raises(Conflict) as refused:
        appeal_merge(appeal=appeal, into=target, actor=aw.dispatcher)
    assert refused.value.code == "transition_not_allowed"


@pytest.mark.parametrize("who", ["handler", "supervisor", "operator"])
def test_only_the_centre_merges(aw, who):
    appeal = make_appeal(aw, AppealStatus.RECEIVED, received=RECEIVED)
    target = make_appeal(aw, AppealStatus.HANDLING, received=RECEIVED)
    with pytest.raises(Forbidden):
        appeal_merge(appeal=appeal, into=target, actor=getattr(aw, who))
