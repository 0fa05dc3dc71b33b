"""Pages of the organisation: the portal, the working-day calendar, each role's home page,
and the applicant identities. Each view parses input, checks access, calls one reader
(``pages``, ``selectors``) or the calendar, and renders."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from onewindow.core.audit import audit_verify
from onewindow.core.calendar import (
    CalendarNotCovered,
    CalendarOutOfRange,
    WorkingCalendar,
)
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.core.forms import add_service_error
from onewindow.core.selectors import national_calendar
from onewindow.core.throttle import request_address
from onewindow.core.workers import task_problem_counts
from onewindow.org import pages
from onewindow.org.admin_roles import can_manage_accounts
from onewindow.org.constants import Role, UserKind
from onewindow.org.context_processors import zone as zone_context
from onewindow.org.forms import ApplicantSearchForm, DeadlineForm, parse_month
from onewindow.org.models import User, Zone
from onewindow.org.permissions import (
    access_applicant,
    can_view_full_identifier,
    is_staff_member,
)
from onewindow.org.selectors import calendar_for_zone
from onewindow.org.services import IdentifierChannel, identifier_show

#: The heading of a home page with exactly one staff role.
ROLE_HOME_TITLES = {
    Role.WINDOW_CLERK: gettext_lazy("综合窗口工作台"),
    Role.REVIEWER: gettext_lazy("审查工作台"),
    Role.DECIDER: gettext_lazy("审批决定工作台"),
    Role.SUPERVISOR: gettext_lazy("电子监察工作台"),
    Role.REGULATOR: gettext_lazy("监管工作台"),
    Role.ADMINISTRATOR: gettext_lazy("系统管理工作台"),
    Role.ANALYST: gettext_lazy("数据分析工作台"),
    Role.SECURITY_ADMIN: gettext_lazy("安全管理工作台"),
    Role.AUDIT_ADMIN: gettext_lazy("安全审计工作台"),
}

#: The administrator's home checks the newest events; `onewindow audit-verify` walks all.
HOME_AUDIT_WINDOW = 1000


def _site_zone(request: HttpRequest) -> Zone | None:
    """The zone this site serves (shared with the page header: one query per request)."""
    return zone_context(request)["zone"]


def _working_calendar(zone: Zone | None) -> WorkingCalendar:
    return calendar_for_zone(zone) if zone is not None else national_calendar()


def _deadline_calculator(request: HttpRequest, calendar: WorkingCalendar) -> dict:
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


# -- public pages ------------------------------------------------------------------------


@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    zone = _site_zone(request)
    directory = pages.portal_directory(zone) if zone is not None else None
    return render(request, "org/portal.html", {"directory": directory})


@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """The month view (``?month=YYYY-MM``) and the deadline calculator."""
    zone = _site_zone(request)
    working_calendar = _working_calendar(zone)
    today = timezone.localdate()
    year, month = today.year, today.month
    month_error = ""
    requested = request.GET.get("month", "").strip()
    if requested:
        parsed = parse_month(requested)
        if parsed is None:
            month_error = _("月份：格式应为 YYYY-MM，例如 2026-05")
        else:
            year, month = parsed
    try:
        month_view = pages.month_view(working_calendar, year, month, today)
    except CalendarOutOfRange:
        month_error = _("月份：{month} 超出工作日历范围（{first} 至 {last}）").format(
            month=f"{year:04d}-{month:02d}",
            first=f"{working_calendar.first_day:%Y-%m}",
            last=f"{working_calendar.last_day:%Y-%m}",
        )
        try:
            month_view = pages.month_view(working_calendar, today.year, today.month, today)
        except CalendarOutOfRange:
            month_view = None
    context = {
        "month_view": month_view,
        "month_error": month_error,
        "legend": pages.LEGEND,
        "covered_until": max(working_calendar.covered_years),
        **_deadline_calculator(request, working_calendar),
    }
    return render(request, "org/calendar.html", context)


# -- home pages --------------------------------------------------------------------------


def _staff_zone(request: HttpRequest, user: User) -> Zone | None:
    site_zone = _site_zone(request)
    if user.zone_id is None or (site_zone is not None and site_zone.pk == user.zone_id):
        return site_zone
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
        **_deadline_calculator(request, calendar),
    }


def _staff_home(request: HttpRequest, user: User) -> dict:
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
    if len(roles) == 1:
        context["title"] = ROLE_HOME_TITLES[next(iter(roles))]
    else:
        context["title"] = _("我的工作台")
    if Role.WINDOW_CLERK in roles:
        context.update(_clerk_context(request, profile, _working_calendar(zone)))
    if Role.ADMINISTRATOR in roles and zone is not None:
        overrides, more = pages.calendar_overrides(zone)
        context.update(
            organisation_counts=pages.organisation_counts(zone),
            overrides=overrides,
            more_overrides=more,
            audit_status=audit_verify(last=HOME_AUDIT_WINDOW),
        )
    elif Role.ADMINISTRATOR in roles:
        context["audit_status"] = audit_verify(last=HOME_AUDIT_WINDOW)
    if Role.ADMINISTRATOR in roles:  # background tasks needing a look (docs/decisions/0012)
        context["task_problems"] = task_problem_counts()
    if Role.SUPERVISOR in roles:
        context["audit_events"] = pages.recent_audit_events()
    if Role.ANALYST in roles and zone is not None:
        context["figures"] = pages.organisation_figures(zone)
    if roles & {Role.REVIEWER, Role.DECIDER, Role.REGULATOR}:
        context["department_overviews"] = pages.department_overviews(user, assignments)
    return context


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's home: one section per staff role, or the applicant's identities."""
    user = request.user
    if user.kind == UserKind.APPLICANT:
        context = {"title": _("我的办事主页"), "representations": pages.user_applicants(user)}
        return render(request, "org/home_applicant.html", context)
    return render(request, "org/home.html", _staff_home(request, user))


# -- applicants ----------------------------------------------------------------------------


@login_required
@require_GET
def applicant_search(request: HttpRequest) -> HttpResponse:
    """Staff look up a registered applicant by name or by the complete identifier."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    context: dict = {"form": ApplicantSearchForm()}
    if "q" in request.GET:
        form = ApplicantSearchForm(request.GET)
        context["form"] = form
        if form.is_valid():
            results, more = pages.applicant_search(
                request.user, form.cleaned_data["q"], ip_address=request_address(request)
            )
            context.update(results=results, more_results=more)
    return render(request, "org/applicant_search.html", context)


@login_required
@require_GET
def applicant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One applicant identity: its representatives, and staff of its zone who look it up
    (a window clerk's full view of a person's number is recorded)."""
    user = request.user
    try:
        applicant = access_applicant(user, pk)
    except NotFound as error:
        raise Http404(error.message) from None
    shown = identifier_show(
        viewer=user,
        applicant=applicant,
        channel=IdentifierChannel.PAGE,
        purpose="applicant_detail",
        ip_address=request_address(request),
    )
    context = {
        "applicant": applicant,
        "identifier": shown.value,
        "full_identifier": can_view_full_identifier(user, applicant),
        "access_logged": shown.audited,
        "representations": list(
            applicant.representations.select_related("user").order_by("user__username")
        ),
    }
    return render(request, "org/applicant_detail.html", context)
