"""Handling services: every move allowed and refused (wrong status, wrong role, wrong
department), the return window inside and outside (a late return refused and counted),
designation blocking a second return, extensions (approve, refuse, limit), the reply
fixing the overdue flag and the reopen window, the centre's review of the reply.

Dates are in March 2026, an ordinary month: Mon 2 Mar to Fri 6 Mar and Mon 9 Mar to Fri
13 Mar are working days (the Spring Festival holiday ended on 23 Feb). Office hours are
the defaults, 09:00–17:30; the sign limit is 2 working hours; the return window 24 hours.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.appeals.constants import (
    ANSWERED_NOTIFICATION,
    DISPATCHED_NOTIFICATION,
    AppealEvent,
    AppealStatus,
    AssignmentRole,
    ExtensionStatus,
    HandlingStep,
    ReturnStatus,
)
from onewindow.appeals.models import (
    Appeal,
    AppealAssignment,
    AppealExtension,
    AppealReturn,
    AppealStep,
)
from onewindow.appeals.services.handling import (
    appeal_add_part,
    appeal_co_sign,
    appeal_designate,
    appeal_dispatch,
    appeal_extension_decide,
    appeal_extension_request,
    appeal_reply,
    appeal_return,
    appeal_review_reply,
    appeal_sign,
)
from onewindow.appeals.tests.factories import at, make_appeal
from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.models import AuditEvent, Notification
from onewindow.org.constants import Role
from onewindow.testing import worlds

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 3, 2)
TUE = dt.date(2026, 3, 3)
FRI = dt.date(2026, 3, 6)
NEXT_MON = dt.date(2026, 3, 9)


def _fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


def _current(appeal: Appeal) -> set[tuple[str, str]]:
    return set(
        AppealAssignment.objects.filter(appeal=appeal, is_current=True).values_list(
            "department__code", "role"
        )
    )


def _returned(aw) -> Appeal:
    """An order the lead department asked to send back (dispatched Mon 2 Mar 10:00)."""
    appeal = make_appeal(aw, AppealStatus.DISPATCHED, received=at(MON, 9))
    with time_machine.travel(at(MON, 11), tick=False):
        return appeal_return(appeal=appeal, actor=aw.handler, reason="属于住建局职责")


# -- dispatch ------------------------------------------------------------------------------------


def test_dispatch_by_the_catalogue_sets_the_sign_limit_and_return_window(aw):
    appeal = make_appeal(aw, received=at(MON, 9))
    due_before = appeal.due_at
    with time_machine.travel(at(MON, 10), tick=False):
        appeal = appeal_dispatch(appeal=appeal, actor=aw.dispatcher)
    appeal = _fresh(appeal)
    assert appeal.status == AppealStatus.DISPATCHED
    assert appeal.lead_department == aw.lead
    assert appeal.dispatched_at == at(MON, 10)
    # 2 working hours from 10:00 on a working Monday: 12:00 the same day.
    assert appeal.sign_due_at == at(MON, 12)
    # 24 hours from dispatch.
    assert appeal.return_until == at(TUE, 10)
    assert appeal.due_at == due_before  # the handling clock is not restarted
    assert _current(appeal) == {("SCJG", AssignmentRole.LEAD), ("ZJJ", AssignmentRole.CO)}
    step = AppealStep.objects.get(appeal=appeal, action="dispatch")
    assert (step.from_status, step.to_status) == (AppealStatus.RECEIVED, AppealStatus.DISPATCHED)
    event = AuditEvent.objects.get(action=AppealEvent.DISPATCHED)
    assert event.data["lead"] == "SCJG" and event.data["co"] == ["ZJJ"]
    assert event.data["by_catalogue"] is True
    assert Notification.objects.filter(recipient=aw.handler, kind=DISPATCHED_NOTIFICATION).exists()
    assert Notification.objects.filter(
        recipient=aw.other_handler, kind=DISPATCHED_NOTIFICATION
    ).exists()


def test_the_sign_limit_counts_office_hours_only(aw):
    appeal = make_appeal(aw, received=at(FRI, 9))
    with time_machine.travel(at(FRI, 16, 30), tick=False):
        appeal = appeal_dispatch(appeal=appeal, actor=aw.dispatcher)
    # Fri 16:30 → 17:30 is one office hour; Sat and Sun are off; the second hour runs
    # Mon 9 Mar 09:00 → 10:00.
    assert appeal.sign_due_at == at(NEXT_MON, 10)


def test_dispatch_by_hand_with_a_code_typed_full_width(aw):
    appeal = make_appeal(aw)
    appeal = appeal_dispatch(appeal=appeal, actor=aw.dispatcher, lead="ｚｊｊ")
    assert appeal.lead_department == aw.other
    assert _current(appeal) == {("ZJJ", AssignmentRole.LEAD)}
    assert AuditEvent.objects.get(action=AppealEvent.DISPATCHED).data["by_catalogue"] is False


@pytest.mark.parametrize(
    ("lead", "co", "field", "code"),
    [
        ("NOPE", (), "lead", "unknown_department"),
        ("X", (), "lead", "unknown_department"),  # a department of another zone
        ("SCJG", ("SCJG",), "co", "co_is_lead"),
        ("SCJG", ("NOPE",), "co", "unknown_department"),
    ],
)
def test_dispatch_refuses_departments_outside_the_zone(aw, lead, co, field, code):
    worlds.department_elsewhere()
    appeal = make_appeal(aw)
    with pytest.raises(ValidationFailed) as refused:
        appeal_dispatch(appeal=appeal, actor=aw.dispatcher, lead=lead, co=co)
    assert refused.value.code == code
    assert field in refused.value.fields
    assert _fresh(appeal).status == AppealStatus.RECEIVED


def test_dispatch_without_a_catalogue_entry_needs_a_department(aw):
    appeal = make_appeal(aw, category=aw.root)  # 01 营商环境 has no dispatch rule
    with pytest.raises(ValidationFailed) as refused:
        appeal_dispatch(appeal=appeal, actor=aw.dispatcher)
    assert refused.value.code == "no_dispatch_rule"
    assert "营商环境" in refused.value.fields["lead"][0]


@pytest.mark.parametrize("who", ["operator", "handler", "supervisor", "clerk"])
def test_only_the_centre_dispatches(aw, who):
    appeal = make_appeal(aw)
    with pytest.raises(Forbidden):
        appeal_dispatch(appeal=appeal, actor=getattr(aw, who))


def test_a_dispatcher_of_another_zone_may_not_dispatch(aw):
    elsewhere = worlds.department_elsewhere()
    stranger = worlds.staff(elsewhere.zone, Role.DISPATCHER, username="far_dispatcher")
    with pytest.raises(Forbidden):
        appeal_dispatch(appeal=make_appeal(aw), actor=stranger)


def test_the_table_refuses_to_dispatch_an_order_being_handled(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING)
    with pytest.raises(Conflict) as refused:
        appeal_dispatch(appeal=appeal, actor=aw.dispatcher)
    assert refused.value.code == "transition_not_allowed"


# -- sign ------------------------------------------------------------------------------------------


def test_the_lead_department_signs_in_time(aw):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED, received=at(MON, 9))
    with time_machine.travel(at(MON, 11), tick=False):
        appeal = appeal_sign(appeal=appeal, actor=aw.handler)
    appeal = _fresh(appeal)
    assert appeal.status == AppealStatus.HANDLING
    assert appeal.signed_at == at(MON, 11)
    assert appeal.sign_overdue is False
    assert AppealAssignment.objects.get(appeal=appeal, role="lead").signed_at == at(MON, 11)


def test_a_late_signature_is_flagged(aw):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED, received=at(MON, 9))
    # Dispatched 10:00, due to sign at 12:00.
    with time_machine.travel(at(MON, 12, 1), tick=False):
        appeal = appeal_sign(appeal=appeal, actor=aw.handler)
    assert _fresh(appeal).sign_overdue is True


@pytest.mark.parametrize("who", ["other_handler", "dispatcher", "operator"])
def test_only_the_lead_department_signs(aw, who):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED)
    with pytest.raises(Forbidden) as refused:
        appeal_sign(appeal=appeal, actor=getattr(aw, who))
    assert refused.value.code == "not_lead_department"


def test_an_order_is_signed_once(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING)
    with pytest.raises(Conflict) as refused:
        appeal_sign(appeal=appeal, actor=aw.handler)
    assert refused.value.code == "transition_not_allowed"


# -- co-departments ------------------------------------------------------------------------------


def test_a_co_department_signs_and_adds_its_part_without_moving_the_order(aw):
    appeal = make_appeal(aw, received=at(MON, 9))
    with time_machine.travel(at(MON, 10), tick=False):
        appeal = appeal_dispatch(appeal=appeal, actor=aw.dispatcher)
    with pytest.raises(Conflict) as refused:
        appeal_add_part(appeal=appeal, actor=aw.other_handler, text="已核查")
    assert refused.value.code == "co_not_signed"
    assignment = appeal_co_sign(appeal=appeal, actor=aw.other_handler)
    assert assignment.signed_at is not None
    with pytest.raises(Conflict) as again:
        appeal_co_sign(appeal=appeal, actor=aw.other_handler)
    assert again.value.code == "co_signed"
    appeal_add_part(appeal=appeal, actor=aw.other_handler, text="  施工许可已于３月１日核发。 ")
    assignment.refresh_from_db()
    assert assignment.part_reply == "施工许可已于3月1日核发。"
    assert _fresh(appeal).status == AppealStatus.DISPATCHED
    assert AuditEvent.objects.filter(action=AppealEvent.PART_ADDED).count() == 1
    assert AppealStep.objects.filter(appeal=appeal, action=HandlingStep.ADD_PART).exists()


def test_only_a_co_department_does_co_work(aw):
    appeal = make_appeal(aw)
    appeal = appeal_dispatch(appeal=appeal, actor=aw.dispatcher)
    for user in (aw.handler, aw.dispatcher):
        with pytest.raises(Forbidden):
            appeal_co_sign(appeal=appeal, actor=user)
    appeal_co_sign(appeal=appeal, actor=aw.other_handler)
    with pytest.raises(ValidationFailed) as refused:
        appeal_add_part(appeal=appeal, actor=aw.other_handler, text="   ")
    assert "text" in refused.value.fields


# -- return ----------------------------------------------------------------------------------------


def test_a_return_inside_the_window_waits_for_the_centre(aw):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED, received=at(MON, 9))
    # Dispatched Mon 10:00: the window closes Tue 3 Mar 10:00.
    with time_machine.travel(at(TUE, 9, 59), tick=False):
        appeal = appeal_return(appeal=appeal, actor=aw.handler, reason="属于住建局职责")
    appeal = _fresh(appeal)
    assert appeal.status == AppealStatus.RETURN_REQUESTED
    assert appeal.return_count == 1 and appeal.late_return_count == 0
    row = AppealReturn.objects.get(appeal=appeal)
    assert row.status == ReturnStatus.PENDING and row.department == aw.lead


def test_a_return_after_the_window_is_refused_and_counted(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9))
    with time_machine.travel(at(TUE, 10, 1), tick=False), pytest.raises(Conflict) as refused:
        appeal_return(appeal=appeal, actor=aw.handler, reason="不是我们的")
    assert refused.value.code == "return_window_closed"
    assert "2026-03-03 10:00" in refused.value.message
    appeal = _fresh(appeal)
    # Refused, but counted: the row and the count stay although the request was refused.
    assert appeal.status == AppealStatus.HANDLING
    assert appeal.late_return_count == 1 and appeal.return_count == 0
    late = AppealReturn.objects.get(appeal=appeal)
    assert late.status == ReturnStatus.LATE and late.reason == "不是我们的"
    assert AuditEvent.objects.filter(action=AppealEvent.RETURN_REFUSED_LATE).count() == 1
    assert AppealStep.objects.filter(appeal=appeal, action=HandlingStep.LATE_RETURN).exists()


def test_a_return_needs_a_reason_and_the_lead_department(aw):
    appeal = make_appeal(aw, AppealStatus.DISPATCHED)
    with pytest.raises(ValidationFailed) as refused:
        appeal_return(appeal=appeal, actor=aw.handler, reason=" ")
    assert refused.value.fields["reason"] == ["退回理由：请填写"]
    with pytest.raises(Forbidden):
        appeal_return(appeal=appeal, actor=aw.other_handler, reason="不是我们的")
    assert not AppealReturn.objects.exists()


def test_a_replied_order_cannot_be_returned(aw):
    appeal = make_appeal(aw, AppealStatus.REPLIED)
    with pytest.raises(Conflict) as refused:
        appeal_return(appeal=appeal, actor=aw.handler, reason="不是我们的")
    assert refused.value.code == "transition_not_allowed"


# -- re-dispatch and designation ---------------------------------------------------------------


def test_redispatch_moves_the_order_to_another_department(aw):
    appeal = _returned(aw)
    due_before = appeal.due_at
    with time_machine.travel(at(TUE, 15), tick=False):
        appeal = appeal_dispatch(appeal=appeal, actor=aw.dispatcher, lead="ZJJ")
    appeal = _fresh(appeal)
    assert appeal.status == AppealStatus.DISPATCHED
    assert appeal.lead_department == aw.other
    assert appeal.due_at == due_before  # the handling clock does not restart
    assert appeal.dispatched_at == at(TUE, 15)
    assert appeal.sign_due_at == at(TUE, 17)
    assert appeal.return_until == dt.datetime(2026, 3, 4, 15, tzinfo=at(TUE).tzinfo)
    assert _current(appeal) == {("ZJJ", AssignmentRole.LEAD)}
    old = AppealAssignment.objects.get(appeal=appeal, department=aw.lead)
    assert old.is_current is False
    assert AppealReturn.objects.get(appeal=appeal).status == ReturnStatus.REDISPATCHED
    assert AuditEvent.objects.filter(action=AppealEvent.REDISPATCHED).count() == 1
    # The old department no longer sees it.
    assert not Appeal.objects.filter(pk=appeal.pk).filter(
        pk__in=AppealAssignment.objects.filter(department=aw.lead, is_current=True).values(
            "appeal_id"
        )
    )


def test_redispatch_to_the_same_department_is_designation(aw):
    appeal = _returned(aw)
    with pytest.raises(ValidationFailed) as refused:
        appeal_dispatch(appeal=appeal, actor=aw.dispatcher, lead="SCJG")
    assert refused.value.code == "same_department"
    # The catalogue names the same department too.
    with pytest.raises(ValidationFailed):
        appeal_dispatch(appeal=appeal, actor=aw.dispatcher)


def test_designation_blocks_a_second_return(aw):
    appeal = _returned(aw)
    with time_machine.travel(at(MON, 14), tick=False):
        appeal = appeal_designate(appeal=appeal, actor=aw.dispatcher, reason="经核属市场监管职责")
    appeal = _fresh(appeal)
    assert appeal.status == AppealStatus.DISPATCHED
    assert appeal.designated is True and appeal.lead_department == aw.lead
    assert AppealReturn.objects.get(appeal=appeal).status == ReturnStatus.DESIGNATED
    # Well inside a fresh window, the designated department still may not send it back.
    with time_machine.travel(at(MON, 15), tick=False), pytest.raises(Conflict) as refused:
        appeal_return(appeal=appeal, actor=aw.handler, reason="还是不归我们")
    assert refused.value.code == "designated"
    assert _fresh(appeal).return_count == 1
    # It signs and works the order.
    appeal_sign(appeal=appeal, actor=aw.handler)
    assert _fresh(appeal).status == AppealStatus.HANDLING


def test_designation_may_name_another_department(aw):
    appeal = _returned(aw)
    appeal = appeal_designate(appeal=appeal, actor=aw.dispatcher, department="ZJJ")
    assert _fresh(appeal).lead_department == aw.other
    assert ("ZJJ", AssignmentRole.LEAD) in _current(appeal)
    with pytest.raises(Conflict) as refused:
        appeal_return(appeal=appeal, actor=aw.other_handler, reason="不归我们")
    assert refused.value.code == "designated"


def test_only_the_centre_designates_an_order_sent_back(aw):
    appeal = _returned(aw)
    with pytest.raises(Forbidden):
        appeal_designate(appeal=appeal, actor=aw.handler)
    handling = make_appeal(aw, AppealStatus.HANDLING)
    with pytest.raises(Conflict):
        appeal_designate(appeal=handling, actor=aw.dispatcher)


# -- extensions ------------------------------------------------------------------------------------


def test_an_approved_extension_pushes_the_deadline_from_the_orders_own_start(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9))
    # 5 working days from Mon 2 Mar (not counted): 3, 4, 5, 6, 9 Mar → Mon 9 Mar 17:30.
    assert appeal.due_at == at(NEXT_MON, 17, 30)
    with time_machine.travel(at(FRI, 10), tick=False):
        extension = appeal_extension_request(
            appeal=appeal, actor=aw.handler, days="3", reason="需现场核查"
        )
        assert extension.status == ExtensionStatus.PENDING
        with pytest.raises(Conflict) as pending:
            appeal_extension_request(appeal=appeal, actor=aw.handler, days=1, reason="再延")
        assert pending.value.code == "extension_pending"
        appeal_extension_decide(appeal=appeal, actor=aw.dispatcher, approve=True)
    appeal = _fresh(appeal)
    # 8 working days from Mon 2 Mar: 3, 4, 5, 6, 9, 10, 11, 12 Mar → Thu 12 Mar 17:30.
    assert appeal.due_at == at(dt.date(2026, 3, 12), 17, 30)
    assert appeal.extended_days == 3 and appeal.extension_count == 1
    assert appeal.clock_started_at == at(MON, 9)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED and extension.decided_by == aw.dispatcher
    # One extension per order by default.
    with pytest.raises(Conflict) as limit:
        appeal_extension_request(appeal=appeal, actor=aw.handler, days=2, reason="再延")
    assert limit.value.code == "extension_limit"
    assert "最多延期 1 次" in limit.value.message


def test_a_refused_extension_needs_a_reason_and_leaves_the_deadline(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9))
    due = appeal.due_at
    appeal_extension_request(appeal=appeal, actor=aw.handler, days=2, reason="需协调")
    with pytest.raises(ValidationFailed) as refused:
        appeal_extension_decide(appeal=appeal, actor=aw.dispatcher, approve=False, reason="")
    assert refused.value.fields["reason"] == ["审批意见：请填写"]
    extension = appeal_extension_decide(
        appeal=appeal, actor=aw.dispatcher, approve=False, reason="事项简单，应按期办结"
    )
    assert extension.status == ExtensionStatus.REFUSED
    assert extension.decision_reason == "事项简单，应按期办结"
    appeal = _fresh(appeal)
    assert appeal.due_at == due and appeal.extension_count == 0
    step = AppealStep.objects.get(appeal=appeal, action=HandlingStep.EXTENSION_REFUSE)
    assert "事项简单" in step.note
    # A refusal does not use up the allowance.
    appeal_extension_request(appeal=appeal, actor=aw.handler, days=1, reason="确需核查")


@pytest.mark.parametrize("days", [0, -1, 31, "三", None])
def test_extension_days_are_checked(aw, days):
    appeal = make_appeal(aw, AppealStatus.HANDLING)
    with pytest.raises(ValidationFailed) as refused:
        appeal_extension_request(appeal=appeal, actor=aw.handler, days=days, reason="需核查")
    assert "days" in refused.value.fields


def test_extensions_are_asked_by_the_lead_while_handling_and_decided_by_the_centre(aw):
    dispatched = make_appeal(aw, AppealStatus.DISPATCHED)
    with pytest.raises(Conflict) as not_now:
        appeal_extension_request(appeal=dispatched, actor=aw.handler, days=1, reason="x")
    assert not_now.value.code == "extension_not_now"
    appeal = make_appeal(aw, AppealStatus.HANDLING)
    for user in (aw.dispatcher, aw.other_handler):
        with pytest.raises(Forbidden):
            appeal_extension_request(appeal=appeal, actor=user, days=1, reason="x")
    with pytest.raises(Conflict) as nothing:
        appeal_extension_decide(appeal=appeal, actor=aw.dispatcher, approve=True)
    assert nothing.value.code == "no_pending_extension"
    appeal_extension_request(appeal=appeal, actor=aw.handler, days=1, reason="x")
    with pytest.raises(Forbidden):
        appeal_extension_decide(appeal=appeal, actor=aw.handler, approve=True)
    assert AppealExtension.objects.get(appeal=appeal).status == ExtensionStatus.PENDING


# -- reply and its review ------------------------------------------------------------------------


def test_a_reply_in_time_fixes_the_flags_and_the_reopen_window(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9))
    with time_machine.travel(at(NEXT_MON, 17), tick=False):
        appeal = appeal_reply(appeal=appeal, actor=aw.handler, reply="已协调办理，执照已核发。")
    appeal = _fresh(appeal)
    assert appeal.status == AppealStatus.REPLIED
    assert appeal.replied_at == at(NEXT_MON, 17)
    assert appeal.overdue is False
    # 10 natural days from the reply.
    assert appeal.reopen_until == at(dt.date(2026, 3, 19), 17)


def test_a_late_reply_is_overdue_for_good(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(MON, 9))
    # Due Mon 9 Mar 17:30; replied Tue 10 Mar 09:00.
    with time_machine.travel(at(dt.date(2026, 3, 10), 9), tick=False):
        appeal_reply(appeal=appeal, actor=aw.handler, reply="已办理。")
    with time_machine.travel(at(dt.date(2026, 3, 11), 9), tick=False):
        appeal = appeal_review_reply(appeal=_fresh(appeal), actor=aw.dispatcher, approve=True)
    appeal = _fresh(appeal)
    assert appeal.overdue is True
    # Nothing after the reply recomputes them.
    assert appeal.reopen_until == at(dt.date(2026, 3, 20), 9)
    appeal.subject = "更正标题"
    appeal.save()
    appeal = _fresh(appeal)
    assert appeal.overdue is True and appeal.reopen_until == at(dt.date(2026, 3, 20), 9)


def test_reply_is_refused_to_others_and_needs_text(aw):
    appeal = make_appeal(aw, AppealStatus.HANDLING)
    with pytest.raises(ValidationFailed) as empty:
        appeal_reply(appeal=appeal, actor=aw.handler, reply="")
    assert empty.value.fields["reply"] == ["答复内容：请填写"]
    for user in (aw.other_handler, aw.dispatcher):
        with pytest.raises(Forbidden):
            appeal_reply(appeal=appeal, actor=user, reply="已办理。")
    with pytest.raises(Conflict):
        appeal_reply(appeal=make_appeal(aw, AppealStatus.DISPATCHED), actor=aw.handler, reply="x")


def test_the_centre_approves_the_reply_and_the_requester_is_told(aw):
    appeal = make_appeal(aw, AppealStatus.REPLIED)
    with time_machine.travel(at(TUE, 9), tick=False):
        appeal = appeal_review_reply(appeal=appeal, actor=aw.dispatcher, approve=True)
    appeal = _fresh(appeal)
    assert appeal.status == AppealStatus.ANSWERED
    assert appeal.answered_at == at(TUE, 9)
    message = Notification.objects.get(recipient=aw.requester, kind=ANSWERED_NOTIFICATION)
    assert appeal.number in message.text and appeal.reply in message.text


def test_a_rejected_reply_goes_back_with_the_reason(aw):
    appeal = make_appeal(aw, AppealStatus.REPLIED)
    with pytest.raises(ValidationFailed) as refused:
        appeal_review_reply(appeal=appeal, actor=aw.dispatcher, approve=False, reason=" ")
    assert refused.value.fields["reason"] == ["审核意见：请填写"]
    appeal = appeal_review_reply(
        appeal=appeal, actor=aw.dispatcher, approve=False, reason="未答复企业的具体问题"
    )
    appeal = _fresh(appeal)
    assert appeal.status == AppealStatus.HANDLING
    assert appeal.replied_at is None and appeal.reopen_until is None
    step = AppealStep.objects.get(appeal=appeal, action="reject_reply")
    assert step.note == "未答复企业的具体问题"
    assert not Notification.objects.filter(kind=ANSWERED_NOTIFICATION).exists()


def test_only_the_centre_reviews_replies(aw):
    appeal = make_appeal(aw, AppealStatus.REPLIED)
    for user in (aw.handler, aw.supervisor, aw.operator):
        with pytest.raises(Forbidden):
            appeal_review_reply(appeal=appeal, actor=user, approve=True)
    with pytest.raises(Conflict):
        appeal_review_reply(
            appeal=make_appeal(aw, AppealStatus.HANDLING), actor=aw.dispatcher, approve=True
        )
