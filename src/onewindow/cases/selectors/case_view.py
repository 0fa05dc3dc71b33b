"""One case as a reader sees it: its tasks, timeline and certificates, and ``case_view``
(what the API's case and the case page both show)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from onewindow.cases.constants import CASE_OBJECT_TYPE
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.selectors.clock import ClockView, case_clock, today, with_remaining
from onewindow.certificates.models import Certificate, CertificateStatus
from onewindow.certificates.permissions import can_view as can_view_certificate
from onewindow.certificates.selectors import certificates_for_case
from onewindow.core.audit import AuditEvent
from onewindow.org.models import User
from onewindow.org.services import ShownIdentifier, identifier_show


def case_timeline(case: Case) -> QuerySet[AuditEvent]:
    """The case's audit events in order (its children's are on their own timelines)."""
    return AuditEvent.objects.filter(object_type=CASE_OBJECT_TYPE, object_id=case.number).order_by(
        "id"
    )


def case_tasks(case: Case) -> QuerySet[Task]:
    return case.tasks.select_related("department", "assignee", "completed_by").order_by(
        "opened_at", "pk"
    )


def case_certificates(case: Case) -> list[Certificate]:
    """办理结果: the certificates the case's approval issued (a bundle: its children's)."""
    numbers = [case.number]
    if case.is_bundle:
        numbers += list(Case.objects.filter(parent=case).values_list("number", flat=True))
    rows: list[Certificate] = []
    for number in numbers:
        rows.extend(certificates_for_case(number).order_by("issued_on", "pk"))
    return rows


@dataclass(frozen=True)
class CaseView:
    """The case as one user (who may see it) sees it: what the API's case and the case
    page both show, read once. Each certificate carries ``status_today``,
    ``status_today_label`` and ``viewable`` (this user may open its file); the active
    tasks carry ``remaining`` working days."""

    case: Case
    today: dt.date
    clock: ClockView
    #: the applicant's identifier by the one rule (``org.permissions``): full or masked
    identifier: ShownIdentifier
    #: the case's materials (a bundle's children show the parent's)
    materials: list[CaseMaterial]
    #: every task of the case, oldest first, with its light
    tasks: list[Task]
    #: a bundle's child cases, with their lights
    children: list[Case]
    certificates: list[Certificate]

    @property
    def active_tasks(self) -> list[Task]:
        return [task for task in self.tasks if task.is_active]


def case_view(
    *,
    viewer: User,
    case: Case,
    channel: str,
    ip_address: str | None = None,
    on: dt.date | None = None,
    created: bool = False,
) -> CaseView:
    """The case as ``viewer`` sees it on ``channel`` (page or API). The one write a read
    makes: a staff member's full view of a personal identifier is recorded, once for this
    response (ADR 0015). ``created``: the case was created in this request, so it has no
    task yet (tasks open at acceptance) and no certificate (its number is new)."""
    on = on or today()
    owner = case.parent if case.is_child else case
    tasks = [] if created else list(case_tasks(case).with_light(on))
    with_remaining([task for task in tasks if task.is_active], on=on)
    children = []
    if case.is_bundle:
        children = list(
            Case.objects.filter(parent=case)
            .with_light(on)
            .select_related("department")
            .order_by("pk")
        )
    certificates = [] if created else case_certificates(case)
    for certificate in certificates:
        certificate.status_today = certificate.effective_status(on)
        certificate.status_today_label = CertificateStatus(certificate.status_today).label
        certificate.viewable = can_view_certificate(viewer, certificate)
    return CaseView(
        case=case,
        today=on,
        clock=case_clock(case, on=on),
        identifier=identifier_show(
            viewer=viewer,
            applicant=case.applicant,
            channel=channel,
            purpose=case.number,
            ip_address=ip_address,
        ),
        materials=list(owner.materials.all()),
        tasks=tasks,
        children=children,
        certificates=certificates,
    )
