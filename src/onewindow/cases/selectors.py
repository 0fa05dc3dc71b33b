"""Reads of cases worth naming: inboxes, the supervision board, timelines, progress.

Lights and sorting are computed in SQL (``with_light``: dates compared with today);
remaining working days are added for the rows of one page only, O(1) each from the
precomputed calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases import deadlines
from onewindow.cases.constants import (
    CASE_OBJECT_TYPE,
    INTAKE_STATUSES,
    CaseStatus,
    Light,
    MaterialState,
    TaskStatus,
)
from onewindow.cases.models import Case, Task
from onewindow.cases.permissions import departments_with_role, visible_cases
from onewindow.catalog.bundles import MergedMaterial
from onewindow.catalog.constants import MaterialSource
from onewindow.catalog.models import ItemVersion
from onewindow.certificates.models import Certificate
from onewindow.certificates.selectors import certificates_for_case, wallet
from onewindow.core.audit import AuditEvent
from onewindow.core.errors import NotFound
from onewindow.core.identifiers import codes_match, fold_code
from onewindow.org.constants import Role
from onewindow.org.models import Applicant, User
from onewindow.org.selectors import calendar_for_zone

PAGE_SIZE = 50
WARNED_LIGHTS = (Light.YELLOW, Light.RED)


def today() -> dt.date:
    return timezone.localdate()


def task_inbox(
    user: User,
    *,
    on: dt.date | None = None,
    light: str | None = None,
    mine: bool = False,
) -> QuerySet[Task]:
    """Active tasks the user may take (their role in their departments), most urgent
    first: red, then by step deadline. ``light`` filters (in SQL); ``mine`` keeps the
    ones the user has claimed."""
    on = on or today()
    holder = Q(pk__in=[])
    for role in (Role.REVIEWER, Role.DECIDER):
        departments = departments_with_role(user, role)
        if departments:
            holder |= Q(role=role, department_id__in=departments)
    if user.has_role(Role.WINDOW_CLERK):
        holder |= Q(role=Role.WINDOW_CLERK, case__zone_id=user.zone_id)
    tasks = (
        Task.objects.active()
        .filter(holder)
        .filter(Q(assignee__isnull=True) | Q(assignee=user))
        .with_light(on)
        .select_related("case", "case__applicant", "department", "assignee")
        .order_by("deadline", "opened_at", "pk")
    )
    if mine:
        tasks = tasks.filter(assignee=user)
    if light in Light.values:
        tasks = tasks.filter(light=light)
    return tasks


def supervisor_board(
    user: User,
    *,
    on: dt.date | None = None,
    department_id: int | None = None,
    light: str | None = None,
) -> QuerySet[Task]:
    """Every yellow and red task in the user's zone, with who holds it: a department
    late inside a case that is still on time shows here too. Most overdue first."""
    on = on or today()
    tasks = (
        _warned_tasks(user, on)
        .with_light(on)
        .select_related("case", "department", "assignee")
        .order_by("deadline", "pk")
    )
    if department_id:
        tasks = tasks.filter(department_id=department_id)
    if light in WARNED_LIGHTS:
        tasks = tasks.filter(light=light)
    return tasks


def _warned_tasks(user: User, on: dt.date) -> QuerySet[Task]:
    """Active yellow or red tasks of the user's zone whose case clock runs. The zone is
    the department's (a tiny join) and the few suspended cases are excluded as a set,
    so the query walks the partial index of active tasks only."""
    suspended = Case.objects.filter(zone_id=user.zone_id, status=CaseStatus.SUSPENDED).values("pk")
    return (
        Task.objects.active()
        .filter(department__zone_id=user.zone_id, yellow_from__lte=on)
        .exclude(case_id__in=suspended)
    )


def warned_cases(user: User, *, on: dt.date | None = None, light: str | None = None):
    """Yellow and red cases of the user's zone (the case clock, not the step clocks)."""
    on = on or today()
    cases = (
        Case.objects.warned(on)
        .filter(zone_id=user.zone_id)
        .with_light(on)
        .select_related("department", "applicant")
        .order_by("deadline", "pk")
    )
    if light in WARNED_LIGHTS:
        cases = cases.filter(light=light)
    return cases


