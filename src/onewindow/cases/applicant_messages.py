"""Messages to applicants (我的消息 and the notifier backends) at every step they care about.

Each service calls one function of this module, inside its transaction, once the status
has changed: the in-app row is written with the change (rolled back with it) and handed to
the backends after commit (``core.notifications.notify``).

- **Who**: exactly the people who may see the case as its applicant: active applicant
  accounts with a ``Representation`` of the case's applicant (``permissions.visible_cases``
  for applicants). Staff are never written to here. An applicant without any account (a
  walk-in) is reached at its registered phone number through the backends only
  (``notify_contact``); a message kept in no inbox.
- **What**: only what the applicant sees on the case page: number, item, dates, the
  correction list, reasons told to the applicant, legal basis and remedies. Never staff
  comments, names of handlers or other applicants' data.
- **Language**: the case's recorded language (``Case.language``).
- **Once**: one message per case, kind and event (the key ``case:<id>:<kind>[:<event>]``,
  the event where a kind may recur: a suspension, a correction request, a certificate).
- **Bundles**: a bundle's children are told through their parent (one message for the
  bundle), except a certificate, which each child issues on its own.
- **Words**: every kind is an editable template (``core.NotificationTemplate``); the
  built-in words and the placeholders each offers are in ``applicant_message_kinds``.

See docs/notifications.md and ADR 0024.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from onewindow.cases.applicant_message_kinds import (
    ACCEPTED,
    APPROVED,
    CERTIFICATE_ISSUED,
    CORRECTION_REQUESTED,
    DELIVERED,
    DENIED,
    EXTENDED,
    READY,
    REFUSED,
    RESUMED,
    SUBMITTED,
    SUPPLEMENT_DUE_SOON,
    SUPPLEMENT_OVERDUE,
    SUSPENDED,
)
from onewindow.cases.constants import CASE_OBJECT_TYPE, CaseStatus, Decision, MaterialState
from onewindow.cases.models import Case
from onewindow.cases.selectors.clock import correction_due_on
from onewindow.core.links import public_url
from onewindow.core.notifications import Contact, notify, notify_contact
from onewindow.org.constants import UserKind
from onewindow.org.models import User

# --- recipients and sending -------------------------------------------------------------


def recipients(case: Case) -> list[User]:
    """Who may see ``case`` as its applicant: the active applicant accounts representing
    the case's applicant (as ``permissions.visible_cases``), in a stable order."""
    return list(
        User.objects.filter(
            representations__applicant_id=case.applicant_id,
            is_active=True,
            kind=UserKind.APPLICANT,
        )
        .distinct()
        .order_by("pk")
    )


def case_page(number: str) -> str:
    return reverse("cases:case", args=[number])


def _tell(case: Case, kind: str, context: Mapping[str, Any], *, event: Any = "") -> int:
    """Write ``kind`` to every recipient of ``case`` (once per case, kind and event), or
    send it to a walk-in applicant's registered phone; returns how many were told."""
    link = case_page(case.number)
    full = {
        "number": case.number,
        "item": case.title,
        "link": public_url(link),
        "language": case.language,
        **context,
    }
    key = f"case:{case.pk}:{kind}" + (f":{event}" if event != "" else "")
    subject = (CASE_OBJECT_TYPE, case.number)
    people = recipients(case)
    told = 0
    for user in people:
        if notify(user, kind, full, link=link, subject=subject, key=key) is not None:
            told += 1
    if not people:
        applicant = case.applicant
        if applicant.phone:
            contact = Contact(username=applicant.name, phone=applicant.phone)
            notify_contact(contact, kind, full, link=link, subject=subject)
            told += 1
    return told


def _top(case: Case) -> bool:
    """Children of a bundle are told through their parent."""
    return case.parent_id is None


def case_submitted(case: Case) -> None:
    if not _top(case):
        return
    track = reverse("cases:track") + "?" + urlencode({"number": case.number})
    _tell(
        case,
        SUBMITTED,
        {"query_code": case.query_code, "track_link": public_url(track)},
    )


