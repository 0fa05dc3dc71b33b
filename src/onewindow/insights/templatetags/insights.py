"""Formatting of dashboard figures and links to what is behind them."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


def _one_decimal(value: float) -> str:
    """Rounded to one decimal (``number_format`` alone would cut the rest off)."""
    return number_format(round(value, 1), 1)


@register.filter
def percent(value) -> str:
    """0.875 → "87.5%"; no rate (nothing to divide by) → "—"."""
    if value is None:
        return "—"
    return f"{_one_decimal(value * 100)}%"


@register.filter
def days(value) -> str:
    """Working days with one decimal; "—" when there is nothing to measure."""
    if value is None:
        return "—"
    return _("{days} 个工作日").format(days=_one_decimal(value))


@register.filter
def number(value) -> str:
    return "—" if value is None else _one_decimal(value)


@register.simple_tag
def drill(links, figure: str) -> str:
    """The drill-down URL of ``figure`` for the page's filters (``links``: a
    :class:`~onewindow.insights.links.DrillLinks`)."""
    return links.url(figure)


@register.filter
def chart_value(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{_one_decimal(value)}%"
    return _one_decimal(value) if isinstance(value, float) else str(value)


@register.filter
def field_label(form, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None else name
