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
        Event.FACTS_IMPORTED: _("导入企业档案"),
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
    "policies:profile", _("企业画像"), order=36, applicant=True, current_names=("profile",)
)

# -- officer (policies, items, versions) -------------------------------------------------------
from onewindow.org.constants import Role  # noqa: E402

registry.nav_entry("policies:manage", _("政策管理"), order=55, roles={Role.POLICY_OFFICER})
registry.landing("policies:manage", order=40, roles={Role.POLICY_OFFICER})
# The public navigation of base.html is not in the registry (it names its links itself); the
# signed-in see 惠企政策 here, everyone reaches it at /policies/.
from onewindow.org.admin_roles import is_audit_admin  # noqa: E402


def _public(user) -> bool:
    """A public page: every signed-in user but the audit administrator (the audit trail
    only, ADR 0010)."""
    return user.is_authenticated and not is_audit_admin(user)


registry.nav_entry("policies:list", _("惠企政策"), order=90, shown=_public)

# -- calculator and subscriptions --------------------------------------------------------------
# 政策计算器 for applicants (the page itself refuses one who represents no enterprise); the
# public try (公开试算, no sign-in) as a header link for visitors who are not signed in, as
# the case lookup is a header tool for staff.


def _public_try(context) -> dict | None:
    request = context.get("request")
    if request is None or request.user.is_authenticated:
        return None
    return {}


registry.nav_entry("policies:calculator", _("政策计算器"), order=35, applicant=True)
registry.fragment("site.header.tools", "policies/calculator/_try_link.html", context=_public_try)

# -- redemption (免申即享, 公示, 拨付) ------------------------------------------------------
from onewindow.org.constants import Role  # noqa: E402

registry.nav_entry(
    "policies:my_redemptions",
    _("我的政策兑现"),
    order=32,
    applicant=True,
    current_names=("my_redemption",),
)
registry.nav_entry(
    "policies:redemption_desk",
    _("兑现管理"),
    order=52,
    roles={Role.POLICY_OFFICER},
    current_names=("redemption_manage",),
)
# The 公示 is public: every signed-in user (not the audit administrator) sees the link;
# visitors find it in the header.
registry.nav_entry(
    "policies:publicity_list",
    _("政策兑现公示"),
    order=90,
    shown=_public,
    current_names=("publicity_detail",),
)


def _publicity_link(context) -> dict | None:
    request = context.get("request")
    if request is None or request.user.is_authenticated:
        return None
    return {}


registry.fragment(
    "site.header.tools", "policies/redemption/_publicity_link.html", context=_publicity_link
)

# -- applications and supervision --------------------------------------------------------------
from onewindow.policies.permissions import READER_ROLES  # noqa: E402
from onewindow.policies.services.figures import FIGURES_EXPORTED  # noqa: E402

registry.nav_entry(
    "policies:figures",
    _("政策兑现统计"),
    order=67,
    roles=READER_ROLES,
    current_names=("figures", "figures_item"),
)
registry.audit_labels({FIGURES_EXPORTED: _("导出政策兑现统计")})

# The case's submission and decision move a 快申快享 / 依申请 redemption (receivers connect here,
# at start-up, as navigation modules are imported by the portal).
import onewindow.policies.services.applications  # noqa: E402, F401
