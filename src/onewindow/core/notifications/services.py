"""Writing notifications: :func:`notify` (the in-app row, then the backends after commit),
:func:`notify_contact` (backends only) and the inbox's read flags."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.core.models import Notification
from onewindow.core.notifications.backends import OutboundMessage, deliver
from onewindow.core.notifications.kinds import get_kind
from onewindow.core.notifications.templates import render_message

NO_SUBJECT = ("", "")


def _render(kind: str, context: Mapping[str, Any]) -> tuple[str, str]:
    spec = get_kind(kind)
    if spec.template is not None:  # an administrator may have worded it (one query)
        return render_message(kind, spec.template, context)
    title = str(spec.title(context)) if spec.title is not None else ""
    return title, str(spec.render(context))


def notify(
    user: Any,
    kind: str,
    context: Mapping[str, Any],
    *,
    link: str = "",
    subject: tuple[str, Any] = NO_SUBJECT,
    key: str | None = None,
) -> Notification | None:
    """Write one in-app message of ``kind`` to ``user``, its text rendered from
    ``context`` by the kind's registered formatter, and hand it to the configured
    backends once the surrounding transaction commits.

    ``subject`` is what the message is about, as ``(type, id)``; ``link`` a URL path.
    With a ``key``, the message is written once per user and key: a second call returns
    ``None`` and sends nothing (race-safe: a unique constraint decides).
    """
    if key and Notification.objects.filter(recipient=user, key=key).exists():
        return None
    title, text = _render(kind, context)
    subject_type, subject_id = subject
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=user,
                kind=kind,
                title=title[:200],
                text=text,
                link=link,
                subject_type=subject_type,
                subject_id=str(subject_id),
                key=key or "",
            )
    except IntegrityError:
        if key and Notification.objects.filter(recipient=user, key=key).exists():
            return None  # another run wrote it since the check
        raise
    transaction.on_commit(partial(deliver, notification), robust=True)
    return notification


def notify_contact(
    contact: Any,
    kind: str,
    context: Mapping[str, Any],
    *,
    link: str = "",
    subject: tuple[str, Any] = NO_SUBJECT,
) -> OutboundMessage:
    """Send a message of ``kind`` through the backends only, after commit, with no
    in-app row: for someone who may have no account (``backends.Contact``) or a message
    that does not belong in the inbox (an SMS invitation). The caller keeps its own
    record of it, if once-only matters."""
    title, text = _render(kind, context)
    subject_type, subject_id = subject
    message = OutboundMessage(
        recipient=contact,
        kind=kind,
        title=title,
        text=text,
        link=link,
        subject_type=subject_type,
        subject_id=str(subject_id),
    )
    transaction.on_commit(partial(deliver, message), robust=True)
    return message


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s unread messages read (all, or those of ``ids`` that are the
    user's own: another's are left alone); returns how many. The user's own read flags:
    nothing for the audit trail."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
