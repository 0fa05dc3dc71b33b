"""Pages of reviews: the rating page (a signed-in representative's ``rate/<number>/``, a
signed link's ``rate/t/<token>/``) and its thank-you page; the window's QR code page; the
department's rectification inbox and a rectification's page with its forms; the
supervisor's overview.

Each view parses input, checks access, calls one service or selector and renders. A case
one may not rate, like a rectification one may not see, is "not found" (404); a refusal
(already rated, too late, not delivered) is shown in Chinese on the page (409 after a
POST); input errors are shown next to their field (422).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.cases.constants import CaseStatus
from onewindow.cases.models import Case
from onewindow.cases.permissions import access_case_by_number
from onewindow.core.errors import ApplicationError, Conflict, NotFound
from onewindow.core.forms import add_service_error
from onewindow.core.qr import qr_svg
from onewindow.org.constants import Role
from onewindow.org.models import Department, User
from onewindow.org.selectors import calendar_for_zone
from onewindow.reviews import links, selectors, services
from onewindow.reviews.forms import (
    CloseWithoutVisitForm,
    RatingForm,
    RectificationFilterForm,
    RectifyForm,
    ReturnVisitForm,
    SupervisionFilterForm,
)
from onewindow.reviews.models import (
    Channel,
    InvitationStatus,
    Rating,
    RatingInvitation,
    Rectification,
    RectificationStatus,
)
from onewindow.reviews.permissions import (
    access_rectification,
    can_handle_rectification,
    can_show_rating_code,
    can_use_rectification_inbox,
    is_ratings_supervisor,
)

PAGE_SIZE = 25
#: The session key of the rating just submitted (the thank-you page shows it).
LAST_RATING = "reviews.last_rating"


def _page(request: HttpRequest, rows):
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for name, number in (
        ("previous_url", page.previous_page_number() if page.has_previous() else None),
        ("next_url", page.next_page_number() if page.has_next() else None),
    ):
        if number is None:
            setattr(page, name, "")
            continue
        query = request.GET.copy()
        query["page"] = str(number)
        setattr(page, name, "?" + query.urlencode())
    return page


# -- rating -----------------------------------------------------------------------------------


def _case_by_number(number: str) -> Case:
    case = (
        Case.objects.select_related("zone", "department", "parent", "applicant")
        .filter(number=number)
        .first()
        if number
        else None
    )
    if case is None:
        raise Http404(_("办件不存在"))
    return case


def _rate(request: HttpRequest, case: Case, channel: str, token: str | None) -> HttpResponse:
    """The rating form of ``case`` on ``channel``: checked before it is shown, submitted
    through ``rating_submit``."""
    actor = request.user if request.user.is_authenticated else None
    context = {"case": case, "channel": Channel(channel), "token": token}
    try:
        check = services.rating_check(case=case, channel=channel, actor=actor, token=token)
    except NotFound as error:
        raise Http404(error.message) from None
    except Conflict as error:
        context["refusal"] = error
        status = 409 if request.method == "POST" else 200
        return render(request, "reviews/rate.html", context, status=status)
    context["window"], context["real_name"] = check.window, check.real_name

    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                rating = services.rating_submit(
                    case=case,
                    channel=channel,
                    level=form.cleaned_data["level"],
                    comment=form.cleaned_data["comment"],
                    actor=actor,
                    token=token,
                )
            except NotFound as error:
                raise Http404(error.message) from None
            except Conflict as error:
                context["refusal"] = error
                return render(request, "reviews/rate.html", context, status=409)
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                request.session[LAST_RATING] = rating.pk
                return redirect("reviews:thanks")
        context["form"] = form
        return render(request, "reviews/rate.html", context, status=422)
    context["form"] = RatingForm()
    return render(request, "reviews/rate.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rate_case(request: HttpRequest, number: str) -> HttpResponse:
    """``rate/<number>/``: the applicant's representative rates online (real name)."""
    return _rate(request, _case_by_number(number), Channel.ONLINE, None)


@never_cache
@require_http_methods(["GET", "POST"])
def rate_link(request: HttpRequest, token: str) -> HttpResponse:
    """``rate/t/<token>/``: the window QR code's or the SMS's link; no login."""
    try:
        claim = links.read_rating_token(token)
    except NotFound as error:
        return render(request, "reviews/link_invalid.html", {"error": error}, status=404)
    case = (
        Case.objects.select_related("zone", "department", "parent", "applicant")
        .filter(pk=claim.case_id)
        .first()
    )
    if case is None:
        return render(
            request, "reviews/link_invalid.html", {"error": links.invalid_link()}, status=404
        )
    return _rate(request, case, claim.channel, token)


