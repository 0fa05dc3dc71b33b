"""Staff pages of cases: the window desk (窗口工作台), the task inbox (待办任务), the
supervision board (红黄牌监察), and the case page that every role who may see a case
uses (applicants included, with their own actions and without internal comments).

Each view parses input, checks access (a role per page; ``access_case_by_number`` for a
case, "not found" for missing and forbidden alike), calls one selector or one service,
and renders. Every action on a case is one POST to ``cases/<number>/do/<action>/`` that
calls the matching service; a refusal is shown next to the field it names (HTTP 422 or
409), a success redirects back to the case page with a message.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.cases import deadlines, notices, selectors, services
from onewindow.cases.constants import (
    ACTIVE_TASK_STATUSES,
    CASE_OBJECT_TYPE,
    DECIDED_STATUSES,
    DEFAULT_TOLERANCE_DAYS,
    SATISFIED_MATERIAL_STATES,
    TERMINAL_STATUSES,
    AcceptanceMode,
    CaseEventAction,
    CaseStatus,
    Decision,
    MaterialState,
    SuspensionKind,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.forms_staff import (
    AcceptForm,
    BoardFilterForm,
    CertificateFactsMixin,
    CompleteForm,
    CoReviewForm,
    CorrectionForm,
    DecideForm,
    DeliverForm,
    EmptyForm,
    ExtendForm,
    InboxFilterForm,
    OnTheSpotForm,
    RefuseForm,
    ReturnForm,
    SuspendForm,
    TransferForm,
    UploadForm,
    WalkInForm,
    WalkInSearchForm,
    WithdrawForm,
)
from onewindow.cases.models import Case, CaseMaterial, Task
from onewindow.cases.permissions import (
    access_case_by_number,
    can_extend,
    can_intake,
    can_suspend,
    can_upload,
    can_withdraw,
    holds_task_role,
    is_zone_clerk,
    represents_case_applicant,
)
from onewindow.cases.services import SUPPLEMENT_STATUSES
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.bundles import merge_materials
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Bundle, ItemVersion
from onewindow.catalog.search import search_bundles, search_items
from onewindow.certificates.facts import fields_to_give
from onewindow.certificates.models import CertificateStatus
from onewindow.certificates.permissions import can_view as can_view_certificate
from onewindow.core.audit import audit_append
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.files import user_file_response
from onewindow.core.forms import add_service_error
from onewindow.core.throttle import request_address
from onewindow.org import pages as org_pages
from onewindow.org.constants import Role, UserKind
from onewindow.org.models import Applicant, Department, User
from onewindow.org.permissions import visible_applicants
from onewindow.org.selectors import calendar_for_zone
from onewindow.org.services import IdentifierChannel, identifier_show

PAGE_SIZE = selectors.PAGE_SIZE
#: Rows of the desk's smaller lists (容缺 overdue, deliveries) and of the walk-in search.
LIST_LIMIT = 50
SEARCH_LIMIT = 20

#: Written when staff open a case material's file (等保: access to personal data is logged).
MATERIAL_VIEWED = CaseEventAction.MATERIAL_VIEWED

CASE_TEMPLATE = "cases/staff/case.html"

EVENT_LABELS = {
    CaseEventAction.CREATED: gettext_lazy("创建申请"),
    CaseEventAction.SUBMITTED: gettext_lazy("提交申请"),
    CaseEventAction.CORRECTION_REQUESTED: gettext_lazy("一次性告知补正"),
    CaseEventAction.RESUBMITTED: gettext_lazy("补正后重新提交"),
    CaseEventAction.REFUSED: gettext_lazy("不予受理"),
    CaseEventAction.ACCEPTED: gettext_lazy("受理"),
    CaseEventAction.REVIEW_STARTED: gettext_lazy("进入审查"),
    CaseEventAction.SUSPENDED: gettext_lazy("启动特别程序"),
    CaseEventAction.RESUMED: gettext_lazy("结束特别程序"),
    CaseEventAction.EXTENDED: gettext_lazy("延长办理期限"),
    CaseEventAction.APPROVED: gettext_lazy("准予许可"),
    CaseEventAction.DENIED: gettext_lazy("不予许可"),
    CaseEventAction.DELIVERED: gettext_lazy("送达办结"),
    CaseEventAction.WITHDRAWN: gettext_lazy("撤回申请"),
    CaseEventAction.MATERIAL_UPLOADED: gettext_lazy("提交材料"),
    CaseEventAction.MATERIAL_SUPPLEMENTED: gettext_lazy("补齐容缺材料"),
    CaseEventAction.SUPPLEMENT_OVERDUE: gettext_lazy("容缺材料逾期未补齐"),
    CaseEventAction.COMMITMENT_SIGNED: gettext_lazy("签署告知承诺书"),
    CaseEventAction.DEADLINE_RECOMPUTED: gettext_lazy("重新计算办结期限"),
    CaseEventAction.TASK_OPENED: gettext_lazy("环节到达"),
    CaseEventAction.TASK_CLAIMED: gettext_lazy("签收任务"),
    CaseEventAction.TASK_COMPLETED: gettext_lazy("完成环节"),
    CaseEventAction.TASK_RETURNED: gettext_lazy("退回"),
    CaseEventAction.TASK_TRANSFERRED: gettext_lazy("转办"),
    CaseEventAction.TASK_CANCELLED: gettext_lazy("取消任务"),
    CaseEventAction.TASK_LIGHT_CHANGED: gettext_lazy("亮灯提醒"),
    CaseEventAction.CO_REVIEW_REQUESTED: gettext_lazy("发起会签"),
    CaseEventAction.MATERIAL_FROM_CERTIFICATE: gettext_lazy("电子证照调取"),
    CaseEventAction.CERTIFICATE_ISSUED: gettext_lazy("签发电子证照"),
    MATERIAL_VIEWED: gettext_lazy("查看材料文件"),
}

#: Events an applicant does not see on their case page (internal handling).
INTERNAL_EVENTS = frozenset({MATERIAL_VIEWED, CaseEventAction.TASK_LIGHT_CHANGED})

TASK_OUTCOMES = {
    "approved": gettext_lazy("通过"),
    "accepted": gettext_lazy("已受理"),
    "delivered": gettext_lazy("已送达"),
}


def _not_found(error: NotFound) -> Http404:
    return Http404(error.message)


def _access(user: User, number: str) -> Case:
    try:
        return access_case_by_number(user, number)
    except NotFound as error:
        raise _not_found(error) from None


def _require_role(user: User, *roles: str) -> None:
    if not any(user.has_role(role) for role in roles):
        raise PermissionDenied


BOARD_PAGE_SIZE = 25


def _page(
    request: HttpRequest,
    queryset,
    param: str = "page",
    size: int = PAGE_SIZE,
    count: int | None = None,
) -> Page:
    """One page of ``queryset`` with the links to its neighbours (other filters kept).
    ``count``: the number of rows when the caller already counted them."""
    paginator = Paginator(queryset, size)
    if count is not None:
        paginator.count = count  # a cached_property: no second COUNT(*)
    page = paginator.get_page(request.GET.get(param))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    page.previous_url = link(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = link(page.next_page_number()) if page.has_next() else ""
    return page


# -- 窗口工作台 -------------------------------------------------------------------------------


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    """The window clerk's desk: the intake queue, 容缺 overdue, deliveries waiting."""
    user = request.user
    _require_role(user, Role.WINDOW_CLERK)
    today = selectors.today()
    queue = _page(request, selectors.intake_queue(user))
    overdue = list(selectors.overdue_supplements(user, on=today)[:LIST_LIMIT])
    if overdue and user.zone is not None:
        calendar = calendar_for_zone(user.zone)
        for row in overdue:
            row.overdue_days = -deadlines.remaining_working_days(
                calendar, today, row.tolerance_due_on
            )
    deliveries = selectors.with_remaining(
        selectors.task_inbox(user, on=today).filter(kind=TaskKind.DELIVERY)[:LIST_LIMIT],
        on=today,
    )
    context = {"queue": queue, "overdue": overdue, "deliveries": deliveries, "today": today}
    return render(request, "cases/staff/desk.html", context)


