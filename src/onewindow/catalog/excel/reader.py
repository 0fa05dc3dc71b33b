"""Import, pass 1: read every row (openpyxl read-only), parse every cell, check references.

Nothing is written here. Every problem is collected as a :class:`Problem` (sheet, Excel
row, column header, message), so the clerk fixes the whole file in one go.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from onewindow.catalog.excel.cells import CellError, Lookups, _as_text, _is_blank
from onewindow.catalog.excel.layout import (
    ITEM_CODE_COLUMN,
    ITEM_COLUMNS,
    ITEMS,
    MATERIAL_COLUMNS,
    MATERIALS,
    SHEETS,
    STEP_COLUMNS,
    STEPS,
    Column,
)
from onewindow.org.models import Zone


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (sheet, Excel row, column header) and what."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if not self.sheet:
            return f"文件：{self.message}"
        if self.row is None:
            where = f"{self.sheet} {self.column}" if self.column else self.sheet
            return f"{where}：{self.message}"
        return f"{self.sheet} 第{self.row}行 {self.column}：{self.message}"


@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any]


@dataclass
class ParsedItem:
    """An item row with its material and step rows, in the file's order (by 序号)."""

    row: ParsedRow
    materials: list[ParsedRow] = field(default_factory=list)
    steps: list[ParsedRow] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.row.values["implementation_code"]


def _open(path: str | Path) -> tuple[Any, list[Problem]]:
    try:
        return load_workbook(path, read_only=True, data_only=True), []
    except InvalidFileException as error:
        if str(path).lower().endswith(".xls"):
            message = "不支持 Excel 97–2003 的 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入"
        else:
            message = f"不是 .xlsx 文件（{error}）"
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError):
        message = "不是有效的 .xlsx 文件（无法作为 Excel 工作簿打开）"
    except OSError as error:
        message = f"无法读取：{error.strerror or error}"
    return None, [Problem("", None, "", message)]


def _header(
    sheet_name: str, values: Iterable[Any], columns: tuple[Column, ...]
) -> tuple[dict[str, int], list[Problem]]:
    """Map each importable column's key to its position; report missing, unknown, repeated."""
    known = {column.header: column for column in columns}
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, raw in enumerate(values):
        if _is_blank(raw):
            continue
        header = _as_text(raw)
        column = known.get(header)
        if header in seen:
            problems.append(Problem(sheet_name, 1, header, "列名重复"))
        elif column is None:
            problems.append(
                Problem(sheet_name, 1, header, "不是本表的列（列名应与导出文件的表头一致）")
            )
        elif column.parse is not None:
            positions[column.key] = index
        seen.add(header)
    for column in columns:
        if column.parse is not None and column.header not in seen and not column.optional:
            problems.append(Problem(sheet_name, 1, column.header, "缺少此列"))
    return positions, problems


def _parse_rows(
    sheet_name: str,
    sheet,
    columns: tuple[Column, ...],
    lookups: Lookups,
    problems: list[Problem],
) -> Iterator[ParsedRow]:
    rows = sheet.iter_rows(values_only=True)
    header_values = next(rows, ())
    positions, header_problems = _header(sheet_name, header_values, columns)
    if header_problems:
        # Without the right header the cells cannot be placed; report the header only.
        problems.extend(header_problems)
        return
    importable = [column for column in columns if column.parse is not None]
    for number, values in enumerate(rows, start=2):
        cells = {
            column.key: values[positions[column.key]]
            if positions[column.key] < len(values)
            else None
            for column in importable
            if column.key in positions
        }
        if all(_is_blank(value) for value in cells.values()):
            continue
        parsed: dict[str, Any] = {}
        for column in importable:
            if column.key not in positions:  # an optional column the file does not have
                parsed[column.key] = None
                continue
            raw = cells[column.key]
            if _is_blank(raw):
                if column.required:
                    problems.append(Problem(sheet_name, number, column.header, "不能为空"))
                    parsed[column.key] = None
                else:
                    default = column.default
                    parsed[column.key] = list(default) if isinstance(default, list) else default
                continue
            try:
                parsed[column.key] = column.parse(raw, lookups)
            except CellError as error:
                problems.append(Problem(sheet_name, number, column.header, str(error)))
                parsed[column.key] = None
        # A row with problems is still returned, so its 实施编码 and 序号 are checked too.
        yield ParsedRow(number, parsed)