@never_cache
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    """``rate/thanks/``: the rating just given (this browser's), and what happens next."""
    pk = request.session.get(LAST_RATING)
    rating = (
        Rating.objects.select_related("case", "department", "rectification__department")
        .filter(pk=pk)
        .first()
        if isinstance(pk, int)
        else None
    )
    context = {"rating": rating}
    if rating is not None:
        context["rectification"] = getattr(rating, "rectification", None)
        context["my_cases"] = request.user.is_authenticated and getattr(
            request.user, "is_applicant", False
        )
    return render(request, "reviews/thanks.html", context)


# -- the window's QR code ------------------------------------------------------------------------


@login_required
@require_GET
def rating_code(request: HttpRequest, number: str) -> HttpResponse:
    """``reviews/cases/<number>/qr/``: the window clerk shows the applicant a QR code of
    the case's window-channel rating link (and can read out or send the SMS link)."""
    user: User = request.user
    if not user.has_role(Role.WINDOW_CLERK):
        raise PermissionDenied
    try:
        case = access_case_by_number(user, number)
    except NotFound as error:
        raise Http404(error.message) from None
    if not can_show_rating_code(user, case):
        raise PermissionDenied
    if case.parent_id is not None:  # a bundle is rated as one, on its parent
        return redirect("reviews:rating_code", number=case.parent.number)
    context: dict = {"case": case}
    refusal = services.rating_refusal(
        case, Channel.WINDOW, on=selectors.today(), window=selectors.rating_window(case)
    )
    if refusal is not None:
        context["refusal"] = refusal
    else:
        link = links.rating_link_url(case, Channel.WINDOW)
        context["window"] = selectors.rating_window(case)
        context["link"] = link
        context["svg"] = qr_svg(
            link,
            label=_("评价二维码：{number}").format(number=case.number),
            css_class="rating-code__image",
        )
    context["ratings"] = list(case.ratings.order_by("rated_at"))
    context["sms_link"] = (
        links.rating_link_url(case, Channel.SMS)
        if case.status == CaseStatus.DELIVERED
        and not any(rating.channel == Channel.SMS for rating in context["ratings"])
        else ""
    )
    context["invitation"] = RatingInvitation.objects.filter(case=case).first()
    context["InvitationStatus"] = InvitationStatus
    return render(request, "reviews/rating_code.html", context)


# -- rectifications --------------------------------------------------------------------------


def _annotate_remaining(rows, *, on) -> list[Rectification]:
    """Working days left (negative: overdue) to each pending row's current deadline."""
    rows = list(rows)
    calendars = {}
    for row in rows:
        deadline = (
            row.due_on
            if row.status == RectificationStatus.OPEN
            else row.visit_due_on
            if row.status == RectificationStatus.RECTIFIED
            else None
        )
        row.current_deadline = deadline
        row.remaining = None
        if deadline is not None:
            if row.zone_id not in calendars:
                calendars[row.zone_id] = calendar_for_zone(row.department.zone)
            row.remaining = (
                calendars[row.zone_id].count(on, deadline, allow_provisional=True).working_days
            )
    return rows


@login_required
@require_GET
def rectification_inbox(request: HttpRequest) -> HttpResponse:
    """``reviews/rectifications/``: the bad ratings of the user's departments to rectify
    and revisit, the most urgent first."""
    user = request.user
    if not can_use_rectification_inbox(user):
        raise PermissionDenied
    form = RectificationFilterForm(request.GET or None)
    status, overdue = None, False
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"] or None
        overdue = form.cleaned_data["overdue"]
    today = selectors.today()
    page = _page(
        request, selectors.rectification_list(user, on=today, status=status, overdue=overdue)
    )
    page.object_list = _annotate_remaining(page.object_list, on=today)
    departments = Department.objects.filter(pk__in={row.department_id for row in page.object_list})
    context = {
        "form": form,
        "page": page,
        "today": today,
        "filtered": bool(status or overdue),
        "departments": departments,
    }
    return render(request, "reviews/rectifications.html", context)


