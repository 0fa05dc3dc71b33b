"""Writing notifications: :func:`notify` (the in-app row, then the backends after commit),
:func:`notify_contact` (backends only) and the inbox's read flags."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.db import connections, router, transaction
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
    title, text = _render(kind, context)
    subject_type, subject_id = subject
    notification = Notification(
        recipient=user,
        kind=kind,
        title=title[:200],
        text=text,
        link=link,
        subject_type=subject_type,
        subject_id=str(subject_id),
        key=key or "",
    )
    if not key:
        notification.save(force_insert=True)
    elif not _insert_once(notification):
        return None  # written before, by this run or another
    transaction.on_commit(partial(deliver, notification), robust=True)
    return notification


def _insert_once(notification: Notification) -> bool:
    """Insert a keyed message unless the recipient has it already: one statement, ``INSERT
    … ON CONFLICT DO NOTHING RETURNING id`` (PostgreSQL and SQLite), so neither a read
    before nor a savepoint around it; the unique constraint decides a race. True when
    written (the row's id is set)."""
    alias = router.db_for_write(Notification)
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = [field for field in Notification._meta.concrete_fields if not field.primary_key]
    values = [
        field.get_db_prep_save(field.pre_save(notification, True), connection) for field in fields
    ]
    sql = (
        f"INSERT INTO {quote(Notification._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT DO NOTHING RETURNING {quote(Notification._meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    notification.pk = row[0]
    notification._state.adding = False
    notification._state.db = alias
    return True


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