def _find_items(zone, query: str) -> tuple[list[ItemVersion], list[Bundle]]:
    """Published items by implementation code (exact) or by name and pinyin; bundles by
    name. A query that is not a valid search is an empty result."""
    code = query.strip().upper()
    if len(code) == 31 and code.isalnum():
        exact = list(
            ItemVersion.objects.published()
            .filter(item__zone=zone, item__implementation_code=code)
            .select_related("item", "department")
        )
        if exact:
            return exact, []
    items = list(search_items(zone=zone, query=query)[:SEARCH_LIMIT])
    bundles = list(search_bundles(zone=zone, query=query)[:SEARCH_LIMIT])
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
    """A walk-in application (窗口申请): find the applicant and the item or bundle, fill
    the application form, and register it (submitted, waiting for pre-review)."""
    user = request.user
    _require_role(user, Role.WINDOW_CLERK)
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
    if request.method == "POST":
        form = WalkInForm(request.POST, bundle_fields=bundle_fields)
        if form.is_valid():
            if applicant is None:
                form.add_error("applicant", _("申请人：不存在，请重新查询选择"))
            if target is None:
                form.add_error("target", _("事项或一件事：不存在或未发布，请重新查询选择"))
        if form.is_valid():
            try:
                case = services.case_create(
                    actor=user,
                    applicant=applicant,
                    item_version=target if isinstance(target, ItemVersion) else None,
                    bundle=target if isinstance(target, Bundle) else None,
                    channel="window",
                    window=user.window,
                    form_data=form.form_data(),
                )
            except ApplicationError as error:
                # The item or bundle is the chosen target; the form's missing fields
                # are named in the message itself.
                error.fields = {
                    ("target" if name in ("item", "bundle") else name): messages_
                    for name, messages_ in error.fields.items()
                    if name != "form_data"
                }
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


