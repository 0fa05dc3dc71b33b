"""Who may do what with a suggestion, and why not: pure rules, asked by the services (which
raise the refusal) and by the pages (which offer only what the services would accept).

Three layers (STYLE.md): a role per page or endpoint (``is_author_kind``, ``reads_zone``),
one object chokepoint (``selectors.suggestion_for``: "not found" for missing and forbidden
alike, ADR 0018) and list scoping (``selectors.suggestions_visible_to``).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from onewindow.core.errors import ApplicationError, Conflict, Forbidden
from onewindow.org.constants import UserKind
from onewindow.org.models import User
from suggestions.constants import (
    ANSWER_ROLES,
    READER_ROLES,
    STAFF_CLOSE_AFTER_DAYS,
    SUGGESTION_TRANSITIONS,
    SuggestionAction,
)
from suggestions.models import Suggestion


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_author_kind(user: User) -> bool:
    """Applicants' users leave suggestions; staff do not."""
    return _active(user) and user.kind == UserKind.APPLICANT


def reads_zone(user: User) -> bool:
    """Staff who read their zone's suggestions (window clerks, supervisors)."""
    return (
        _active(user)
        and user.kind == UserKind.STAFF
        and user.zone_id is not None
        and bool(user.role_set() & READER_ROLES)
    )


def answers_for_zone(user: User, suggestion: Suggestion) -> bool:
    """A window clerk of the suggestion's zone."""
    return (
        _active(user)
        and user.kind == UserKind.STAFF
        and user.zone_id == suggestion.zone_id
        and bool(user.role_set() & ANSWER_ROLES)
    )


def _refused_move(suggestion: Suggestion, action: str) -> Conflict | None:
    """The table's refusal (409 ``transition_not_allowed``) of ``action`` now, or None."""
    try:
        SUGGESTION_TRANSITIONS.check(suggestion, action)
    except Conflict as refusal:
        return refusal
    return None


def why_not_answer(user: User, suggestion: Suggestion) -> ApplicationError | None:
    """None when ``user`` may answer ``suggestion`` now; else the refusal to raise."""
    if not answers_for_zone(user, suggestion):
        return Forbidden(_("只有本开发区的综合窗口人员可以答复意见建议"), code="not_permitted")
    return _refused_move(suggestion, SuggestionAction.ANSWER)


def why_not_close(
    user: User, suggestion: Suggestion, *, now: dt.datetime
) -> ApplicationError | None:
    """None when ``user`` may close ``suggestion`` now: its author, accepting the answer;
    or a window clerk of the zone once the answer is ``STAFF_CLOSE_AFTER_DAYS`` days old."""
    author = _active(user) and suggestion.author_id == user.pk
    if not author and not answers_for_zone(user, suggestion):
        return Forbidden(
            _("只有提出人或本开发区的综合窗口人员可以办结意见建议"), code="not_permitted"
        )
    refusal = _refused_move(suggestion, SuggestionAction.CLOSE)
    if refusal is not None or author:
        return refusal
    if now - suggestion.answered_at < dt.timedelta(days=STAFF_CLOSE_AFTER_DAYS):
        return Conflict(
            _("答复满 {days} 天后提出人仍未办结的，窗口人员才能办结").format(
                days=STAFF_CLOSE_AFTER_DAYS
            ),
            code="too_early",
        )
    return None
