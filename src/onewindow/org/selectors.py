"""Reads of the organisation worth naming."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext as _

from onewindow.core.calendar import DayKind, KnownDay, WorkingCalendar
from onewindow.core.errors import NotFound
from onewindow.core.selectors import cached_calendar
from onewindow.org.constants import CalendarOverrideKind
from onewindow.org.models import Zone, ZoneCalendarOverride

ZONE_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")


def zone_by_code(code: str | None = None) -> Zone:
    """The zone with ``code``, or the installation's default zone."""
    code = (code or settings.ONEWINDOW_DEFAULT_ZONE).upper()
    # Only a well-formed code reaches the database (a NUL byte would be a PostgreSQL error).
    zone = Zone.objects.filter(code=code).first() if ZONE_CODE_RE.match(code) else None
    if zone is None:
        zone = (
            Zone.objects.order_by("id").first() if code == settings.ONEWINDOW_DEFAULT_ZONE else None
        )
    if zone is None:
        message = _("开发区 {code} 不存在").format(code=code.replace("\x00", ""))
        raise NotFound(message, code="zone_not_found", fields={"zone": [message]})
    return zone


def calendar_for_zone(zone: Zone) -> WorkingCalendar:
    """The zone's working calendar: national notices with the zone's overrides on top."""

    def overrides() -> dict:
        return {
            row.date: KnownDay(
                DayKind.ZONE_CLOSED
                if row.kind == CalendarOverrideKind.CLOSED
                else DayKind.ZONE_OPEN,
                row.reason,
            )
            for row in ZoneCalendarOverride.objects.filter(zone=zone).only("date", "kind", "reason")
        }

    return cached_calendar(("zone", zone.pk), overrides)
