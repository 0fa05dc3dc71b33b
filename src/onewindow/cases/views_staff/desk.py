"""The window clerk's desk (窗口工作台) and the walk-in application (窗口申请)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.cases import deadlines, selectors, services
from onewindow.cases.forms_desk import DeskFilterForm
from onewindow.cases.forms_staff import WalkInForm, WalkInSearchForm
from onewindow.cases.forms_walkin import AgentForm, ApplicantRegistrationForm
from onewindow.cases.selectors import desk_queues
from onewindow.cases.views_staff import walkin
from onewindow.cases.views_staff.common import paginate, require_role
from onewindow.cases.views_staff.desk_links import desk_tabs, sort_columns
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.bundles import merge_materials
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.catalog.search import search_bundles, search_items
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.forms import add_service_error
from onewindow.core.throttle import request_address
from onewindow.org import pages as org_pages
from onewindow.org.constants import Role
from onewindow.org.models import Applicant
from onewindow.org.permissions import visible_applicants
from onewindow.org.selectors import calendar_for_zone

#: Rows of the walk-in search.
SEARCH_LIMIT = 20
#: Rows of a desk queue's page.
PAGE_SIZE = selectors.PAGE_SIZE


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    """The window clerk's desk: one queue at a time (待我预审, 待申请人补正, 容缺逾期,
    待补齐容缺材料, 待出件) with every queue's count, filtered and sorted from the URL,
    one page of rows; each row opens the case with the queue kept for "next case"."""
    user = request.user
    require_role(user, Role.WINDOW_CLERK)
    today = selectors.today()
    form = DeskFilterForm(request.GET or None, zone=user.zone)
    query = form.desk_query()
    page = paginate(request, desk_queues.desk_cases(user, query, on=today), size=PAGE_SIZE)
    page.object_list = desk_queues.with_waiting_days(page.object_list)
    if query.queue == desk_queues.TOLERANCE_OVERDUE and page.object_list and user.zone:
        calendar = calendar_for_zone(user.zone)
        for row in page.object_list:
            row.overdue_days = -deadlines.remaining_working_days(
                calendar, today, row.tolerance_due_on
            )
    context = {
        "form": form,
        "query": query,
        "queue": desk_queues.QUEUES[query.queue],
        "tabs": desk_tabs(query, desk_queues.desk_counts(user, on=today)),
        "columns": sort_columns(query),
        "page": page,
        "from_query": urlencode(query.params()),
        "today": today,
    }
    return render(request, "cases/staff/desk.html", context)


def _find_items(zone, query: str) -> tuple[list[ItemVersion], list[Bundle]]:
    """Published items by implementation code (exact), else items and bundles as the
    catalog search finds them (names, synonyms, results, pinyin, several words). A query
    that is not a valid search is an empty result."""
    code = query.strip().upper()
    if len(code) == 31 and code.isalnum():
        exact = list(
            ItemVersion.objects.published()
            .filter(item__zone=zone, item__implementation_code=code)
            .select_related("item", "department")
        )
        if exact:
            return exact, []
    try:
        items = list(search_items(zone=zone, query=query)[:SEARCH_LIMIT])
        bundles = list(search_bundles(zone=zone, query=query)[:SEARCH_LIMIT])
    except ApplicationError:  # more words than a search takes, for one
        return [], []
    return items, bundles


def _walk_in_target(zone, value: str | None) -> ItemVersion | Bundle | None:
    kind, _sep, pk = (value or "").partition(":")
    if not pk.isascii() or not pk.isdigit():
        return None
    if kind == "item":
        return (
            ItemVersion.objects.published()
            .filter(item__zone=zone, pk=int(pk))
            .select_related("item", "department")
            .first()
        )
    if kind == "bundle":
        return Bundle.objects.filter(zone=zone, status=VersionStatus.PUBLISHED, pk=int(pk)).first()
    return None


def _walk_in_applicant(user, value) -> Applicant | None:
    """The chosen applicant, if it is one of the clerk's zone (another zone's is "not
    found", ADR 0015)."""
    value = str(value or "").strip()
    if not value.isascii() or not value.isdigit():
        return None
    return visible_applicants(user).filter(pk=int(value)).first()


