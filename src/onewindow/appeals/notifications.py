"""The notification kinds appeals sends (registered with core in ``AppealsConfig.ready``).

- ``appeal_received``: the requester's user is told the number of the order just received
  (in the inbox, then through the backends).

Other parts of the app add their kinds in their own section below, and register them in
``register()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.appeals.constants import RECEIVED_NOTIFICATION
from onewindow.core.notifications import register_kind


def _title(context: Mapping[str, Any]) -> str:
    return _("诉求提醒：{number}").format(number=context["number"])


# -- intake


def _received(context: Mapping[str, Any]) -> str:
    return _(
        "您反映的“{subject}”已受理，工单编号 {number}。{zone}将按时限办理并答复，"
        "您可以在“我的诉求”中查看进度。"
    ).format(subject=context["subject"], number=context["number"], zone=context["zone"])


def register() -> None:
    register_kind(
        RECEIVED_NOTIFICATION,
        render=_received,
        title=_title,
        link_label=gettext_lazy("查看诉求"),
    )
