"""Pages of follow-up and 督办.

- The action forms on the staff order page (回访, 办结, 合并, 督办) and on the requester's
  order page (评价, 申请重办) are fragments (``navigation.py``); they post here, one URL
  per action, and land back on the order page (post/redirect/get). A refused action shows
  its form again with the refusal and its status (403, 409; 422 next to the field).
- The supervisor's board (``appeals/supervision/``): open 督办 by department and level,
  overdue first, with counts per department; the page of one 督办 with the department's
  answer form and 电子监察's 销号 form.

An order or a 督办 one may not see is "not found" (404), like a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from onewindow.appeals.constants import (
    SupervisionLevel,
    SupervisionStatus,
)
from onewindow.appeals.followup_rules import (
    why_not_answer_supervision,
    why_not_close_supervision,
)
from onewindow.appeals.forms_applicant import (
    CloseForm,
    MergeForm,
    ReopenForm,
    SuperviseForm,
    SupervisionAnswerForm,
    SupervisionCloseForm,
    VisitForm,
)
from onewindow.appeals.models import Appeal, AppealSupervision
from onewindow.appeals.permissions import (
    handler_department_ids,
    is_centre,
    is_supervisor,
)
from onewindow.appeals.selectors import appeal_for
from onewindow.appeals.services import followup, supervision
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.forms import add_service_error
from onewindow.org.models import User

PAGE_SIZE = 25

#: The forms of each action (their prefix is the action: several share one page).
STAFF_FORMS = {
    "visit": VisitForm,
    "close": CloseForm,
    "merge": MergeForm,
    "supervise": SuperviseForm,
}
REQUESTER_FORMS = {"visit": VisitForm, "reopen": ReopenForm}
TITLES = {
    "visit": _("回访"),
    "close": _("办结"),
    "merge": _("合并"),
    "supervise": _("督办"),
    "reopen": _("申请重办"),
    "answer": _("督办反馈"),
    "close_supervision": _("督办销号"),
}
DONE = {
    "visit": _("回访结果已登记。"),
    "close": _("诉求工单已办结。"),
    "merge": _("已合并，并已通知诉求人。"),
    "supervise": _("已督办，并已通知承办部门。"),
    "reopen": _("已申请重办，承办部门将重新办理。"),
    "answer": _("督办反馈已提交。"),
    "close_supervision": _("督办已销号。"),
}


def _appeal(request: HttpRequest, number: str) -> Appeal:
    try:
        return appeal_for(request.user, number)
    except NotFound as error:
        raise Http404(error.message) from None


def _run(action: str, *, appeal: Appeal, user: User, data: dict, by_requester: bool) -> None:
    """The one service of ``action`` (the same the API calls)."""
    if action == "visit":
        followup.appeal_visit(
            appeal=appeal,
            actor=user,
            satisfaction=data["satisfaction"],
            resolved=data["resolved"],
            note=data["note"],
            by_requester=by_requester,
        )
    elif action == "reopen":
        followup.appeal_reopen(appeal=appeal, actor=user, reason=data["reason"])
    elif action == "close":
        followup.appeal_close(appeal=appeal, actor=user, reason=data["reason"])
    elif action == "merge":
        into = followup.merge_target_for(user, data["into"])
        followup.appeal_merge(appeal=appeal, into=into, actor=user)
    elif action == "supervise":
        supervision.appeal_supervise(
            appeal=appeal,
            actor=user,
            level=data["level"],
            note=data["note"],
            days=data["days"],
        )


def _action(
    request: HttpRequest, number: str, action: str, *, forms: dict, back: str, requester: bool
) -> HttpResponse:
    if action not in forms:
        raise Http404("no such action")
    appeal = _appeal(request, number)
    back_url = reverse(back, kwargs={"number": appeal.number})
    form = forms[action](request.POST, prefix=action)
    status = 422
    if form.is_valid():
        try:
            _run(
                action,
                appeal=appeal,
                user=request.user,
                data=form.cleaned_data,
                by_requester=requester,
            )
        except ApplicationError as error:
            add_service_error(form, error)
            status = error.status
        else:
            messages.success(request, DONE[action])
            return redirect(back_url)
    context = {
        "appeal": appeal,
        "form": form,
        "action": action,
        "title": TITLES[action],
        "back_url": back_url,
        "post_url": request.path,
    }
    return render(request, "appeals/followup/action.html", context, status=status)


@login_required
@require_POST
def staff_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """``appeals/staff/<number>/followup/<action>/``: 回访, 办结, 合并, 督办 by the centre
    and 电子监察; back to ``appeals:staff_order``."""
    if request.user.is_applicant:
        raise PermissionDenied
    return _action(
        request, number, action, forms=STAFF_FORMS, back="appeals:staff_order", requester=False
    )


@login_required
@require_POST
def requester_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """``appeals/my/<number>/<action>/``: the requester's verdict and reopen request; back
    to ``appeals:my_appeal``."""
    if not request.user.is_applicant:
        raise PermissionDenied
    return _action(
        request, number, action, forms=REQUESTER_FORMS, back="appeals:my_appeal", requester=True
    )


# -- 督办 ---------------------------------------------------------------------------------------


def reads_supervisions(user: User) -> bool:
    return is_supervisor(user) or is_centre(user) or bool(handler_department_ids(user))


def supervisions_for(user: User):
    """The 督办 ``user`` reads: 电子监察 and the centre those of their zone; a department's
    handlers those against their departments (even after the order moved on)."""
    rows = AppealSupervision.objects.select_related("appeal", "department")
    if (is_supervisor(user) or is_centre(user)) and user.zone_id:
        return rows.filter(appeal__zone_id=user.zone_id)
    departments = handler_department_ids(user)
    if departments:
        return rows.filter(department_id__in=departments)
    return rows.none()


def _overdue(now) -> Q:
    return Q(status=SupervisionStatus.OPEN, due_at__lt=now)


@login_required
@require_GET
def supervision_board(request: HttpRequest) -> HttpResponse:
    """``appeals/supervision/``: open (and answered, not yet 销号) 督办 by department and
    level, the overdue first then by deadline; counts per department."""
    user = request.user
    if not reads_supervisions(user):
        raise PermissionDenied
    now = timezone.now()
    scope = supervisions_for(user)
    shown = request.GET.get("show", "open")
    rows = scope
    if shown == "closed":
        rows = rows.filter(status=SupervisionStatus.CLOSED)
    elif shown != "all":
        shown = "open"
        rows = rows.exclude(status=SupervisionStatus.CLOSED)
    department = request.GET.get("department", "")
    if department.isdigit():
        rows = rows.filter(department_id=int(department))
    level = request.GET.get("level", "")
    if level in SupervisionLevel.values:
        rows = rows.filter(level=level)
    rows = rows.annotate(
        late=Case(When(_overdue(now), then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("late", "due_at", "pk")
    by_department = (
        scope.values("department_id", "department__name")
        .annotate(
            open=Count("pk", filter=Q(status=SupervisionStatus.OPEN)),
            overdue=Count("pk", filter=_overdue(now)),
            answered=Count("pk", filter=Q(status=SupervisionStatus.ANSWERED)),
            daily=Count("pk", filter=Q(level=SupervisionLevel.DAILY) & ~Q(status="closed")),
            listed=Count("pk", filter=Q(level=SupervisionLevel.LISTED) & ~Q(status="closed")),
            interview=Count("pk", filter=Q(level=SupervisionLevel.INTERVIEW) & ~Q(status="closed")),
            closed=Count("pk", filter=Q(status=SupervisionStatus.CLOSED)),
        )
        .order_by("-overdue", "-open", "department__name")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "by_department": list(by_department),
        "now": now,
        "shown": shown,
        "level": level,
        "levels": SupervisionLevel.choices,
        "department": department,
    }
    return render(request, "appeals/followup/board.html", context)


def _supervision(request: HttpRequest, pk: int) -> AppealSupervision:
    row = supervisions_for(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404("no such supervision")
    return row


def _supervision_page(
    request: HttpRequest,
    row: AppealSupervision,
    *,
    answer_form: SupervisionAnswerForm | None = None,
    close_form: SupervisionCloseForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    context = {
        "supervision": row,
        "appeal": row.appeal,
        "now": timezone.now(),
        "refusal": refusal,
    }
    if why_not_answer_supervision(user, row) is None:
        context["answer_form"] = answer_form or SupervisionAnswerForm(prefix="answer")
    if why_not_close_supervision(user, row, zone_id=row.appeal.zone_id) is None:
        context["close_form"] = close_form or SupervisionCloseForm(prefix="close")
    return render(request, "appeals/followup/supervision.html", context, status=status)


@login_required
@require_GET
def supervision_page(request: HttpRequest, pk: int) -> HttpResponse:
    """``appeals/supervision/<pk>/``: one 督办, its answer, the forms the user may use."""
    if not reads_supervisions(request.user):
        raise PermissionDenied
    return _supervision_page(request, _supervision(request, pk))


@login_required
@require_POST
def supervision_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """``appeals/supervision/<pk>/answer/`` (the department) and ``…/close/`` (电子监察)."""
    if action not in ("answer", "close"):
        raise Http404("no such action")
    if not reads_supervisions(request.user):
        raise PermissionDenied
    row = _supervision(request, pk)
    forms = {"answer_form": None, "close_form": None}
    if action == "answer":
        form = SupervisionAnswerForm(request.POST, prefix="answer")
        forms["answer_form"] = form
    else:
        form = SupervisionCloseForm(request.POST, prefix="close")
        forms["close_form"] = form
    status = 422
    refusal = ""
    if form.is_valid():
        try:
            if action == "answer":
                supervision.supervision_answer(
                    supervision=row, actor=request.user, response=form.cleaned_data["response"]
                )
            else:
                supervision.supervision_close(
                    supervision=row, actor=request.user, note=form.cleaned_data["note"]
                )
        except ApplicationError as error:
            add_service_error(form, error, others="drop")
            status = error.status
            refusal = "" if error.fields else error.message
        else:
            messages.success(request, DONE["answer" if action == "answer" else "close_supervision"])
            return redirect("appeals:supervision", pk=row.pk)
    # Read again: a colleague may have moved it on since this page was opened.
    row = _supervision(request, pk)
    return _supervision_page(request, row, refusal=refusal, status=status, **forms)
