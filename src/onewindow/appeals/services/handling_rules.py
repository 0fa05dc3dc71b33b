"""Handling's checks and shared pieces: who may do what now and why not (the
``why_not_*`` the pages show), the input folded and checked, the lock, the assignments
and the dispatch clock. The moves themselves are in ``services.handling``, which
re-exports these names.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from onewindow.appeals.clock import working_hours_due
from onewindow.appeals.constants import (
    APPEAL_TRANSITIONS,
    DEPARTMENT_ROLES,
    DISPATCHED_NOTIFICATION,
    MAX_TEXT_LENGTH,
    OPEN_STATUSES,
    AppealAction,
    AppealStatus,
    AssignmentRole,
    ExtensionStatus,
    ReturnStatus,
)
from onewindow.appeals.models import (
    Appeal,
    AppealAssignment,
    AppealExtension,
    AppealReturn,
)
from onewindow.appeals.permissions import handler_department_ids, is_centre
from onewindow.appeals.selectors import appeal_settings_for, zone_calendar
from onewindow.core.errors import ApplicationError, Conflict, Forbidden, ValidationFailed
from onewindow.core.identifiers import fold_code
from onewindow.core.locks import lock_first, lock_row, lock_rows
from onewindow.core.notifications import notify
from onewindow.org.models import Department, User

#: Statuses in which a co-department signs and adds its part.
CO_WORK_STATUSES = frozenset({AppealStatus.DISPATCHED, AppealStatus.HANDLING})


# -- who may, and why not (pure but for the user's roles, read once per request) ---------------


def _centre_of(user: User, appeal: Appeal) -> bool:
    return bool(user.is_active and is_centre(user) and user.zone_id == appeal.zone_id)


def handles_lead(user: User, appeal: Appeal) -> bool:
    """A handler (诉求承办人员) of the order's lead department."""
    return bool(
        user.is_active
        and appeal.lead_department_id is not None
        and appeal.lead_department_id in handler_department_ids(user)
    )


def co_assignments_of(user: User, appeal: Appeal) -> list[AppealAssignment]:
    """The current co-department assignments of ``appeal`` that ``user`` handles."""
    departments = handler_department_ids(user) if user.is_active else frozenset()
    if not departments:
        return []
    return list(
        AppealAssignment.objects.filter(
            appeal=appeal,
            is_current=True,
            role=AssignmentRole.CO,
            department_id__in=departments,
        ).select_related("department")
    )


def _not_centre() -> Forbidden:
    return Forbidden(_("只有本开发区的派单员可以办理此操作"), code="not_centre")


def _not_lead() -> Forbidden:
    return Forbidden(_("只有主办部门的诉求承办人员可以办理此操作"), code="not_lead_department")


def _refused_move(appeal: Appeal, action: str) -> Conflict | None:
    try:
        APPEAL_TRANSITIONS.check(appeal, action)
    except Conflict as refusal:
        return refusal
    return None


def dispatch_action(appeal: Appeal) -> str:
    """派单 from RECEIVED; 改派 (re-dispatch) from RETURN_REQUESTED."""
    if appeal.status == AppealStatus.RETURN_REQUESTED:
        return AppealAction.REDISPATCH
    return AppealAction.DISPATCH


def why_not_dispatch(user: User, appeal: Appeal) -> ApplicationError | None:
    if not _centre_of(user, appeal):
        return _not_centre()
    return _refused_move(appeal, dispatch_action(appeal))


def why_not_designate(user: User, appeal: Appeal) -> ApplicationError | None:
    if not _centre_of(user, appeal):
        return _not_centre()
    return _refused_move(appeal, AppealAction.DESIGNATE)


def why_not_sign(user: User, appeal: Appeal) -> ApplicationError | None:
    if not handles_lead(user, appeal):
        return _not_lead()
    return _refused_move(appeal, AppealAction.SIGN)