def _column_header(columns: tuple[Column, ...], key: str) -> str:
    return next(column.header for column in columns if column.key == key)


def read_catalog(
    zone: Zone, path: str | Path, *, lookups: Lookups | None = None
) -> tuple[list[ParsedItem], list[Problem]]:
    """Pass 1: every row parsed and the references between sheets checked."""
    workbook, problems = _open(path)
    if workbook is None:
        return [], problems
    try:
        missing = [name for name in SHEETS if name not in workbook.sheetnames]
        if missing:
            present = "、".join(workbook.sheetnames) or "无"
            for name in missing:
                problems.append(
                    Problem(
                        name,
                        None,
                        "",
                        f"缺少工作表“{name}”（应有“事项”“材料”“环节”三张表，现有：{present}）",
                    )
                )
            return [], problems
        lookups = lookups or Lookups.for_zone(zone)
        items: dict[str, ParsedItem] = {}
        code_header = ITEM_CODE_COLUMN.header
        for parsed in _parse_rows(ITEMS, workbook[ITEMS], ITEM_COLUMNS, lookups, problems):
            item_code = parsed.values["implementation_code"]
            if not item_code:  # already reported
                continue
            if item_code in items:
                first = items[item_code].row.row
                problems.append(
                    Problem(
                        ITEMS, parsed.row, code_header, f"实施编码“{item_code}”与第{first}行重复"
                    )
                )
                continue
            items[item_code] = ParsedItem(parsed)
        # Without a readable "事项" header there are no items to point at: the other
        # sheets' cells are still checked, their 实施编码 are not.
        items_readable = not any(p.sheet == ITEMS and p.row == 1 for p in problems)
        for sheet_name, columns, attribute in (
            (MATERIALS, MATERIAL_COLUMNS, "materials"),
            (STEPS, STEP_COLUMNS, "steps"),
        ):
            rows = _parse_rows(sheet_name, workbook[sheet_name], columns, lookups, problems)
            if items_readable:
                _attach(sheet_name, rows, columns, attribute, items, problems)
            else:
                for _row in rows:
                    pass
    finally:
        workbook.close()
    for item in items.values():
        item.materials.sort(key=lambda row: row.values.get("position") or 0)
        item.steps.sort(key=lambda row: row.values.get("position") or 0)
    return list(items.values()), problems


def _attach(
    sheet_name: str,
    rows: Iterable[ParsedRow],
    columns: tuple[Column, ...],
    attribute: str,
    items: dict[str, ParsedItem],
    problems: list[Problem],
) -> None:
    """Attach material or step rows to their items, checking the references."""
    positions: dict[tuple[str, int], int] = {}
    keys: dict[tuple[str, str], int] = {}
    code_header = _column_header(columns, "implementation_code")
    for parsed in rows:
        item_code = parsed.values["implementation_code"]
        if not item_code:  # already reported
            continue
        item = items.get(item_code)
        if item is None:
            problems.append(
                Problem(sheet_name, parsed.row, code_header, f"实施编码“{item_code}”不在“事项”表中")
            )
            continue
        position = parsed.values["position"]
        if position is not None:
            first = positions.setdefault((item_code, position), parsed.row)
            if first != parsed.row:
                problems.append(
                    Problem(
                        sheet_name,
                        parsed.row,
                        "序号",
                        f"序号 {position} 与第{first}行重复（同一事项）",
                    )
                )
                continue
        if attribute == "steps" and parsed.values["key"]:
            step_key = parsed.values["key"]
            first = keys.setdefault((item_code, step_key), parsed.row)
            if first != parsed.row:
                problems.append(
                    Problem(
                        sheet_name,
                        parsed.row,
                        "环节编码",
                        f"环节编码“{step_key}”与第{first}行重复（同一事项）",
                    )
                )
                continue
        getattr(item, attribute).append(parsed)