# -- 待办任务 ---------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Tasks the user may take, most urgent first, with filters (light, mine)."""
    user = request.user
    _require_role(user, Role.REVIEWER, Role.DECIDER, Role.WINDOW_CLERK)
    form = InboxFilterForm(request.GET or None)
    light, mine = None, False
    if form.is_bound and form.is_valid():
        light = form.cleaned_data["light"] or None
        mine = form.cleaned_data["mine"]
    today = selectors.today()
    page = _page(request, selectors.task_inbox(user, on=today, light=light, mine=mine))
    page.object_list = selectors.with_remaining(page.object_list, on=today)
    context = {"form": form, "page": page, "filtered": bool(light or mine)}
    return render(request, "cases/staff/inbox.html", context)


# -- 红黄牌监察 -------------------------------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The supervisor's board: yellow and red tasks (who holds them, how late) and cases."""
    user = request.user
    _require_role(user, Role.SUPERVISOR)
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
    task_page = _page(
        request,
        tasks,
        size=BOARD_PAGE_SIZE,
        count=counts["tasks_red"] + counts["tasks_yellow"] if unfiltered else None,
    )
    task_page.object_list = selectors.with_remaining(task_page.object_list, on=today)
    case_page_ = _page(
        request,
        cases,
        "cases_page",
        size=BOARD_PAGE_SIZE,
        count=counts["cases_red"] + counts["cases_yellow"] if unfiltered else None,
    )
    case_page_.object_list = selectors.with_remaining(case_page_.object_list, on=today)
    context = {
        "form": form,
        "counts": counts,
        "tasks": task_page,
        "cases": case_page_,
        "filtered": bool(department or light),
    }
    return render(request, "cases/staff/board.html", context)


# -- the case page ------------------------------------------------------------------------------


@dataclass
class EventRow:
    occurred_at: dt.datetime
    actor: str
    label: str
    from_label: str
    to_label: str
    detail: str


@dataclass
class TaskPanel:
    """The actions the user may take on one active task of the case."""

    task: Task
    suspended: bool = False
    actions: list[ActionForm] = field(default_factory=list)


@dataclass
class ActionForm:
    """One action's form on the case page, with its heading and button."""

    action: str
    form: object
    title: str
    button: str
    collapsed: bool
    danger: bool
    task: Task | None = None
    material: CaseMaterial | None = None

    @property
    def key(self) -> str:
        return self.form.prefix


#: (heading, button, shown folded, destructive) of each action's form.
ACTION_TEXT = {
    "claim": (gettext_lazy("签收"), gettext_lazy("签收办理"), False, False),
    "complete": (gettext_lazy("提交审查意见"), gettext_lazy("同意，提交下一环节"), False, False),
    "return": (gettext_lazy("退回上一环节"), gettext_lazy("退回"), True, True),
    "transfer": (gettext_lazy("转办给同事"), gettext_lazy("转办"), True, False),
    "co_review": (gettext_lazy("发起会签"), gettext_lazy("发起会签"), True, False),
    "decide": (gettext_lazy("作出决定"), gettext_lazy("确认决定"), False, False),
    "deliver": (gettext_lazy("送达"), gettext_lazy("确认送达，办结"), False, False),
    "suspend": (
        gettext_lazy("启动特别程序"),
        gettext_lazy("启动特别程序（暂停计时）"),
        True,
        False,
    ),
    "resume": (gettext_lazy("结束特别程序"), gettext_lazy("结束特别程序，恢复计时"), False, False),
    "extend": (gettext_lazy("延长办理期限"), gettext_lazy("批准延长"), True, False),
    "request_correction": (
        gettext_lazy("一次性告知补正"),
        gettext_lazy("发出补正告知"),
        True,
        False,
    ),
    "refuse": (gettext_lazy("不予受理"), gettext_lazy("作出不予受理决定"), True, True),
    "accept": (gettext_lazy("受理"), gettext_lazy("受理并开始计时"), False, False),
    "on_the_spot": (gettext_lazy("即办件当场办结"), gettext_lazy("当场办结"), False, False),
    "receive_paper": (gettext_lazy("收取纸质材料"), gettext_lazy("收取纸质材料"), False, False),
    "upload": (gettext_lazy("上传文件"), gettext_lazy("上传"), True, False),
    "withdraw": (gettext_lazy("撤回申请"), gettext_lazy("确认撤回"), True, True),
    "resubmit": (gettext_lazy("补正完成，重新提交"), gettext_lazy("重新提交"), False, False),
}


