"""What the review services share: actor fields, dates as people read them, text checks."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.org.models import User
from onewindow.reviews.constants import (
    MAX_TEXT_LENGTH,
)
from onewindow.reviews.models import (
    ReturnVisitOutcome,
)

#: Return-visit outcomes that need a note saying what happened.
NOTE_REQUIRED_OUTCOMES = frozenset(
    {ReturnVisitOutcome.UNREACHABLE, ReturnVisitOutcome.DISSATISFIED}
)


# -- helpers --------------------------------------------------------------------------------


def _actor_name(actor: User | None) -> str:
    if actor is None or not actor.is_authenticated:
        return "anonymous"
    return actor.get_username()


def _actor_id(actor: User | None) -> str | int:
    return actor.pk if actor is not None and actor.is_authenticated else ""


def format_date(value: dt.date) -> str:
    return _("{year}年{month:02d}月{day:02d}日").format(
        year=value.year, month=value.month, day=value.day
    )


def _text(field: str, value: str | None, label: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed.for_field(
            field, _("{label}：请填写").format(label=label), code="required"
        )
    if len(value) > MAX_TEXT_LENGTH:
        raise ValidationFailed.for_field(
            field,
            _("{label}：不能超过 {max} 个字").format(label=label, max=MAX_TEXT_LENGTH),
            code="too_long",
        )
    return value


def case_not_found() -> NotFound:
    """The same answer for a case that does not exist and one the user may not rate."""
    return NotFound(_("办件不存在"), code="case_not_found")
