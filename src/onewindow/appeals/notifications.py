"""The notification kinds appeals sends (registered with core in ``AppealsConfig.ready``).
Each part of the app keeps its kinds in its own section of ``register``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.appeals.constants import ANSWERED_NOTIFICATION, DISPATCHED_NOTIFICATION
from onewindow.core.notifications import register_kind

# -- handling ----------------------------------------------------------------------------------


def _dispatched_title(context: Mapping[str, Any]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("诉求工单待签收：{number}").format(number=context["number"])


def _dispatched(context: Mapping[str, Any]) -> str:
    # Staff are written to in the zone's working language.
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "诉求工单 {number}（{subject}）已派至{department}（{role}），请于 {sign_due} 前签收。"
        ).format(
            number=context["number"],
            subject=context["subject"],
            department=context["department"],
            role=context["role"],
            sign_due=context["sign_due"],
        )


def _answered_title(context: Mapping[str, Any]) -> str:
    return _("诉求已答复：{number}").format(number=context["number"])


def _answered(context: Mapping[str, Any]) -> str:
    return _("您反映的诉求 {number}（{subject}）已答复：{reply}").format(
        number=context["number"], subject=context["subject"], reply=context["reply"]
    )


def _register_handling() -> None:
    register_kind(
        DISPATCHED_NOTIFICATION,
        render=_dispatched,
        title=_dispatched_title,
        link_label=gettext_lazy("查看工单"),
    )
    register_kind(
        ANSWERED_NOTIFICATION,
        render=_answered,
        title=_answered_title,
        link_label=gettext_lazy("查看答复"),
    )


def register() -> None:
    _register_handling()