def case_correction_requested(case: Case) -> None:
    if not _top(case):
        return
    _tell(
        case,
        CORRECTION_REQUESTED,
        {"items": list(case.correction_items), "due_on": correction_due_on(case)},
        event=case.correction_requested_at.isoformat(),
    )


def case_accepted(case: Case, *, tolerated: list[str] | None = None) -> None:
    """``tolerated``: the names of the tolerated materials in their order, when the
    caller holds them (read otherwise)."""
    if not _top(case):
        return
    if tolerated is None:
        tolerated = list(
            case.materials.filter(state=MaterialState.TOLERATED)
            .order_by("position")
            .values_list("name", flat=True)
        )
    _tell(
        case,
        ACCEPTED,
        {
            "mode": case.acceptance_mode,
            "deadline": case.deadline,
            "tolerated": tolerated,
            "tolerance_due_on": case.tolerance_due_on,
        },
    )


def case_refused(case: Case) -> None:
    if not _top(case):
        return
    _tell(
        case,
        REFUSED,
        {"reason": case.refusal_reason, "legal_basis": case.refusal_legal_basis},
    )


def case_suspended(case: Case, suspension) -> None:
    if not _top(case):
        return
    _tell(
        case,
        SUSPENDED,
        {"procedure": suspension.kind, "reason": suspension.reason},
        event=suspension.pk,
    )


def case_resumed(case: Case, suspension) -> None:
    if not _top(case):
        return
    _tell(
        case,
        RESUMED,
        {"paused_days": suspension.paused_days, "deadline": case.deadline},
        event=suspension.pk,
    )


def case_extended(case: Case) -> None:
    if not _top(case):
        return
    _tell(
        case,
        EXTENDED,
        {"days": case.extension_days, "reason": case.extension_reason, "deadline": case.deadline},
    )


def case_decided(case: Case) -> None:
    """准予 / 不予: for a single case or a bundle (its parent is decided once every child
    is; the children themselves are not told)."""
    if not _top(case):
        return
    if case.decision == Decision.APPROVED:
        _tell(case, APPROVED, {"decided_on": case.decided_on})
    else:
        _tell(
            case,
            DENIED,
            {
                "decided_on": case.decided_on,
                "reason": case.decision_reason,
                "remedies": case.remedy_notice,
            },
        )


def certificate_issued(case: Case, certificate) -> None:
    """Every case that issues a certificate, a bundle's child included."""
    _tell(
        case,
        CERTIFICATE_ISSUED,
        {
            "certificate": certificate.certificate_type.name,
            "identifier": certificate.identifier,
            "wallet_link": public_url(
                reverse("certificates:wallet_detail", args=[certificate.identifier])
            ),
            "verify_link": public_url(
                reverse("certificates:verify", args=[certificate.identifier])
            ),
        },
        event=certificate.identifier,
    )


def case_ready(case: Case) -> None:
    """The result waits at the window (the delivery step opened)."""
    if not _top(case):
        return
    _tell(case, READY, {})


def case_delivered(case: Case) -> None:
    if not _top(case) or case.status != CaseStatus.DELIVERED:
        return
    _tell(case, DELIVERED, {"delivered_on": case.delivered_on})


def supplement_due_soon(case: Case, materials: list[str]) -> int:
    """A reminder before the 容缺 due date: once per case and due date, to accounts only
    (the job runs daily; a phone number outside the inbox keeps no record to stop a
    second text)."""
    context = {"materials": materials, "due_on": case.tolerance_due_on}
    if not recipients(case):
        return 0
    return _tell(case, SUPPLEMENT_DUE_SOON, context, event=case.tolerance_due_on.isoformat())


def supplement_overdue(case: Case, materials: list[str]) -> int:
    """The 容缺 due date passed (recorded once per case by ``cases.reminders``)."""
    return _tell(
        case, SUPPLEMENT_OVERDUE, {"materials": materials, "due_on": case.tolerance_due_on}
    )