def _status_label(value) -> str:
    if value in CaseStatus.values:
        return str(CaseStatus(value).label)
    return ""


def _task_outcome(task: Task) -> str:
    if task.kind == TaskKind.DECISION and task.outcome in Decision.values:
        return str(Decision(task.outcome).label)
    label = TASK_OUTCOMES.get(task.outcome)
    return str(label) if label else task.outcome


def _event_detail(event, *, task_names: dict, names: dict, staff: bool) -> str:
    data = event.data or {}
    action = event.action
    parts: list[str] = []
    task_name = task_names.get(data.get("task")) or data.get("name") or ""
    if action.startswith("task.") and task_name:
        parts.append(task_name)
    if action == CaseEventAction.CORRECTION_REQUESTED:
        parts.append("；".join(data.get("items") or []))
    elif action == CaseEventAction.ACCEPTED:
        mode = data.get("mode")
        if mode in AcceptanceMode.values:
            parts.append(str(AcceptanceMode(mode).label))
        if data.get("deadline"):
            parts.append(_("办结期限 {date}").format(date=data["deadline"]))
        for key, label in (("tolerated", _("容缺")), ("committed", _("承诺替代"))):
            if data.get(key):
                parts.append(f"{label}：{'、'.join(data[key])}")
    elif action == CaseEventAction.REFUSED and data.get("legal_basis"):
        parts.append(_("依据：{basis}").format(basis=data["legal_basis"]))
    elif action == CaseEventAction.SUSPENDED and data.get("kind") in SuspensionKind.values:
        parts.append(str(SuspensionKind(data["kind"]).label))
    elif action == CaseEventAction.RESUMED and data.get("paused_days") is not None:
        parts.append(_("不计时 {n} 个工作日").format(n=data["paused_days"]))
    elif action == CaseEventAction.EXTENDED:
        parts.append(_("延长 {n} 个工作日").format(n=data.get("days")))
    elif action in (
        CaseEventAction.MATERIAL_UPLOADED,
        CaseEventAction.MATERIAL_SUPPLEMENTED,
        MATERIAL_VIEWED,
    ):
        parts.append(data.get("material", ""))
        if data.get("paper"):
            parts.append(_("纸质材料"))
    elif action == CaseEventAction.MATERIAL_FROM_CERTIFICATE:
        parts.append(data.get("material", ""))
        parts.append(_("证照标识 {identifier}").format(identifier=data.get("identifier", "")))
    elif action == CaseEventAction.CERTIFICATE_ISSUED:
        parts.append(data.get("type", ""))
        parts.append(_("证照标识 {identifier}").format(identifier=data.get("identifier", "")))
    elif action == CaseEventAction.COMMITMENT_SIGNED:
        parts.append(_("承诺人：{name}").format(name=data.get("signed_name", "")))
    elif action == CaseEventAction.TASK_OPENED and data.get("deadline"):
        parts.append(_("环节期限 {date}").format(date=data["deadline"]))
    elif action == CaseEventAction.TASK_TRANSFERRED:
        receiver = data.get("to", "")
        parts.append(_("转给 {name}").format(name=names.get(receiver, receiver)))
    elif action == CaseEventAction.CO_REVIEW_REQUESTED:
        parts.append(_("会签部门：{name}").format(name=data.get("department", "")))
    elif action == CaseEventAction.TASK_COMPLETED and staff and data.get("comment"):
        parts.append(_("意见：{comment}").format(comment=data["comment"]))
    if data.get("reason"):
        parts.append(_("理由：{reason}").format(reason=data["reason"]))
    return " · ".join(part for part in parts if part)


def _timeline(case: Case, tasks: list[Task], *, staff: bool) -> list[EventRow]:
    events = list(selectors.case_timeline(case))
    usernames = {event.actor for event in events if event.actor and event.actor != "system"}
    for event in events:
        if event.action == CaseEventAction.TASK_TRANSFERRED:
            usernames.add((event.data or {}).get("to", ""))
    people = {
        user.username: user
        for user in User.objects.filter(username__in=usernames).only(
            "username", "display_name", "kind"
        )
    }
    names = {username: str(user) for username, user in people.items()}
    task_names = {task.pk: task.name for task in tasks}
    rows = []
    for event in events:
        if not staff and (event.action.startswith("task.") or event.action in INTERNAL_EVENTS):
            continue
        person = people.get(event.actor)
        if event.actor == "system" or not event.actor:
            actor = _("系统")
        elif staff:
            actor = names.get(event.actor, event.actor)
        elif person is not None and person.kind == UserKind.APPLICANT:
            actor = _("申请人")
        else:
            actor = _("工作人员")
        data = event.data or {}
        is_status = event.action.startswith("case.")
        rows.append(
            EventRow(
                occurred_at=event.occurred_at,
                actor=actor,
                label=str(EVENT_LABELS.get(event.action, event.action)),
                from_label=_status_label(data.get("from")) if is_status else "",
                to_label=_status_label(data.get("to")) if is_status else "",
                detail=_event_detail(event, task_names=task_names, names=names, staff=staff),
            )
        )
    return rows