def why_not_return(user: User, appeal: Appeal) -> ApplicationError | None:
    """The lead department may ask to send the order back; a designated order it may
    not (the window is checked when it asks: a late request is refused and counted)."""
    if not handles_lead(user, appeal):
        return _not_lead()
    refusal = _refused_move(appeal, AppealAction.RETURN)
    if refusal is not None:
        return refusal
    if appeal.designated:
        return Conflict(_("该工单已由中心指定由本部门承办，不能再次退回"), code="designated")
    return None


def why_not_reply(user: User, appeal: Appeal) -> ApplicationError | None:
    if not handles_lead(user, appeal):
        return _not_lead()
    return _refused_move(appeal, AppealAction.REPLY)


def why_not_review_reply(user: User, appeal: Appeal) -> ApplicationError | None:
    if not _centre_of(user, appeal):
        return _not_centre()
    return _refused_move(appeal, AppealAction.APPROVE_REPLY)


def why_not_extension_request(user: User, appeal: Appeal) -> ApplicationError | None:
    """The lead department while HANDLING, below the zone's limit, none pending."""
    if not handles_lead(user, appeal):
        return _not_lead()
    if appeal.status != AppealStatus.HANDLING:
        return Conflict(
            _("工单当前状态为“{status}”，办理中的工单才能申请延期").format(
                status=appeal.get_status_display()
            ),
            code="extension_not_now",
        )
    if appeal.extensions.filter(status=ExtensionStatus.PENDING).exists():
        return Conflict(_("已有一项延期申请待审批"), code="extension_pending")
    limit = appeal_settings_for(appeal.zone_id).max_extensions
    if appeal.extension_count >= limit:
        return Conflict(
            _("每张工单最多延期 {limit} 次，本工单已延期 {count} 次").format(
                limit=limit, count=appeal.extension_count
            ),
            code="extension_limit",
        )
    return None


def pending_extension(appeal: Appeal) -> AppealExtension | None:
    return appeal.extensions.filter(status=ExtensionStatus.PENDING).first()


def why_not_extension_decide(user: User, appeal: Appeal) -> ApplicationError | None:
    if not _centre_of(user, appeal):
        return _not_centre()
    if appeal.status not in OPEN_STATUSES or pending_extension(appeal) is None:
        return Conflict(_("该工单没有待审批的延期申请"), code="no_pending_extension")
    return None


def why_not_co_work(user: User, appeal: Appeal, *, signing: bool) -> ApplicationError | None:
    """A co-department signs (``signing``) or adds its part: it holds a current co
    assignment, the order is dispatched or being handled, it signed before adding."""
    assignments = co_assignments_of(user, appeal)
    if not assignments:
        return Forbidden(_("只有协办部门的诉求承办人员可以办理此操作"), code="not_co_department")
    if appeal.status not in CO_WORK_STATUSES:
        return Conflict(
            _("工单当前状态为“{status}”，不能办理协办").format(status=appeal.get_status_display()),
            code="co_not_now",
        )
    if signing and all(assignment.signed_at for assignment in assignments):
        return Conflict(_("本部门已签收该协办工单"), code="co_signed")
    if not signing and not any(assignment.signed_at for assignment in assignments):
        return Conflict(_("请先签收协办工单，再填写协办意见"), code="co_not_signed")
    return None


# -- input -------------------------------------------------------------------------------------


def fold_text(value: str | None) -> str:
    """A text as typed: NFC, full-width letters and digits as ASCII (Chinese punctuation
    kept), Windows line ends as ``\\n``, trimmed."""
    text = unicodedata.normalize("NFC", value or "")
    text = "".join(
        unicodedata.normalize("NFKC", char) if char.isalnum() and ord(char) >= 0xFF00 else char
        for char in text
    )
    return text.replace("\u3000", " ").replace("\r\n", "\n").replace("\r", "\n").strip()


def _text(field: str, value: str | None, label: str, *, required: bool = True) -> str:
    value = fold_text(value)
    if required and not value:
        raise ValidationFailed.for_field(
            field, _("{label}：请填写").format(label=label), code="required"
        )
    if len(value) > MAX_TEXT_LENGTH:
        raise ValidationFailed.for_field(
            field,
            _("{label}：不能超过 {max} 个字").format(label=label, max=MAX_TEXT_LENGTH),
            code="too_long",
        )
    return value


