"""Formatting of dashboard figures (``insights.formats``) and links to what is behind them."""

from __future__ import annotations

from django import template

from onewindow.insights import formats

register = template.Library()

register.filter("percent", formats.percent)
register.filter("days", formats.days)
register.filter("number", formats.number)
register.filter("chart_value", formats.chart_value)


@register.simple_tag
def drill(links, figure: str) -> str:
    """The drill-down URL of ``figure`` for the page's filters (``links``: a
    :class:`~onewindow.insights.links.DrillLinks`)."""
    return links.url(figure)


@register.filter
def field_label(form, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None else name