def _prefix(action: str, task: Task | None = None, material: int | None = None) -> str:
    if task is not None:
        return f"t{task.pk}-{action}"
    if material is not None:
        return f"m{material}-{action}"
    return action


def _owner(case: Case) -> Case:
    """The case whose materials these are (a bundle's children share the parent's)."""
    return case.parent if case.is_child else case


def _accept_kwargs(case: Case) -> dict:
    rows = list(case.materials.all())
    open_rows = [row for row in rows if row.state not in SATISFIED_MATERIAL_STATES]
    today = selectors.today()
    due = calendar_for_zone(case.zone).deadline(
        today, DEFAULT_TOLERANCE_DAYS, allow_provisional=True
    )
    return {
        "tolerable": [row for row in open_rows if row.tolerable],
        "committable": [row for row in open_rows if row.commitment_allowed],
        "due_on": due.date,
        "signer": case.applicant.legal_representative or case.applicant.name,
    }


def _colleagues(task: Task, user: User):
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=task.role,
            role_assignments__department_id=task.department_id,
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("username")
    )


def _co_review_departments(case: Case, task: Task):
    return Department.objects.filter(zone_id=case.zone_id, is_active=True).exclude(
        pk=task.department_id
    )


def _action_form(
    action: str,
    case: Case,
    user: User,
    task: Task | None = None,
    material: int | None = None,
    data=None,
    files=None,
):
    """The form of ``action``, unbound for the page or bound to a POST (same prefix)."""
    spec = ACTIONS[action]
    kwargs: dict = {"prefix": _prefix(action, task, material)}
    if data is not None:
        kwargs["data"] = data
        kwargs["files"] = files
    if action == "accept":
        kwargs.update(_accept_kwargs(case))
    elif action == "transfer":
        kwargs["colleagues"] = _colleagues(task, user)
    elif action == "co_review":
        kwargs["departments"] = _co_review_departments(case, task)
    elif action in ("decide", "on_the_spot"):
        certificate_type = services.certificate_type_of(case)
        if certificate_type is not None:
            kwargs["certificate_type"] = certificate_type
            kwargs["fact_fields"] = fields_to_give(certificate_type)
            kwargs["form_data"] = case.form_data
    return spec.form(**kwargs)


