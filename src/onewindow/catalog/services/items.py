"""Items and their versions: create, draft, edit a draft, check, publish, retire."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import Item, ItemVersion, Material, Step
from onewindow.catalog.search_keys import fold, name_search_keys
from onewindow.catalog.services.common import (
    ELEMENT_FIELDS,
    MATERIAL_FIELDS,
    CatalogAction,
    _actor_fields,
    _today,
)
from onewindow.catalog.services.item_checks import (
    _check_elements,
    _check_windows,
    _material_rows,
    _step_specs,
)
from onewindow.catalog.workflow import StepSpec, validate_workflow
from onewindow.core.audit import audit_append
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.locks import lock_row
from onewindow.org.models import User, Window, Zone

#: The search columns ``_apply`` derives from the elements.
SEARCH_COLUMNS = ("name_pinyin", "name_initials", "name_folded", "result_folded")

# --- writing a draft --------------------------------------------------------------------


def _ensure_draft(version: ItemVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            _("已发布的事项版本不可修改，请先创建新的草稿版本"), code="version_not_draft"
        )


def _version_values(version: ItemVersion) -> dict[str, Any]:
    return {field: getattr(version, field) for field in ELEMENT_FIELDS}


def _write_materials(version: ItemVersion, rows: list[dict]) -> None:
    version.materials.all().delete()
    Material.objects.bulk_create(
        Material(version=version, position=position, **row)
        for position, row in enumerate(rows, start=1)
    )


def _write_steps(version: ItemVersion, specs: list[StepSpec]) -> None:
    version.steps.all().delete()
    Step.objects.bulk_create(
        Step(
            version=version,
            position=position,
            key=spec.key,
            name=spec.name,
            kind=spec.kind,
            role=spec.role,
            limit_days=spec.limit_days,
            after=list(spec.after),
            department_id=spec.department_id,
        )
        for position, spec in enumerate(specs, start=1)
    )


def _unknown_elements(elements: dict) -> None:
    unknown = sorted(set(elements) - set(ELEMENT_FIELDS))
    if unknown:
        raise ValidationFailed.for_field(
            unknown[0], _("未知的事项要素“{field}”").format(field=unknown[0])
        )


def _apply(version: ItemVersion, values: dict[str, Any]) -> None:
    for field in ELEMENT_FIELDS:
        setattr(version, field, values[field])
    version.name_pinyin, version.name_initials = name_search_keys(version.name)
    version.name_folded = fold(version.name)
    version.result_folded = result_folded(version)


def result_folded(version: ItemVersion) -> str:
    """The search column of what ``version`` issues: its result name and its certificate
    type's name, folded, one per line (营业执照 finds the items that issue it)."""
    names = [version.result_name]
    if version.certificate_type_id:
        names.append(version.certificate_type.name)
    return "\n".join(dict.fromkeys(fold(name) for name in names if name and name.strip()))


def _default_phones(values: dict[str, Any], zone) -> None:
    """Phones left empty default to the zone's consultation and complaint phones."""
    for field, default in (
        ("consultation_phone", zone.phone),
        ("complaint_phone", zone.complaint_phone),
    ):
        if values.get(field) is None or str(values[field]).strip() == "":
            values[field] = default


