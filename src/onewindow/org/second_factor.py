"""Who must pass the second factor (TOTP, docs/decisions/0009), and the session's state.

* Staff with a role in ``ONEWINDOW_OTP_REQUIRED_ROLES`` (administrators by default) must
  have a confirmed device and pass it after every password login.
* Other staff may enrol; once they have a confirmed device, they pass it too.
* Applicants are not asked (their accounts hold no one else's data).

The answer is worked out once per login and kept in the session, so ordinary requests pay
no query for it; enrolling or disabling a device updates it.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django_otp import user_has_device

from onewindow.org.constants import UserKind

#: Session key: "required" (a device and a verified session are needed) or "" (not asked).
SESSION_KEY = "onewindow_second_factor"
REQUIRED = "required"


def requires_device(user) -> bool:
    """Whether the user's roles make a confirmed device compulsory."""
    if not user.is_authenticated or user.kind != UserKind.STAFF:
        return False
    required = set(settings.ONEWINDOW_OTP_REQUIRED_ROLES)
    return bool(required & user.role_set())


def second_factor_applies(user) -> bool:
    """Whether a login of this user is complete only after the second factor."""
    if not user.is_authenticated or user.kind != UserKind.STAFF:
        return False
    return requires_device(user) or user_has_device(user, confirmed=True)


def remember(request, user) -> None:
    """Keep the answer for this session (at login, and after enrolling or disabling)."""
    request.session[SESSION_KEY] = REQUIRED if second_factor_applies(user) else ""


def session_requires(request) -> bool:
    """Whether this session still has to pass the second factor."""
    user = request.user
    if not user.is_authenticated or user.kind != UserKind.STAFF:
        return False
    state = request.session.get(SESSION_KEY)
    if state is None:  # a session from before this rule: work it out once
        remember(request, user)
        state = request.session[SESSION_KEY]
    return state == REQUIRED and not user.is_verified()


def clean_token(value: str) -> str:
    """A code as typed: full-width characters folded (NFKC), spaces and dashes dropped,
    letters in lower case (recovery codes are lower-case base32)."""
    folded = unicodedata.normalize("NFKC", value or "").lower()
    return "".join(character for character in folded if character not in " -\t")
