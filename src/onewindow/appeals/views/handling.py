"""Pages of handling: the department's queue (``appeals/department/``), the centre's board
(``appeals/centre/``) and the staff order page (``appeals/staff/<number>/``) with one
POST per action (``appeals/staff/<number>/<action>/``).

Each view parses, checks access (a role per page: 403; the order through the chokepoint:
404), calls one service or read and renders. The order page shows only the forms the
services would accept now (the services' own ``why_not_*``); a refusal is shown on the
page (409 above the forms, 422 next to the field), a success lands back on the page with
a message (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from onewindow.appeals import clock, queues
from onewindow.appeals.constants import (
    APPEAL_OBJECT_TYPE,
    READER_ROLES,
    AppealEvent,
    AppealStatus,
)
from onewindow.appeals.forms_staff import (
    DecisionForm,
    DesignateForm,
    DispatchForm,
    ExtendForm,
    PartForm,
    ReplyForm,
    ReturnForm,
)
from onewindow.appeals.models import Appeal
from onewindow.appeals.permissions import (
    handler_department_ids,
    holds_any,
    is_centre,
    requester_name_for,
    requester_phone_for,
    sees_requester,
)
from onewindow.appeals.readout import step_label
from onewindow.appeals.selectors import appeal_for
from onewindow.appeals.services import handling as services
from onewindow.core.audit import audit_append
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.forms import add_service_error

PAGE_SIZE = 25


# -- the queues ----------------------------------------------------------------------------------


def light_of(appeal: Appeal, now) -> str:
    """The order's light: red when late (or replied late), yellow in the warning band,
    green while its clock runs, none otherwise."""
    running = appeal.status in queues.RUNNING
    if appeal.overdue or (running and clock.is_late(now, due_at=appeal.due_at)):
        return "red"
    if running and clock.is_warning(now, warn_at=appeal.warn_at, due_at=appeal.due_at):
        return "yellow"
    return "green" if running and appeal.due_at else "none"


def _page(request: HttpRequest, rows, tab: str, count: int):
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = count  # the tab's count, already read: no second count
    page = paginator.get_page(request.GET.get("page"))
    for name, number in (
        ("previous_url", page.previous_page_number() if page.has_previous() else None),
        ("next_url", page.next_page_number() if page.has_next() else None),
    ):
        setattr(page, name, f"?tab={tab}&page={number}" if number else "")
    return page


def _queue_page(
    request: HttpRequest, scope, queue_list, *, centre: bool, template: str, url_name: str
) -> HttpResponse:
    keys = [queue.key for queue in queue_list]
    tab = request.GET.get("tab") or keys[0]
    if tab not in keys:
        raise Http404("no such queue")
    now = timezone.now()
    counts = queues.board_counts(request.user, queue_list, now, centre=centre)
    page = _page(request, queues.queue_rows(scope, tab, now), tab, counts[tab])
    for appeal in page.object_list:
        appeal.light = light_of(appeal, now)
    tabs = [
        {
            "key": queue.key,
            "label": queue.label,
            "count": counts[queue.key],
            "current": queue.key == tab,
        }
        for queue in queue_list
    ]
    context = {
        "tabs": tabs,
        "queue": next(queue for queue in queue_list if queue.key == tab),
        "page": page,
        "url_name": url_name,
    }
    return render(request, template, context)


@login_required
@require_GET
def department_queue(request: HttpRequest) -> HttpResponse:
    """``appeals/department/``: the orders of the user's departments, by queue."""
    if not handler_department_ids(request.user):
        raise PermissionDenied
    return _queue_page(
        request,
        queues.department_scope(request.user),
        queues.DEPARTMENT_QUEUES,
        centre=False,
        template="appeals/handling/department_queue.html",
        url_name="appeals:department_queue",
    )


@login_required
@require_GET
def centre_board(request: HttpRequest) -> HttpResponse:
    """``appeals/centre/``: the zone's orders waiting for the centre, by queue."""
    if not is_centre(request.user) or request.user.zone_id is None:
        raise PermissionDenied
    return _queue_page(
        request,
        queues.centre_scope(request.user),
        queues.CENTRE_QUEUES,
        centre=True,
        template="appeals/handling/centre_board.html",
        url_name="appeals:centre_board",
    )


