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


def _register_redemption() -> None:
    pass


# -- applications ------------------------------------------------------------------------------


def _register_applications() -> None:
    pass


def register() -> None:
    _register_calculator()
    _register_redemption()
    _register_applications()
