"""Reads of the organisation worth naming."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.audit import AuditAction
from onewindow.core.calendar import DayKind, KnownDay, WorkingCalendar
from onewindow.core.errors import NotFound
from onewindow.core.models import AuditEvent
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


def audit_trail(
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    before: int | None = None,
    limit: int = 50,
) -> tuple[list[AuditEvent], int | None]:
    """One page of the audit trail, newest first, and the event number (id) that starts the
    next (older) page, or None on the last page.

    Pages are keyed on the event number (``before``), not on an offset: the log only
    grows, so a page never shifts while someone reads it and no page counts the table.
    Dates are the zone's local days (``TIME_ZONE``), ``date_to`` included.
    """
    events = AuditEvent.objects.order_by("-id")
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    zone_info = timezone.get_current_timezone()
    if date_from is not None:
        start = dt.datetime.combine(date_from, dt.time.min, tzinfo=zone_info)
        events = events.filter(occurred_at__gte=start)
    if date_to is not None:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone_info)
        events = events.filter(occurred_at__lt=end)
    if before is not None:
        events = events.filter(id__lt=before)
    rows = list(events[: limit + 1])
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    return rows, None


def last_chain_verification() -> AuditEvent | None:
    """The newest recorded verification of the whole audit chain (``audit.chain_verified``).

    Newest by primary key, not by chain position, so it reads the same whether or not the
    event has been linked into the chain yet (one indexed query on ``action``)."""
    return (
        AuditEvent.objects.filter(action=AuditAction.AUDIT_CHAIN_VERIFIED).order_by("-pk").first()
    )
