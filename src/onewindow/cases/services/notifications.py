"""In-app messages of a user (moving to ``core.notifications``)."""

from __future__ import annotations

from django.utils import timezone

from onewindow.org.models import User


def notifications_mark_read(*, user: User) -> int:
    """Mark every unread in-app message of ``user`` read; returns how many."""
    # Imported here: the model is moving to core (the package must import without it).
    from onewindow.cases.models import Notification

    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
