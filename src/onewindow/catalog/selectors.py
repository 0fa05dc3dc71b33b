"""Reads of the catalog with logic: which version the public sees, and what a guide needs
in as few queries as there are kinds of rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from onewindow.catalog.bundles import MergedMaterial, Savings, bundle_savings, merge_materials
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Bundle, Item, ItemVersion, Material, Step
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.org.models import Department, Zone

#: The versions the public may read: the current one and those it replaced (a case
#: accepted under a retired version still shows that version's guide). Drafts never.
PUBLIC_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.RETIRED)


def _code(value: str | None) -> str:
    """A code from a URL or form, trimmed. One holding NUL (never in a code, and refused
    by PostgreSQL as a parameter) becomes "", which no row has: the lookup finds nothing."""
    value = (value or "").strip()
    return "" if "\x00" in value else value


def _guide_prefetches() -> list:
    return [
        Prefetch(
            "materials",
            queryset=Material.objects.select_related(
                "certificate_type", "source_department"
            ).order_by("position"),
        ),
        Prefetch("steps", queryset=Step.objects.select_related("department").order_by("position")),
    ]


def item_guide(*, zone: Zone, code: str, version: int | None = None) -> ItemVersion:
    """The version of the item with implementation code ``code`` that a guide shows.

    Without ``version``: the published one. With it: that version, published or retired.
    Materials (with certificate type and sharing department), steps (with department),
    windows, the implementing department and the certificate type come prefetched: four
    queries whatever the guide's size.
    """
    code = _code(code).upper()
    versions = ItemVersion.objects.filter(item__zone=zone, item__implementation_code=code)
    if version is None:
        versions = versions.filter(status=VersionStatus.PUBLISHED)
    else:
        versions = versions.filter(version=version, status__in=PUBLIC_STATUSES)
    guide = (
        versions.select_related("item", "department", "certificate_type")
        .prefetch_related(*_guide_prefetches(), "windows")
        .first()
    )
    if guide is not None:
        return guide
    if version is None:
        message = _("事项 {code} 不存在或未发布").format(code=code)
        raise NotFound(message, code="item_not_found", fields={"code": [message]})
    message = _("事项 {code} 没有可公开的第 {version} 版").format(code=code, version=version)
    raise NotFound(message, code="item_version_not_found", fields={"version": [message]})


def filter_department(*, zone: Zone, code: str | None) -> Department | None:
    """The department a search is narrowed to, by its code (None when no code is given).

    An unknown code is a mistake in the request, not a missing page: it is refused naming
    the field, so a typo never silently widens or empties the results.
    """
    code = (code or "").strip()
    if not code:
        return None
    department = Department.objects.filter(zone=zone, code__iexact=_code(code)).first()
    if department is None:
        raise ValidationFailed.for_field(
            "department",
            _("部门“{code}”不存在").format(code=code),
            code="unknown_department",
        )
    return department


@dataclass(frozen=True)
class BundleGuide:
    """What a bundle's guide shows: the bundle, the published version of each of its items
    in the bundle's order, the materials asked once, and what it saves."""

    bundle: Bundle
    versions: list[ItemVersion]
    materials: list[MergedMaterial]
    savings: Savings
    #: Items of the bundle with no published version now (retired after the bundle was
    #: published): the guide names them rather than silently leaving them out.
    unavailable_items: list[Item]


def bundle_guide(*, zone: Zone, code: str) -> BundleGuide:
    """The published bundle ``code`` of ``zone`` with everything its guide shows.

    Five queries whatever its size: the bundle, its items, their published versions,
    their materials, their steps. The merge and the savings are
    :mod:`onewindow.catalog.bundles`'s.
    """
    code = _code(code)
    bundle = (
        Bundle.objects.filter(zone=zone, code=code, status=VersionStatus.PUBLISHED)
        .select_related("lead_department")
        .first()
    )
    if bundle is None:
        message = _("一件事 {code} 不存在或未发布").format(code=code)
        raise NotFound(message, code="bundle_not_found", fields={"code": [message]})
    items = [
        entry.item for entry in bundle.bundle_items.select_related("item").order_by("position")
    ]
    published = {
        version.item_id: version
        for version in ItemVersion.objects.filter(
            item__in=[item.pk for item in items], status=VersionStatus.PUBLISHED
        )
        .select_related("item", "department", "certificate_type")
        .prefetch_related(*_guide_prefetches())
    }
    versions = [published[item.pk] for item in items if item.pk in published]
    return BundleGuide(
        bundle=bundle,
        versions=versions,
        materials=merge_materials(versions),
        savings=bundle_savings(bundle, versions),
        unavailable_items=[item for item in items if item.pk not in published],
    )