class CasePage:
    """Everything the case page shows, for one user; ``bound`` replaces the unbound form
    of the action that just failed, with its input and errors."""

    def __init__(self, request: HttpRequest, case: Case, *, bound=None, error=None) -> None:
        self.request = request
        self.user: User = request.user
        self.case = case
        self.bound = bound
        self.error = error

    def form(
        self, action: str, task: Task | None = None, material: CaseMaterial | None = None
    ) -> ActionForm:
        material_id = material.pk if material is not None else None
        key = _prefix(action, task, material_id)
        if self.bound is not None and self.bound.prefix == key:
            form = self.bound
        else:
            form = _action_form(action, self.case, self.user, task, material_id)
        title, button, collapsed, danger = ACTION_TEXT[action]
        if action == "deliver" and self.case.is_bundle:
            title, button = _("统一出件"), _("确认统一出件，办结")
        return ActionForm(action, form, str(title), str(button), collapsed, danger, task, material)

    def context(self) -> dict:
        case, user = self.case, self.user
        today = selectors.today()
        staff = user.kind == UserKind.STAFF
        owner = _owner(case)
        materials = list(owner.materials.all())
        tasks = list(selectors.case_tasks(case).with_light(today))
        selectors.with_remaining([task for task in tasks if task.is_active], on=today)
        for task in tasks:
            task.outcome_label = _task_outcome(task)
        children = []
        if case.is_bundle:
            children = list(
                Case.objects.filter(parent=case)
                .with_light(today)
                .select_related("department")
                .order_by("pk")
            )
        context = {
            "case": case,
            "staff": staff,
            "clock": selectors.case_clock(case, on=today),
            "identifier": self._identifier(),
            "commitment": (
                getattr(case, "commitment", None)
                if case.acceptance_mode == AcceptanceMode.COMMITMENT
                else None
            ),
            "materials": materials,
            "certificates": self._certificates(today),
            # The window's rating QR code (好差评), once the result is handed over.
            "rating_code": (
                case.status == CaseStatus.DELIVERED
                and case.parent_id is None
                and is_zone_clerk(self.request.user, case)
            ),
            "tasks": tasks,
            "children": children,
            "timeline": _timeline(case, tasks, staff=staff),
            "notices": [
                {
                    "kind": kind,
                    "label": notices.NoticeKind(kind).label,
                    "url": reverse("cases:notice", args=[case.number, kind]),
                }
                for kind in notices.available_notices(case)
            ],
            "error": self.error,
            "bound_prefix": self.bound.prefix if self.bound is not None else "",
        }
        context.update(self._actions(tasks, materials))
        context["any_action"] = any(
            context[key] for key in ("intake", "task_panels", "case_actions", "applicant_actions")
        ) or bool(context["receive_paper"] or context["upload_rows"])
        return context

    def _certificates(self, today: dt.date) -> list:
        """办理结果: the certificates issued for the case (a bundle: by its children), with
        today's status and whether this user may open the file."""
        rows = selectors.case_certificates(self.case)
        for certificate in rows:
            certificate.status_today = certificate.effective_status(today)
            certificate.status_today_label = CertificateStatus(certificate.status_today).label
            certificate.viewable = can_view_certificate(self.user, certificate)
        return rows

    def _identifier(self) -> str:
        """The applicant's identifier as the user may see it (the one rule); a staff
        member's full view is recorded, once for this page."""
        shown = identifier_show(
            viewer=self.user,
            applicant=self.case.applicant,
            channel=IdentifierChannel.PAGE,
            purpose=self.case.number,
            ip_address=request_address(self.request),
        )
        return shown.value

    def _actions(self, tasks: list[Task], materials: list[CaseMaterial]) -> dict:
        case, user = self.case, self.user
        status = case.status
        clerk = bool(can_intake(user, case))
        intake = []
        if clerk and status == CaseStatus.SUBMITTED and not case.is_child:
            intake = [self.form("accept"), self.form("request_correction"), self.form("refuse")]
            if case.item_version is not None and case.item_version.is_immediate:
                intake.insert(0, self.form("on_the_spot"))
        receive_paper = {}
        if clerk and not case.is_child:
            for row in materials:
                before = status in (CaseStatus.DRAFT, CaseStatus.SUBMITTED)
                supplement = row.state == MaterialState.TOLERATED and status in SUPPLEMENT_STATUSES
                if (before and row.state not in SATISFIED_MATERIAL_STATES) or supplement:
                    row.paper_action = self.form("receive_paper", material=row)
                    receive_paper[row.pk] = row.paper_action
        upload_rows = {}
        if not case.is_child and can_upload(user, case):
            before = status in (
                CaseStatus.DRAFT,
                CaseStatus.SUBMITTED,
                CaseStatus.CORRECTION_REQUESTED,
            )
            after = status in SUPPLEMENT_STATUSES
            # A submitted file is replaced only while the applicant corrects (补正).
            replacing = status in (CaseStatus.DRAFT, CaseStatus.CORRECTION_REQUESTED)
            for row in materials:
                replaceable = before and (
                    row.state == MaterialState.MISSING
                    or (replacing and row.state == MaterialState.UPLOADED)
                )
                supplement = after and row.state == MaterialState.TOLERATED
                if replaceable or supplement:
                    row.upload_action = self.form("upload", material=row)
                    upload_rows[row.pk] = row.upload_action
        task_panels = []
        for task in tasks:
            if task.status not in ACTIVE_TASK_STATUSES or not holds_task_role(user, task):
                continue
            if task.assignee_id not in (None, user.pk):
                continue
            panel = TaskPanel(task=task)
            if status == CaseStatus.SUSPENDED and task.kind != TaskKind.DELIVERY:
                panel.suspended = True
            elif task.status == TaskStatus.OPEN and task.kind != TaskKind.DELIVERY:
                panel.actions.append(self.form("claim", task))
            else:
                for action in TASK_ACTIONS_BY_KIND.get(task.kind, ()):
                    if action == "return" and task.parent_task_id is not None:
                        continue
                    panel.actions.append(self.form(action, task))
            task_panels.append(panel)
        case_actions = []
        if status == CaseStatus.IN_REVIEW and can_suspend(user, case):
            case_actions.append(self.form("suspend"))
        if status == CaseStatus.SUSPENDED and can_suspend(user, case):
            case_actions.append(self.form("resume"))
        if (
            status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)
            and not case.extension_days
            and can_extend(user, case)
        ):
            case_actions.append(self.form("extend"))
        applicant_actions = []
        if (
            not case.is_child
            and status == CaseStatus.CORRECTION_REQUESTED
            and (clerk or represents_case_applicant(user, case))
        ):
            applicant_actions.append(self.form("resubmit"))
        if (
            not case.is_child
            and status not in TERMINAL_STATUSES
            and status not in DECIDED_STATUSES
            and can_withdraw(user, case)
        ):
            applicant_actions.append(self.form("withdraw"))
        return {
            "intake": intake,
            "receive_paper": receive_paper,
            "upload_rows": upload_rows,
            "task_panels": task_panels,
            "case_actions": case_actions,
            "applicant_actions": applicant_actions,
        }


