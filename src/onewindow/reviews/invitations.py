"""SMS rating invitations (短信评价): the link sent once per delivered case.

Cases cannot call reviews (a lower layer never imports a higher one), so a periodic job
(``reviews.tasks.send_rating_invitations`` or ``onewindow send-rating-invitations``)
pulls the cases delivered since the last run: every delivered top-level case (a bundle is
rated on its parent) whose rating window is still open, that has no invitation yet and no
rating on any channel, gets one text message with its signed SMS-channel link, through
``settings.ONEWINDOW_NOTIFIER`` (the same gateway as the case reminders).

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
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onewindow.cases.constants import CaseStatus
from onewindow.cases.models import Case
from onewindow.cases.notify import Notifier, get_notifier, mask_phone
from onewindow.core.audit import audit_append
from onewindow.org.constants import Capacity
from onewindow.org.models import Representation, User, Zone
from onewindow.org.selectors import calendar_for_zone
from onewindow.reviews.constants import INVITATION_OBJECT_TYPE, ReviewEventAction
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
from onewindow.reviews.services import format_date

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhoneContact:
    """An applicant without an account: the gateway gets its phone number (the console
    gateway logs ``username`` and the masked phone; an e-mail gateway skips it)."""

    username: str
    phone: str
    email: str = ""


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
    notifier = get_notifier()
    sent = 0
    for zone in Zone.objects.order_by("pk"):
        for case_id in invitation_candidates(zone, on=today).values_list("pk", flat=True):
            try:
                sent += _invite(case_id, today=today, notifier=notifier)
            except Exception:
                logger.exception("rating invitation for case %s failed", case_id)
    return sent


def _recipient(case: Case) -> User | PhoneContact | None:
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
        return PhoneContact(username=case.applicant.name, phone=case.applicant.phone)
    if users:  # no number anywhere: the gateway may still reach the account (e-mail)
        return users[0]
    return None


def invitation_text(case: Case, *, link: str, closes_on: dt.date) -> str:
    with translation.override(case.language):
        return _(
            "【{zone}】您申请的“{title}”（办件编号 {number}）已办结。欢迎对本次服务评价："
            "{link} （{date}前有效）"
        ).format(
            zone=case.zone.name,
            title=case.title,
            number=case.number,
            link=link,
            date=format_date(closes_on),
        )


@transaction.atomic
def _invite(case_id: int, *, today: dt.date, notifier: Notifier) -> int:
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
    text = invitation_text(
        case, link=rating_link_url(case, Channel.SMS), closes_on=window.closes_on
    )
    transaction.on_commit(
        partial(notifier.send, user=recipient, text=text, case_number=case.number), robust=True
    )
    return 1
