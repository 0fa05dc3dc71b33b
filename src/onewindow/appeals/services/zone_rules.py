"""A zone's appeal rules as the administrator edits them (the admin): settings, time limits,
the category tree, the dispatch catalogue and the 督办 rules. Every save and delete is
recorded in the audit chain with the row before and after; settings and time limits need
the legal basis they rest on (GLOSSARY.md "Limits are data")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from onewindow.appeals.constants import SETTINGS_OBJECT_TYPE, AppealEvent
from onewindow.appeals.models import (
    AppealCategory,
    AppealSettings,
    AppealTimeLimit,
    DispatchRule,
    SupervisionRule,
)
from onewindow.appeals.services.common import actor_id, actor_name
from onewindow.core.audit import audit_append
from onewindow.core.errors import ValidationFailed
from onewindow.org.models import User

#: The rows this module saves, and whether they need a legal basis.
RULE_MODELS = (AppealSettings, AppealTimeLimit, AppealCategory, DispatchRule, SupervisionRule)
NEEDS_LEGAL_BASIS = (AppealSettings, AppealTimeLimit)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _snapshot(row: models.Model) -> dict[str, Any]:
    """The row's own columns (and many-to-many ids once saved), as JSON-ready values."""
    values = {
        field.attname: _plain(getattr(row, field.attname))
        for field in row._meta.concrete_fields
        if field.name not in ("id", "updated_at")
    }
    if row.pk:
        for field in row._meta.many_to_many:
            values[field.name] = sorted(getattr(row, field.name).values_list("pk", flat=True))
    return values


def _before(row: models.Model) -> dict[str, Any] | None:
    if not row.pk:
        return None
    stored = type(row)._default_manager.filter(pk=row.pk).first()
    return _snapshot(stored) if stored is not None else None


def _record(row: models.Model, *, actor: User | None, before, after, deleted: bool = False):
    audit_append(
        action=AppealEvent.SETTINGS_CHANGED,
        actor=actor_name(actor),
        actor_id=actor_id(actor),
        object_type=SETTINGS_OBJECT_TYPE,
        object_id=row.pk,
        data={
            "model": row._meta.model_name,
            "zone": getattr(row, "zone_id", None),
            "from": before,
            "to": None if deleted else after,
        },
    )


def zone_problems(row: models.Model, *, co_departments=()) -> dict[str, str]:
    """What of ``row`` belongs to another zone than its own (a parent category, a
    category, a department), by field; empty when all is of one zone."""
    zone_id = getattr(row, "zone_id", None)
    problems: dict[str, str] = {}
    checks = {
        "parent": (getattr(row, "parent", None), _("上级分类：不是本开发区的分类")),
        "category": (getattr(row, "category", None), _("诉求分类：不是本开发区的分类")),
        "lead_department": (
            getattr(row, "lead_department", None),
            _("主办部门：不是本开发区的部门"),
        ),
    }
    for field, (related, message) in checks.items():
        if related is not None and related.zone_id != zone_id:
            problems[field] = str(message)
    if any(department.zone_id != zone_id for department in co_departments):
        problems["co_departments"] = str(_("协办部门：不是本开发区的部门"))
    return problems


@transaction.atomic
def appeal_rule_save(*, row: models.Model, actor: User | None, save_related=None):
    """Save one rule row (``save_related``: the admin's many-to-many save, run after the
    row is saved) and record the change."""
    if not isinstance(row, RULE_MODELS):
        raise TypeError(f"{type(row).__name__} is not an appeal rule")
    if isinstance(row, NEEDS_LEGAL_BASIS) and not (row.legal_basis or "").strip():
        raise ValidationFailed.for_field(
            "legal_basis", _("依据：请填写设定时限所依据的文件"), code="required"
        )
    problems = zone_problems(row)
    if problems:
        raise ValidationFailed(
            _("；").join(problems.values()),
            code="other_zone",
            fields={field: [message] for field, message in problems.items()},
        )
    before = _before(row)
    row.save()
    if save_related is not None:
        save_related()
    _record(row, actor=actor, before=before, after=_snapshot(row))
    return row


@transaction.atomic
def appeal_rule_delete(*, row: models.Model, actor: User | None) -> None:
    """Delete one rule row (a dispatch or 督办 rule) and record what it was."""
    if not isinstance(row, (DispatchRule, SupervisionRule)):
        raise TypeError(f"{type(row).__name__} may not be deleted")
    before = _snapshot(row)
    pk = row.pk
    row.delete()
    row.pk = pk
    _record(row, actor=actor, before=before, after=None, deleted=True)
