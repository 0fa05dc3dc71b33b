"""The supervisor's board (红黄牌监察): yellow and red tasks and cases."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.cases import selectors
from onewindow.cases.forms_staff import BoardFilterForm
from onewindow.cases.views_staff.common import paginate, require_role
from onewindow.org.constants import Role
from onewindow.org.models import Department

BOARD_PAGE_SIZE = 25


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The supervisor's board: yellow and red tasks (who holds them, how late) and cases."""
    user = request.user
    require_role(user, Role.SUPERVISOR)
    departments = Department.objects.filter(zone_id=user.zone_id, is_active=True)
    form = BoardFilterForm(request.GET or None, departments=departments)
    department, light = None, None
    if form.is_bound and form.is_valid():
        department = form.cleaned_data["department"]
        light = form.cleaned_data["light"] or None
    today = selectors.today()
    tasks = selectors.supervisor_board(
        user, on=today, department_id=department.pk if department else None, light=light
    )
    cases = selectors.warned_cases(user, on=today, light=light)
    if department is not None:
        cases = cases.filter(department=department)
    counts = selectors.board_counts(user, on=today)
    unfiltered = department is None and light is None
    # Two lists on one page: 25 rows each keeps the board quick to read and to render.
    task_page = paginate(
        request,
        tasks,
        size=BOARD_PAGE_SIZE,
        count=counts["tasks_red"] + counts["tasks_yellow"] if unfiltered else None,
    )
    calendars: dict = {}  # one calendar per zone for both lists
    task_page.object_list = selectors.with_remaining(
        task_page.object_list, on=today, calendars=calendars
    )
    case_page_ = paginate(
        request,
        cases,
        "cases_page",
        size=BOARD_PAGE_SIZE,
        count=counts["cases_red"] + counts["cases_yellow"] if unfiltered else None,
    )
    case_page_.object_list = selectors.with_remaining(
        case_page_.object_list, on=today, calendars=calendars
    )
    context = {
        "form": form,
        "counts": counts,
        "tasks": task_page,
        "cases": case_page_,
        "filtered": bool(department or light),
    }
    return render(request, "cases/staff/board.html", context)