def board_counts(user: User, *, on: dt.date | None = None) -> dict[str, int]:
    """Yellow and red counts, cases and tasks, for the board's header (four queries)."""
    on = on or today()
    cases = Case.objects.warned(on).filter(zone_id=user.zone_id)
    tasks = _warned_tasks(user, on)
    return {
        "cases_red": cases.filter(deadline__lt=on).count(),
        "cases_yellow": cases.filter(deadline__gte=on).count(),
        "tasks_red": tasks.filter(deadline__lt=on).count(),
        "tasks_yellow": tasks.filter(deadline__gte=on).count(),
    }


def intake_queue(user: User) -> QuerySet[Case]:
    """Applications waiting at the window (pre-review or correction), oldest first."""
    return (
        visible_cases(user)
        .filter(status__in=INTAKE_STATUSES, parent__isnull=True)
        .select_related("applicant", "item_version", "bundle")
        .order_by("submitted_at", "pk")
    )


def overdue_supplements(user: User, *, on: dt.date | None = None) -> QuerySet[Case]:
    """容缺 cases whose tolerated materials are past their due date (for the clerk)."""
    on = on or today()
    return (
        visible_cases(user)
        .filter(
            tolerance_due_on__lt=on,
            parent__isnull=True,
            materials__state=MaterialState.TOLERATED,
        )
        .distinct()
        .select_related("applicant")
        .order_by("tolerance_due_on", "pk")
    )


@dataclass(frozen=True)
class ClockView:
    deadline: dt.date | None
    remaining: int | None
    light: str
    provisional: bool


def case_clock(case: Case, *, on: dt.date | None = None) -> ClockView:
    """The case's clock for one page (remaining working days, the light)."""
    on = on or today()
    running = case.clock_running and case.deadline is not None
    remaining = None
    if running and case.status != CaseStatus.SUSPENDED:
        remaining = deadlines.remaining_working_days(
            calendar_for_zone(case.zone), on, case.deadline
        )
    return ClockView(
        deadline=case.deadline,
        remaining=remaining,
        light=deadlines.light(
            today=on,
            deadline=case.deadline,
            yellow_from=case.yellow_from,
            running=running,
            paused=case.status == CaseStatus.SUSPENDED,
        ),
        provisional=case.deadline_provisional,
    )


def with_remaining(rows, *, on: dt.date | None = None):
    """Attach ``remaining`` working days to each row of one page (tasks or cases)."""
    on = on or today()
    rows = list(rows)
    calendars = {}
    for row in rows:
        zone = row.case.zone_id if isinstance(row, Task) else row.zone_id
        if zone not in calendars:
            calendars[zone] = calendar_for_zone(
                row.case.zone if isinstance(row, Task) else row.zone
            )
        row.remaining = (
            deadlines.remaining_working_days(calendars[zone], on, row.deadline)
            if row.deadline
            else None
        )
    return rows


def case_timeline(case: Case) -> QuerySet[AuditEvent]:
    """The case's audit events in order (its children's are on their own timelines)."""
    return AuditEvent.objects.filter(object_type=CASE_OBJECT_TYPE, object_id=case.number).order_by(
        "sequence"
    )


def case_tasks(case: Case) -> QuerySet[Task]:
    return case.tasks.select_related("department", "assignee", "completed_by").order_by(
        "opened_at", "pk"
    )


@dataclass(frozen=True)
class PublicProgress:
    """What anyone with the number and query code may see: no names, identifiers,
    materials or comments."""

    number: str
    item: str
    status: str
    status_label: str
    submitted_on: dt.date | None
    accepted_on: dt.date | None
    deadline: dt.date | None
    deadline_provisional: bool
    extension_days: int
    extension_reason: str
    suspended: bool
    decided_on: dt.date | None
    delivered_on: dt.date | None
    steps: list[dict]


