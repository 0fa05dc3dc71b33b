"""The question: the period a figure covers, checked, and its defaults."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationFailed

#: The longest period one question may cover.
MAX_PERIOD_DAYS = 3660


def today() -> dt.date:
    return timezone.localdate()


# -- the question -------------------------------------------------------------------------


def default_period(on: dt.date) -> tuple[dt.date, dt.date]:
    """This month so far."""
    return on.replace(day=1), on


def public_period(on: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months that ended yesterday (finished days only)."""
    last = on - dt.timedelta(days=1)
    try:
        first = last.replace(year=last.year - 1) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        first = last.replace(year=last.year - 1, day=28) + dt.timedelta(days=1)
    return first, last


def check_period(day_from: dt.date, day_to: dt.date) -> None:
    """A period must run forwards and be at most MAX_PERIOD_DAYS long (field "from")."""
    if day_from > day_to:
        raise ValidationFailed.for_field(
            "from", _("开始日期不能晚于结束日期"), code="period_reversed"
        )
    if (day_to - day_from).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed.for_field(
            "from",
            _("统计期间不能超过 {days} 天").format(days=MAX_PERIOD_DAYS),
            code="period_too_long",
        )
