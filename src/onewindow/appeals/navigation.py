"""What appeals contributes to the site's shell (``core.registry``, read by the portal):
the desks in the main navigation, the slots on its pages, the audit codes in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.appeals.constants import AppealEvent
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
    return f"/appeals/staff/{number}/"


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
