"""The notification kinds the policies app sends (registered with core in
``PoliciesConfig.ready``, see docs/notifications.md).

Each part of the app keeps its kinds in its own section below and registers them in
:func:`register`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.core.notifications import register_kind

# -- calculator ------------------------------------------------------------------------------

#: A subscribed enterprise now qualifies (or nearly qualifies) for an item: told once per
#: (enterprise, version) to each of its representatives who subscribed (key
#: ``policy-match:<enterprise>:<version>``).
MATCH_NOTIFICATION = "policy_match"


def _match_title(context: Mapping[str, Any]) -> str:
    with translation.override(context.get("language") or settings.LANGUAGE_CODE):
        if context["outcome"] == "eligible":
            return _("政策提醒：{enterprise} 可享受“{item}”").format(**context)
        return _("政策提醒：{enterprise} 接近符合“{item}”").format(**context)


def _match(context: Mapping[str, Any]) -> str:
    with translation.override(context.get("language") or settings.LANGUAGE_CODE):
        if context["outcome"] == "eligible":
            text = _("按企业画像，{enterprise} 符合“{item}”（{code}）的条件").format(**context)
            if context.get("amount"):
                text += _("，测算金额 {amount} 万元").format(amount=context["amount"])
            text += _("。")
        else:
            text = _(
                "按企业画像，{enterprise} 接近符合“{item}”（{code}），还差：{missing}。"
            ).format(**context)
        if context.get("effective_from"):
            text += _("该事项自 {effective_from} 起施行。").format(**context)
        return text + _("结果仅供参考，详情请在政策计算器中查看。")


def _register_calculator() -> None:
    register_kind(
        MATCH_NOTIFICATION,
        render=_match,
        title=_match_title,
        link_label=gettext_lazy("打开政策计算器"),
    )


# -- redemption --------------------------------------------------------------------------------


#: A 免申即享 match waits for the enterprise's confirmation.
REDEMPTION_MATCHED = "policy_redemption_matched"
#: The redemption is on a publication list (公示).
REDEMPTION_PUBLICISED = "policy_redemption_publicised"
REDEMPTION_PAID = "policy_redemption_paid"
REDEMPTION_CLAWED_BACK = "policy_redemption_clawed_back"


def _redemption_title(context: Mapping[str, Any]) -> str:
    return _("政策兑现提醒：{number}").format(number=context["number"])


def _matched(context: Mapping[str, Any]) -> str:
    return _(
        "贵企业符合“{item}”的兑现条件（免申即享），兑现编号 {number}，金额 {amount} 万元。"
        "请于 {due} 前在“我的政策兑现”中填写收款账户并确认。"
    ).format(**context)


def _publicised(context: Mapping[str, Any]) -> str:
    return _("贵企业的政策兑现 {number}（{item}）已列入公示，公示期至 {ends_on}。").format(
        **context
    )


def _paid(context: Mapping[str, Any]) -> str:
    return _("贵企业的政策兑现 {number}（{item}）已拨付 {amount} 万元，凭证号 {voucher}。").format(
        **context
    )


def _clawed_back(context: Mapping[str, Any]) -> str:
    return _("贵企业的政策兑现 {number}（{item}）已追回 {amount} 万元，原因：{reason}。").format(
        **context
    )


def _register_redemption() -> None:
    link = gettext_lazy("查看兑现")
    register_kind(REDEMPTION_MATCHED, render=_matched, title=_redemption_title, link_label=link)
    register_kind(
        REDEMPTION_PUBLICISED, render=_publicised, title=_redemption_title, link_label=link
    )
    register_kind(REDEMPTION_PAID, render=_paid, title=_redemption_title, link_label=link)
    register_kind(
        REDEMPTION_CLAWED_BACK, render=_clawed_back, title=_redemption_title, link_label=link
    )


# -- applications ------------------------------------------------------------------------------


def _register_applications() -> None:
    pass


def register() -> None:
    _register_calculator()
    _register_redemption()
    _register_applications()
