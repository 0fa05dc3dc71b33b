"""Reminders outside the in-app inbox: the SMS/e-mail gateway interface.

``settings.ONEWINDOW_NOTIFIER`` names the class; :func:`get_notifier` builds it. The
console backend logs each message (the demo); a zone plugs in its SMS gateway with the
same ``send`` method. Callers send after their transaction commits (``on_commit``), so a
gateway is never asked to announce something that was rolled back.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger("onewindow.notify")


class Notifier(Protocol):
    def send(self, *, user: Any, text: str, case_number: str = "") -> None:
        """Deliver ``text`` to ``user`` (an ``org.User``)."""


def mask_phone(phone: str) -> str:
    """A mobile number as logs may show it: the first 3 and last 4 digits (138****5678)."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


class ConsoleNotifier:
    """Logs one line per message on ``onewindow.notify``; never raises."""

    def send(self, *, user: Any, text: str, case_number: str = "") -> None:
        try:
            phone = mask_phone(getattr(user, "phone", "")) or "-"
            logger.info("[提醒] to %s (%s): %s", user.username, phone, text)
        except Exception:  # a demo backend must never break the caller
            pass


class EmailNotifier:
    """Sends an e-mail to the user's address; users without one are skipped."""

    def send(self, *, user: Any, text: str, case_number: str = "") -> None:
        address = getattr(user, "email", "")
        if not address:
            return
        subject = (
            _("办件提醒：{number}").format(number=case_number) if case_number else _("办件提醒")
        )
        send_mail(subject, text, None, [address])


def get_notifier() -> Notifier:
    return import_string(settings.ONEWINDOW_NOTIFIER)()
