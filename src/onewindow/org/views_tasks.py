"""The system administrator's view of the background tasks (docs/decisions/0012): tasks
stuck with a lost worker, tasks waiting with no worker to take them, failed tasks, and
"run again" for a failed one. Each view checks access, calls one reader or service from
``core.workers``, and renders."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onewindow.core import workers
from onewindow.core.errors import ApplicationError
from onewindow.org.constants import Role

#: Rows shown per list; the counts above them are complete.
LIST_LIMIT = 50


def is_system_admin(user) -> bool:
    """The system administrator (系统管理员) runs the platform, background workers included."""
    return bool(user.is_authenticated and user.has_role(Role.ADMINISTRATOR))


def _last_line(text: str) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


@login_required
@require_GET
def background_tasks(request: HttpRequest) -> HttpResponse:
    if not is_system_admin(request.user):
        raise PermissionDenied
    stuck = workers.stuck_tasks()
    waiting = workers.waiting_tasks()
    failed = workers.failed_tasks()
    context = {
        "title": _("后台任务"),
        "lease_seconds": int(workers.lease_seconds()),
        "max_attempts": workers.max_attempts(),
        "stuck": list(stuck.select_related("lease")[:LIST_LIMIT]),
        "stuck_count": stuck.count(),
        "waiting": list(waiting[:LIST_LIMIT]),
        "waiting_count": waiting.count(),
        "failed": [(row, _last_line(row.traceback)) for row in failed[:LIST_LIMIT]],
        "failed_count": failed.count(),
        "limit": LIST_LIMIT,
    }
    return render(request, "org/background_tasks.html", context)


@login_required
@require_POST
def background_task_retry(request: HttpRequest, pk: UUID) -> HttpResponse:
    if not is_system_admin(request.user):
        raise PermissionDenied
    try:
        row = workers.task_retry(task_result_id=pk, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("任务 {name} 已重新排队，将由后台进程执行。").format(
                name=row.task_path.rsplit(".", 1)[-1]
            ),
        )
    return redirect("background_tasks")
