"""The notification kinds appeals sends (registered with core in ``AppealsConfig.ready``).
Each part of the app registers its kinds in its own section of :func:`register`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.appeals.constants import WEEKLY_REPORT_NOTIFICATION
from onewindow.core.notifications import register_kind

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


def register() -> None:
    # -- reports
    register_kind(
        WEEKLY_REPORT_NOTIFICATION,
        render=_weekly_report,
        title=_weekly_report_title,
        link_label=gettext_lazy("查看通报"),
    )
