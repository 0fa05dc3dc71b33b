"""Deadlines follow the calendar: a zone closure or a year's notice recomputes the clock of
open orders (``appeal_deadlines_recompute``), run by ``core.signals.calendar_changed``
through the appeals job, the way cases recomputes its deadlines.

Days worked by hand (2026 notices as in test_clock.py; office hours 09:00–17:30, 2 office
hours to sign, 24 natural hours to send an order back):
- received Mon 28 Sep 2026, 5 working days: Tue 29, Wed 30 Sep, Thu 8, Fri 9, Sat 10 Oct
  (调休): due Sat 10 Oct 17:30; warning at the 4th, Fri 9 Oct 17:30.
- the zone then closes Tue 29 Sep: Wed 30 (1), Thu 8 (2), Fri 9 (3), Sat 10 (4), Mon 12
  Oct (5): due Mon 12 Oct 17:30; warning Sat 10 Oct 17:30.
- dispatched Mon 28 Sep 17:00: half an hour to 17:30, the other 1.5 hours on Tue 29 Sep,
  to sign by Tue 29 Sep 10:30; with Tue 29 closed, by Wed 30 Sep 10:30. The return window
  (natural hours) ends Tue 29 Sep 17:00 either way.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from onewindow.appeals.constants import AppealEvent, AppealStatus, LimitUnit, Urgency
from onewindow.appeals.models import Appeal
from onewindow.appeals.services import clock as clock_services
from onewindow.appeals.services.clock import appeal_deadlines_recompute
from onewindow.appeals.tasks import recompute_appeal_deadlines
from onewindow.appeals.tests.factories import at, make_appeal
from onewindow.core.models import AuditEvent
from onewindow.core.services import holiday_notice_load
from onewindow.org.constants import CalendarOverrideKind
from onewindow.org.models import ZoneCalendarOverride
from onewindow.org.services import calendar_override_remove, calendar_override_set

pytestmark = pytest.mark.django_db

MON_28_SEP = dt.date(2026, 9, 28)
TUE_29_SEP = dt.date(2026, 9, 29)


def fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


def close_day(aw, day: dt.date) -> None:
    calendar_override_set(
        zone=aw.zone,
        date=day,
        kind=CalendarOverrideKind.CLOSED,
        reason="台风停止办公",
        actor=aw.dispatcher,
    )


def test_a_zone_closure_moves_an_open_order_and_leaves_a_replied_one(
    aw, django_capture_on_commit_callbacks
):
    # given: orders received on Mon 28 Sep 2026, one being worked, the others replied
    handling = make_appeal(aw, AppealStatus.HANDLING, received=at(MON_28_SEP))
    waiting = make_appeal(aw, AppealStatus.RECEIVED, received=at(MON_28_SEP))
    replied = make_appeal(aw, AppealStatus.REPLIED, received=at(MON_28_SEP), overdue=True)
    answered = make_appeal(aw, AppealStatus.ANSWERED, received=at(MON_28_SEP))
    closed = make_appeal(aw, AppealStatus.CLOSED, received=at(MON_28_SEP))
    for appeal in (handling, waiting, replied, answered, closed):
        assert fresh(appeal).due_at == at(dt.date(2026, 10, 10), 17, 30)

    # when: the zone closes Tue 29 Sep
    with django_capture_on_commit_callbacks(execute=True):
        close_day(aw, TUE_29_SEP)

    # then: the recomputation is handed to a worker once the change is committed
    job = DBTaskResult.objects.get(task_path__endswith="recompute_appeal_deadlines")
    assert job.args_kwargs["kwargs"] == {"zone_id": aw.zone.pk}
    # and when the worker runs it, the open orders follow, the replied ones do not
    assert appeal_deadlines_recompute(zone=aw.zone) == 2
    for appeal in (handling, waiting):
        moved = fresh(appeal)
        assert moved.due_at == at(dt.date(2026, 10, 12), 17, 30)
        assert moved.warn_at == at(dt.date(2026, 10, 10), 17, 30)
        assert moved.due_provisional is False
    for appeal in (replied, answered, closed):
        assert fresh(appeal).due_at == at(dt.date(2026, 10, 10), 17, 30)
    assert fresh(replied).overdue is True  # fixed at the reply, never touched
    # a second run finds nothing to change
    assert appeal_deadlines_recompute(zone=aw.zone) == 0


def test_the_run_is_audited_once_with_its_counts(aw):
    make_appeal(aw, AppealStatus.HANDLING, received=at(MON_28_SEP))
    make_appeal(aw, AppealStatus.DISPATCHED, received=at(dt.date(2026, 11, 2)))
    close_day(aw, TUE_29_SEP)

    assert appeal_deadlines_recompute(zone=aw.zone, actor=aw.dispatcher) == 1

    (event,) = AuditEvent.objects.filter(action=AppealEvent.DEADLINES_RECOMPUTED)
    assert (event.actor, event.object_type, event.object_id) == ("a_dispatcher", "zone", "SFQ")
    assert event.data == {
        "zones": ["SFQ"],
        "examined": 2,
        "changed": 1,
        "sign_limits_changed": 0,
    }


def test_natural_hour_orders_follow_the_calendar_only_when_extended(aw):
    # An urgent order received Mon 28 Sep 16:00, 2 natural hours: 18:00 the same day; the
    # calendar does not matter to it.
    urgent = make_appeal(
        aw, AppealStatus.HANDLING, received=at(MON_28_SEP, 16), urgency=Urgency.URGENT
    )
    assert fresh(urgent).due_at == at(MON_28_SEP, 18)
    # The same, extended by 1 working day: from Mon 28 Sep 18:00 the 1st working day after
    # is Tue 29 Sep (17:30); once Tue 29 is closed, Wed 30 Sep.
    extended = make_appeal(
        aw,
        AppealStatus.HANDLING,
        received=at(MON_28_SEP, 16),
        urgency=Urgency.URGENT,
        extended_days=1,
        extension_count=1,
        due_at=at(TUE_29_SEP, 17, 30),
    )
    assert fresh(extended).limit_unit == LimitUnit.NATURAL_HOURS
    close_day(aw, TUE_29_SEP)

    assert appeal_deadlines_recompute(zone=aw.zone) == 1

    assert fresh(urgent).due_at == at(MON_28_SEP, 18)
    moved = fresh(extended)
    assert moved.due_at == at(dt.date(2026, 9, 30), 17, 30)
    # the warning stays at 80 % of the hours: 16:00 + 96 minutes
    assert moved.warn_at == at(MON_28_SEP, 17, 36)


def test_an_extended_working_day_order_keeps_its_extension(aw):
    # Mon 28 Sep, 5 + 5 extended: due Fri 16 Oct; with Tue 29 Sep closed, one more working
    # day: Sat 17 Oct is a weekend, so Mon 19 Oct. Warning: 8th working day, Thu 15 Oct.
    appeal = make_appeal(
        aw,
        AppealStatus.HANDLING,
        received=at(MON_28_SEP),
        extended_days=5,
        extension_count=1,
        due_at=at(dt.date(2026, 10, 16), 17, 30),
    )
    close_day(aw, TUE_29_SEP)

    appeal_deadlines_recompute(zone=aw.zone)

    moved = fresh(appeal)
    assert moved.due_at == at(dt.date(2026, 10, 19), 17, 30)
    assert moved.warn_at == at(dt.date(2026, 10, 15), 17, 30)


@pytest.fixture
def notice_2027():
    return {
        "year": 2027,
        "title": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
        "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-04"}],
    }


def test_loading_the_2027_notice_moves_a_provisional_deadline(
    aw, notice_2027, django_capture_on_commit_callbacks
):
    # Received Mon 28 Dec 2026. Without a 2027 notice: Tue 29 (1), Wed 30 (2), Thu 31 (3),
    # 1 Jan assumed 元旦, Mon 4 (4), Tue 5 Jan (5): 暂定.
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(dt.date(2026, 12, 28)))
    assert (fresh(appeal).due_at, fresh(appeal).due_provisional) == (
        at(dt.date(2027, 1, 5), 17, 30),
        True,
    )

    # A national notice (zone_id None) with 1–4 Jan 2027 off.
    with django_capture_on_commit_callbacks(execute=True):
        holiday_notice_load(payload=notice_2027, actor="管理员")
    job = DBTaskResult.objects.get(task_path__endswith="recompute_appeal_deadlines")
    assert job.args_kwargs["kwargs"] == {"zone_id": None}
    # The job itself, as the worker runs it: every zone.
    assert recompute_appeal_deadlines.call(zone_id=None) == 1

    # Tue 5 Jan is now the 4th, Wed 6 Jan the 5th; firm.
    moved = fresh(appeal)
    assert (moved.due_at, moved.due_provisional) == (at(dt.date(2027, 1, 6), 17, 30), False)
    event = AuditEvent.objects.get(action=AppealEvent.DEADLINES_RECOMPUTED)
    assert (event.object_id, event.data["zones"]) == ("", ["SFQ"])


def test_the_job_for_a_zone_that_is_gone_does_nothing(aw):
    assert recompute_appeal_deadlines.call(zone_id=aw.zone.pk + 1000) == 0
    assert recompute_appeal_deadlines.call(zone_id=aw.zone.pk) == 0


def test_orders_are_recomputed_chunk_by_chunk(aw, monkeypatch):
    monkeypatch.setattr(clock_services, "RECOMPUTE_CHUNK_SIZE", 2)
    appeals = [
        make_appeal(aw, AppealStatus.HANDLING, received=at(MON_28_SEP, 9 + hour))
        for hour in range(5)
    ]
    make_appeal(aw, AppealStatus.CLOSED, received=at(MON_28_SEP))
    close_day(aw, TUE_29_SEP)

    assert appeal_deadlines_recompute(zone=aw.zone) == 5

    assert {fresh(appeal).due_at for appeal in appeals} == {at(dt.date(2026, 10, 12), 17, 30)}
    event = AuditEvent.objects.get(action=AppealEvent.DEADLINES_RECOMPUTED)
    assert event.data["examined"] == 5


def test_nothing_open_is_still_audited(aw):
    make_appeal(aw, AppealStatus.CLOSED, received=at(MON_28_SEP))
    assert appeal_deadlines_recompute() == 0
    event = AuditEvent.objects.get(action=AppealEvent.DEADLINES_RECOMPUTED)
    assert event.data == {"zones": [], "examined": 0, "changed": 0, "sign_limits_changed": 0}


def test_an_order_changed_while_the_chunk_was_computed_is_left_to_its_writer(aw, monkeypatch):
    # given: an open order, and an extension approved (by its own service, which sets the
    # clock) between the recompute's read and its write
    if connection.vendor != "postgresql":
        pytest.skip("the compare-and-set write is PostgreSQL's (SQLite writes one at a time)")
    appeal = make_appeal(aw, AppealStatus.HANDLING, received=at(MON_28_SEP))
    close_day(aw, TUE_29_SEP)
    computed = clock_services._compute
    extended_due = at(dt.date(2026, 10, 23), 17, 30)

    def compute_then_extend(chunk, **kwargs):
        result = computed(chunk, **kwargs)
        Appeal.objects.filter(pk=appeal.pk).update(extended_days=5, due_at=extended_due)
        return result

    monkeypatch.setattr(clock_services, "_compute", compute_then_extend)

    # when / then: the recompute does not overwrite what the extension wrote
    assert appeal_deadlines_recompute(zone=aw.zone) == 0
    assert fresh(appeal).due_at == extended_due


# -- the limit to sign ----------------------------------------------------------------------


MON_28_SEP_17 = at(MON_28_SEP, 17)
SIGN_BY = at(TUE_29_SEP, 10, 30)
SIGN_BY_AFTER_CLOSURE = at(dt.date(2026, 9, 30), 10, 30)
RETURN_UNTIL = at(TUE_29_SEP, 17)


def dispatched_at_five(aw, status: str = AppealStatus.DISPATCHED, **fields) -> Appeal:
    """An order received Mon 28 Sep 16:00, dispatched at 17:00 (the factory's hour after)."""
    appeal = make_appeal(aw, status, received=at(MON_28_SEP, 16), **fields)
    assert (appeal.dispatched_at, appeal.sign_due_at) == (MON_28_SEP_17, SIGN_BY)
    assert appeal.return_until == RETURN_UNTIL
    return appeal


def test_a_closure_moves_the_limit_to_sign_of_an_unsigned_order_not_its_return_window(
    aw, django_capture_on_commit_callbacks
):
    # given: an order awaiting its sign, one signed, one replied
    unsigned = dispatched_at_five(aw)
    signed = dispatched_at_five(aw, AppealStatus.HANDLING)
    replied = dispatched_at_five(aw, AppealStatus.REPLIED)

    # when: the zone closes Tue 29 Sep and the job runs
    with django_capture_on_commit_callbacks(execute=True):
        close_day(aw, TUE_29_SEP)
    assert recompute_appeal_deadlines.call(zone_id=aw.zone.pk) == 2  # the handling deadlines

    # then: the unsigned order is to be signed by Wed 30 Sep 10:30; its return window, in
    # natural hours, stays; the others' limits to sign were theirs when they signed
    moved = fresh(unsigned)
    assert moved.sign_due_at == SIGN_BY_AFTER_CLOSURE
    assert moved.return_until == RETURN_UNTIL
    assert moved.sign_overdue is False
    for appeal in (signed, replied):
        assert fresh(appeal).sign_due_at == SIGN_BY
    event = AuditEvent.objects.get(action=AppealEvent.DEADLINES_RECOMPUTED)
    assert event.data["sign_limits_changed"] == 1

    # a second run finds nothing to change; reopening the day moves the limit back
    appeal_deadlines_recompute(zone=aw.zone)
    assert (
        AuditEvent.objects.filter(action=AppealEvent.DEADLINES_RECOMPUTED)
        .latest("pk")
        .data["sign_limits_changed"]
        == 0
    )
    calendar_override_remove(
        override=ZoneCalendarOverride.objects.get(zone=aw.zone, date=TUE_29_SEP),
        actor=aw.dispatcher,
    )
    appeal_deadlines_recompute(zone=aw.zone)
    assert fresh(unsigned).sign_due_at == SIGN_BY


def test_an_urgent_unsigned_order_has_its_limit_to_sign_moved_in_a_run_of_every_zone(aw):
    # An urgent order counts natural hours (its deadline does not follow the calendar) but
    # its limit to sign is office hours: a national run finds its zone all the same.
    urgent = dispatched_at_five(aw, urgency=Urgency.URGENT)
    assert fresh(urgent).limit_unit == LimitUnit.NATURAL_HOURS
    due_at = fresh(urgent).due_at
    close_day(aw, TUE_29_SEP)

    assert appeal_deadlines_recompute() == 0

    moved = fresh(urgent)
    assert (moved.sign_due_at, moved.due_at) == (SIGN_BY_AFTER_CLOSURE, due_at)
    event = AuditEvent.objects.get(action=AppealEvent.DEADLINES_RECOMPUTED)
    assert (event.data["zones"], event.data["sign_limits_changed"]) == (["SFQ"], 1)


def test_limits_to_sign_are_recomputed_chunk_by_chunk(aw, monkeypatch):
    monkeypatch.setattr(clock_services, "RECOMPUTE_CHUNK_SIZE", 2)
    appeals = [dispatched_at_five(aw) for _ in range(5)]
    close_day(aw, TUE_29_SEP)

    appeal_deadlines_recompute(zone=aw.zone)

    assert {fresh(appeal).sign_due_at for appeal in appeals} == {SIGN_BY_AFTER_CLOSURE}


def test_an_order_signed_while_its_limit_was_computed_keeps_the_limit_it_was_signed_by(
    aw, monkeypatch
):
    appeal = dispatched_at_five(aw)
    close_day(aw, TUE_29_SEP)
    computed = clock_services._sign_due

    def compute_then_sign(dispatched_at, **kwargs):
        result = computed(dispatched_at, **kwargs)
        Appeal.objects.filter(pk=appeal.pk).update(
            status=AppealStatus.HANDLING, signed_at=at(TUE_29_SEP, 11), sign_overdue=True
        )
        return result

    monkeypatch.setattr(clock_services, "_sign_due", compute_then_sign)

    appeal_deadlines_recompute(zone=aw.zone)

    signed = fresh(appeal)
    assert (signed.sign_due_at, signed.sign_overdue) == (SIGN_BY, True)
    event = AuditEvent.objects.get(action=AppealEvent.DEADLINES_RECOMPUTED)
    assert event.data["sign_limits_changed"] == 0
