"""Writes of the item catalog: items and their versions, bundles (一件事).

Every write goes through here (admin, Excel import, demo data, API): one use-case per
function, each in a transaction, each appending an audit event.

Versions. ``item_create`` makes an item and its draft version 1. ``item_draft`` returns
the item's draft, or copies the published (else the newest) version into a new draft.
``item_draft_update`` edits a draft only. ``item_publish`` checks everything, retires the
previously published version and publishes the draft, under a lock on the item. A
published or retired version is never written again, nor are its materials, steps or
windows: cases keep pointing at exactly what the applicant was told.

Checks. A draft is always *consistent* (every element rule below holds for what it has),
but may be *incomplete*: the legal basis, the phones, at least one material and a valid
workflow are required only to publish. Errors name the field; element fields use their
``ItemVersion`` names, materials ``materials.<index>.<field>`` (index from 0, the message
says 第N项 from 1), the workflow ``steps``.

By use-case: ``items`` (create, draft, edit, check, publish, retire), ``item_checks`` (the
rules of elements, materials, steps and windows), ``bundles``, ``search_terms`` (synonyms,
colloquial and English names, editable at any time); ``common`` holds what they share
(audit actions, field lists, the error collector). Callers import from
``onewindow.catalog.services``.
"""

from onewindow.catalog.services.bundles import (
    FORM_FIELD_TYPES,
    bundle_check,
    bundle_publish,
    bundle_save,
    bundle_withdraw,
)
from onewindow.catalog.services.common import (
    ELEMENT_FIELDS,
    MATERIAL_FIELDS,
    STEP_FIELDS,
    TEXT_ELEMENTS,
    CatalogAction,
)
from onewindow.catalog.services.items import (
    item_check,
    item_create,
    item_draft,
    item_draft_update,
    item_publish,
    item_retire,
)
from onewindow.catalog.services.search_terms import (
    bundle_search_terms_set,
    clean_search_terms,
    item_search_terms_set,
)

__all__ = [
    "ELEMENT_FIELDS",
    "FORM_FIELD_TYPES",
    "MATERIAL_FIELDS",
    "STEP_FIELDS",
    "TEXT_ELEMENTS",
    "CatalogAction",
    "bundle_check",
    "bundle_publish",
    "bundle_save",
    "bundle_search_terms_set",
    "bundle_withdraw",
    "clean_search_terms",
    "item_check",
    "item_create",
    "item_draft",
    "item_draft_update",
    "item_publish",
    "item_retire",
    "item_search_terms_set",
]
