"""The reviews vocabulary: audit actions, channel groups, limits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.transitions import TransitionTable
from onewindow.reviews.models import Channel, RectificationStatus


class ReviewEventAction:
    """Audit actions of reviews (past tense; ``core.audit`` stores them)."""

    RATING_SUBMITTED = "rating.submitted"
    RATING_INVITATION_SENT = "rating.invitation_sent"
    RECTIFICATION_OPENED = "rectification.opened"
    RECTIFICATION_RECORDED = "rectification.rectified"
    RETURN_VISIT_RECORDED = "rectification.return_visit_recorded"
    CLOSED_WITHOUT_VISIT = "rectification.closed_without_visit"
    DEADLINES_RECOMPUTED = "rectification.deadlines_recomputed"
    SETTINGS_CHANGED = "review_settings.changed"


class RectificationAction(models.TextChoices):
    """What moves a rectification (the verbs of its transition table)."""

    RECTIFY = "rectify", _("登记整改")
    VISIT = "visit", _("登记回访并办结")
    CLOSE_WITHOUT_VISIT = "close", _("不回访办结")


S, A = RectificationStatus, RectificationAction

#: 整改 → 回访 (Rectification's docstring): (from status, action) → to status; anything
#: else is refused (core.transitions, ADR 0017). Closing without a visit is further
#: limited to anonymous ratings (``rectification_close_without_visit``).
RECTIFICATION_TRANSITIONS = TransitionTable(
    subject=_("整改事项"),
    statuses=RectificationStatus,
    actions=RectificationAction,
    moves={
        (S.OPEN, A.RECTIFY): S.RECTIFIED,
        (S.RECTIFIED, A.VISIT): S.CLOSED,
        (S.RECTIFIED, A.CLOSE_WITHOUT_VISIT): S.CLOSED,
    },
)

del S, A

#: Audit object types (``object_id`` is the row's primary key).
RATING_OBJECT_TYPE = "rating"
RECTIFICATION_OBJECT_TYPE = "rectification"
SETTINGS_OBJECT_TYPE = "review_settings"
INVITATION_OBJECT_TYPE = "rating_invitation"

#: Channels on which the applicant's signed-in representative rates (no link needed).
ACCOUNT_CHANNELS = frozenset({Channel.ONLINE, Channel.MOBILE})
#: Channels on which anyone holding the signed link rates (the window QR code, the SMS).
LINK_CHANNELS = frozenset({Channel.WINDOW, Channel.SMS})

#: The longest comment a rating keeps (characters).
MAX_COMMENT_LENGTH = 1000
#: The longest text of a rectification, a return visit note or a closing reason.
MAX_TEXT_LENGTH = 2000

#: A signed rating link stops working this many calendar days after it was made (the
#: rating window, counted in working days from delivery, closes long before).
DEFAULT_LINK_MAX_AGE_DAYS = 90

#: In-app notification kind sent to the department's reviewers and deciders.
BAD_RATING_NOTIFICATION = "rating_bad"
#: Notification kind of the SMS rating invitation (backends only, no in-app row).
RATING_INVITATION_NOTIFICATION = "rating_invitation"
