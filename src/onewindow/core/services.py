"""Writes of core data: holiday notices (each in one transaction, audited)."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.db.models import F, PositiveBigIntegerField, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from onewindow.core.audit import AuditAction, audit_append
from onewindow.core.errors import ValidationFailed
from onewindow.core.holiday_notice import parse_holiday_notice
from onewindow.core.models import CalendarRevision, HolidayNotice, HolidayNoticeDay
from onewindow.core.selectors import calendar_revision_forget
from onewindow.core.signals import calendar_changed


def calendar_revision_bump(*, zone_id: int | None = None) -> None:
    """Tell every process that cached calendars are stale (call inside the write), and,
    once the write commits, the apps listening to ``core.signals.calendar_changed``.

    The new value is max(previous + 1, now in microseconds), never just previous + 1: a
    transaction that bumps and then rolls back has already shown its value to calendars
    built inside it, and a later bump handing out the same value again would let those
    calendars, built from rolled-back data, pass for current.
    """
    CalendarRevision.objects.get_or_create(id=1)
    now = Value(time.time_ns() // 1000)
    CalendarRevision.objects.filter(id=1).update(
        value=Greatest(F("value") + 1, now, output_field=PositiveBigIntegerField())
    )
    calendar_revision_forget()
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarRevision, zone_id=zone_id))


@transaction.atomic
def holiday_notice_load(*, payload: dict[str, Any], actor: str) -> HolidayNotice:
    """Load (or replace) a year's notice; cached calendars rebuild on their next use."""
    header, days = parse_holiday_notice(payload)
    HolidayNotice.objects.filter(year=header["year"]).delete()
    clashes = HolidayNoticeDay.objects.filter(date__in=[day for day, _k, _n in days])
    if clashes.exists():
        clash = clashes.select_related("notice").first()
        raise ValidationFailed(
            _("{day} 已由 {year} 年的通知规定").format(day=clash.date, year=clash.notice.year),
            code="notice_overlap",
        )
    notice = HolidayNotice.objects.create(**header, loaded_by=actor)
    HolidayNoticeDay.objects.bulk_create(
        HolidayNoticeDay(notice=notice, date=day, kind=kind, name=name) for day, kind, name in days
    )
    calendar_revision_bump()
    audit_append(
        action=AuditAction.CALENDAR_NOTICE_LOADED,
        actor=actor,
        object_type="holiday_notice",
        object_id=notice.year,
        data={**header, "days": len(days)},
    )
    return notice
