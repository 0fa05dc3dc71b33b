"""Admin of the item catalog: every write goes through ``catalog.services``.

* A new item is added as its first version (``item_create``); a draft is edited with
  ``item_draft_update``, its materials and steps in inlines. Published and retired
  versions are read-only: the "create new draft" action (``item_draft``) copies one into
  a draft, and "publish" (``item_publish``, also the "保存并发布" button) checks and
  publishes it.
* A bundle is saved with ``bundle_save`` and published with ``bundle_publish``.
* A refusal of a service (``ValidationFailed``, ``Conflict``) comes back as the form's
  errors, each next to the field it names; nothing is written.

By page: ``items``, ``versions`` (an item's versions with their materials and steps),
``bundles``; ``common`` holds what they share. Importing this package registers them all.
"""

from onewindow.catalog.admin import bundles, items, versions  # noqa: F401  (registers)
