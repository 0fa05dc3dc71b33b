"""The case and task responses: the case as its reader sees it (``selectors.case_view``)
rendered once for every endpoint that answers with a case."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from onewindow.cases import deadlines
from onewindow.cases.constants import CaseStatus, Light, MaterialState
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.permissions import access_case_by_number, can_view_query_code
from onewindow.cases.selectors import CaseView, case_view
from onewindow.certificates.models import CertificateStatus
from onewindow.core.calendar import WorkingCalendar
from onewindow.core.links import public_url
from onewindow.core.throttle import request_address
from onewindow.org.models import Department, User
from onewindow.org.selectors import calendar_for_zone
from onewindow.org.services import IdentifierChannel

CASE_RELATED = ("zone", "applicant", "department", "item_version__item", "bundle", "parent")


def department_out(department: Department) -> dict:
    return {"code": department.code, "name": department.name}


def person_out(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"username": user.get_username(), "name": str(user)}


def task_row(task: Task, *, today: dt.date, calendars: dict[int, WorkingCalendar]) -> dict:
    """One active task (annotated ``with_light``, its case and zone joined); ``calendars``
    keeps each zone's calendar for the request (asking for it checks its revision). A
    task whose ``remaining`` the case view worked out already keeps it."""
    remaining = None
    if task.light != Light.PAUSED and hasattr(task, "remaining"):
        remaining = task.remaining
    elif task.light != Light.PAUSED:
        zone = task.case.zone
        if zone.pk not in calendars:
            calendars[zone.pk] = calendar_for_zone(zone)
        remaining = deadlines.remaining_working_days(calendars[zone.pk], today, task.deadline)
    return {
        "id": task.pk,
        "step": task.step_key,
        "name": task.name,
        "kind": task.kind,
        "kind_label": task.get_kind_display(),
        "status": task.status,
        "status_label": task.get_status_display(),
        "department": department_out(task.department),
        "assignee": person_out(task.assignee),
        "opened_on": task.opened_on,
        "opened_at": task.opened_at,
        "deadline": task.deadline,
        "remaining": remaining,
        "light": task.light,
    }


def applicant_out(view: CaseView) -> dict:
    """The case's applicant; the identifier by the one rule (``org.permissions``), a staff
    member's full view recorded once for this response (ADR 0015)."""
    applicant, shown = view.case.applicant, view.identifier
    return {
        "name": applicant.name,
        "kind": applicant.kind,
        "identifier_label": str(applicant.identifier_label),
        "identifier": shown.value,
        "identifier_masked": not shown.full,
    }


def case_out(user: User, case: Case, request: HttpRequest, *, created: bool = False) -> dict:
    """The case as ``user`` (who may see it) sees it: one response, one identifier view.
    ``created``: made by this request (no task or certificate to read yet)."""
    view = case_view(
        viewer=user,
        case=case,
        channel=IdentifierChannel.API,
        ip_address=request_address(request),
        on=timezone.localdate(),
        created=created,
    )
    clock = view.clock
    show_code = can_view_query_code(user, case)
    return {
        "number": case.number,
        "query_code": case.query_code if show_code else None,
        "status": case.status,
        "status_label": case.get_status_display(),
        "title": case.title,
        "item": case.item_version.item.implementation_code if case.item_version_id else None,
        "bundle": case.bundle.code if case.bundle_id else None,
        "parent": case.parent.number if case.parent_id else None,
        "channel": case.channel,
        "channel_label": case.get_channel_display(),
        "applicant": applicant_out(view),
        "department": department_out(case.department),
        "submitted_at": case.submitted_at,
        "accepted_on": case.accepted_on,
        "decided_on": case.decided_on,
        "delivered_on": case.delivered_on,
        "withdrawn_at": case.withdrawn_at,
        "limit_days": case.limit_days,
        "legal_limit_days": case.legal_limit_days,
        "deadline": clock.deadline,
        "deadline_provisional": clock.provisional,
        "remaining": clock.remaining,
        "light": clock.light,
        "acceptance_mode": case.acceptance_mode,
        "acceptance_mode_label": case.get_acceptance_mode_display() if case.acceptance_mode else "",
        "tolerance_due_on": case.tolerance_due_on,
        "correction_items": list(case.correction_items or []),
        "extension": (
            {"days": case.extension_days, "reason": case.extension_reason}
            if case.extension_days
            else None
        ),
        "refusal": (
            {"reason": case.refusal_reason, "legal_basis": case.refusal_legal_basis}
            if case.status == CaseStatus.NOT_ACCEPTED
            else None
        ),
        "decision": _decision_out(case) if case.decision else None,
        "children": [_child_out(child) for child in view.children],
        "materials": [_material_out(row) for row in view.materials],
        "certificates": [certificate_out(certificate) for certificate in view.certificates],
        "tasks": [task_row(task, today=view.today, calendars={}) for task in view.active_tasks],
    }


def _decision_out(case: Case) -> dict:
    return {
        "decision": case.decision,
        "decision_label": case.decision_display(),
        "reason": case.decision_reason,
        "remedy_notice": case.remedy_notice,
        "decided_on": case.decided_on,
        "on_time": case.on_time,
    }


def _child_out(child: Case) -> dict:
    """One child of a bundle's case, as its parent's response lists it."""
    return {
        "number": child.number,
        "title": child.title,
        "status": child.status,
        "status_label": child.get_status_display(),
        "decision": child.decision,
    }


def _material_out(row: CaseMaterial) -> dict:
    return {
        "id": row.pk,
        "position": row.position,
        "name": row.name,
        "required": row.required,
        "tolerable": row.tolerable,
        "commitment_allowed": row.commitment_allowed,
        "state": row.state,
        "state_label": str(MaterialState(row.state).label),
        "certificate": (row.reference if row.state == MaterialState.CERTIFICATE else None),
    }


def certificate_out(certificate) -> dict:
    """One certificate of a ``CaseView`` (its status today read once)."""
    status = certificate.status_today
    return {
        "identifier": certificate.identifier,
        "type": certificate.certificate_type.name,
        "case": certificate.case_number,
        "status": status,
        "status_label": str(CertificateStatus(status).label),
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "verify_url": public_url(certificate.verification_path()),
    }


def reread(case: Case) -> Case:
    return Case.objects.select_related(*CASE_RELATED).get(pk=case.pk)


def written(result: object, before: Case) -> Case:
    """The case a service wrote, ready for ``case_out`` without reading it again: the
    fresh row the service returned, with the related rows ``CASE_RELATED`` names taken
    from ``before`` (the same case as the request read it; a service changes the case's
    own columns, never its zone, applicant, department, item, bundle or parent). When
    the service returned something else, or changed one of those, the case is read."""
    if not isinstance(result, Case) or result.pk != before.pk:
        return reread(before)
    for field in ("zone", "applicant", "department", "item_version", "bundle", "parent"):
        attname = f"{field}_id"
        if getattr(result, attname) != getattr(before, attname):
            return reread(before)
        if getattr(before, attname) is not None and Case._meta.get_field(field).is_cached(before):
            setattr(result, field, getattr(before, field))
    return result


def visible_case(user: User, number: str) -> Case:
    return access_case_by_number(user, number, queryset=Case.objects.select_related(*CASE_RELATED))