# -- the order page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One action of the order page: its form, whether it may be used now, the service
    call, and the message after success."""

    form: Callable[..., forms.Form] | None
    allowed: Callable[[object, Appeal], ApplicationError | None]
    call: Callable[[Appeal, object, dict | None], object]
    done: str
    title: str


def _zone_form(form_class):
    def build(appeal: Appeal, data=None):
        return form_class(data, zone_id=appeal.zone_id)

    return build


def _plain_form(form_class):
    def build(appeal: Appeal, data=None):
        return form_class(data)

    return build


ACTIONS: dict[str, Action] = {
    "dispatch": Action(
        _zone_form(DispatchForm),
        services.why_not_dispatch,
        lambda appeal, user, data: services.appeal_dispatch(
            appeal=appeal, actor=user, lead=data["lead"] or None, co=data["co"]
        ),
        gettext_lazy("已派单，承办部门已收到通知。"),
        gettext_lazy("派单"),
    ),
    "designate": Action(
        _zone_form(DesignateForm),
        services.why_not_designate,
        lambda appeal, user, data: services.appeal_designate(
            appeal=appeal,
            actor=user,
            department=data["department"] or None,
            reason=data["reason"],
        ),
        gettext_lazy("已指定承办部门，该部门不能再次退回。"),
        gettext_lazy("指定承办"),
    ),
    "sign": Action(
        None,
        services.why_not_sign,
        lambda appeal, user, data: services.appeal_sign(appeal=appeal, actor=user),
        gettext_lazy("已签收，请在办理期限内答复。"),
        gettext_lazy("签收"),
    ),
    "co_sign": Action(
        None,
        lambda user, appeal: services.why_not_co_work(user, appeal, signing=True),
        lambda appeal, user, data: services.appeal_co_sign(appeal=appeal, actor=user),
        gettext_lazy("已签收协办工单。"),
        gettext_lazy("协办签收"),
    ),
    "part": Action(
        _plain_form(PartForm),
        lambda user, appeal: services.why_not_co_work(user, appeal, signing=False),
        lambda appeal, user, data: services.appeal_add_part(
            appeal=appeal, actor=user, text=data["text"]
        ),
        gettext_lazy("已提交协办意见。"),
        gettext_lazy("协办意见"),
    ),
    "return": Action(
        _plain_form(ReturnForm),
        services.why_not_return,
        lambda appeal, user, data: services.appeal_return(
            appeal=appeal, actor=user, reason=data["reason"]
        ),
        gettext_lazy("已申请退回，等待中心审核。"),
        gettext_lazy("申请退回"),
    ),
    "extend": Action(
        _plain_form(ExtendForm),
        services.why_not_extension_request,
        lambda appeal, user, data: services.appeal_extension_request(
            appeal=appeal, actor=user, days=data["days"], reason=data["reason"]
        ),
        gettext_lazy("已申请延期，等待中心审批。"),
        gettext_lazy("申请延期"),
    ),
    "approve_extension": Action(
        _plain_form(DecisionForm),
        services.why_not_extension_decide,
        lambda appeal, user, data: services.appeal_extension_decide(
            appeal=appeal,
            actor=user,
            approve=data["decision"] == "approve",
            reason=data["reason"],
        ),
        gettext_lazy("已审批延期申请。"),
        gettext_lazy("审批延期"),
    ),
    "reply": Action(
        _plain_form(ReplyForm),
        services.why_not_reply,
        lambda appeal, user, data: services.appeal_reply(
            appeal=appeal, actor=user, reply=data["reply"]
        ),
        gettext_lazy("已答复，等待中心审核。"),
        gettext_lazy("答复"),
    ),
    "approve_reply": Action(
        _plain_form(DecisionForm),
        services.why_not_review_reply,
        lambda appeal, user, data: services.appeal_review_reply(
            appeal=appeal,
            actor=user,
            approve=data["decision"] == "approve",
            reason=data["reason"],
        ),
        gettext_lazy("已审核答复。"),
        gettext_lazy("审核答复"),
    ),
}


def _staff_only(request: HttpRequest) -> None:
    if not holds_any(request.user, READER_ROLES):
        raise PermissionDenied


def _access(request: HttpRequest, number: str) -> Appeal:
    try:
        return appeal_for(request.user, number)
    except NotFound as error:
        raise Http404(error.message) from None


def _audit_full_view(request: HttpRequest, appeal: Appeal) -> None:
    """A staff member's full view of a confidential requester is audited."""
    if appeal.confidential and not appeal.anonymous and sees_requester(request.user, appeal):
        audit_append(
            action=AppealEvent.REQUESTER_VIEWED,
            actor=request.user.get_username(),
            actor_id=request.user.pk,
            object_type=APPEAL_OBJECT_TYPE,
            object_id=appeal.pk,
            data={"number": appeal.number, "page": "staff_order"},
        )


