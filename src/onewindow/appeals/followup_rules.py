"""Who may follow an order up now, and why not (pure: reads the order, the 督办 and the
user's roles, writes nothing). The follow-up and supervision services raise these answers;
the pages show only the forms the services would accept.

Each ``why_not_*`` answers None when the user may act now, else the refusal to raise:
``Forbidden`` (403) for the wrong person, ``Conflict`` (409) for the wrong moment (the
transition table's own refusal, a closed reopen window, a 督办 already answered).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.appeals.constants import (
    APPEAL_TRANSITIONS,
    SUPERVISABLE_STATUSES,
    SUPERVISE_ROLES,
    SUPERVISION_TRANSITIONS,
    AppealAction,
    AppealStatus,
    SupervisionAction,
)
from onewindow.appeals.models import Appeal, AppealSupervision
from onewindow.appeals.permissions import (
    handler_department_ids,
    holds_any,
    is_centre,
    is_supervisor,
)
from onewindow.core.errors import ApplicationError, Conflict, Forbidden
from onewindow.org.models import User
from onewindow.org.permissions import represented_applicant_ids


def _refused_move(appeal: Appeal, action: str) -> Conflict | None:
    try:
        APPEAL_TRANSITIONS.check(appeal, action)
    except Conflict as refusal:
        return refusal
    return None


def _of_zone(user: User, zone_id: int) -> bool:
    return bool(user.is_authenticated and user.is_active and user.zone_id == zone_id)


def is_requester_of(user: User, appeal: Appeal) -> bool:
    """The order's own requester: the user who filed it, or a user who represents the
    applicant it was filed for."""
    if not (user.is_authenticated and user.is_active and user.is_applicant):
        return False
    if appeal.requester_user_id is not None and appeal.requester_user_id == user.pk:
        return True
    return appeal.requester_id is not None and appeal.requester_id in represented_applicant_ids(
        user
    )


def is_centre_of(user: User, appeal: Appeal) -> bool:
    """A 派单员 of the order's zone."""
    return is_centre(user) and _of_zone(user, appeal.zone_id)


def format_instant(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return _("{year}年{month:02d}月{day:02d}日 {hour:02d}:{minute:02d}").format(
        year=local.year, month=local.month, day=local.day, hour=local.hour, minute=local.minute
    )


# -- the order --------------------------------------------------------------------------------


def why_not_visit(
    user: User, appeal: Appeal, *, by_requester: bool = False
) -> ApplicationError | None:
    """回访: the centre (by phone) or the requester answering online, on an answered order
    (a good visit closes it, a bad one reopens it)."""
    if by_requester:
        if not is_requester_of(user, appeal):
            return Forbidden(_("只有诉求人本人可以评价办理结果"), code="not_permitted")
    elif not is_centre_of(user, appeal):
        return Forbidden(_("只有本开发区的派单员可以回访"), code="not_permitted")
    return _refused_move(appeal, AppealAction.VISIT)


def why_not_reopen(user: User, appeal: Appeal, *, now: dt.datetime) -> ApplicationError | None:
    """申请重办: the requester, on an answered or closed order, while ``now`` is not past
    ``reopen_until`` (fixed at the reply, never moved by an edit)."""
    if not is_requester_of(user, appeal):
        return Forbidden(_("只有诉求人本人可以申请重办"), code="not_permitted")
    refusal = _refused_move(appeal, AppealAction.REOPEN)
    if refusal is not None:
        return refusal
    if appeal.reopen_until is None or now > appeal.reopen_until:
        if appeal.reopen_until is None:
            message = _("该诉求工单没有可申请重办的期限")
        else:
            message = _("申请重办的期限已于 {until} 届满").format(
                until=format_instant(appeal.reopen_until)
            )
        return Conflict(message, code="reopen_window_closed")
    return None


def why_not_close(user: User, appeal: Appeal) -> ApplicationError | None:
    """办结 without a visit: the centre, on an answered order."""
    if not is_centre_of(user, appeal):
        return Forbidden(_("只有本开发区的派单员可以办结诉求工单"), code="not_permitted")
    return _refused_move(appeal, AppealAction.CLOSE)


def why_not_merge(user: User, appeal: Appeal) -> ApplicationError | None:
    """合并 (the order merged away): the centre, on an open order. Whether the target fits
    is the service's to check (it needs the target row)."""
    if not is_centre_of(user, appeal):
        return Forbidden(_("只有本开发区的派单员可以合并诉求工单"), code="not_permitted")
    return _refused_move(appeal, AppealAction.MERGE)


def why_not_supervise(user: User, appeal: Appeal) -> ApplicationError | None:
    """督办 by hand: 电子监察 or the centre of the zone, on an order a department holds."""
    if not (holds_any(user, SUPERVISE_ROLES) and _of_zone(user, appeal.zone_id)):
        return Forbidden(_("只有本开发区的电子监察人员或派单员可以督办"), code="not_permitted")
    if appeal.status not in SUPERVISABLE_STATUSES or appeal.lead_department_id is None:
        return Conflict(
            _("诉求工单当前状态为“{status}”，没有承办部门在办，不能督办").format(
                status=AppealStatus(appeal.status).label
            ),
            code="not_supervisable",
        )
    return None


# -- the 督办 ----------------------------------------------------------------------------------


def _refused_supervision(supervision: AppealSupervision, action: str) -> Conflict | None:
    try:
        SUPERVISION_TRANSITIONS.check(supervision, action)
    except Conflict as refusal:
        return refusal
    return None


def answers_supervision(user: User, supervision: AppealSupervision) -> bool:
    """A handler (诉求承办人员) of the department the 督办 is against."""
    return supervision.department_id in handler_department_ids(user)


def why_not_answer_supervision(
    user: User, supervision: AppealSupervision
) -> ApplicationError | None:
    if not answers_supervision(user, supervision):
        return Forbidden(_("只有被督办部门的承办人员可以反馈督办"), code="not_permitted")
    return _refused_supervision(supervision, SupervisionAction.ANSWER)


def why_not_close_supervision(
    user: User, supervision: AppealSupervision, *, zone_id: int
) -> ApplicationError | None:
    if not (is_supervisor(user) and _of_zone(user, zone_id)):
        return Forbidden(_("只有本开发区的电子监察人员可以督办销号"), code="not_permitted")
    return _refused_supervision(supervision, SupervisionAction.CLOSE)
