"""The zone's own working-day calendar overrides."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.audit import (
    AuditAction,
    audit_append,
)
from onewindow.core.errors import ValidationFailed
from onewindow.core.services import calendar_revision_bump
from onewindow.org.constants import (
    CalendarOverrideKind,
)
from onewindow.org.models import (
    User,
    Zone,
    ZoneCalendarOverride,
)
from onewindow.org.services.common import _require


@transaction.atomic
def calendar_override_set(
    *, zone: Zone, date: dt.date, kind: str, reason: str, actor: User
) -> ZoneCalendarOverride:
    """Declare a zone closure or an extra working day (wins over the national notice)."""
    if kind not in CalendarOverrideKind.values:
        raise ValidationFailed.for_field("kind", _("调整类型应为停止办公或照常办公"))
    reason = _require("reason", reason, _("原因"))
    limit = ZoneCalendarOverride._meta.get_field("reason").max_length
    if len(reason) > limit:
        raise ValidationFailed.for_field("reason", _("原因不能超过 {limit} 字").format(limit=limit))
    override, _created = ZoneCalendarOverride.objects.update_or_create(
        zone=zone,
        date=date,
        defaults={"kind": kind, "reason": reason, "created_by": actor},
    )
    calendar_revision_bump(zone_id=zone.pk)
    audit_append(
        action=AuditAction.CALENDAR_OVERRIDE_SET,
        actor=actor.username,
        actor_id=actor.pk,
        object_type="zone_calendar",
        object_id=f"{zone.code}:{date.isoformat()}",
        data={"kind": kind, "reason": reason},
    )
    return override


@transaction.atomic
def calendar_override_remove(*, override: ZoneCalendarOverride, actor: User) -> None:
    key = f"{override.zone.code}:{override.date.isoformat()}"
    zone_id = override.zone_id
    override.delete()
    calendar_revision_bump(zone_id=zone_id)
    audit_append(
        action=AuditAction.CALENDAR_OVERRIDE_REMOVED,
        actor=actor.username,
        actor_id=actor.pk,
        object_type="zone_calendar",
        object_id=key,
    )
