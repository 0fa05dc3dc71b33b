"""What the catalog's services share: the audit actions, the element and material field
lists, the error collector and small helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from onewindow.catalog.models import ItemVersion
from onewindow.core.errors import ValidationFailed
from onewindow.org.models import User

SHANGHAI = ZoneInfo("Asia/Shanghai")


class CatalogAction:
    """Audit actions of the catalog (past tense)."""

    ITEM_CREATED = "catalog.item_created"
    ITEM_DRAFT_CREATED = "catalog.item_draft_created"
    ITEM_DRAFT_UPDATED = "catalog.item_draft_updated"
    ITEM_PUBLISHED = "catalog.item_published"
    ITEM_RETIRED = "catalog.item_retired"
    BUNDLE_CREATED = "catalog.bundle_created"
    BUNDLE_UPDATED = "catalog.bundle_updated"
    BUNDLE_PUBLISHED = "catalog.bundle_published"
    BUNDLE_WITHDRAWN = "catalog.bundle_withdrawn"
    ITEM_SEARCH_TERMS_CHANGED = "catalog.item_search_terms_changed"
    BUNDLE_SEARCH_TERMS_CHANGED = "catalog.bundle_search_terms_changed"


ELEMENT_FIELDS = (
    "name",
    "item_type",
    "department",
    "legal_basis",
    "legal_citations",
    "legal_limit_days",
    "promised_limit_days",
    "handling_kind",
    "acceptance_conditions",
    "fee_free",
    "fee_amount",
    "fee_basis",
    "required_visits",
    "online_depth",
    "delegated_from_level",
    "delegated_from_organ",
    "delegation_agreement_date",
    "delegation_status",
    "consultation_phone",
    "complaint_phone",
    "certificate_type",
    "result_name",
    "issue_before_supplement",
    "issue_before_supplement_basis",
    "change_note",
)
TEXT_ELEMENTS = (
    "name",
    "legal_basis",
    "acceptance_conditions",
    "fee_basis",
    "delegated_from_organ",
    "consultation_phone",
    "complaint_phone",
    "result_name",
    "issue_before_supplement_basis",
    "change_note",
)
MATERIAL_FIELDS = (
    "name",
    "required",
    "originals",
    "copies",
    "medium",
    "source",
    "certificate_type",
    "source_department",
    "notes",
    "tolerable",
    "commitment_allowed",
    "template",
    "sample",
)
STEP_FIELDS = ("key", "name", "kind", "role", "limit_days", "after", "department")


# --- helpers ------------------------------------------------------------------------


class _Errors:
    """Problems collected field by field; raised together so a form shows them all."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(str(message))

    def merge(self, error: ValidationFailed) -> None:
        for field, messages in error.fields.items():
            for message in messages:
                self.add(field, message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ValidationFailed(first, fields=self.fields)


def _label(field: str) -> str:
    return str(ItemVersion._meta.get_field(field).verbose_name)


def _actor_fields(actor: User | None) -> dict[str, Any]:
    if actor is None:
        return {"actor": "system", "actor_id": ""}
    return {"actor": actor.get_username(), "actor_id": actor.pk}


def _today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def _whole_number(value: Any) -> int | None:
    """A non-negative whole number, or None when ``value`` is not one."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 32767:
        return None
    return value