@login_required
@require_GET
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    case = _access(request.user, number)
    return render(request, CASE_TEMPLATE, CasePage(request, case).context())


# -- actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    form: type
    run: Callable
    task: bool = False
    material: bool = False


def _run_claim(user, case, task, data):
    services.task_claim(task=task, actor=user)
    return _("已签收“{name}”，请办理").format(name=task.name)


def _run_complete(user, case, task, data):
    services.task_complete(task=task, actor=user, comment=data["comment"])
    return _("“{name}”已完成，已流转至下一环节").format(name=task.name)


def _run_return(user, case, task, data):
    services.task_return(task=task, actor=user, reason=data["reason"])
    return _("已退回上一环节")


def _run_transfer(user, case, task, data):
    services.task_transfer(task=task, actor=user, to_user=data["to_user"], reason=data["reason"])
    return _("已转给{name}办理").format(name=data["to_user"])


def _run_co_review(user, case, task, data):
    services.task_request_co_review(
        task=task,
        actor=user,
        department=data["department"],
        reason=data["reason"],
        limit_days=data["limit_days"],
    )
    return _("已发起会签：{name}").format(name=data["department"].name)


def _run_decide(user, case, task, data):
    decided = services.task_decide(
        task=task,
        actor=user,
        decision=data["decision"],
        reason=data["reason"],
        remedy_notice=data["remedy_notice"],
        certificate_facts=data.get("certificate_facts"),
    )
    message = _("已作出决定：{decision}").format(decision=Decision(data["decision"]).label)
    return message + _issued_text(decided)


def _issued_text(case: Case) -> str:
    """ "，已签发电子证照《…》…" after an approval that issued one."""
    if case.decision != Decision.APPROVED or services.certificate_type_of(case) is None:
        return ""
    issued = selectors.case_certificates(case)
    if not issued:
        return ""
    certificate = issued[-1]
    return _("，已签发电子证照《{name}》{identifier}").format(
        name=certificate.certificate_type.name, identifier=certificate.identifier
    )


def _run_deliver(user, case, task, data):
    services.task_deliver(task=task, actor=user, comment=data["comment"])
    return _("已送达，办件办结")


def _run_suspend(user, case, task, data):
    services.case_suspend(case=case, actor=user, kind=data["kind"], reason=data["reason"])
    return _("已启动特别程序，办理时限暂停计算")


def _run_resume(user, case, task, data):
    suspension = services.case_resume(case=case, actor=user)
    return _("特别程序已结束，不计时 {n} 个工作日").format(n=suspension.paused_days)


def _run_extend(user, case, task, data):
    extended = services.case_extend(case=case, actor=user, days=data["days"], reason=data["reason"])
    return _("办理期限已延长至 {date}").format(date=extended.deadline)


def _run_request_correction(user, case, task, data):
    services.case_request_correction(case=case, actor=user, items=data["items_list"])
    return _("已一次性告知补正内容，可打印补正材料通知书")


def _run_refuse(user, case, task, data):
    services.case_refuse(
        case=case, actor=user, reason=data["reason"], legal_basis=data["legal_basis"]
    )
    return _("已作出不予受理决定，可打印不予受理通知书")


def _run_accept(user, case, task, data):
    mode = data["mode"]
    accepted = services.case_accept(
        case=case,
        actor=user,
        mode=mode,
        tolerated=data["tolerated"] if mode == AcceptanceMode.TOLERATED else (),
        tolerance_due_on=data["tolerance_due_on"] if mode == AcceptanceMode.TOLERATED else None,
        committed=data["committed"] if mode == AcceptanceMode.COMMITMENT else (),
        commitment_text=data["commitment_text"] if mode == AcceptanceMode.COMMITMENT else "",
        commitment_signed_name=(
            data["commitment_signed_name"] if mode == AcceptanceMode.COMMITMENT else ""
        ),
    )
    return _("已受理，办结期限 {date}").format(date=accepted.deadline)


def _run_on_the_spot(user, case, task, data):
    handled = services.case_handle_on_the_spot(
        case=case,
        actor=user,
        decision=data["decision"],
        reason=data["reason"],
        certificate_facts=data.get("certificate_facts"),
    )
    return _("即办件已当场办结") + _issued_text(handled)


def _run_receive_paper(user, case, task, data):
    row = services.material_receive_paper(case=case, material_id=data["material"], actor=user)
    return _("已收取纸质材料：{name}").format(name=row.name)


def _run_upload(user, case, task, data):
    row = services.material_upload(
        case=case, material_id=data["material"], uploaded=data["file"], actor=user
    )
    return _("已上传材料：{name}").format(name=row.name)


def _run_withdraw(user, case, task, data):
    services.case_withdraw(case=case, actor=user, reason=data["reason"])
    return _("申请已撤回")


