"""The notification kinds cases sends (registered with core in ``CasesConfig.ready``).

- ``task_yellow`` / ``task_red``: a task's light turned yellow or red (to its holders);
- the applicant's messages (submitted, accepted, decided… and ``supplement_overdue``):
  ``cases/applicant_messages.py`` sends them, ``cases/applicant_message_kinds.py`` words
  them (administrators may edit the words).

Every one is about a case: subject ``("case", number)``, link the case page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases.constants import CASE_OBJECT_TYPE, Light
from onewindow.core.notifications import register_kind

TASK_KINDS = {Light.YELLOW: "task_yellow", Light.RED: "task_red"}


def format_date(value: dt.date) -> str:
    return _("{year}年{month:02d}月{day:02d}日").format(
        year=value.year, month=value.month, day=value.day
    )


def case_subject(number: str) -> tuple[str, str]:
    return (CASE_OBJECT_TYPE, number)


def case_link(number: str) -> str:
    return reverse("cases:case", args=[number])


def task_key(task_id: int, kind: str) -> str:
    """Once per task, light and person: the reminder job may run twice."""
    return f"task:{task_id}:{kind}"


def _title(context: Mapping[str, Any]) -> str:
    return _("办件提醒：{number}").format(number=context["number"])


def _task_yellow(context: Mapping[str, Any]) -> str:
    return _("办件 {number}「{step}」环节将于 {deadline} 到期（黄灯），请及时办理。").format(
        number=context["number"], step=context["step"], deadline=format_date(context["deadline"])
    )


def _task_red(context: Mapping[str, Any]) -> str:
    return _(
        "办件 {number}「{step}」环节已超期（红灯），办理期限为 {deadline}，请尽快办理。"
    ).format(
        number=context["number"], step=context["step"], deadline=format_date(context["deadline"])
    )


def register() -> None:
    label = gettext_lazy("查看办件")
    register_kind(TASK_KINDS[Light.YELLOW], render=_task_yellow, title=_title, link_label=label)
    register_kind(TASK_KINDS[Light.RED], render=_task_red, title=_title, link_label=label)
    # The applicant's messages (supplement_overdue among them): editable templates.
    from onewindow.cases import applicant_message_kinds

    applicant_message_kinds.register()
