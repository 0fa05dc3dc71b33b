"""Notifier backends: where a message goes besides the in-app inbox.

``settings.ONEWINDOW_NOTIFIERS`` lists the backend classes (dotted paths); every message
is handed to each of them after the transaction that wrote it commits, so no backend is
asked to announce something that was rolled back. A backend that raises is logged and
skipped: the in-app row stays and the request or job goes on.

A message is a saved :class:`~onewindow.core.models.Notification`, or an
:class:`OutboundMessage` for someone reached outside the inbox (an applicant's registered
phone number): both have ``recipient`` (with ``username``, ``phone``, ``email``), ``kind``,
``title``, ``text``, ``link``, ``subject_type`` and ``subject_id``.

Built in: :class:`ConsoleNotifier` (logs one line: development and the demo),
:class:`EmailNotifier` (``django.core.mail``, users with an address) and the SMS gateway
interface :class:`SmsNotifier` (a zone subclasses it and writes ``send_sms``), with
:class:`LoggingSmsGateway` for development.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from onewindow.core.links import public_url

#: The gateway log (the demo quietens it while it loads past reminders).
logger = logging.getLogger("onewindow.notify")


class Message(Protocol):
    recipient: Any
    kind: str
    title: str
    text: str
    link: str
    subject_type: str
    subject_id: str


@dataclass(frozen=True)
class Contact:
    """Someone reached without an account (a phone number on record)."""

    username: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class OutboundMessage:
    """A message that has no in-app row (see :func:`notify_contact`)."""

    recipient: Any
    kind: str
    text: str
    title: str = ""
    link: str = ""
    subject_type: str = ""
    subject_id: str = ""


class Notifier:
    """A backend: ``send`` delivers one message or raises."""

    def send(self, message: Message) -> None:
        raise NotImplementedError


def mask_phone(phone: str) -> str:
    """A mobile number as logs may show it: the first 3 and last 4 digits (138****5678)."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


class ConsoleNotifier(Notifier):
    """Logs one line per message on ``onewindow.notify`` (masked phone); never raises."""

    def send(self, message: Message) -> None:
        try:
            user = message.recipient
            phone = mask_phone(getattr(user, "phone", "")) or "-"
            logger.info("[提醒] to %s (%s): %s", user.username, phone, message.text)
        except Exception:  # a development backend must never break the caller
            pass


class EmailNotifier(Notifier):
    """Mails the recipient's address (the title as subject); no address, no mail. The
    message's link follows the text as a full address on ``ONEWINDOW_PUBLIC_URL``."""

    def send(self, message: Message) -> None:
        address = getattr(message.recipient, "email", "")
        if not address:
            return
        body = message.text
        link = getattr(message, "link", "") or ""
        if link:
            body += "\n\n" + (public_url(link) if link.startswith("/") else link)
        send_mail(message.title or _("消息提醒"), body, None, [address])


class SmsNotifier(Notifier):
    """The SMS gateway interface: a zone subclasses it and writes :meth:`send_sms` for its
    operator's API. Recipients without a phone number are skipped."""

    def send(self, message: Message) -> None:
        phone = (getattr(message.recipient, "phone", "") or "").strip()
        if not phone:
            return
        self.send_sms(phone, message.text)

    def send_sms(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsGateway(SmsNotifier):
    """An SMS gateway for development: logs the masked number and the text."""

    def send_sms(self, phone: str, text: str) -> None:
        logger.info("[短信] to %s: %s", mask_phone(phone), text)


@cache
def _backend_class(path: str) -> type[Notifier]:
    return import_string(path)


def get_notifiers() -> list[Notifier]:
    """The configured backends, built afresh (a test may change the setting)."""
    return [_backend_class(path)() for path in getattr(settings, "ONEWINDOW_NOTIFIERS", ())]


def deliver(message: Message) -> None:
    """Hand ``message`` to every backend; one that fails is logged, the others still run."""
    for notifier in get_notifiers():
        try:
            notifier.send(message)
        except Exception:
            logger.exception(
                "notifier %s failed on a %r message to %s",
                type(notifier).__name__,
                message.kind,
                getattr(message.recipient, "username", "?"),
            )
