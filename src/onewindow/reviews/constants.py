"""The reviews vocabulary: audit actions, channel groups, limits."""

from __future__ import annotations

from onewindow.reviews.models import Channel


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