def _department(
    zone_id: int, value: Department | str | None, *, field: str, label: str
) -> Department | None:
    """A department of the zone, given as itself or its code (folded); 422 otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, Department):
        found = value if value.zone_id == zone_id and value.is_active else None
        typed = value.code
    else:
        typed = fold_code(str(value))
        found = Department.objects.filter(zone_id=zone_id, code=typed, is_active=True).first()
    if found is None:
        raise ValidationFailed.for_field(
            field,
            _("{label}：“{code}”不是本开发区的部门").format(label=label, code=typed),
            code="unknown_department",
        )
    return found


# -- shared pieces -----------------------------------------------------------------------------


def _lock(appeal: Appeal) -> Appeal:
    """The order's row, locked and fresh (only its own row: core.locks)."""
    return lock_row(Appeal, pk=appeal.pk, related=("zone", "category", "lead_department"))


def _raise(refusal: ApplicationError | None) -> None:
    if refusal is not None:
        raise refusal


def _local(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def _handlers(department_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=DEPARTMENT_ROLES,
            role_assignments__department_id__in=list(department_ids),
        )
        .distinct()
        .order_by("pk")
    )


def _notify_departments(appeal: Appeal, lead: Department, co: list[Department]) -> None:
    """Tell the handlers of the lead and co-departments the order waits for them."""
    link = reverse("appeals:staff_order", args=[appeal.number])
    roles = [(lead, AssignmentRole.LEAD)] + [(department, AssignmentRole.CO) for department in co]
    for department, role in roles:
        context = {
            "number": appeal.number,
            "subject": appeal.subject,
            "department": department.name,
            "role": str(AssignmentRole(role).label),
            "sign_due": _local(appeal.sign_due_at),
        }
        for handler in _handlers([department.pk]):
            notify(
                handler,
                DISPATCHED_NOTIFICATION,
                context,
                link=link,
                subject=("appeal", appeal.number),
            )


def _assign(appeal: Appeal, lead: Department, co: list[Department]) -> None:
    """Make ``lead`` the current lead and ``co`` the current co-departments: the old
    lead's assignment (and those of co-departments no longer on the order) become not
    current; a co-department that stays keeps its assignment, signature and part."""
    keep = {department.pk for department in co}
    current = lock_rows(AppealAssignment, appeal=appeal, is_current=True)
    kept = set()
    for assignment in current:
        stays = (
            assignment.role == AssignmentRole.CO
            and assignment.department_id in keep
            and assignment.department_id != lead.pk
        )
        if stays:
            kept.add(assignment.department_id)
        else:
            assignment.is_current = False
            assignment.save(update_fields=["is_current"])
    AppealAssignment.objects.create(appeal=appeal, department=lead, role=AssignmentRole.LEAD)
    for department in co:
        if department.pk not in kept:
            AppealAssignment.objects.create(
                appeal=appeal, department=department, role=AssignmentRole.CO
            )


def _start_dispatch_clock(appeal: Appeal, now: dt.datetime) -> list[str]:
    """A fresh sign limit and return window from ``now`` (the handling clock stays)."""
    settings = appeal_settings_for(appeal.zone_id)
    appeal.dispatched_at = now
    appeal.sign_due_at = working_hours_due(
        zone_calendar(appeal.zone),
        start=now,
        hours=settings.sign_within_working_hours,
        workday_starts=settings.workday_starts,
        workday_ends=settings.workday_ends,
    )
    appeal.return_until = now + dt.timedelta(hours=settings.return_window_hours)
    appeal.signed_at = None
    appeal.sign_overdue = False
    return ["dispatched_at", "sign_due_at", "return_until", "signed_at", "sign_overdue"]


def _decide_pending_return(appeal: Appeal, status: str, actor: User, now: dt.datetime) -> None:
    pending = lock_first(AppealReturn, appeal=appeal, status=ReturnStatus.PENDING)
    if pending is not None:
        pending.status = status
        pending.decided_by = actor
        pending.decided_at = now
        pending.save(update_fields=["status", "decided_by", "decided_at"])