def _run_resubmit(user, case, task, data):
    services.case_resubmit(case=case, actor=user)
    return _("已重新提交，等待窗口预审")


ACTIONS: dict[str, Action] = {
    "claim": Action(EmptyForm, _run_claim, task=True),
    "complete": Action(CompleteForm, _run_complete, task=True),
    "return": Action(ReturnForm, _run_return, task=True),
    "transfer": Action(TransferForm, _run_transfer, task=True),
    "co_review": Action(CoReviewForm, _run_co_review, task=True),
    "decide": Action(DecideForm, _run_decide, task=True),
    "deliver": Action(DeliverForm, _run_deliver, task=True),
    "suspend": Action(SuspendForm, _run_suspend),
    "resume": Action(EmptyForm, _run_resume),
    "extend": Action(ExtendForm, _run_extend),
    "request_correction": Action(CorrectionForm, _run_request_correction),
    "refuse": Action(RefuseForm, _run_refuse),
    "accept": Action(AcceptForm, _run_accept),
    "on_the_spot": Action(OnTheSpotForm, _run_on_the_spot),
    "receive_paper": Action(EmptyForm, _run_receive_paper, material=True),
    "upload": Action(UploadForm, _run_upload, material=True),
    "withdraw": Action(WithdrawForm, _run_withdraw),
    "resubmit": Action(EmptyForm, _run_resubmit),
}

#: The work forms of a claimed task, by its kind.
TASK_ACTIONS_BY_KIND = {
    TaskKind.REVIEW: ("complete", "return", "co_review", "transfer"),
    TaskKind.INSPECTION: ("complete", "return", "co_review", "transfer"),
    TaskKind.CO_REVIEW: ("complete", "transfer"),
    TaskKind.DECISION: ("decide", "return", "transfer"),
    TaskKind.DELIVERY: ("deliver",),
}


def _posted_task(request: HttpRequest, case: Case) -> Task:
    value = request.POST.get("task", "").strip()
    task = None
    if value.isascii() and value.isdigit():
        task = Task.objects.select_related("case", "department").filter(case=case, pk=value).first()
    if task is None:
        raise Http404(_("该办件没有这项任务"))
    task.case = case
    return task


def _posted_material(request: HttpRequest) -> int:
    value = request.POST.get("material", "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise Http404(_("该办件没有这项材料"))
    return int(value)


@login_required
@require_POST
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One action on a case: parse its form, call its service, redirect (PRG); or show
    the page again with the refusal beside the field (422, 409, 403)."""
    user = request.user
    case = _access(user, number)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404(_("没有这项操作"))
    task = _posted_task(request, case) if spec.task else None
    material = _posted_material(request) if spec.material else None
    form = _action_form(action, case, user, task, material, data=request.POST, files=request.FILES)
    status = 422
    error_message = _("请按提示修改后重新提交")
    if form.is_valid():
        data = dict(form.cleaned_data)
        if isinstance(form, CorrectionForm):
            data["items_list"] = form.cleaned_items()
        if isinstance(form, CertificateFactsMixin):
            data["certificate_facts"] = form.certificate_facts()
        if material is not None:
            data["material"] = material
        try:
            message = spec.run(user, case, task, data)
        except ApplicationError as error:
            add_service_error(form, error)
            status = error.status
            error_message = error.message
        else:
            messages.success(request, message)
            return redirect("cases:case", number=case.number)
    case = _access(user, number)  # fresh: the failed service rolled its changes back
    page = CasePage(request, case, bound=form, error={"message": error_message, "form": form})
    return render(request, CASE_TEMPLATE, page.context(), status=status)


# -- files ----------------------------------------------------------------------------------


@login_required
@require_GET
def material_file(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """A material's stored file, to those who may see the case; staff other than the
    uploader opening it is recorded in the audit trail."""
    user = request.user
    case = _access(user, number)
    row = CaseMaterial.objects.filter(case=_owner(case), pk=pk).first()
    if row is None or not row.file:
        raise Http404(_("该材料没有文件"))
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("该材料没有文件")) from None
    if user.kind == UserKind.STAFF and row.uploaded_by_id != user.pk:
        audit_append(
            action=MATERIAL_VIEWED,
            actor=user.get_username(),
            actor_id=user.pk,
            object_type=CASE_OBJECT_TYPE,
            object_id=case.number,
            data={"material": row.name, "material_id": row.pk, "sha256": row.sha256},
            ip_address=request_address(request),
        )
    name = row.original_name or os.path.basename(row.file.name)
    return user_file_response(handle, content_type=row.content_type, filename=name)


@login_required
@require_GET
def notice(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    """A written notice of the case as PDF (受理、补正、不予受理、决定)."""
    case = _access(request.user, number)
    try:
        pdf = notices.render_notice(case, kind)
        filename = notices.notice_filename(case, kind)
    except NotFound as error:
        raise _not_found(error) from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
