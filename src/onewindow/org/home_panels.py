"""The organisation's panels of the home page (``/home/``, the portal's page): the profile,
each staff role's section, the departments, the login history; for applicants, their
identities and account. ``org/navigation.py`` registers them with ``core.registry``.

The data of all staff panels is read once per request (``staff_home``), so the page runs
the same fixed number of queries whatever panels it shows (the tests assert the counts).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.audit import audit_chain_status
from onewindow.core.calendar import CalendarNotCovered, CalendarOutOfRange, WorkingCalendar
from onewindow.core.errors import ValidationFailed
from onewindow.core.forms import add_service_error
from onewindow.core.selectors import national_calendar
from onewindow.core.workers import task_problem_counts
from onewindow.org import pages
from onewindow.org.admin_roles import can_manage_accounts
from onewindow.org.constants import Role, UserKind
from onewindow.org.context_processors import zone as zone_context
from onewindow.org.forms import DeadlineForm
from onewindow.org.models import User, Zone
from onewindow.org.selectors import calendar_for_zone, last_chain_verification

#: A recorded verification older than this is flagged: the daily `onewindow audit-verify`
#: job (docs/security.md) has probably stopped.
VERIFICATION_STALE_AFTER = dt.timedelta(days=2)


def site_zone(request: HttpRequest) -> Zone | None:
    """The zone this site serves (shared with the page header: one query per request)."""
    return zone_context(request)["zone"]


def working_calendar(zone: Zone | None) -> WorkingCalendar:
    return calendar_for_zone(zone) if zone is not None else national_calendar()


def deadline_calculator(request: HttpRequest, calendar: WorkingCalendar) -> dict:
    """The deadline form, bound when the request carries its fields, and its answer."""
    today = timezone.localdate()
    if "start" not in request.GET and "days" not in request.GET:
        return {"deadline_form": DeadlineForm(initial={"start": today})}
    form = DeadlineForm(request.GET)
    context: dict = {"deadline_form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            context["deadline"] = calendar.deadline(
                data["start"], data["days"], allow_provisional=data["provisional"]
            )
        except CalendarNotCovered as error:
            # The calendar's own message speaks to API callers (provisional=true); the
            # page names its checkbox instead, beside the field.
            form.add_error(
                "start",
                _("{year}年的国务院节假日安排尚未载入，无法确定该年的工作日").format(
                    year=error.year
                ),
            )
            context["suggest_provisional"] = True
        except ValidationFailed as error:
            add_service_error(form, error, others="drop")
    return context


# -- staff ---------------------------------------------------------------------------------


def _staff_zone(request: HttpRequest, user: User) -> Zone | None:
    zone = site_zone(request)
    if user.zone_id is None or (zone is not None and zone.pk == user.zone_id):
        return zone
    return Zone.objects.filter(pk=user.zone_id).first()


def _clerk_context(request: HttpRequest, profile: User, calendar: WorkingCalendar) -> dict:
    today = timezone.localdate()
    try:
        today_info = calendar.day(today, allow_provisional=True)
        next_working_day = calendar.deadline(today, 1, allow_provisional=True)
    except CalendarOutOfRange:
        today_info = next_working_day = None
    return {
        "clerk_window": profile.window,
        "today_info": today_info,
        "next_working_day": next_working_day,
        **deadline_calculator(request, calendar),
    }


def _audit_verification() -> dict:
    """The newest recorded chain verification (one query): walking the chain is the job of
    ``onewindow audit-verify`` (daily) and of the audit administrator's button, never of a
    page view."""
    verification = last_chain_verification()
    stale = (
        verification is not None
        and timezone.now() - verification.occurred_at > VERIFICATION_STALE_AFTER
    )
    return {"audit_verification": verification, "audit_verification_stale": stale}


def _read_staff_home(request: HttpRequest, user: User) -> dict:
    assignments = pages.role_assignments(user)
    roles = {assignment.role for assignment in assignments}
    zone = _staff_zone(request, user)
    profile = pages.staff_profile(user)
    context: dict = {
        "assignments": assignments,
        "roles": roles,
        "department": profile.department,
        "window": profile.window,
        "login_history": pages.login_history(user),
        "sections": [role for role in Role.values if role in roles],
        "manages_accounts": can_manage_accounts(user),
    }
    if Role.WINDOW_CLERK in roles:
        context.update(_clerk_context(request, profile, working_calendar(zone)))
    if Role.ADMINISTRATOR in roles and zone is not None:
        overrides, more = pages.calendar_overrides(zone)
        context.update(
            organisation_counts=pages.organisation_counts(zone),
            overrides=overrides,
            more_overrides=more,
        )
    if Role.ADMINISTRATOR in roles:  # background tasks needing a look (docs/decisions/0012)
        context["task_problems"] = task_problem_counts()
        context.update(_audit_verification())
        context["chain_status"] = audit_chain_status()  # the chainer's lag (ADR 0004)
    if Role.SUPERVISOR in roles:
        context["audit_events"] = pages.recent_audit_events()
    if Role.ANALYST in roles and zone is not None:
        context["figures"] = pages.organisation_figures(zone)
    if roles & {Role.REVIEWER, Role.DECIDER, Role.REGULATOR}:
        context["department_overviews"] = pages.department_overviews(user, assignments)
    return context


def staff_home(request: HttpRequest) -> dict:
    """Everything the staff panels show, read once per request (the user's roles among
    it: ``request.user.role_set()`` answers from them afterwards)."""
    if not hasattr(request, "_onewindow_staff_home"):
        request._onewindow_staff_home = _read_staff_home(request, request.user)
    return request._onewindow_staff_home


def _staff(context) -> dict | None:
    request = context["request"]
    if request.user.kind == UserKind.APPLICANT:
        return None
    return staff_home(request)


def for_everyone_on_staff(context) -> dict | None:
    """The panel context of every staff member's home (profile, logins)."""
    return _staff(context)


def for_roles(*roles: str):
    """The panel context for staff holding one of ``roles`` (None for the others)."""

    def panel_context(context) -> dict | None:
        home = _staff(context)
        if home is None or not home["roles"] & set(roles):
            return None
        return home

    return panel_context


def with_department_overviews(context) -> dict | None:
    home = _staff(context)
    return home if home and home.get("department_overviews") else None


def with_figures(context) -> dict | None:
    home = _staff(context)
    return home if home and Role.ANALYST in home["roles"] and home.get("figures") else None


# -- applicants --------------------------------------------------------------------------


def for_applicants(context) -> dict | None:
    """The applicant's identities (read once per request)."""
    request = context["request"]
    if request.user.kind != UserKind.APPLICANT:
        return None
    if not hasattr(request, "_onewindow_representations"):
        request._onewindow_representations = pages.user_applicants(request.user)
    return {"representations": request._onewindow_representations}