@transaction.atomic
def item_create(
    *,
    zone: Zone,
    implementation_code: str,
    basic_code: str,
    elements: dict,
    materials: Sequence[dict] = (),
    steps: Sequence[dict] = (),
    windows: Sequence[Window] = (),
    actor: User | None,
) -> ItemVersion:
    """Create an item and its draft version 1.

    Phones left empty default to the zone's consultation and complaint phones. Refuses an
    implementation code already used in the zone (``Conflict``).
    """
    _unknown_elements(elements)
    codes = (
        (implementation_code or "").strip().upper(),
        (basic_code or "").strip().upper(),
    )
    values: dict[str, Any] = {
        field: ItemVersion._meta.get_field(field).get_default() for field in ELEMENT_FIELDS
    }
    values.update({"department": None, "certificate_type": None, "fee_amount": None})
    values.update(elements)
    _default_phones(values, zone)
    _check_elements(values, zone=zone, codes=codes, publish=False)
    rows = _material_rows(list(materials), zone=zone, publish=False)
    specs = _step_specs(list(steps), zone=zone)
    windows = _check_windows(windows, zone=zone)
    taken = Conflict(
        _("本区已有实施编码为“{code}”的事项").format(code=codes[0]),
        code="item_code_taken",
        fields={
            "implementation_code": [_("本区已有实施编码为“{code}”的事项").format(code=codes[0])]
        },
    )
    if Item.objects.filter(zone=zone, implementation_code=codes[0]).exists():
        raise taken
    try:
        with transaction.atomic():
            item = Item.objects.create(zone=zone, implementation_code=codes[0], basic_code=codes[1])
    except IntegrityError:  # created by a concurrent request since the check above
        raise taken from None
    version = ItemVersion(item=item, version=1, status=VersionStatus.DRAFT, created_by=actor)
    _apply(version, values)
    version.save(force_insert=True)
    _write_materials(version, rows)
    _write_steps(version, specs)
    version.windows.set(windows)
    audit_append(
        action=CatalogAction.ITEM_CREATED,
        object_type="item",
        object_id=item.implementation_code,
        data={"version": 1, "name": version.name},
        **_actor_fields(actor),
    )
    return version


@transaction.atomic
def item_draft(*, item: Item, actor: User | None) -> ItemVersion:
    """The item's draft: the existing one, or a copy of the published (else newest) version."""
    item = lock_row(Item, pk=item.pk)
    draft = item.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    source = (
        item.versions.filter(status=VersionStatus.PUBLISHED).first()
        or item.versions.order_by("-version").first()
    )
    number = (item.versions.aggregate(number=Max("version"))["number"] or 0) + 1
    draft = ItemVersion(item=item, version=number, status=VersionStatus.DRAFT, created_by=actor)
    if source is not None:
        _apply(draft, _version_values(source))
        draft.change_note = ""
    draft.save(force_insert=True)
    if source is not None:
        copied = [
            Material._meta.get_field(field).attname for field in (*MATERIAL_FIELDS, "position")
        ]
        Material.objects.bulk_create(
            Material(version=draft, **{field: getattr(material, field) for field in copied})
            for material in source.materials.all()
        )
        Step.objects.bulk_create(
            Step(
                version=draft,
                **{
                    field: getattr(step, field)
                    for field in ("position", "key", "name", "kind", "role", "limit_days")
                },
                after=list(step.after),
                department_id=step.department_id,
            )
            for step in source.steps.all()
        )
        draft.windows.set(source.windows.all())
    audit_append(
        action=CatalogAction.ITEM_DRAFT_CREATED,
        object_type="item",
        object_id=item.implementation_code,
        data={"version": number, "from_version": source.version if source else None},
        **_actor_fields(actor),
    )
    return draft