def public_progress(*, number: str, code: str) -> PublicProgress:
    """The public progress of a case; one and the same "not found" for a missing or
    malformed number and a wrong, empty or non-ASCII code. Both are folded as typed
    (full-width digits and letters count as ASCII) and the code compared as bytes."""
    number = fold_code(number)
    code = fold_code(code)
    case = (
        Case.objects.filter(number=number, parent__isnull=True)
        .only(
            "number",
            "title",
            "status",
            "query_code",
            "submitted_at",
            "accepted_on",
            "deadline",
            "deadline_provisional",
            "extension_days",
            "extension_reason",
            "decided_on",
            "delivered_on",
            "zone_id",
        )
        .first()
    )
    if case is None or not codes_match(case.query_code, code):
        raise NotFound(_("办件编号或查询码不正确"), code="case_not_found")
    steps = [
        {"name": name, "status": TaskStatus(status).label, "done": status == TaskStatus.DONE}
        for name, status in Task.objects.filter(
            Q(case=case) | Q(case__parent=case), parent_task__isnull=True
        )
        .exclude(status=TaskStatus.CANCELLED)
        .order_by("opened_at", "pk")
        .values_list("name", "status")
    ]
    return PublicProgress(
        number=case.number,
        item=case.title,
        status=case.status,
        status_label=CaseStatus(case.status).label,
        submitted_on=timezone.localdate(case.submitted_at) if case.submitted_at else None,
        accepted_on=case.accepted_on,
        deadline=case.deadline,
        deadline_provisional=case.deadline_provisional,
        extension_days=case.extension_days,
        extension_reason=case.extension_reason,
        suspended=case.status == CaseStatus.SUSPENDED,
        decided_on=case.decided_on,
        delivered_on=case.delivered_on,
        steps=steps,
    )


# -- e-certificates: a case's results and the wallet an application draws on ---------------


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
class WalletMaterial:
    """How one material line of an application is given before it is submitted."""

    line: MergedMaterial
    #: applicant id → the certificate that will fill it (免提交), for those who hold one
    held: dict[int, Certificate]
    #: another item of the same bundle issues it (asked of no one)
    produced: bool = False

    @property
    def from_certificate(self) -> bool:
        return self.line.source == MaterialSource.CERTIFICATE and bool(
            self.line.certificate_type_id
        )


def wallet_materials(
    lines: list[MergedMaterial],
    *,
    applicants: list[Applicant],
    versions: list[ItemVersion],
    on: dt.date | None = None,
) -> list[WalletMaterial]:
    """For each material line, which of ``applicants`` hold a valid certificate that will
    fill it at submission (their own wallets only: revoked, expired and other holders'
    certificates never count), and whether the bundle produces it itself."""
    produced = (
        {version.certificate_type_id for version in versions if version.certificate_type_id}
        if len(versions) > 1
        else set()
    )
    wanted = {
        line.certificate_type_id
        for line in lines
        if line.source == MaterialSource.CERTIFICATE
        and line.certificate_type_id
        and line.certificate_type_id not in produced
    }
    holdings: dict[tuple[int, int], Certificate] = {}
    if wanted:
        for applicant in applicants:
            for certificate in wallet(applicant, today=on).filter(certificate_type_id__in=wanted):
                # newest first: the first seen of a type is the one submission will use
                holdings.setdefault((applicant.pk, certificate.certificate_type_id), certificate)
    result = []
    for line in lines:
        is_produced = bool(line.certificate_type_id) and line.certificate_type_id in produced
        held = {}
        if line.source == MaterialSource.CERTIFICATE and not is_produced:
            held = {
                applicant.pk: holdings[(applicant.pk, line.certificate_type_id)]
                for applicant in applicants
                if (applicant.pk, line.certificate_type_id) in holdings
            }
        result.append(WalletMaterial(line=line, held=held, produced=is_produced))
    return result
