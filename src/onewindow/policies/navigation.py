"""What policies contributes to the site's shell (``core.registry``, read by the portal):
the desks in the main navigation, the landing pages, the audit codes in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core import registry
from onewindow.policies.constants import Event

registry.audit_labels(
    {
        Event.POLICY_CREATED: _("录入政策"),
        Event.POLICY_CHANGED: _("修改政策"),
        Event.ITEM_CREATED: _("新增兑现事项"),
        Event.VERSION_SAVED: _("保存兑现事项版本"),
        Event.VERSION_PUBLISHED: _("发布兑现事项"),
        Event.VERSION_RETIRED: _("停用兑现事项"),
        Event.FACTS_CHANGED: _("更新企业档案"),
        Event.MATCH_RUN: _("免申即享匹配"),
        Event.REDEMPTION_CREATED: _("生成政策兑现"),
        Event.REDEMPTION_MOVED: _("政策兑现状态变更"),
        Event.PUBLICITY_OPENED: _("发布兑现公示"),
        Event.PUBLICITY_CLOSED: _("兑现公示结束"),
        Event.OBJECTION_FILED: _("提出公示异议"),
        Event.OBJECTION_ANSWERED: _("答复公示异议"),
        Event.PAYMENT_RECORDED: _("登记拨付"),
        Event.SUBSCRIBED: _("订阅政策提醒"),
        Event.UNSUBSCRIBED: _("取消政策提醒"),
    }
)

# -- each part of the app adds its navigation entries and landings below, in its section --

# -- profile ----------------------------------------------------------------------------------
registry.nav_entry(
    "policies:profile", _("企业画像"), order=35, applicant=True, current_names=("profile",)
)

# -- officer (policies, items, versions) -------------------------------------------------------

# -- calculator and subscriptions --------------------------------------------------------------

# -- redemption (免申即享, 公示, 拨付) ------------------------------------------------------

# -- applications and supervision --------------------------------------------------------------
