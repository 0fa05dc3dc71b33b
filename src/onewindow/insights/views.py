"""Pages of insights: the dashboard (统计分析), its drill-down lists, the Excel export, and
the public service summary (政务服务评价公开).

Each view parses input with a form, checks the role (``permissions.can_view_dashboard``:
403 for others, the login page for anonymous visitors), calls the selectors and renders.
A bad filter is shown next to its field with HTTP 422 and no figures.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onewindow.core.errors import NotFound
from onewindow.insights import charts, selectors, tables
from onewindow.insights.appeals import appeals_section
from onewindow.insights.export import workbook
from onewindow.insights.forms import DashboardForm, DrillForm, PeriodForm
from onewindow.insights.links import DrillLinks
from onewindow.insights.permissions import can_view_dashboard
from onewindow.org.models import Department, User
from onewindow.org.selectors import zone_by_code
from onewindow.reviews.models import BAD_LEVELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: How long the public summary of one period is kept (it reads a year of facts).
PUBLIC_CACHE_SECONDS = 600


def _require(user: User) -> None:
    if not can_view_dashboard(user):
        raise PermissionDenied


def _form(request: HttpRequest, form_class, *, bound: bool = False):
    """The filter form; unbound (the defaults) for a page opened without a query."""
    user = request.user
    departments = Department.objects.filter(zone_id=user.zone_id).order_by("sort_order", "code")
    items = selectors.zone_items(user.zone_id)
    data = request.GET if bound or request.GET else None
    return form_class(data, departments=departments, items=items)


def _filters(form, user: User, today: dt.date) -> selectors.Filters:
    data = form.cleaned_data if form.is_bound else {}
    default_from, default_to = selectors.default_period(today)
    department = data.get("department")
    return selectors.Filters(
        zone_id=user.zone_id,
        day_from=data.get("from") or default_from,
        day_to=data.get("to") or default_to,
        department_id=department.pk if department else None,
        item_id=data.get("item"),
    )


def _base_query(filters: selectors.Filters) -> dict:
    return {
        "from": filters.day_from.isoformat(),
        "to": filters.day_to.isoformat(),
        "department": filters.department_id or "",
        "item": filters.item_id or "",
    }


def _selection_names(form, filters: selectors.Filters) -> tuple[str, str]:
    department = form.cleaned_data.get("department") if form.is_bound else None
    item = ""
    if filters.item_id is not None:
        item = dict(form.fields["item"].choices).get(filters.item_id, "")
    return (department.name if department else ""), str(item)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The leader's dashboard: figures, charts with their tables, links to the cases."""
    user = request.user
    _require(user)
    today = selectors.today()
    form = _form(request, DashboardForm)
    if form.is_bound and not form.is_valid():
        return render(request, "insights/dashboard.html", {"form": form}, status=422)
    filters = _filters(form, user, today)
    if not form.is_bound:  # show the default period in the date fields
        form.initial.update({"from": filters.day_from, "to": filters.day_to})
    summary = selectors.summary(filters, on=today)
    chart_list = charts.build(summary)
    base = _base_query(filters)
    links = DrillLinks(base)
    context = {
        "form": form,
        "summary": summary,
        "totals": summary.totals,
        "charts": [(chart, chart.table(links)) for chart in chart_list],
        "links": links,
        "headers": tables.headers(),
        "department_rows": tables.department_rows(summary.departments, links),
        "item_rows": tables.item_rows(summary.items, links),
        "chart_data": {
            "locale": "ZH" if (get_language() or "").startswith("zh") else "EN",
            "charts": [chart.as_json() for chart in chart_list],
        },
        "export_url": reverse("insights:export") + "?" + urlencode(base),
        "filtered": bool(filters.department_id or filters.item_id),
        "appeals": appeals_section(user.zone_id, department_id=filters.department_id),
    }
    return render(request, "insights/dashboard.html", context)


@login_required
@require_GET
def drill(request: HttpRequest) -> HttpResponse:
    """The cases (or ratings) behind one figure of the dashboard, 50 a page."""
    user = request.user
    _require(user)
    today = selectors.today()
    form = _form(request, DrillForm, bound=True)
    if not form.is_valid():
        return render(request, "insights/cases.html", {"form": form}, status=422)
    filters = _filters(form, user, today)
    figure = form.cleaned_data["figure"]
    rows = selectors.figure_cases(filters, figure, on=today)
    page = Paginator(rows, selectors.DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    if figure in selectors.RATING_FIGURES:
        for rating in page.object_list:
            rating.state_label = (
                selectors.bad_state(getattr(rating, "rectification", None), today)[1]
                if rating.level in BAD_LEVELS
                else ""
            )

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return "?" + query.urlencode()

    page.previous_url = link(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = link(page.next_page_number()) if page.has_next() else ""
    department_name, item_name = _selection_names(form, filters)
    context = {
        "form": form,
        "figure": figure,
        "figure_label": selectors.FIGURE_LABELS[figure],
        "kind": (
            "ratings"
            if figure in selectors.RATING_FIGURES
            else "lights"
            if figure in selectors.LIGHT_FIGURES
            else "rows"
        ),
        "page": page,
        "filters": filters,
        "department_name": department_name,
        "item_name": item_name,
        "back_url": reverse("insights:dashboard") + "?" + urlencode(_base_query(filters)),
        "today": today,
    }
    return render(request, "insights/cases.html", context)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures for the same filters as an Excel workbook."""
    user = request.user
    _require(user)
    today = selectors.today()
    form = _form(request, DashboardForm)
    if form.is_bound and not form.is_valid():
        return render(request, "insights/dashboard.html", {"form": form}, status=422)
    filters = _filters(form, user, today)
    summary = selectors.summary(filters, on=today)
    department_name, item_name = _selection_names(form, filters)
    content = workbook(
        summary,
        zone_name=user.zone.name,
        department_name=department_name,
        item_name=item_name,
    )
    response = HttpResponse(content, content_type=XLSX)
    name = f"统计分析-{filters.day_from:%Y%m%d}-{filters.day_to:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_GET
def public_summary(request: HttpRequest) -> HttpResponse:
    """政务服务评价公开: on-time and satisfaction rates per department, anyone may read."""
    try:
        zone = zone_by_code()
    except NotFound as error:
        raise Http404(error.message) from None
    today = selectors.today()
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "insights/public.html", {"form": form}, status=422)
    default_from, default_to = selectors.public_period(today)
    data = form.cleaned_data if form.is_bound else {}
    filters = selectors.Filters(
        zone_id=zone.pk,
        day_from=data.get("from") or default_from,
        day_to=data.get("to") or default_to,
    )
    key = f"insights:public:{zone.pk}:{filters.day_from}:{filters.day_to}:{today}:{get_language()}"
    rows = cache.get(key)
    if rows is None:
        summary = selectors.summary(filters, on=today)
        rows = {
            "totals": _public_row(_("全区"), summary.totals),
            "departments": [
                _public_row(row.department.name, row.figures)
                for row in summary.departments
                if row.figures.decided or row.figures.ratings
            ],
        }
        cache.set(key, rows, PUBLIC_CACHE_SECONDS)
    context = {"form": form, "filters": filters, **rows}
    return render(request, "insights/public.html", context)


def _public_row(name: str, figures: selectors.Figures) -> dict:
    """What the public sees of a department: counts and rates, nothing about a person."""
    return {
        "name": name,
        "decided": figures.decided,
        "on_time": figures.on_time,
        "on_time_rate": figures.on_time_rate,
        "ratings": figures.ratings,
        "satisfied": figures.satisfied,
        "satisfaction_rate": figures.satisfaction_rate,
    }
