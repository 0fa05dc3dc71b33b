"""The notification kinds reviews sends (registered with core in ``ReviewsConfig.ready``).

- ``rating_bad``: a bad rating opened a rectification (to the department's reviewers and
  deciders, in the zone's working language), in the inbox and through the backends;
- ``rating_invitation``: the SMS rating link of a delivered case (backends only, in the
  case's language: ``core.notifications.notify_contact``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.core.notifications import register_kind
from onewindow.reviews.constants import BAD_RATING_NOTIFICATION, RATING_INVITATION_NOTIFICATION
from onewindow.reviews.services.common import format_date


def _title(context: Mapping[str, Any]) -> str:
    return _("办件提醒：{number}").format(number=context["number"])


def _rating_bad(context: Mapping[str, Any]) -> str:
    # Staff are written to in the zone's working language.
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "办件 {number}（{title}）收到差评“{level}”（{channel}），请于 {due} 前核实整改"
            "并回访：{link}"
        ).format(
            number=context["number"],
            title=context["title"],
            level=context["level"],
            channel=context["channel"],
            due=format_date(context["due"]),
            link=context["link"],
        )


def _rating_invitation(context: Mapping[str, Any]) -> str:
    with translation.override(context["language"]):
        return _(
            "【{zone}】您申请的“{title}”（办件编号 {number}）已办结。欢迎对本次服务评价："
            "{link} （{date}前有效）"
        ).format(
            zone=context["zone"],
            title=context["title"],
            number=context["number"],
            link=context["link"],
            date=format_date(context["closes_on"]),
        )


def register() -> None:
    register_kind(
        BAD_RATING_NOTIFICATION,
        render=_rating_bad,
        title=_title,
        link_label=gettext_lazy("查看办件"),
    )
    register_kind(RATING_INVITATION_NOTIFICATION, render=_rating_invitation, title=_title)
