"""Template helpers of the catalog's pages."""

from __future__ import annotations

from django import template

from onewindow.core.links import public_url

register = template.Library()


@register.simple_tag
def absolute_url(path: str) -> str:
    """``path`` on the zone's public address (``ONEWINDOW_PUBLIC_URL``), so a printed guide
    shows where each link leads, whatever address the page was opened at."""
    return public_url(path)
