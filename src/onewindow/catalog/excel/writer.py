"""Export: a zone's published versions as a workbook in the layout (openpyxl write-only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Any

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from onewindow.catalog.excel.layout import (
    ITEM_COLUMNS,
    ITEMS,
    LAYOUT,
    MATERIAL_COLUMNS,
    MATERIALS,
    SHEETS,
    STEP_COLUMNS,
    STEPS,
    Column,
)
from onewindow.catalog.models import ItemVersion, Material, Step
from onewindow.org.models import Zone

LAST_ROW = 1_048_576  # Excel's last row: data validations cover the whole column

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _published_versions(zone: Zone):
    return (
        ItemVersion.objects.published()
        .filter(item__zone=zone)
        .select_related("item", "department", "certificate_type")
        .prefetch_related(
            "windows",
            Prefetch(
                "materials",
                queryset=Material.objects.select_related("certificate_type", "source_department"),
            ),
            Prefetch("steps", queryset=Step.objects.select_related("department")),
        )
        .order_by("item__implementation_code")
    )


def _start_sheet(workbook: Workbook, title: str, columns: tuple[Column, ...]):
    sheet = workbook.create_sheet(title)
    # Write-only sheets take their views, widths and validations before the first row.
    sheet.freeze_panes = "B2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1='"{}"'.format(",".join(column.choices)),
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=column.header,
                error="请从下拉列表中选择",
            )
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            sheet.data_validations.append(validation)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        header.append(cell)
    sheet.append(header)
    return sheet


def _row(sheet, columns: tuple[Column, ...], obj: Any) -> list:
    row = []
    for column in columns:
        value = column.write(obj)
        if value is None or value == "":
            row.append(None)
            continue
        if isinstance(value, str) and (column.as_text or "\n" in value or value[0] in "=+-@"):
            cell = WriteOnlyCell(sheet, value=value)
            # Text is never a formula: "=HYPERLINK(…)" in a name stays text in Excel.
            cell.data_type = "s"
            if column.as_text:
                cell.number_format = "@"
            if "\n" in value:
                cell.alignment = _WRAP
            row.append(cell)
        elif isinstance(value, dt.date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "yyyy-mm-dd"
            row.append(cell)
        else:
            row.append(value)
    return row


def export_catalog(zone: Zone, stream: IO[bytes] | str | Path) -> int:
    """Write the zone's published versions to ``stream`` as .xlsx; return the item count.

    openpyxl's write-only mode streams each row to a temporary file, so memory stays flat
    however large the catalog; versions are read in chunks with their materials and steps.
    """
    workbook = Workbook(write_only=True)
    sheets = {title: _start_sheet(workbook, title, LAYOUT[title]) for title in SHEETS}
    count = 0
    for version in _published_versions(zone).iterator(chunk_size=500):
        count += 1
        sheets[ITEMS].append(_row(sheets[ITEMS], ITEM_COLUMNS, version))
        for material in version.materials.all():
            material.version = version
            sheets[MATERIALS].append(_row(sheets[MATERIALS], MATERIAL_COLUMNS, material))
        for step in version.steps.all():
            step.version = version
            sheets[STEPS].append(_row(sheets[STEPS], STEP_COLUMNS, step))
    workbook.save(stream)
    return count