def _order_page(
    request: HttpRequest,
    appeal: Appeal,
    *,
    bound: tuple[str, forms.Form] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    now = timezone.now()
    _audit_full_view(request, appeal)
    available = []
    for key, action in ACTIONS.items():
        if action.allowed(user, appeal) is not None:
            continue
        form = None
        if action.form is not None:
            form = bound[1] if bound and bound[0] == key else action.form(appeal)
        available.append({"key": key, "title": action.title, "form": form})
    assignments = list(
        appeal.assignments.select_related("department").order_by("-is_current", "role", "pk")
    )
    context = {
        "appeal": appeal,
        "requester_name": requester_name_for(user, appeal),
        "requester_phone": requester_phone_for(user, appeal),
        "light": light_of(appeal, now),
        "running": appeal.status in queues.RUNNING,
        "late": appeal.status in queues.RUNNING and clock.is_late(now, due_at=appeal.due_at),
        "return_closed": bool(appeal.return_until and now > appeal.return_until),
        "assignments": assignments,
        "extensions": list(appeal.extensions.select_related("department").order_by("pk")),
        "returns": list(appeal.returns.select_related("department").order_by("pk")),
        "steps": [
            {"step": step, "label": step_label(step.action, moved=bool(step.to_status))}
            for step in appeal.steps.select_related("department", "actor").order_by("pk")
        ],
        "actions": available,
        "refusal": refusal,
        "pending_extension": services.pending_extension(appeal),
        "AppealStatus": AppealStatus,
    }
    return render(request, "appeals/handling/staff_order.html", context, status=status)


@login_required
@require_GET
def staff_order(request: HttpRequest, number: str) -> HttpResponse:
    """``appeals/staff/<number>/``: everything about the order for staff who may see it,
    and the actions this user may take now."""
    _staff_only(request)
    return _order_page(request, _access(request, number))


@login_required
@require_POST
def staff_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """``appeals/staff/<number>/<action>/``: one POST per action, back to the order page
    (post/redirect/get), or the page again with the refusal."""
    if action not in ACTIONS:
        raise Http404("no such action")
    _staff_only(request)
    appeal = _access(request, number)
    spec = ACTIONS[action]
    form = spec.form(appeal, request.POST) if spec.form is not None else None
    if form is not None and not form.is_valid():
        return _order_page(request, appeal, bound=(action, form), status=422)
    try:
        spec.call(appeal, request.user, form.cleaned_data if form is not None else None)
    except ApplicationError as error:
        # A refusal that names a field goes next to it; any other once, above the forms
        # (where the reloaded page opens), not again inside the form.
        refusal = error.message
        if error.fields and form is not None:
            add_service_error(form, error, others="drop")
            refusal = ""
        if error.status == 403:
            raise PermissionDenied from None
        # Read again: the order may have moved on (or a late return been counted).
        appeal = _access(request, number)
        return _order_page(
            request,
            appeal,
            bound=(action, form) if form is not None else None,
            refusal=refusal,
            status=error.status,
        )
    messages.success(request, str(spec.done))
    return redirect("appeals:staff_order", number=number)
