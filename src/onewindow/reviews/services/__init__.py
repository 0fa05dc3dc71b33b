"""Every write of reviews: rating a case, rectifying a bad rating, the return visit.

Rules (GLOSSARY.md "Ratings"; docs/reviews.md):

- A case is rated once per channel (一次一评: the unique constraint on (case, channel)
  decides races), after delivery and within the zone's rating window
  (``ReviewSettings.rating_window_days`` working days after the delivery day, in the zone
  calendar). A bundle (一件事) is rated as one, on its parent case.
- Online and mobile ratings come from the applicant's signed-in representatives (real
  name); window (QR code) and SMS ratings come through a signed link and are anonymous
  unless a representative is signed in. Anyone else is told the case does not exist.
- 不满意 and 非常不满意 open a rectification for the responsible department (the case's
  lead department), due ``rectification_days`` working days later; its reviewers and
  deciders are told. The department records what it verified and did, then a return
  visit (回访) within ``return_visit_days`` working days. Real-name bad ratings must all
  be revisited (an unreachable applicant is recorded with a note); an anonymous one may
  be closed without a visit for a recorded reason.

By use-case: ``rating``, ``rectifications`` (with the return visit), ``settings``;
``common`` holds what they share. The satisfaction rate is a pure formula in
``reviews.rates``. Callers import from ``onewindow.reviews.services``.
"""

from onewindow.reviews.services.common import (
    NOTE_REQUIRED_OUTCOMES,
    case_not_found,
    format_date,
)
from onewindow.reviews.services.rating import (
    RatingCheck,
    already_rated_message,
    rating_check,
    rating_input_check,
    rating_link_claim,
    rating_refusal,
    rating_submit,
)
from onewindow.reviews.services.rectifications import (
    rectification_close_without_visit,
    rectification_deadlines_recompute,
    rectification_record,
    return_visit_record,
)
from onewindow.reviews.services.settings import SETTINGS_FIELDS, review_settings_save

__all__ = [
    "NOTE_REQUIRED_OUTCOMES",
    "SETTINGS_FIELDS",
    "RatingCheck",
    "already_rated_message",
    "case_not_found",
    "format_date",
    "rating_check",
    "rating_input_check",
    "rating_link_claim",
    "rating_refusal",
    "rating_submit",
    "rectification_close_without_visit",
    "rectification_deadlines_recompute",
    "rectification_record",
    "return_visit_record",
    "review_settings_save",
]