@login_required
@require_http_methods(["GET", "POST"])
def desk_new(request: HttpRequest) -> HttpResponse:
    """A walk-in application (窗口申请): find the applicant (or register a new one, the
    ``register`` step) and the item or bundle, fill the application form, and register it
    (submitted, waiting for pre-review)."""
    user = request.user
    require_role(user, Role.WINDOW_CLERK)
    zone = user.zone
    source = request.POST if request.method == "POST" else request.GET
    applicant = _walk_in_applicant(user, source.get("applicant"))
    target = _walk_in_target(zone, source.get("target"))
    bundle_fields = target.form_fields if isinstance(target, Bundle) else ()
    search = WalkInSearchForm(request.GET or None)
    context: dict = {
        "search": search,
        "applicant": applicant,
        "target": target,
        "target_kind": "bundle" if isinstance(target, Bundle) else "item" if target else "",
    }
    if search.is_bound and search.is_valid():
        query, item_query = search.cleaned_data["q"], search.cleaned_data["item_q"]
        if query:
            context["applicants"], context["more_applicants"] = org_pages.applicant_search(
                user, query, ip_address=request_address(request)
            )
        if item_query:
            context["items"], context["bundles"] = _find_items(zone, item_query)
    status = 200
    registering = request.method == "POST" and request.POST.get("step") == walkin.REGISTER_STEP
    if registering:
        target_value = f"{context['target_kind']}:{target.pk}" if target is not None else ""
        registration = walkin.register(request, target=target_value)
        if registration.response is not None:
            return registration.response
        context["registration"], status = registration.form, registration.status
    else:
        context["registration"] = ApplicantRegistrationForm()
    if request.method == "POST" and not registering:
        form = WalkInForm(request.POST, bundle_fields=bundle_fields)
        agent_form = AgentForm(request.POST, request.FILES)
        if form.is_valid():
            if applicant is None:
                form.add_error("applicant", _("申请人：不存在，请重新查询选择"))
            if target is None:
                form.add_error("target", _("事项或一件事：不存在或未发布，请重新查询选择"))
        if agent_form.is_valid() and form.is_valid():
            try:
                case = services.case_create_at_window(
                    actor=user,
                    applicant=applicant,
                    item_version=target if isinstance(target, ItemVersion) else None,
                    bundle=target if isinstance(target, Bundle) else None,
                    window=user.window,
                    form_data=form.form_data(),
                    agent=agent_form.agent(),
                )
            except ApplicationError as error:
                # The item or bundle is the chosen target; the form's missing fields
                # are named in the message itself; the agent's beside the agent's.
                fields = {
                    ("target" if name in ("item", "bundle") else name): messages_
                    for name, messages_ in error.fields.items()
                    if name != "form_data"
                }
                if any(name in agent_form.fields for name in fields):
                    add_service_error(agent_form, error, others="drop")
                else:
                    error.fields = fields
                    add_service_error(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _("已登记窗口申请 {number}，请核对并收取材料").format(number=case.number),
                )
                return redirect("cases:case", number=case.number)
        else:
            status = 422
    else:
        initial = {}
        if applicant is not None:
            initial["applicant"] = applicant.pk
        if target is not None:
            initial["target"] = source.get("target")
        form = WalkInForm(initial=initial, bundle_fields=bundle_fields)
        agent_form = AgentForm()
    context["agent_form"] = agent_form
    context["form"] = form
    context["ready"] = applicant is not None and target is not None
    context["bundle_fields"] = [form[name] for name, _key in form.bundle_field_names]
    if context["ready"]:
        context["materials"] = _walk_in_materials(zone, applicant, target)
    return render(request, "cases/staff/desk_new.html", context, status=status)


def _walk_in_materials(zone, applicant: Applicant, target) -> list[selectors.WalletMaterial]:
    """The materials the walk-in application will ask for, and which of them the
    applicant's certificate wallet fills at registration (免提交)."""
    if isinstance(target, Bundle):
        try:
            guide = catalog_selectors.bundle_guide(zone=zone, code=target.code)
        except NotFound:
            return []
        versions, lines = guide.versions, guide.materials
    else:
        versions = [target]
        lines = merge_materials(versions)
    return selectors.wallet_materials(list(lines), applicants=[applicant], versions=list(versions))
