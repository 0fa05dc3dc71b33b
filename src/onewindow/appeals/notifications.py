"""The notification kinds appeals sends (registered with core in ``AppealsConfig.ready``).

- ``appeal_received``: the requester's user is told the number of the order just received
  (in the inbox, then through the backends).

Every message to a requester links to their page of the order (:func:`requester_link`).

Each part of the app keeps its kinds in its own section below and registers them in
:func:`register`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.appeals.constants import (
    ANSWERED_NOTIFICATION,
    DISPATCHED_NOTIFICATION,
    MERGED_NOTIFICATION,
    RECEIVED_NOTIFICATION,
    SUPERVISED_NOTIFICATION,
    WEEKLY_REPORT_NOTIFICATION,
)
from onewindow.core.notifications import register_kind


def requester_link(number: str) -> str:
    """The requester's page of order ``number``: the link of every message to a requester."""
    return reverse("appeals:my_appeal", args=[number])


def _title(context: Mapping[str, Any]) -> str:
    return _("诉求工单提醒：{number}").format(number=context["number"])


# -- follow-up and supervision ----------------------------------------------------------------


def _merged(context: Mapping[str, Any]) -> str:
    return _(
        "您的诉求工单 {number} 与工单 {into}（{subject}）反映的是同一事项，已合并办理，"
        "请在工单 {into} 查看办理进展。"
    ).format(number=context["number"], into=context["into"], subject=context["subject"])


def _supervised(context: Mapping[str, Any]) -> str:
    # Staff are written to in the zone's working language.
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "诉求工单 {number}（{subject}）因“{trigger}”被{level}，请于 {due} 前反馈办理情况。"
        ).format(
            number=context["number"],
            subject=context["subject"],
            trigger=context["trigger"],
            level=context["level"],
            due=context["due"],
        )


def _register_followup() -> None:
    register_kind(
        MERGED_NOTIFICATION,
        render=_merged,
        title=_title,
        link_label=gettext_lazy("查看诉求"),
    )
    register_kind(SUPERVISED_NOTIFICATION, render=_supervised, title=_title)


# -- reports ---------------------------------------------------------------------------------


def _weekly_report_title(context: Mapping[str, Any]) -> str:
    return _("诉求督查通报：{first} 至 {last}").format(first=context["first"], last=context["last"])


def _weekly_report(context: Mapping[str, Any]) -> str:
    # Staff are written to in the zone's working language.
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "{zone} {first} 至 {last} 的诉求督查通报已生成：受理 {received} 件，按时办结率 "
            "{on_time_rate}，满意率 {satisfaction_rate}，超期工单 {late} 件。"
        ).format(**context)


def _register_reports() -> None:
    register_kind(
        WEEKLY_REPORT_NOTIFICATION,
        render=_weekly_report,
        title=_weekly_report_title,
        link_label=gettext_lazy("查看通报"),
    )


# -- intake


def _received(context: Mapping[str, Any]) -> str:
    return _(
        "您反映的“{subject}”已受理，工单编号 {number}。{zone}将按时限办理并答复，"
        "您可以在“我的诉求”中查看进度。"
    ).format(subject=context["subject"], number=context["number"], zone=context["zone"])


def _register_intake() -> None:
    register_kind(
        RECEIVED_NOTIFICATION,
        render=_received,
        title=_title,
        link_label=gettext_lazy("查看诉求"),
    )


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
    _register_intake()
    _register_handling()
    _register_followup()
    _register_reports()
