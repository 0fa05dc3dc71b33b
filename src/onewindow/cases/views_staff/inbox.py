"""The task inbox (待办任务) of reviewers, deciders and window clerks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.cases import selectors
from onewindow.cases.forms_staff import InboxFilterForm
from onewindow.cases.views_staff.common import paginate, require_role
from onewindow.org.constants import Role


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Tasks the user may take, most urgent first, with filters (light, mine)."""
    user = request.user
    require_role(user, Role.REVIEWER, Role.DECIDER, Role.WINDOW_CLERK)
    form = InboxFilterForm(request.GET or None)
    light, mine = None, False
    if form.is_bound and form.is_valid():
        light = form.cleaned_data["light"] or None
        mine = form.cleaned_data["mine"]
    today = selectors.today()
    page = paginate(request, selectors.task_inbox(user, on=today, light=light, mine=mine))
    page.object_list = selectors.with_remaining(page.object_list, on=today)
    context = {"form": form, "page": page, "filtered": bool(light or mine)}
    return render(request, "cases/staff/inbox.html", context)
