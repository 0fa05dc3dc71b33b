"""Template helpers of the catalog's pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    """``path`` as a full address, so a printed guide shows where each link leads."""
    return context["request"].build_absolute_uri(path)
