"""What catalog contributes to the site's shell (``core.registry``, read by the portal): its
audit codes in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.catalog.services.common import CatalogAction
from onewindow.core import registry

registry.audit_labels(
    {
        CatalogAction.ITEM_CREATED: _("新建事项"),
        CatalogAction.ITEM_DRAFT_CREATED: _("新建事项草稿版本"),
        CatalogAction.ITEM_DRAFT_UPDATED: _("修改事项草稿版本"),
        CatalogAction.ITEM_PUBLISHED: _("发布事项版本"),
        CatalogAction.ITEM_RETIRED: _("停用事项"),
        CatalogAction.BUNDLE_CREATED: _("新建“一件事”"),
        CatalogAction.BUNDLE_UPDATED: _("修改“一件事”"),
        CatalogAction.BUNDLE_PUBLISHED: _("发布“一件事”"),
        CatalogAction.BUNDLE_WITHDRAWN: _("撤下“一件事”"),
        CatalogAction.ITEM_SEARCH_TERMS_CHANGED: _("修改事项搜索别名"),
        CatalogAction.BUNDLE_SEARCH_TERMS_CHANGED: _("修改“一件事”搜索别名"),
    }
)
