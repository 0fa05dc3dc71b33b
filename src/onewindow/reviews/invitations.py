"""SMS rating invitations (短信评价): the link sent once per delivered case.

Cases cannot call reviews (a lower layer never imports a higher one), so a periodic job
(``reviews.tasks.send_rating_invitations`` or ``onewindow send-rating-invitations``)
pulls the cases delivered since the last run: every delivered top-level case (a bundle is
rated on its parent) whose rating window is still open, that has no invitation yet and no
rating on any channel, gets one text message with its signed SMS-channel link, through
the notifier backends (``core.notifications.notify_contact``: no in-app message).

Who receives it: the first of the applicant's representatives with a mobile number (the
one who applied online first, then the legal representative), else the applicant's own
registered number, else a representative's account without a number (a gateway may still
reach it, by e-mail); a case with none of these is recorded as such and not tried again.

One ``RatingInvitation`` row per case (a unique constraint) is written in the case's own
transaction and the gateway is called after commit, so two runs, or two workers, never
invite a case twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from onewindow.cases.constants import CASE_OBJECT_TYPE, CaseStatus
from onewindow.cases.models import Case
from onewindow.core.audit import audit_append
from onewindow.core.notifications import Contact, mask_phone, notify_contact
from onewindow.org.constants import Capacity
from onewindow.org.models import Representation, User, Zone
from onewindow.org.selectors import calendar_for_zone
from onewindow.reviews.constants import (
    INVITATION_OBJECT_TYPE,
    RATING_INVITATION_NOTIFICATION,
    ReviewEventAction,
)
from onewindow.reviews.links import rating_link_url
from onewindow.reviews.models import (
    Channel,
    InvitationStatus,
    Rating,
    RatingInvitation,
)
from onewindow.reviews.selectors import (
    earliest_ratable_delivery,
    rating_window,
    review_settings_for,
)

logger = logging.getLogger(__name__)


def invitation_candidates(zone: Zone, *, on: dt.date):
    """The zone's delivered top-level cases still inside their rating window, without an
    invitation and without any rating (one query; the window's first day from the zone
    calendar)."""
    earliest = earliest_ratable_delivery(zone, on=on)
    return (
        Case.objects.filter(
            zone=zone,
            status=CaseStatus.DELIVERED,
            parent__isnull=True,
            delivered_on__gte=earliest,
            delivered_on__lte=on,
        )
        .exclude(Exists(RatingInvitation.objects.filter(case=OuterRef("pk"))))
        .exclude(Exists(Rating.objects.filter(case=OuterRef("pk"))))
        .order_by("pk")
    )


def send_invitations(*, today: dt.date | None = None) -> int:
    """Invite every candidate case of every zone; returns how many messages were sent.
    Each case in its own transaction: one failure is logged, the rest still go."""
    today = today or timezone.localdate()
    sent = 0
    for zone in Zone.objects.order_by("pk"):
        for case_id in invitation_candidates(zone, on=today).values_list("pk", flat=True):
            try:
                sent += _invite(case_id, today=today)
            except Exception:
                logger.exception("rating invitation for case %s failed", case_id)
    return sent


def _recipient(case: Case) -> User | Contact | None:
    representations = sorted(
        Representation.objects.filter(
            applicant_id=case.applicant_id, user__is_active=True
        ).select_related("user"),
        key=lambda row: (
            row.user_id != case.submitted_by_id,
            row.capacity != Capacity.LEGAL_REPRESENTATIVE,
            row.user_id,
        ),
    )
    users = [row.user for row in representations]
    with_phone = [user for user in users if user.phone]
    if with_phone:
        return with_phone[0]
    if case.applicant.phone:
        # An applicant without an account: the backends get its registered number.
        return Contact(username=case.applicant.name, phone=case.applicant.phone)
    if users:  # no number anywhere: the gateway may still reach the account (e-mail)
        return users[0]
    return None


def invitation_context(case: Case, *, link: str, closes_on: dt.date) -> dict:
    """What the invitation says (``reviews.notifications`` words it)."""
    return {
        "zone": case.zone.name,
        "title": case.title,
        "number": case.number,
        "link": link,
        "closes_on": closes_on,
        "language": case.language,
    }


@transaction.atomic
def _invite(case_id: int, *, today: dt.date) -> int:
    case = Case.objects.select_related("zone", "applicant").get(pk=case_id)
    window = rating_window(
        case, settings=review_settings_for(case.zone), calendar=calendar_for_zone(case.zone)
    )
    if window is None or not window.is_open(today):
        return 0
    recipient = _recipient(case)
    invitation = RatingInvitation(
        zone_id=case.zone_id,
        case=case,
        status=InvitationStatus.SENT if recipient is not None else InvitationStatus.NO_RECIPIENT,
        recipient=recipient if isinstance(recipient, User) else None,
        phone=mask_phone(getattr(recipient, "phone", "")),
        sent_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # another run invited it since the query
        return 0
    audit_append(
        action=ReviewEventAction.RATING_INVITATION_SENT,
        actor="system",
        object_type=INVITATION_OBJECT_TYPE,
        object_id=invitation.pk,
        data={"case": case.number, "status": invitation.status, "phone": invitation.phone},
    )
    if recipient is None:
        return 0
    link = rating_link_url(case, Channel.SMS)
    notify_contact(
        recipient,
        RATING_INVITATION_NOTIFICATION,
        invitation_context(case, link=link, closes_on=window.closes_on),
        link=link,
        subject=(CASE_OBJECT_TYPE, case.number),
    )
    return 1