@transaction.atomic
def item_draft_update(
    *,
    version: ItemVersion,
    elements: dict | None = None,
    materials: Sequence[dict] | None = None,
    steps: Sequence[dict] | None = None,
    windows: Sequence[Window] | None = None,
    actor: User | None,
) -> ItemVersion:
    """Edit a draft; ``None`` keeps that part as it is. Published versions are refused."""
    # Locks in the order publishing takes them (item, then version), so an edit and a
    # publish of the same draft run one after the other: a publish never writes a version
    # whose new content it has not checked.
    lock_row(Item, pk=version.item_id)
    version = lock_row(ItemVersion, related=("item__zone",), pk=version.pk)
    _ensure_draft(version)
    item, zone = version.item, version.item.zone
    changed: list[str] = []
    if elements is not None:
        _unknown_elements(elements)
        values = _version_values(version) | dict(elements)
        _default_phones(values, zone)
        _check_elements(
            values,
            zone=zone,
            codes=(item.implementation_code, item.basic_code),
            publish=False,
        )
        _apply(version, values)
        changed = sorted(elements)
        version.save(update_fields=[*ELEMENT_FIELDS, *SEARCH_COLUMNS, "updated_at"])
    if materials is not None:
        _write_materials(version, _material_rows(list(materials), zone=zone, publish=False))
        changed.append("materials")
    if steps is not None:
        _write_steps(version, _step_specs(list(steps), zone=zone))
        changed.append("steps")
    if windows is not None:
        version.windows.set(_check_windows(windows, zone=zone))
        changed.append("windows")
    if changed:
        audit_append(
            action=CatalogAction.ITEM_DRAFT_UPDATED,
            object_type="item",
            object_id=item.implementation_code,
            data={"version": version.version, "changed": changed},
            **_actor_fields(actor),
        )
    return version


# --- publishing ---------------------------------------------------------------------


def _material_input(material: Material) -> dict[str, Any]:
    return {
        field: getattr(material, field)
        for field in MATERIAL_FIELDS
        if field not in ("template", "sample")
    }


def item_check(version: ItemVersion) -> None:
    """Every rule publishing applies, without writing (for a "check" button or import)."""
    item, zone = version.item, version.item.zone
    values = _version_values(version)
    _check_elements(
        values,
        zone=zone,
        codes=(item.implementation_code, item.basic_code),
        publish=True,
    )
    materials = list(version.materials.select_related("certificate_type", "source_department"))
    _material_rows([_material_input(m) for m in materials], zone=zone, publish=True)
    validate_workflow(
        [StepSpec.of(step) for step in version.steps.all()],
        promised_limit_days=version.promised_limit_days,
        handling_kind=version.handling_kind,
    )


@transaction.atomic
def item_publish(
    *, version: ItemVersion, actor: User | None, effective_from: dt.date | None = None
) -> ItemVersion:
    """Publish a draft: check everything, retire the published version, publish this one.

    The item row is locked first, so of two concurrent publishes one waits and then finds
    the version no longer a draft.
    """
    lock_row(Item, pk=version.item_id)
    version = lock_row(ItemVersion, related=("item__zone", "department"), pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            _("只有草稿版本可以发布，该版本（v{n}）{status}").format(
                n=version.version, status=version.get_status_display()
            ),
            code="version_not_draft",
        )
    item_check(version)
    now = timezone.now()
    previous = version.item.versions.filter(status=VersionStatus.PUBLISHED).first()
    if previous is not None:
        previous.status = VersionStatus.RETIRED
        previous.retired_at = now
        previous.save(update_fields=["status", "retired_at", "updated_at"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.effective_from = effective_from or _today()
    version.save(update_fields=["status", "published_at", "effective_from", "updated_at"])
    audit_append(
        action=CatalogAction.ITEM_PUBLISHED,
        object_type="item",
        object_id=version.item.implementation_code,
        data={
            "version": version.version,
            "retired_version": previous.version if previous else None,
            "effective_from": version.effective_from.isoformat(),
        },
        **_actor_fields(actor),
    )
    return version


@transaction.atomic
def item_retire(*, item: Item, actor: User | None) -> None:
    """Take the item off the catalog: its published version becomes retired."""
    item = lock_row(Item, pk=item.pk)
    published = item.versions.filter(status=VersionStatus.PUBLISHED).first()
    if published is None:
        raise Conflict(_("该事项没有已发布的版本"), code="item_not_published")
    published.status = VersionStatus.RETIRED
    published.retired_at = timezone.now()
    published.save(update_fields=["status", "retired_at", "updated_at"])
    audit_append(
        action=CatalogAction.ITEM_RETIRED,
        object_type="item",
        object_id=item.implementation_code,
        data={"version": published.version},
        **_actor_fields(actor),
    )
