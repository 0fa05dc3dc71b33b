"""The staff password policy (等保三级): length, character classes, history and expiry.

The validators plug into Django's ``AUTH_PASSWORD_VALIDATORS``, so every place that sets
a password through Django's machinery runs them: the staff password-change page,
``staff_create``, and the admin's add-user and change-password forms. They apply to staff
only (``User.kind == "staff"``); applicants keep Django's validators. Every limit is a
setting, read when a password is checked (0 turns a rule off):

* ``ONEWINDOW_PASSWORD_MIN_LENGTH`` (10): at least this many characters;
* ``ONEWINDOW_PASSWORD_MIN_CHARACTER_CLASSES`` (3): of upper case, lower case, digits
  and symbols (anything else), at least this many kinds;
* ``ONEWINDOW_PASSWORD_HISTORY`` (5): not one of the last N passwords (the current one
  included); only their hashes are kept, in ``org.PasswordHistory``;
* ``ONEWINDOW_PASSWORD_MAX_AGE_DAYS`` (90): older passwords must be changed before
  anything else (``org.middleware.PasswordExpiryMiddleware``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.contrib.auth.hashers import check_password, is_password_usable
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onewindow.org.constants import UserKind

DEFAULT_MIN_LENGTH = 10
DEFAULT_MIN_CHARACTER_CLASSES = 3
DEFAULT_HISTORY = 5
DEFAULT_MAX_AGE_DAYS = 90


def min_length() -> int:
    return int(getattr(settings, "ONEWINDOW_PASSWORD_MIN_LENGTH", DEFAULT_MIN_LENGTH))


def min_character_classes() -> int:
    value = getattr(settings, "ONEWINDOW_PASSWORD_MIN_CHARACTER_CLASSES", None)
    return min(int(DEFAULT_MIN_CHARACTER_CLASSES if value is None else value), 4)


def history_size() -> int:
    return int(getattr(settings, "ONEWINDOW_PASSWORD_HISTORY", DEFAULT_HISTORY))


def max_age_days() -> int:
    return int(getattr(settings, "ONEWINDOW_PASSWORD_MAX_AGE_DAYS", DEFAULT_MAX_AGE_DAYS))


def is_staff_account(user) -> bool:
    return user is not None and getattr(user, "kind", None) == UserKind.STAFF


def character_classes(password: str) -> frozenset[str]:
    """The kinds of character in ``password``: upper, lower, digit, symbol.

    Full-width letters and digits count as their ASCII selves (NFKC); any other character
    that is not a cased letter or a digit (punctuation, a Chinese character) is a symbol.
    """
    found = set()
    for character in unicodedata.normalize("NFKC", password):
        if character.isspace():
            continue
        if character.isupper():
            found.add("upper")
        elif character.islower():
            found.add("lower")
        elif character.isdigit():
            found.add("digit")
        else:
            found.add("symbol")
    return frozenset(found)


def password_expired(changed_at: dt.datetime | None, *, now: dt.datetime, days: int) -> bool:
    """A password set at ``changed_at`` has expired at ``now`` (``days`` 0: never)."""
    if days <= 0:
        return False
    if changed_at is None:
        return True
    return now - changed_at >= dt.timedelta(days=days)


def staff_password_expired(user, *, now: dt.datetime) -> bool:
    """``user`` is staff with a usable password older than the maximum age."""
    if not is_staff_account(user) or not user.has_usable_password():
        return False
    return password_expired(user.password_changed_at, now=now, days=max_age_days())


class StaffMinimumLengthValidator:
    """Staff passwords have at least ``ONEWINDOW_PASSWORD_MIN_LENGTH`` characters."""

    def validate(self, password: str, user=None) -> None:
        length = min_length()
        if is_staff_account(user) and len(password) < length:
            raise ValidationError(
                _("工作人员密码至少需要 %(min_length)d 个字符。"),
                code="password_too_short",
                params={"min_length": length},
            )

    def get_help_text(self) -> str:
        return _("工作人员密码至少 {min_length} 个字符。").format(min_length=min_length())


class CharacterClassesValidator:
    """Staff passwords mix upper case, lower case, digits and symbols."""

    def validate(self, password: str, user=None) -> None:
        needed = min_character_classes()
        if is_staff_account(user) and len(character_classes(password)) < needed:
            raise ValidationError(
                _("工作人员密码需包含大写字母、小写字母、数字、符号中的至少 {count} 类。").format(
                    count=needed
                ),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("须包含大写字母、小写字母、数字、符号中的至少 {count} 类。").format(
            count=min_character_classes()
        )


class PasswordHistoryValidator:
    """Staff do not reuse one of their last ``ONEWINDOW_PASSWORD_HISTORY`` passwords."""

    def _recent_hashes(self, user, size: int) -> list[str]:
        from onewindow.org.models import PasswordHistory

        hashes = []
        if user.password and is_password_usable(user.password):
            hashes.append(user.password)  # the current one, even if set before the history
        if user.pk is not None:
            hashes += PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[
                :size
            ]
        return list(dict.fromkeys(hashes))[:size]

    def validate(self, password: str, user=None) -> None:
        size = history_size()
        if size <= 0 or not is_staff_account(user):
            return
        for encoded in self._recent_hashes(user, size):
            if check_password(password, encoded):
                raise ValidationError(
                    _("不能使用最近 {count} 次用过的密码。").format(count=size),
                    code="password_reused",
                )

    def password_changed(self, password: str, user=None) -> None:
        """Keep the new password's hash; forget those older than the last N."""
        from onewindow.org.models import PasswordHistory

        size = history_size()
        if size <= 0 or not is_staff_account(user) or user.pk is None:
            return
        if not is_password_usable(user.password):
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[:size]
        PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()

    def get_help_text(self) -> str:
        return _("不能与最近 {count} 次用过的密码相同。").format(count=history_size())
