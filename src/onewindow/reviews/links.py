"""Signed rating links (the window QR code and the SMS): no login, one case, one channel.

A link's token is ``<case id>.<channel>`` signed with Django's ``TimestampSigner`` under
this module's salt, so it cannot be altered or reused for another case or channel, and it
stops working ``ONEWINDOW_RATING_LINK_MAX_AGE_DAYS`` calendar days after it was made
(default 90: the rating window, counted in working days after delivery, closes first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from onewindow.cases.models import Case
from onewindow.core.errors import NotFound
from onewindow.core.links import public_url
from onewindow.reviews.constants import DEFAULT_LINK_MAX_AGE_DAYS, LINK_CHANNELS

SALT = "onewindow.reviews.rating-link"
#: Longer input is not a token this module made.
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class LinkClaim:
    """What a valid token says: the case it rates and the channel it was given on."""

    case_id: int
    channel: str


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def max_age() -> dt.timedelta:
    days = getattr(settings, "ONEWINDOW_RATING_LINK_MAX_AGE_DAYS", DEFAULT_LINK_MAX_AGE_DAYS)
    return dt.timedelta(days=days)


def rating_token(case: Case, channel: str) -> str:
    if channel not in LINK_CHANNELS:
        raise ValueError(f"no rating link for the {channel} channel")
    return _signer().sign(f"{case.pk}.{channel}")


def invalid_link() -> NotFound:
    return NotFound(_("评价链接无效，请核对链接或到窗口扫码评价"), code="token_invalid")


def read_rating_token(token: str) -> LinkClaim:
    """The claim of a token this module signed; "not found" when it was altered, made for
    something else, or is too old."""
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise invalid_link()
    try:
        value = _signer().unsign(token, max_age=max_age())
    except signing.SignatureExpired:
        raise NotFound(_("评价链接已过期"), code="token_expired") from None
    except signing.BadSignature:
        raise invalid_link() from None
    case_id, _sep, channel = value.partition(".")
    if not case_id.isascii() or not case_id.isdigit() or channel not in LINK_CHANNELS:
        raise invalid_link()
    return LinkClaim(int(case_id), channel)


def rating_link_path(token: str) -> str:
    return reverse("reviews:rate_link", args=[token])


def rating_link_url(case: Case, channel: str) -> str:
    """The absolute link (``ONEWINDOW_PUBLIC_URL``) for a QR code or a text message."""
    return public_url(rating_link_path(rating_token(case, channel)))
