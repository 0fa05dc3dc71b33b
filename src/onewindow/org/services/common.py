"""Small helpers shared by the organisation's services."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationFailed
from onewindow.org.models import User


def _require(field: str, value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed.for_field(field, _("{label}不能为空").format(label=label))
    return value


def _actor_fields(actor: User) -> dict:
    return {"actor": actor.get_username(), "actor_id": actor.pk}
