"""Template helpers of the organisation's pages."""

from __future__ import annotations

from django import template

from onewindow.core.identifiers import mask_identifier
from onewindow.org import pages
from onewindow.org.permissions import shown_identifier

register = template.Library()


@register.simple_tag(takes_context=True)
def applicant_identifier(context, applicant) -> str:
    """The applicant's identifier as the signed-in user may see it (full or masked)."""
    return shown_identifier(context["request"].user, applicant)


@register.filter
def audit_action_label(action: str) -> str:
    return pages.audit_action_label(action)


@register.filter
def masked(value: str) -> str:
    """A personal number (ID, passport, phone) as people without the right to it see it."""
    return mask_identifier(value or "")
