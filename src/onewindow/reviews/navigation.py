"""What reviews contributes to the site's shell (``core.registry``, read by the portal): the
rectification desks in the main navigation, the "rate it" link beside a delivered case in
the applicant's list, and the rating QR code's link on the staff case page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core import registry
from onewindow.org.constants import Role
from onewindow.reviews.constants import ReviewEventAction
from onewindow.reviews.selectors import rating_states

registry.nav_entry(
    "reviews:rectifications", _("差评整改"), order=40, roles={Role.REVIEWER, Role.DECIDER}
)
registry.nav_entry("reviews:supervision", _("差评监督"), order=50, roles={Role.SUPERVISOR})


def _case_status(context, *, case, cases) -> dict:
    """The rating state of ``case``, read for the whole list ``cases`` at its first row (a
    fixed number of queries per page)."""
    memo = context.render_context.get("reviews.rating_states")
    if memo is None or memo[0] is not cases:
        user = context["request"].user
        states = rating_states(user, cases) if user.is_authenticated else {}
        memo = (cases, states)
        context.render_context["reviews.rating_states"] = memo
    return {"state": memo[1].get(case.number, "")}


registry.fragment(
    "cases.my_cases.case_status", "reviews/fragments/_case_status.html", context=_case_status
)
registry.fragment("cases.case_page.rating", "reviews/fragments/_rating_code_link.html")

# The audit codes reviews writes, in words (the audit trail, the home pages).
registry.audit_labels(
    {
        ReviewEventAction.RATING_SUBMITTED: _("提交评价"),
        ReviewEventAction.RATING_INVITATION_SENT: _("发送评价邀请"),
        ReviewEventAction.RECTIFICATION_OPENED: _("差评转整改"),
        ReviewEventAction.RECTIFICATION_RECORDED: _("登记整改情况"),
        ReviewEventAction.RETURN_VISIT_RECORDED: _("登记回访结果"),
        ReviewEventAction.CLOSED_WITHOUT_VISIT: _("未回访办结"),
        ReviewEventAction.DEADLINES_RECOMPUTED: _("重新计算整改期限"),
        ReviewEventAction.SETTINGS_CHANGED: _("修改好差评设置"),
    }
)
