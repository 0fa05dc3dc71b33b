"""The task inbox over HTTP (staff only)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query

from onewindow.cases.api.output import task_row
from onewindow.cases.api.router import router
from onewindow.cases.schemas import InboxPageOut, InboxQuery
from onewindow.cases.selectors import task_inbox
from onewindow.core.calendar import WorkingCalendar
from onewindow.core.errors import Forbidden
from onewindow.core.schemas import ERROR_RESPONSES, Error


@router.get(
    "/tasks",
    response={200: InboxPageOut, 401: Error, 403: Error, **ERROR_RESPONSES},
    summary="待办任务（本人角色和部门的任务，最紧急的在前）",
)
def inbox(request, query: Query[InboxQuery]):
    user = request.auth
    if user.is_applicant:
        raise Forbidden(_("只有工作人员有待办任务"), code="staff_only")
    today = timezone.localdate()
    tasks = task_inbox(user, on=today, light=query.light, mine=query.mine).select_related(
        "case__zone"
    )
    results = []
    calendars: dict[int, WorkingCalendar] = {}
    for task in tasks[query.offset : query.offset + query.limit]:
        row = task_row(task, today=today, calendars=calendars)
        row.update(case=task.case.number, title=task.case.title, applicant=task.case.applicant.name)
        results.append(row)
    return {
        "count": tasks.count(),
        "limit": query.limit,
        "offset": query.offset,
        "results": results,
    }
