"""Reads of suggestions: who sees which (the list scope and the one object chokepoint)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound
from onewindow.org.models import User
from suggestions.constants import SuggestionStatus
from suggestions.models import Suggestion
from suggestions.permissions import is_author_kind, reads_zone


def suggestions_visible_to(user: User, *, status: str | None = None) -> QuerySet[Suggestion]:
    """An applicant's user sees its own suggestions; window clerks and supervisors those of
    their zone; everyone else none. The newest first, with what a list shows."""
    queryset = Suggestion.objects.select_related("zone", "author", "answered_by")
    if is_author_kind(user):
        queryset = queryset.filter(author=user)
    elif reads_zone(user):
        queryset = queryset.filter(zone_id=user.zone_id)
    else:
        return queryset.none()
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def suggestion_for(user: User, pk: int) -> Suggestion:
    """The suggestion ``pk`` if ``user`` may see it; the same "not found" for a missing one
    and one of another author or zone (ADR 0018), so an id reveals nothing."""
    suggestion = suggestions_visible_to(user).filter(pk=pk).first()
    if suggestion is None:
        raise NotFound(_("意见建议不存在"), code="suggestion_not_found")
    return suggestion


def waiting_count(user: User) -> int:
    """Suggestions of the user's zone still waiting for an answer (the home-page panel)."""
    return (
        suggestions_visible_to(user, status=SuggestionStatus.SUBMITTED).count()
        if reads_zone(user)
        else 0
    )
