"""A zone's own working days: overrides win, cached calendars follow, changes are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from onewindow.core.audit import AuditAction
from onewindow.core.calendar import DayKind
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.core.selectors import calendar_revision, national_calendar
from onewindow.org.constants import CalendarOverrideKind
from onewindow.org.models import Zone, ZoneCalendarOverride
from onewindow.org.selectors import calendar_for_zone
from onewindow.org.services import calendar_override_remove, calendar_override_set

D = dt.date
CLOSED, OPEN = CalendarOverrideKind.CLOSED, CalendarOverrideKind.OPEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_zone(db) -> Zone:
    return Zone.objects.create(code="GXQ", name="高新技术产业开发区", division_code="320193")


def test_a_closure_wins_over_a_working_day(zone, administrator):
    # given Fri 9 Oct 2026, an ordinary working day after National Day
    assert calendar_for_zone(zone).is_working_day(D(2026, 10, 9))
    # when the zone closes for a typhoon
    calendar_override_set(
        zone=zone, date=D(2026, 10, 9), kind=CLOSED, reason="台风", actor=administrator
    )
    # then it is not a working day there, and deadlines skip it
    calendar = calendar_for_zone(zone)
    info = calendar.day(D(2026, 10, 9))
    assert (info.kind, info.is_working, info.reason) == (
        DayKind.ZONE_CLOSED,
        False,
        "本区停止办公（台风）",
    )
    assert calendar.add_working_days(D(2026, 9, 28), 4) == D(2026, 10, 10)
    assert calendar.add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 12)


def test_a_closure_wins_over_a_makeup_day(zone, administrator):
    calendar_override_set(
        zone=zone, date=D(2026, 10, 10), kind=CLOSED, reason="停电检修", actor=administrator
    )
    calendar = calendar_for_zone(zone)
    assert calendar.day(D(2026, 10, 10)).kind == DayKind.ZONE_CLOSED
    assert calendar.add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 12)


def test_an_opening_wins_over_a_holiday(zone, administrator):
    calendar_override_set(
        zone=zone, date=D(2026, 10, 5), kind=OPEN, reason="项目集中审批", actor=administrator
    )
    calendar = calendar_for_zone(zone)
    info = calendar.day(D(2026, 10, 5))
    assert (info.kind, info.is_working, info.reason) == (
        DayKind.ZONE_OPEN,
        True,
        "本区照常办公（项目集中审批）",
    )
    # 29, 30 Sep, 5 Oct, 8, 9 Oct
    assert calendar.add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 9)
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 2


def test_an_opening_on_a_weekend(zone, administrator):
    calendar_override_set(
        zone=zone, date=D(2026, 3, 7), kind=OPEN, reason="周末服务日", actor=administrator
    )
    calendar = calendar_for_zone(zone)
    assert calendar.is_working_day(D(2026, 3, 7))
    assert calendar.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 7)


def test_overrides_stay_in_their_zone(zone, other_zone, administrator):
    calendar_override_set(
        zone=zone, date=D(2026, 10, 9), kind=CLOSED, reason="台风", actor=administrator
    )
    assert not calendar_for_zone(zone).is_working_day(D(2026, 10, 9))
    assert calendar_for_zone(other_zone).is_working_day(D(2026, 10, 9))
    assert national_calendar().is_working_day(D(2026, 10, 9))


def test_an_override_in_a_year_without_a_notice_is_still_provisional(zone, administrator):
    calendar_override_set(
        zone=zone, date=D(2027, 1, 4), kind=CLOSED, reason="停电", actor=administrator
    )
    info = calendar_for_zone(zone).day(D(2027, 1, 4), allow_provisional=True)
    assert (info.kind, info.provisional) == (DayKind.ZONE_CLOSED, True)


def test_setting_again_changes_the_override(zone, administrator):
    calendar_override_set(
        zone=zone, date=D(2026, 10, 9), kind=CLOSED, reason="台风", actor=administrator
    )
    calendar_override_set(
        zone=zone, date=D(2026, 10, 9), kind=OPEN, reason="台风取消", actor=administrator
    )
    assert ZoneCalendarOverride.objects.get().reason == "台风取消"
    assert calendar_for_zone(zone).day(D(2026, 10, 9)).kind == DayKind.ZONE_OPEN


def test_removing_restores_the_national_day(zone, administrator):
    override = calendar_override_set(
        zone=zone, date=D(2026, 10, 9), kind=CLOSED, reason="台风", actor=administrator
    )
    assert not calendar_for_zone(zone).is_working_day(D(2026, 10, 9))
    calendar_override_remove(override=override, actor=administrator)
    assert calendar_for_zone(zone).day(D(2026, 10, 9)).kind == DayKind.WORKDAY
    assert not ZoneCalendarOverride.objects.exists()


# -- the cache ----------------------------------------------------------------------------


def test_the_calendar_is_cached_until_the_revision_moves(
    zone, administrator, django_assert_num_queries
):
    first = calendar_for_zone(zone)
    with django_assert_num_queries(0):  # the revision was read once in this transaction
        assert calendar_for_zone(zone) is first
    revision = calendar_revision()
    calendar_override_set(
        zone=zone, date=D(2026, 10, 9), kind=CLOSED, reason="台风", actor=administrator
    )
    assert calendar_revision() > revision
    rebuilt = calendar_for_zone(zone)
    assert rebuilt is not first
    assert first.is_working_day(D(2026, 10, 9))  # a built calendar never changes
    assert not rebuilt.is_working_day(D(2026, 10, 9))
    with django_assert_num_queries(0):  # the new revision, read once after the bump
        assert calendar_for_zone(zone) is rebuilt


def test_removing_moves_the_revision(zone, administrator):
    override = calendar_override_set(
        zone=zone, date=D(2026, 10, 9), kind=CLOSED, reason="台风", actor=administrator
    )
    revision = calendar_revision()
    calendar_override_remove(override=override, actor=administrator)
    assert calendar_revision() > revision


def test_a_rolled_back_override_leaves_no_stale_calendar(zone, administrator):
    # given an override set, used and rolled back
    with pytest.raises(RuntimeError), transaction.atomic():
        calendar_override_set(
            zone=zone, date=D(2026, 10, 9), kind=CLOSED, reason="台风", actor=administrator
        )
        assert not calendar_for_zone(zone).is_working_day(D(2026, 10, 9))
        raise RuntimeError("the surrounding work failed")
    # when another change is committed
    calendar_override_set(
        zone=zone, date=D(2026, 3, 7), kind=OPEN, reason="服务日", actor=administrator
    )
    # then the zone's calendar has that change and not the rolled-back one
    calendar = calendar_for_zone(zone)
    assert calendar.is_working_day(D(2026, 3, 7))
    assert calendar.is_working_day(D(2026, 10, 9))


# -- refusals and the audit trail ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "reason", "field", "message"),
    [
        ("holiday", "台风", "kind", "调整类型应为停止办公或照常办公"),
        (CLOSED, "  ", "reason", "原因不能为空"),
    ],
)
def test_a_bad_override_is_refused_and_changes_nothing(
    zone, administrator, kind, reason, field, message
):
    revision = calendar_revision()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as raised:
        calendar_override_set(
            zone=zone, date=D(2026, 10, 9), kind=kind, reason=reason, actor=administrator
        )
    assert raised.value.fields == {field: [message]}
    assert not ZoneCalendarOverride.objects.exists()
    assert calendar_revision() == revision
    assert AuditEvent.objects.count() == events


def test_setting_appends_an_audit_event(zone, administrator):
    calendar_override_set(
        zone=zone, date=D(2026, 10, 9), kind=CLOSED, reason="台风", actor=administrator
    )
    event = AuditEvent.objects.filter(action=AuditAction.CALENDAR_OVERRIDE_SET).get()
    assert (event.actor, event.actor_id, event.object_type, event.object_id) == (
        administrator.username,
        str(administrator.pk),
        "zone_calendar",
        "SFQ:2026-10-09",
    )
    assert event.data == {"kind": "closed", "reason": "台风"}


def test_removing_appends_an_audit_event(zone, administrator):
    override = calendar_override_set(
        zone=zone, date=D(2026, 10, 9), kind=CLOSED, reason="台风", actor=administrator
    )
    calendar_override_remove(override=override, actor=administrator)
    actions = list(AuditEvent.objects.values_list("action", "object_id"))
    assert actions[-2:] == [
        (AuditAction.CALENDAR_OVERRIDE_SET, "SFQ:2026-10-09"),
        (AuditAction.CALENDAR_OVERRIDE_REMOVED, "SFQ:2026-10-09"),
    ]


def test_a_reason_longer_than_its_column_is_refused_with_the_field(zone, administrator):
    with pytest.raises(ValidationFailed) as refused:
        calendar_override_set(
            zone=zone,
            date=dt.date(2026, 7, 1),
            kind=CalendarOverrideKind.CLOSED,
            reason="台风" * 101,
            actor=administrator,
        )
    assert refused.value.fields == {"reason": ["原因不能超过 200 字"]}
    assert not ZoneCalendarOverride.objects.exists()
