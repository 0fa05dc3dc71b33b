"""The suggestions vocabulary: statuses, actions, their transition table, audit names."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.transitions import TransitionTable
from onewindow.org.constants import Role


class SuggestionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待答复")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


class SuggestionAction(models.TextChoices):
    """What moves a suggestion (the verbs of its transition table)."""

    ANSWER = "answer", _("答复")
    CLOSE = "close", _("办结")


S, A = SuggestionStatus, SuggestionAction

#: 提交 → 答复 → 办结: (from status, action) → to status; anything else is refused with a
#: 409 naming the status and the action (core.transitions, ADR 0017). A suggestion is
#: created submitted (``suggestion_submit``), so submitting is not a move.
SUGGESTION_TRANSITIONS = TransitionTable(
    subject=_("意见建议"),
    statuses=SuggestionStatus,
    actions=SuggestionAction,
    moves={
        (S.SUBMITTED, A.ANSWER): S.ANSWERED,
        (S.ANSWERED, A.CLOSE): S.CLOSED,
    },
)

del S, A


class SuggestionEvent:
    """Audit actions (past tense; ``core.audit`` stores them)."""

    SUBMITTED = "suggestion.submitted"
    ANSWERED = "suggestion.answered"
    CLOSED = "suggestion.closed"


#: Audit object type (``object_id`` is the row's primary key).
SUGGESTION_OBJECT_TYPE = "suggestion"
#: Notification kind sent to the author when the zone answers.
ANSWERED_NOTIFICATION = "suggestion_answered"

#: Staff who answer suggestions (and may close them once the answer is old enough).
ANSWER_ROLES = frozenset({Role.WINDOW_CLERK})
#: Staff who read their zone's suggestions: those who answer, and 电子监察 who oversee.
READER_ROLES = ANSWER_ROLES | {Role.SUPERVISOR}
#: Staff close an answered suggestion the author has not closed after this many days.
STAFF_CLOSE_AFTER_DAYS = 7

MAX_SUBJECT_LENGTH = 60
MAX_TEXT_LENGTH = 1000
