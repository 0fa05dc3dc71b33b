"""The zone's review settings (rating window, rectification and return-visit days)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.audit import audit_append
from onewindow.core.errors import ValidationFailed
from onewindow.org.models import User
from onewindow.reviews.constants import (
    SETTINGS_OBJECT_TYPE,
    ReviewEventAction,
)
from onewindow.reviews.models import (
    ReviewSettings,
)
from onewindow.reviews.services.common import (
    _actor_id,
    _actor_name,
)

# -- settings ----------------------------------------------------------------------------------


SETTINGS_FIELDS = ("rating_window_days", "rectification_days", "return_visit_days", "legal_basis")


@transaction.atomic
def review_settings_save(*, settings: ReviewSettings, actor: User | None) -> ReviewSettings:
    """Save a zone's 好差评 limits (the admin's form) and record the change. New limits
    apply to ratings and rectifications from now on; deadlines already set stay."""
    before = (
        ReviewSettings.objects.filter(pk=settings.pk).values(*SETTINGS_FIELDS).first()
        if settings.pk
        else None
    )
    if not (settings.legal_basis or "").strip():
        raise ValidationFailed.for_field(
            "legal_basis", _("时限依据：请填写设定时限所依据的文件"), code="required"
        )
    settings.save()
    after = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    audit_append(
        action=ReviewEventAction.SETTINGS_CHANGED,
        actor=_actor_name(actor),
        actor_id=_actor_id(actor),
        object_type=SETTINGS_OBJECT_TYPE,
        object_id=settings.zone_id,
        data={"from": before, "to": after},
    )
    return settings
