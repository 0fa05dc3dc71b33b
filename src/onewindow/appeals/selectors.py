"""Reads of appeals worth naming: the zone's settings and limits, the calendar, one order
for a user (404 otherwise)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.appeals.clock import Limit
from onewindow.appeals.constants import DEFAULT_LIMITS
from onewindow.appeals.models import Appeal, AppealSettings, AppealTimeLimit
from onewindow.appeals.permissions import visible_appeals
from onewindow.core.calendar import WorkingCalendar
from onewindow.core.errors import NotFound
from onewindow.org.models import User, Zone
from onewindow.org.selectors import calendar_for_zone


def appeal_settings_for(zone: Zone | int) -> AppealSettings:
    """The zone's settings, or the defaults (unsaved) when it has none."""
    zone_id = zone if isinstance(zone, int) else zone.pk
    found = AppealSettings.objects.filter(zone_id=zone_id).first()
    return found if found is not None else AppealSettings(zone_id=zone_id)


def time_limit_for(zone_id: int, nature: str, urgency: str, *, on: dt.date | None = None) -> Limit:
    """The limit in force ``on`` a day (today) for a nature × urgency: the zone's row with
    the latest ``valid_from`` not after that day, else the national default."""
    on = on or timezone.localdate()
    row = (
        AppealTimeLimit.objects.filter(
            zone_id=zone_id, nature=nature, urgency=urgency, valid_from__lte=on
        )
        .order_by("-valid_from")
        .only("unit", "amount")
        .first()
    )
    if row is not None:
        return Limit(row.unit, row.amount)
    unit, amount = DEFAULT_LIMITS[urgency]
    return Limit(str(unit), amount)


def zone_calendar(zone: Zone) -> WorkingCalendar:
    return calendar_for_zone(zone)


def appeal_for(user: User, number: str) -> Appeal:
    """The order ``number`` if ``user`` may see it; the same 404 whether it is missing or
    out of their sight."""
    found = (
        visible_appeals(user)
        .select_related("zone", "category", "requester", "lead_department")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound(_("没有找到该诉求工单"), code="appeal_not_found")
    return found
