"""The notification kinds suggestions sends (registered in ``SuggestionsConfig.ready``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.core.notifications import register_kind
from suggestions.constants import ANSWERED_NOTIFICATION


def _answered(context: Mapping[str, Any]) -> str:
    return _("{zone}已答复您的意见建议“{subject}”，请查看答复。").format(
        zone=context["zone"], subject=context["subject"]
    )


def _title(context: Mapping[str, Any]) -> str:
    return _("意见建议已答复")


def register() -> None:
    register_kind(
        ANSWERED_NOTIFICATION,
        render=_answered,
        title=_title,
        link_label=gettext_lazy("查看答复"),
    )
