"""Issuing a written notice: its document number (文号), once, gap-free per zone, kind and
year (ADR 0023).

    issued = notice_issue(case=case, kind="acceptance", actor=request.user)
    issued.number      # "示经开受字〔2026〕第123号"

The first download issues the notice: the number is taken from the zone's counter of the
kind and year under its lock (``core.locks.lock_counter``, after the case row and the audit
chain head), and the notice keeps it, with the date of the act it records and the staff
member who did it (经办人). Every later download prints the same number and date.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from onewindow.cases.constants import CASE_OBJECT_TYPE, CaseEventAction
from onewindow.cases.models import Case, IssuedNotice, NoticeNumberSequence
from onewindow.cases.notices.kinds import (
    NOTICE_LANGUAGE,
    NoticeKind,
    check_available,
    notice_title,
)
from onewindow.cases.services.common import _event, _lock
from onewindow.core.locks import lock_counter
from onewindow.core.models import AuditEvent
from onewindow.org.constants import UserKind
from onewindow.org.models import User

#: The word of each kind in the document number (示经开受字〔2026〕第1号).
KIND_WORDS = {
    NoticeKind.CORRECTION: "补",
    NoticeKind.ACCEPTANCE: "受",
    NoticeKind.REFUSAL: "不受",
    NoticeKind.DECISION: "决",
}

#: The audit event of the act each kind of notice records (its date and its actor).
_ACT_EVENTS = {
    NoticeKind.CORRECTION: (CaseEventAction.CORRECTION_REQUESTED,),
    NoticeKind.ACCEPTANCE: (CaseEventAction.ACCEPTED,),
    NoticeKind.REFUSAL: (CaseEventAction.REFUSED,),
    NoticeKind.DECISION: (CaseEventAction.APPROVED, CaseEventAction.DENIED),
}


def document_number(zone, kind: str, year: int, sequence: int) -> str:
    """``示经开受字〔2026〕第123号``: the zone's 机关代字 (its code when it has none), the
    kind's word, the year in 六角括号, the sequence without leading zeros (GB/T 9704 7.2.4)."""
    prefix = zone.document_prefix or zone.code
    return f"{prefix}{KIND_WORDS[NoticeKind(kind)]}字〔{year}〕第{sequence}号"


def _local_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _act(case: Case, kind: str) -> tuple[dt.date, User | None]:
    """The date of the act the notice records and the staff member who did it."""
    event = (
        AuditEvent.objects.filter(
            object_type=CASE_OBJECT_TYPE, object_id=case.number, action__in=_ACT_EVENTS[kind]
        )
        .order_by("-id")
        .first()
    )
    day = {
        NoticeKind.CORRECTION: _local_date(case.correction_requested_at),
        NoticeKind.ACCEPTANCE: case.accepted_on or _local_date(case.accepted_at),
        NoticeKind.REFUSAL: None,
        NoticeKind.DECISION: case.decided_on or _local_date(case.decided_at),
    }[NoticeKind(kind)]
    if day is None and event is not None:
        day = _local_date(event.occurred_at)
    handler_id = {
        NoticeKind.ACCEPTANCE: case.accepted_by_id,
        NoticeKind.DECISION: case.decided_by_id,
    }.get(NoticeKind(kind))
    if handler_id is None and event is not None and str(event.actor_id).isdigit():
        handler_id = int(event.actor_id)
    handler = None
    if handler_id is not None:
        handler = User.objects.filter(pk=handler_id, kind=UserKind.STAFF).first()
    return day or timezone.localdate(), handler


@transaction.atomic
def notice_issue(*, case: Case, kind: str, actor: User | None) -> IssuedNotice:
    """The issued notice of ``kind`` for ``case``: the one issued before, or a new one with
    the next number of the zone, kind and year (the act's year). ``NotFound``
    (``notice_not_available``) when the case has no such notice."""
    kind = check_available(case, str(kind))
    issued = IssuedNotice.objects.filter(case=case, kind=kind).first()
    if issued is not None:
        return issued
    case = _lock(case)
    kind = check_available(case, kind)
    issued = IssuedNotice.objects.filter(case=case, kind=kind).first()
    if issued is not None:  # issued while this call waited for the case
        return issued
    day, handler = _act(case, kind)
    counter = lock_counter(
        NoticeNumberSequence,
        zone_id=case.zone_id,
        kind=kind,
        year=day.year,
        defaults={"last": 0},
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    issued = IssuedNotice.objects.create(
        case=case,
        zone_id=case.zone_id,
        kind=kind,
        year=day.year,
        sequence=counter.last,
        number=document_number(case.zone, kind, day.year, counter.last),
        issued_on=day,
        handler=handler,
    )
    with override(NOTICE_LANGUAGE):
        title = notice_title(case, kind)
    _event(
        case,
        CaseEventAction.NOTICE_ISSUED,
        actor=actor,
        data={"kind": kind, "title": title, "number": issued.number, "issued_on": str(day)},
    )
    return issued