def _rectification_context(request: HttpRequest, rectification: Rectification, **forms) -> dict:
    today = selectors.today()
    _annotate_remaining([rectification], on=today)
    handler = can_handle_rectification(request.user, rectification)
    rating = rectification.rating
    context = {
        "rectification": rectification,
        "rating": rating,
        "case": rating.case,
        "handler": handler,
        "today": today,
        "show_contact": handler and rating.real_name,
    }
    if handler and rectification.status == RectificationStatus.OPEN:
        context["rectify_form"] = forms.get("rectify") or RectifyForm()
    if handler and rectification.status == RectificationStatus.RECTIFIED:
        context["visit_form"] = forms.get("visit") or ReturnVisitForm()
        if not rating.real_name:
            context["close_form"] = forms.get("close") or CloseWithoutVisitForm()
    return context


def _access(request: HttpRequest, pk: int) -> Rectification:
    try:
        return access_rectification(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from None


@login_required
@require_GET
def rectification_page(request: HttpRequest, pk: int) -> HttpResponse:
    """``reviews/rectifications/<pk>/``: the bad rating, the deadlines, what was done; the
    department's forms (rectify, return visit, close without a visit)."""
    rectification = _access(request, pk)
    return render(
        request, "reviews/rectification.html", _rectification_context(request, rectification)
    )


#: action → (its form, the service call, the message after success).
ACTIONS = {
    "rectify": (
        RectifyForm,
        lambda r, user, data: services.rectification_record(
            rectification=r,
            actor=user,
            verified_facts=data["verified_facts"],
            measures=data["measures"],
        ),
        _("已登记整改情况，请在回访期限前回访申请人"),
    ),
    "visit": (
        ReturnVisitForm,
        lambda r, user, data: services.return_visit_record(
            rectification=r, actor=user, outcome=data["outcome"], note=data["note"]
        ),
        _("已登记回访结果，整改事项办结"),
    ),
    "close": (
        CloseWithoutVisitForm,
        lambda r, user, data: services.rectification_close_without_visit(
            rectification=r, actor=user, reason=data["reason"]
        ),
        _("已办结（匿名评价，未回访）"),
    ),
}
#: The context key of each action's form on the rectification's page.
FORM_KEYS = {"rectify": "rectify_form", "visit": "visit_form", "close": "close_form"}


@login_required
@require_POST
def rectification_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One POST per action (``rectify``, ``visit``, ``close``); errors are shown on the
    rectification's page next to their field, a refusal above the forms."""
    if action not in ACTIONS:
        raise Http404("no such action")
    rectification = _access(request, pk)
    if not can_handle_rectification(request.user, rectification):
        raise PermissionDenied
    form_class, call, done = ACTIONS[action]
    form = form_class(request.POST)
    status, refusal = 422, ""
    if form.is_valid():
        try:
            call(rectification, request.user, form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
            status = error.status
            if isinstance(error, Conflict):
                refusal = error.message
        else:
            messages.success(request, done)
            return redirect("reviews:rectification", pk=rectification.pk)
    # Read again: a colleague may have moved it on since this page was opened.
    rectification = _access(request, pk)
    context = _rectification_context(request, rectification, **{action: form})
    if refusal or FORM_KEYS[action] not in context:
        context["refusal"] = refusal or _("该整改事项的状态已变化，请查看最新情况")
    return render(request, "reviews/rectification.html", context, status=status)


@login_required
@require_GET
def supervision(request: HttpRequest) -> HttpResponse:
    """``reviews/supervision/``: the zone's bad ratings and their rectifications for the
    supervisor (电子监察): counts by state and by department, the list with filters."""
    user = request.user
    if not is_ratings_supervisor(user):
        raise PermissionDenied
    departments = Department.objects.filter(zone_id=user.zone_id, is_active=True)
    form = SupervisionFilterForm(request.GET or None, departments=departments)
    department, status, overdue = None, None, False
    if form.is_bound and form.is_valid():
        department = form.cleaned_data["department"]
        status = form.cleaned_data["status"] or None
        overdue = form.cleaned_data["overdue"]
    today = selectors.today()
    page = _page(
        request,
        selectors.rectification_list(
            user,
            on=today,
            status=status,
            overdue=overdue,
            department_id=department.pk if department else None,
        ),
    )
    page.object_list = _annotate_remaining(page.object_list, on=today)
    context = {
        "form": form,
        "page": page,
        "today": today,
        "filtered": bool(department or status or overdue),
        "counts": selectors.rectification_counts(
            user.zone_id, on=today, department_id=department.pk if department else None
        ),
        "by_department": selectors.rectification_counts_by_department(user.zone_id, on=today),
    }
    return render(request, "reviews/supervision.html", context)
