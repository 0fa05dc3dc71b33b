"""How dashboard figures are written: rates, working days, numbers ("—" for none). Plain
functions, registered as template filters by ``templatetags.insights`` and used by the
tables built in Python (``insights.tables``)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def one_decimal(value: float) -> str:
    """Rounded to one decimal (``number_format`` alone would cut the rest off)."""
    return number_format(round(value, 1), 1)


def percent(value) -> str:
    """0.875 → "87.5%"; no rate (nothing to divide by) → "—"."""
    if value is None:
        return "—"
    return f"{one_decimal(value * 100)}%"


def days(value) -> str:
    """Working days with one decimal; "—" when there is nothing to measure."""
    if value is None:
        return "—"
    return _("{days} 个工作日").format(days=one_decimal(value))


def number(value) -> str:
    return "—" if value is None else one_decimal(value)


def chart_value(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{one_decimal(value)}%"
    return one_decimal(value) if isinstance(value, float) else str(value)
