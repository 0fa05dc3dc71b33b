"""Pages of the organisation: the working-day calendar and the applicant identities (the
organisation's panels of the portal's home page are in ``home_panels``). Each view parses
input, checks access, calls one reader (``pages``, ``selectors``) or the calendar, and
renders."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.core.calendar import CalendarOutOfRange
from onewindow.core.errors import NotFound
from onewindow.core.throttle import request_address
from onewindow.org import pages
from onewindow.org.forms import ApplicantSearchForm, parse_month
from onewindow.org.home_panels import deadline_calculator, site_zone, working_calendar
from onewindow.org.permissions import (
    access_applicant,
    can_view_full_identifier,
    is_staff_member,
)
from onewindow.org.services import IdentifierChannel, identifier_show


@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """The month view (``?month=YYYY-MM``) and the deadline calculator."""
    zone = site_zone(request)
    calendar_of_zone = working_calendar(zone)
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
        month_view = pages.month_view(calendar_of_zone, year, month, today)
    except CalendarOutOfRange:
        month_error = _("月份：{month} 超出工作日历范围（{first} 至 {last}）").format(
            month=f"{year:04d}-{month:02d}",
            first=f"{calendar_of_zone.first_day:%Y-%m}",
            last=f"{calendar_of_zone.last_day:%Y-%m}",
        )
        try:
            month_view = pages.month_view(calendar_of_zone, today.year, today.month, today)
        except CalendarOutOfRange:
            month_view = None
    context = {
        "month_view": month_view,
        "month_error": month_error,
        "legend": pages.LEGEND,
        "covered_until": max(calendar_of_zone.covered_years),
        **deadline_calculator(request, calendar_of_zone),
    }
    return render(request, "org/calendar.html", context)


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
