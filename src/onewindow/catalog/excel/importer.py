"""Import, pass 2: write a checked file through the catalog services, all or nothing.

For each item of the file, in one transaction: ``item_create`` + ``item_publish`` for a new
code; ``item_draft`` + ``item_draft_update`` + ``item_publish`` when the published version
differs from the row (publishing retires it); nothing when it is the same. A refusal by a
service (``ValidationFailed`` naming fields, or ``Conflict``) is placed on the cell it
concerns, the remaining items are still tried so every problem is reported, and then the
transaction is rolled back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Prefetch

from onewindow.catalog import services
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.excel.layout import (
    ITEM_CODE_COLUMN,
    ITEM_COLUMNS,
    ITEMS,
    MATERIAL_COLUMNS,
    MATERIALS,
    STEP_COLUMNS,
    STEPS,
    Column,
)
from onewindow.catalog.excel.reader import ParsedItem, Problem, read_catalog
from onewindow.catalog.models import Item, ItemVersion, Material, Step
from onewindow.certificates.models import CertificateType
from onewindow.core.errors import ApplicationError
from onewindow.org.models import Department, Window, Zone

# Keys of the parsed rows that are not service fields.
ROW_ONLY = ("implementation_code", "basic_code", "position")
PHONES = ("consultation_phone", "complaint_phone")
CHANGE_NOTE_LENGTH = ItemVersion._meta.get_field("change_note").max_length

# services.py names fields ``materials.<index>.<field>`` and reports workflow problems under
# ``steps``, naming the step as 第N个环节 or by its key in quotes.
_NESTED_FIELD = re.compile(r"^(materials|steps)\.(\d+)(?:\.(\w+))?$")
_STEP_NUMBER = re.compile(r"第(\d+)个环节")
_QUOTED = re.compile(r"“([^”]+)”")


@dataclass
class ImportReport:
    """What an import did: counts when it succeeded, every problem when it did not."""

    items: int = 0
    created: int = 0
    new_versions: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _keys(columns: tuple[Column, ...], *, drop: tuple[str, ...]) -> list[str]:
    return [c.key for c in columns if c.parse is not None and c.key not in drop]


#: Item columns that are not elements of a version: set through their own services.
ITEM_ONLY = ("windows", "search_terms")
ELEMENT_KEYS = _keys(ITEM_COLUMNS, drop=(*ROW_ONLY, *ITEM_ONLY))
MATERIAL_KEYS = _keys(MATERIAL_COLUMNS, drop=ROW_ONLY)
STEP_KEYS = _keys(STEP_COLUMNS, drop=ROW_ONLY)


def _service_input(item: ParsedItem) -> dict[str, Any]:
    """The services' keyword arguments for one parsed item (materials and steps in 序号
    order; the services number them from 1)."""
    values = item.row.values
    return {
        "elements": {key: values[key] for key in ELEMENT_KEYS},
        "materials": [{key: row.values[key] for key in MATERIAL_KEYS} for row in item.materials],
        "steps": [{key: row.values[key] for key in STEP_KEYS} for row in item.steps],
        "windows": list(values["windows"]),
    }


# --- Is the published version already what the row says? -------------------------------


def _canonical(value: Any) -> Any:
    """A comparable form: related rows by their codes, amounts and dates as text."""
    if isinstance(value, Department | Window | CertificateType):
        return value.code
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return tuple(_canonical(part) for part in value)
    return value


def _content(elements: dict, windows, materials, steps) -> dict[str, Any]:
    return {
        "elements": {key: _canonical(elements[key]) for key in ELEMENT_KEYS},
        "windows": tuple(sorted(window.code for window in windows)),
        "materials": [{key: _canonical(m[key]) for key in MATERIAL_KEYS} for m in materials],
        "steps": [{key: _canonical(s[key]) for key in STEP_KEYS} for s in steps],
    }


def _content_of_input(service_input: dict[str, Any], zone: Zone) -> dict[str, Any]:
    elements = dict(service_input["elements"])
    # item_create fills empty phones with the zone's; a row that leaves them empty asks
    # for the same thing, not for a change.
    for phone, default in zip(PHONES, (zone.phone, zone.complaint_phone), strict=True):
        elements[phone] = elements[phone] or default
    return _content(
        elements, service_input["windows"], service_input["materials"], service_input["steps"]
    )


def _content_of_version(version: ItemVersion) -> dict[str, Any]:
    def fields(obj: Any, keys: list[str]) -> dict[str, Any]:
        return {key: getattr(obj, key) for key in keys}

    return _content(
        fields(version, ELEMENT_KEYS),
        version.windows.all(),
        [fields(material, MATERIAL_KEYS) for material in version.materials.all()],
        [fields(step, STEP_KEYS) for step in version.steps.all()],
    )


# --- Service refusals back onto cells ------------------------------------------------------


def _header_of(columns: tuple[Column, ...], key: str | None) -> str | None:
    return next((c.header for c in columns if c.key == key), None)


def _place(name: str, message: str, item: ParsedItem) -> Problem:
    nested = _NESTED_FIELD.match(name)
    if nested:
        kind, index, key = nested.group(1), int(nested.group(2)), nested.group(3)
        rows = item.materials if kind == "materials" else item.steps
        columns = MATERIAL_COLUMNS if kind == "materials" else STEP_COLUMNS
        if index < len(rows):
            header = _header_of(columns, key) or _header_of(columns, "name")
            return Problem(
                MATERIALS if kind == "materials" else STEPS, rows[index].row, header, message
            )
    if name == "steps" and item.steps:
        return _place_step(message, item)
    if name == "materials" and item.materials:
        return Problem(MATERIALS, item.materials[0].row, "材料名称", message)
    header = _header_of(ITEM_COLUMNS, name) or ITEM_CODE_COLUMN.header
    return Problem(ITEMS, item.row.row, header, message)


def _place_step(message: str, item: ParsedItem) -> Problem:
    """A workflow problem: on the step it names (第N个环节, or its key), else the first."""
    row = item.steps[0]
    number = _STEP_NUMBER.search(message)
    by_key = {step.values["key"]: step for step in item.steps}
    named = [key for key in _QUOTED.findall(message) if key in by_key]
    if number and 0 < int(number.group(1)) <= len(item.steps):
        row = item.steps[int(number.group(1)) - 1]
    elif named:
        row = by_key[named[0]]
    if "前置环节" in message or "循环" in message:
        header = "前置环节"
    elif "时限" in message:
        header = "环节时限"
    elif "角色" in message:
        header = "办理角色"
    elif "办理部门" in message:
        header = "办理部门代码"
    elif "类型" in message or "决定" in message or "送达" in message:
        header = "环节类型"
    elif "名称" in message:
        header = "环节名称"
    else:
        header = "环节编码"
    return Problem(STEPS, row.row, header, message)


def _problems_of(error: ApplicationError, item: ParsedItem) -> list[Problem]:
    fields = error.fields or {"implementation_code": [error.message]}
    return [
        _place(name, str(message), item)
        for name, messages in fields.items()
        for message in messages
    ]


# --- Writing -------------------------------------------------------------------------------


def _existing(zone: Zone) -> dict[str, tuple[Item, ItemVersion | None, int | None]]:
    """The zone's items by code: the item, its published version (prefetched for comparing)
    and the number of its draft, if it has one."""
    published = {
        version.item_id: version
        for version in ItemVersion.objects.published()
        .filter(item__zone=zone)
        .select_related("department", "certificate_type")
        .prefetch_related(
            "windows",
            Prefetch(
                "materials",
                queryset=Material.objects.select_related("certificate_type", "source_department"),
            ),
            Prefetch("steps", queryset=Step.objects.select_related("department")),
        )
    }
    drafts = dict(
        ItemVersion.objects.filter(item__zone=zone, status=VersionStatus.DRAFT).values_list(
            "item_id", "version"
        )
    )
    return {
        item.implementation_code: (item, published.get(item.pk), drafts.get(item.pk))
        for item in Item.objects.filter(zone=zone)
    }


def _keep_files(materials: list[dict], published: ItemVersion) -> None:
    """Blank forms and samples are not in the sheet: a material keeps the files it had
    (matched by name) when its item gets a new version."""
    files = {
        material.name: material
        for material in published.materials.all()
        if material.template or material.sample
    }
    for material in materials:
        previous = files.get(material["name"])
        if previous is not None:
            material["template"] = previous.template
            material["sample"] = previous.sample


def _write(
    item: ParsedItem,
    existing: tuple[Item, ItemVersion | None, int | None] | None,
    *,
    zone: Zone,
    actor: Any,
    change_note: str,
    report: ImportReport,
) -> None:
    service_input = _service_input(item)
    service_input["elements"]["change_note"] = change_note
    # Search terms belong to the item, not to a version: set (audited when they change)
    # whether or not the row makes a new version; a file without the column keeps them.
    terms = item.row.values.get("search_terms")
    if existing is None:
        version = services.item_create(
            zone=zone,
            implementation_code=item.code,
            basic_code=item.row.values["basic_code"],
            actor=actor,
            **service_input,
        )
        services.item_publish(version=version, actor=actor)
        if terms is not None:
            services.item_search_terms_set(item=version.item, terms=terms, actor=actor)
        report.created += 1
        return
    stored, published, draft_number = existing
    if terms is not None:
        services.item_search_terms_set(item=stored, terms=terms, actor=actor)
    if published is not None and _content_of_version(published) == _content_of_input(
        service_input, zone
    ):
        report.unchanged += 1
        return
    if draft_number is not None:
        # Publishing the file would overwrite someone's unpublished edits.
        report.problems.append(
            Problem(
                ITEMS,
                item.row.row,
                ITEM_CODE_COLUMN.header,
                f"该事项有未发布的草稿版本（v{draft_number}），导入会覆盖其中的修改："
                "请先在管理后台发布或放弃该草稿",
            )
        )
        return
    if published is not None:
        _keep_files(service_input["materials"], published)
    draft = services.item_draft(item=stored, actor=actor)
    services.item_draft_update(version=draft, actor=actor, **service_input)
    services.item_publish(version=draft, actor=actor)
    report.new_versions += 1


def import_catalog(
    zone: Zone,
    path: str | Path,
    *,
    actor: Any,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a file in the layout of ``docs/catalog-excel.md``: every item, or none.

    ``actor`` is the staff user recorded on the versions and audit events (None: the
    system). ``progress(done, total)`` is called after each item of pass 2. The report
    lists every problem when nothing was imported, and the counts when the import
    succeeded.
    """
    parsed_items, problems = read_catalog(zone, path)
    report = ImportReport(items=len(parsed_items), problems=problems)
    if problems:
        return report
    change_note = f"Excel 导入：{Path(path).name}"[:CHANGE_NOTE_LENGTH]
    total = len(parsed_items)
    with transaction.atomic():
        existing = _existing(zone)
        for done, item in enumerate(parsed_items, start=1):
            try:
                _write(
                    item,
                    existing.get(item.code),
                    zone=zone,
                    actor=actor,
                    change_note=change_note,
                    report=report,
                )
            except ApplicationError as error:
                # The service's own atomic block (a savepoint) undid its work; the other
                # items are still tried so every problem is reported.
                report.problems.extend(_problems_of(error, item))
            if progress is not None:
                progress(done, total)
        if report.problems:
            transaction.set_rollback(True)
            report.created = report.new_versions = report.unchanged = 0
    return report
