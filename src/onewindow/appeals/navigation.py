"""What appeals contributes to the site's shell (``core.registry``, read by the portal):
the desks in the main navigation, the slots on its pages, the audit codes in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.appeals.constants import (
    CENTRE_ROLES,
    DEPARTMENT_ROLES,
    REPORT_READER_ROLES,
    AppealEvent,
    HandlingEvent,
)
from onewindow.appeals.duplicates import duplicates_of
from onewindow.appeals.selectors import appeal_settings_for
from onewindow.core import registry
from onewindow.org.constants import Role

# The audit codes appeals writes, in words (the audit trail, the home pages).
registry.audit_labels(
    {
        AppealEvent.RECEIVED: _("受理诉求"),
        AppealEvent.ANSWERED_NOW: _("诉求即时办结"),
        AppealEvent.REFUSED: _("诉求不予受理"),
        AppealEvent.TRANSFERRED: _("诉求转紧急热线"),
        AppealEvent.DISPATCHED: _("诉求派单"),
        AppealEvent.SIGNED: _("诉求签收"),
        AppealEvent.RETURN_REQUESTED: _("诉求申请退回"),
        AppealEvent.RETURN_REFUSED_LATE: _("超时退回被拒"),
        AppealEvent.REDISPATCHED: _("诉求改派"),
        AppealEvent.DESIGNATED: _("诉求指定承办"),
        AppealEvent.EXTENSION_REQUESTED: _("诉求申请延期"),
        AppealEvent.EXTENSION_DECIDED: _("审批诉求延期"),
        AppealEvent.REPLIED: _("诉求答复"),
        AppealEvent.REPLY_APPROVED: _("审核通过诉求答复"),
        AppealEvent.REPLY_REJECTED: _("诉求答复退回重办"),
        AppealEvent.VISITED: _("诉求回访"),
        AppealEvent.REOPENED: _("诉求重办"),
        AppealEvent.CLOSED: _("诉求办结"),
        AppealEvent.MERGED: _("诉求合并"),
        AppealEvent.SUPERVISED: _("诉求督办"),
        AppealEvent.SUPERVISION_ANSWERED: _("督办反馈"),
        AppealEvent.SUPERVISION_CLOSED: _("督办销号"),
        AppealEvent.PART_ADDED: _("协办意见"),
        AppealEvent.IMPORTED: _("接收12345平台工单"),
        AppealEvent.DEADLINES_RECOMPUTED: _("重新计算诉求期限"),
        AppealEvent.REQUESTER_VIEWED: _("查看保密诉求人信息"),
        AppealEvent.SETTINGS_CHANGED: _("修改诉求办理规则"),
        AppealEvent.ARTICLE_SAVED: _("保存知识库条目"),
    }
)

# -- each part of the app adds its navigation entries and fragments below --

# -- follow-up and supervision ----------------------------------------------------------------
# The slots: "appeals.order_page.actions" (the staff order page) and
# "appeals.requester_page.actions" (the requester's order page) are shown with the order as
# ``appeal``: ``{% slot "appeals.order_page.actions" appeal=appeal %}``.

from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from onewindow.appeals.followup_rules import (  # noqa: E402
    why_not_close,
    why_not_merge,
    why_not_reopen,
    why_not_supervise,
    why_not_visit,
)
from onewindow.appeals.forms_applicant import (  # noqa: E402
    CloseForm,
    MergeForm,
    ReopenForm,
    SuperviseForm,
    VisitForm,
)

#: (action, heading, button) of each form, in the order the page shows them.
_STAFF_ACTIONS = (
    ("visit", _("回访"), _("登记回访结果"), VisitForm),
    ("close", _("办结（不回访）"), _("办结"), CloseForm),
    ("merge", _("合并重复诉求"), _("合并"), MergeForm),
    ("supervise", _("督办"), _("督办"), SuperviseForm),
)
_REQUESTER_ACTIONS = (
    ("visit", _("评价办理结果"), _("提交评价"), VisitForm),
    ("reopen", _("申请重办"), _("申请重办"), ReopenForm),
)


def _staff_followup(context, *, appeal=None, **arguments) -> dict | None:
    """The follow-up forms the signed-in staff member may use on ``appeal`` now (the
    services' own rules decide); none leaves the fragment out."""
    user = context["request"].user
    if appeal is None or not user.is_authenticated or user.is_applicant:
        return None
    allowed = {
        "visit": why_not_visit(user, appeal) is None,
        "close": why_not_close(user, appeal) is None,
        "merge": why_not_merge(user, appeal) is None,
        "supervise": why_not_supervise(user, appeal) is None,
    }
    actions = [
        {
            "action": action,
            "heading": heading,
            "button": button,
            "form": form_class(prefix=action),
            "url": reverse(
                "appeals:followup_staff_action",
                kwargs={"number": appeal.number, "action": action},
            ),
        }
        for action, heading, button, form_class in _STAFF_ACTIONS
        if allowed[action]
    ]
    return {"followup_actions": actions} if actions else None


def _requester_followup(context, *, appeal=None, **arguments) -> dict | None:
    """The requester's verdict and reopen request on ``appeal``, when they may use them."""
    user = context["request"].user
    if appeal is None or not user.is_authenticated or not user.is_applicant:
        return None
    allowed = {
        "visit": why_not_visit(user, appeal, by_requester=True) is None,
        "reopen": why_not_reopen(user, appeal, now=timezone.now()) is None,
    }
    actions = [
        {
            "action": action,
            "heading": heading,
            "button": button,
            "form": form_class(prefix=action),
            "url": reverse(
                "appeals:followup_requester_action",
                kwargs={"number": appeal.number, "action": action},
            ),
        }
        for action, heading, button, form_class in _REQUESTER_ACTIONS
        if allowed[action]
    ]
    if not actions:
        return None
    return {"followup_actions": actions, "reopen_until": appeal.reopen_until}


registry.fragment(
    "appeals.order_page.actions",
    "appeals/followup/_staff_actions.html",
    order=50,
    context=_staff_followup,
)
registry.fragment(
    "appeals.requester_page.actions",
    "appeals/followup/_requester_actions.html",
    order=50,
    context=_requester_followup,
)
registry.nav_entry(
    "appeals:supervision_board",
    _("诉求督办"),
    order=46,
    # 电子监察 watch the board; a department's handlers find there the 督办 they answer.
    roles={Role.SUPERVISOR, Role.APPEAL_HANDLER},
    current_names=("supervision",),
)

# -- reports
registry.nav_entry(
    "appeals:weekly_report",
    _("诉求统计"),
    order=66,
    roles=REPORT_READER_ROLES,
    current_names=("weekly_report", "report_department"),
)
# -- intake
from onewindow.appeals.constants import OPERATOR_ROLES  # noqa: E402

registry.nav_entry(
    "appeals:mine",
    _("我的诉求"),
    order=30,
    applicant=True,
    current_names=("new", "submitted", "my_appeal"),
)
registry.nav_entry(
    "appeals:hotline_new",
    _("来电登记"),
    order=15,
    roles=OPERATOR_ROLES,
    current_names=("hotline_done",),
)
# The hotline seat's work page after login.
registry.landing("appeals:hotline_new", order=15, roles=OPERATOR_ROLES)

# -- handling: the centre's board and the department's queue --------------------------------------
registry.nav_entry(
    "appeals:centre_board",
    _("诉求派单"),
    order=44,
    roles=CENTRE_ROLES,
    current_names=("staff_order",),
)
registry.nav_entry(
    "appeals:department_queue",
    _("诉求办理"),
    order=45,
    roles=DEPARTMENT_ROLES,
    current_names=("staff_order",),
)
registry.audit_labels({HandlingEvent.CO_SIGNED: _("协办签收")})
registry.landing("appeals:centre_board", order=44, roles=CENTRE_ROLES)
registry.landing("appeals:department_queue", order=45, roles=DEPARTMENT_ROLES)
# -- knowledge base and duplicates


registry.nav_entry(
    "appeals:knowledge_list",
    _("诉求知识库"),
    order=75,
    roles={Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.APPEAL_HANDLER},
    current_names=("knowledge_new", "knowledge_detail", "knowledge_edit"),
)


def staff_order_url(number: str) -> str:
    """The staff order page of ``number`` (``/appeals/staff/<number>/``, the handling
    desk's page that shows this fragment)."""
    return reverse("appeals:staff_order", kwargs={"number": number})


def _duplicates(context, *, appeal) -> dict | None:
    """The suggested duplicates of the order on the staff order page, among the orders the
    viewer may see; nothing for an applicant."""
    user = context["request"].user
    if not user.is_authenticated or user.is_applicant:
        return None
    found = duplicates_of(appeal, user=user)
    return {
        "duplicates": [
            {"appeal": row, "score": score, "url": staff_order_url(row.number)}
            for row, score in found
        ],
        "duplicate_window_days": appeal_settings_for(appeal.zone_id).duplicate_window_days,
    }


registry.fragment(
    "appeals.order_page.panels",
    "appeals/knowledge/_duplicates.html",
    order=50,
    context=_duplicates,
)


# -- intake: 差评转诉求 --------------------------------------------------------------------------
# On the staff's page of a bad rating: the appeal it became, or "转为诉求" for those who may.
# On the rater's list of cases: the number of the appeal their rating became.


from onewindow.appeals.ratings import (  # noqa: E402
    appeal_of_rating,
    appeals_of_cases,
    is_bad,
    may_turn_ratings,
)


def _rating_turn(context, *, rating) -> dict | None:
    user = context["request"].user
    if not is_bad(rating):
        return None
    turned = appeal_of_rating(rating)
    may_turn = may_turn_ratings(user) and user.zone_id == rating.zone_id
    if turned is None and not may_turn:
        return None
    return {"turned": turned, "may_turn": may_turn}


def _rater_appeal(context, *, case, cases) -> dict | None:
    """The appeal a rating of ``case`` became, read for the whole list at its first row."""
    memo = context.render_context.get("appeals.rating_appeals")
    if memo is None or memo[0] is not cases:
        user = context["request"].user
        found = appeals_of_cases(user, [row.pk for row in cases]) if user.is_authenticated else {}
        memo = (cases, found)
        context.render_context["appeals.rating_appeals"] = memo
    appeal = memo[1].get(case.pk)
    return {"appeal": appeal} if appeal is not None else None


registry.fragment(
    "reviews.rectification.rating", "appeals/intake/_rating_turn.html", context=_rating_turn
)
registry.fragment(
    "cases.my_cases.case_status",
    "appeals/intake/_rating_appeal_rater.html",
    order=10,
    context=_rater_appeal,
)
