"""Notifications (消息): one service for every app.

- :func:`notify` writes the in-app message (``core.Notification``) and hands it to the
  configured backends after commit; :func:`notify_contact` reaches someone outside the
  inbox through the backends only.
- Each app registers its kinds and their formatters (:func:`register_kind`) in its
  ``AppConfig.ready()``; core names no app.
- Backends (``settings.ONEWINDOW_NOTIFIERS``): console, e-mail, an SMS gateway interface.

See docs/notifications.md and docs/decisions/0021-notifications.md.
"""

from onewindow.core.notifications.backends import (
    ConsoleNotifier,
    Contact,
    EmailNotifier,
    LoggingSmsGateway,
    Notifier,
    OutboundMessage,
    SmsNotifier,
    mask_phone,
)
from onewindow.core.notifications.kinds import (
    NotificationKind,
    register_kind,
    register_template_kind,
)
from onewindow.core.notifications.services import (
    notifications_mark_read,
    notify,
    notify_contact,
    unread_count,
)

__all__ = [
    "ConsoleNotifier",
    "Contact",
    "EmailNotifier",
    "LoggingSmsGateway",
    "NotificationKind",
    "Notifier",
    "OutboundMessage",
    "SmsNotifier",
    "mask_phone",
    "notifications_mark_read",
    "notify",
    "notify_contact",
    "register_kind",
    "register_template_kind",
    "unread_count",
]
