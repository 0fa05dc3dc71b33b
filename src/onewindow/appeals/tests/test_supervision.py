"""督办: by hand, by the zone's triggers (each raising once), the department's answer and
电子监察's 销号, and the periodic job."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.appeals.constants import (
    AppealEvent,
    AppealStatus,
    ReturnStatus,
    SupervisionLevel,
    SupervisionStatus,
    SupervisionTrigger,
)
from onewindow.appeals.models import AppealReturn, AppealStep, AppealSupervision, SupervisionRule
from onewindow.appeals.services.supervision import (
    appeal_supervise,
    supervise_on,
    supervision_answer,
    supervision_close,
    supervisions_raise,
)
from onewindow.appeals.tasks import raise_supervisions
from onewindow.appeals.tests.factories import at, make_appeal
from onewindow.core.errors import Conflict, Forbidden, ValidationFailed
from onewindow.core.models import AuditEvent, Notification
from onewindow.org.constants import Role
from onewindow.testing import worlds

pytestmark = pytest.mark.django_db

#: Mon 2 Mar 2026, 10:00.
MONDAY = at(dt.date(2026, 3, 2), 10)


def rule(aw, trigger, level=SupervisionLevel.DAILY, days=2) -> SupervisionRule:
    return SupervisionRule.objects.create(
        zone=aw.zone, trigger=trigger, level=level, answer_within_days=days
    )


def handling(aw, **fields):
    return make_appeal(aw, AppealStatus.HANDLING, received=MONDAY, **fields)


# -- by hand ------------------------------------------------------------------------------------


def test_a_supervisor_raises_a_manual_supervision_with_its_own_deadline(aw):
    appeal = handling(aw)
    with time_machine.travel(MONDAY, tick=False):
        supervision = appeal_supervise(
            appeal=appeal,
            actor=aw.supervisor,
            level=SupervisionLevel.LISTED,
            note="请加快办理",
            days=2,
        )
    assert supervision.trigger == SupervisionTrigger.MANUAL
    assert supervision.department == aw.lead
    assert supervision.opened_by == aw.supervisor
    # Mon 2 Mar + 2 working days: Tue 3 (1st), Wed 4 (2nd): due at Wed 4 Mar 17:30.
    assert supervision.due_at == at(dt.date(2026, 3, 4), 17, 30)
    assert AuditEvent.objects.filter(action=AppealEvent.SUPERVISED).count() == 1
    assert AppealStep.objects.filter(appeal=appeal, action="supervise").count() == 1
    told = Notification.objects.filter(kind="appeal_supervised")
    assert [row.recipient for row in told] == [aw.handler]
    assert "挂牌督办" in told[0].text


def test_the_supervision_deadline_skips_the_national_day_holiday(aw):
    # Wed 30 Sep 2026 + 2 working days: 1–7 Oct is 国庆 (off); Thu 8 Oct is the 1st and
    # Fri 9 Oct the 2nd: due at Fri 9 Oct 17:30.
    start = at(dt.date(2026, 9, 30), 10)
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=start)
    with time_machine.travel(start, tick=False):
        supervision = appeal_supervise(
            appeal=appeal, actor=aw.dispatcher, level="daily", note="请尽快联系企业", days=2
        )
    assert supervision.due_at == at(dt.date(2026, 10, 9), 17, 30)


@pytest.mark.parametrize("who", ["handler", "operator", "clerk", "requester"])
def test_only_supervisors_and_the_centre_supervise(aw, who):
    with pytest.raises(Forbidden):
        appeal_supervise(
            appeal=handling(aw), actor=getattr(aw, who), level="daily", note="催办", days=2
        )
    assert not AppealSupervision.objects.exists()


def test_a_supervisor_of_another_zone_may_not_supervise(aw):
    elsewhere = worlds.department_elsewhere()
    supervisor = worlds.staff(elsewhere.zone, Role.SUPERVISOR, username="x_supervisor")
    with pytest.raises(Forbidden):
        appeal_supervise(appeal=handling(aw), actor=supervisor, level="daily", note="催", days=2)


@pytest.mark.parametrize(
    "status", [AppealStatus.RECEIVED, AppealStatus.ANSWERED, AppealStatus.CLOSED]
)
def test_an_order_no_department_works_is_not_supervised(aw, status):
    appeal = make_appeal(aw, status, received=MONDAY)
    with pytest.raises(Conflict) as refused:
        appeal_supervise(appeal=appeal, actor=aw.supervisor, level="daily", note="催", days=2)
    assert refused.value.code == "not_supervisable"


@pytest.mark.parametrize(
    ("level", "days", "note", "field"),
    [
        ("urgent", 2, "催办", "level"),
        ("daily", 0, "催办", "days"),
        ("daily", 31, "催办", "days"),
        ("daily", "2", "催办", "days"),
        ("daily", 2, "", "note"),
        ("daily", 2, "长" * 4001, "note"),
    ],
)
def test_bad_supervision_input_is_named(aw, level, days, note, field):
    with pytest.raises(ValidationFailed) as refused:
        appeal_supervise(
            appeal=handling(aw), actor=aw.supervisor, level=level, note=note, days=days
        )
    assert field in refused.value.fields


def test_one_open_manual_supervision_per_order(aw):
    appeal = handling(aw)
    first = appeal_supervise(appeal=appeal, actor=aw.supervisor, level="daily", note="催", days=2)
    with pytest.raises(Conflict) as refused:
        appeal_supervise(appeal=appeal, actor=aw.dispatcher, level="listed", note="再催", days=1)
    assert refused.value.code == "supervision_already_open"
    supervision_close(supervision=first, actor=aw.supervisor, note="已督促")
    again = appeal_supervise(
        appeal=appeal, actor=aw.dispatcher, level="listed", note="再催", days=1
    )
    assert again.status == SupervisionStatus.OPEN


# -- by the zone's triggers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "trigger",
    [
        SupervisionTrigger.OVERDUE,
        SupervisionTrigger.SIGN_REFUSED,
        SupervisionTrigger.REOPENED_TWICE,
        SupervisionTrigger.BAD_VISIT,
    ],
)
def test_a_trigger_without_a_rule_raises_nothing_and_with_one_raises_once(aw, trigger):
    appeal = handling(aw)
    assert supervise_on(appeal, trigger) is None
    rule(aw, trigger, SupervisionLevel.INTERVIEW, days=3)
    raised = supervise_on(appeal, trigger)
    assert raised is not None and raised.level == SupervisionLevel.INTERVIEW
    assert raised.opened_by is None
    assert supervise_on(appeal, trigger) is None
    assert AppealSupervision.objects.filter(trigger=trigger).count() == 1


def test_sign_refused_goes_against_the_department_that_sent_it_back(aw):
    rule(aw, SupervisionTrigger.SIGN_REFUSED)
    appeal = make_appeal(aw, AppealStatus.DISPATCHED, received=MONDAY)
    raised = supervise_on(appeal, SupervisionTrigger.SIGN_REFUSED, department=aw.other)
    assert raised.department == aw.other
    assert [row.recipient for row in Notification.objects.all()] == [aw.other_handler]


def test_the_job_raises_the_overdue_supervision_once_per_clock_round(aw):
    rule(aw, SupervisionTrigger.OVERDUE, SupervisionLevel.LISTED)
    late = handling(aw)  # due Mon 9 Mar 2026, 17:30
    on_time = make_appeal(aw, AppealStatus.HANDLING, received=at(dt.date(2026, 3, 9), 9))
    received = make_appeal(aw, AppealStatus.RECEIVED, received=MONDAY)  # nobody holds it
    answered = make_appeal(aw, AppealStatus.ANSWERED, received=MONDAY)
    after = at(dt.date(2026, 3, 10), 8)
    with time_machine.travel(after, tick=False):
        assert supervisions_raise().overdue == 1
        assert supervisions_raise().overdue == 0
    assert list(AppealSupervision.objects.values_list("appeal_id", flat=True)) == [late.pk]
    for other in (on_time, received, answered):
        assert not AppealSupervision.objects.filter(appeal=other).exists()
    # Closed (销号) while the order is still late: the same round raises nothing again.
    supervision_close(
        supervision=AppealSupervision.objects.get(), actor=aw.supervisor, note="已约谈"
    )
    with time_machine.travel(after + dt.timedelta(days=1), tick=False):
        assert supervisions_raise().overdue == 0


def test_the_job_raises_nothing_without_an_overdue_rule(aw):
    handling(aw)
    with time_machine.travel(at(dt.date(2026, 3, 20), 8), tick=False):
        assert supervisions_raise().total == 0


def test_the_job_follows_every_return_once(aw):
    rule(aw, SupervisionTrigger.SIGN_REFUSED)
    appeal = make_appeal(aw, AppealStatus.RETURN_REQUESTED, received=MONDAY)
    AppealReturn.objects.create(
        appeal=appeal, department=aw.lead, reason="不属本部门职责", requested_by=aw.handler
    )
    late = make_appeal(aw, AppealStatus.HANDLING, received=MONDAY, department=aw.other)
    AppealReturn.objects.create(
        appeal=late,
        department=aw.other,
        reason="超时退回",
        requested_by=aw.other_handler,
        status=ReturnStatus.LATE,
    )
    assert supervisions_raise().sign_refused == 2
    assert supervisions_raise().sign_refused == 0
    assert set(AppealSupervision.objects.values_list("appeal_id", "department_id")) == {
        (appeal.pk, aw.lead.pk),
        (late.pk, aw.other.pk),
    }


def test_a_return_the_handling_service_already_followed_raises_nothing_more(aw):
    rule(aw, SupervisionTrigger.SIGN_REFUSED)
    appeal = make_appeal(aw, AppealStatus.RETURN_REQUESTED, received=MONDAY)
    AppealReturn.objects.create(
        appeal=appeal, department=aw.lead, reason="不属本部门职责", requested_by=aw.handler
    )
    supervise_on(appeal, SupervisionTrigger.SIGN_REFUSED, department=aw.lead)
    assert supervisions_raise().sign_refused == 0
    assert AppealSupervision.objects.count() == 1


def test_the_periodic_task_runs_the_job(aw):
    rule(aw, SupervisionTrigger.OVERDUE)
    handling(aw)
    with time_machine.travel(at(dt.date(2026, 3, 20), 8), tick=False):
        result = raise_supervisions.call()
    assert result == {"overdue": 1, "sign_refused": 0}


# -- answer and close ---------------------------------------------------------------------------


def raised(aw):
    return appeal_supervise(
        appeal=handling(aw), actor=aw.supervisor, level="daily", note="催", days=2
    )


def test_the_department_answers_and_the_supervisor_closes(aw):
    supervision = raised(aw)
    answered = supervision_answer(supervision=supervision, actor=aw.handler, response="已联系企业")
    assert answered.status == SupervisionStatus.ANSWERED
    assert answered.response == "已联系企业" and answered.answered_at is not None
    closed = supervision_close(supervision=supervision, actor=aw.supervisor, note="同意销号")
    assert closed.status == SupervisionStatus.CLOSED and closed.closed_at is not None
    assert AuditEvent.objects.filter(action=AppealEvent.SUPERVISION_ANSWERED).count() == 1
    assert AuditEvent.objects.filter(action=AppealEvent.SUPERVISION_CLOSED).count() == 1
    steps = AppealStep.objects.filter(appeal=supervision.appeal).values_list("action", flat=True)
    assert list(steps) == ["supervise", "supervision_answer", "supervision_close"]


@pytest.mark.parametrize("who", ["other_handler", "dispatcher", "supervisor", "requester"])
def test_only_the_supervised_department_answers(aw, who):
    with pytest.raises(Forbidden):
        supervision_answer(supervision=raised(aw), actor=getattr(aw, who), response="已办")


def test_an_answer_needs_words_and_comes_once(aw):
    supervision = raised(aw)
    with pytest.raises(ValidationFailed) as refused:
        supervision_answer(supervision=supervision, actor=aw.handler, response=" ")
    assert refused.value.fields == {"response": ["反馈：请填写"]}
    supervision_answer(supervision=supervision, actor=aw.handler, response="已办")
    with pytest.raises(Conflict) as again:
        supervision_answer(supervision=supervision, actor=aw.handler, response="再次反馈")
    assert again.value.code == "transition_not_allowed"


@pytest.mark.parametrize("who", ["dispatcher", "handler", "operator"])
def test_only_the_supervisor_closes(aw, who):
    with pytest.raises(Forbidden):
        supervision_close(supervision=raised(aw), actor=getattr(aw, who), note="销号")


def test_closing_needs_a_note_and_happens_once(aw):
    supervision = raised(aw)
    with pytest.raises(ValidationFailed) as refused:
        supervision_close(supervision=supervision, actor=aw.supervisor, note="")
    assert "note" in refused.value.fields
    supervision_close(supervision=supervision, actor=aw.supervisor, note="销号")
    with pytest.raises(Conflict):
        supervision_close(supervision=supervision, actor=aw.supervisor, note="再次销号")
