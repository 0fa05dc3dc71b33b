"""The workbook of the enterprise facts import (一企一档导入): its columns and its template.

The first sheet has one header row: 统一社会信用代码, 数据截至日期 and one column per fact
that may be given (the derived size class is not), headed by the fact's Chinese label with
its unit (``上年度营业收入（万元）``; the label alone is accepted too). Headers are folded
(NFKC) before they are compared, so full-width and half-width brackets both match. A row
whose 统一社会信用代码 cell starts with 示例 is the template's example and is skipped.

``template_workbook(park_codes)`` writes the template: the headers, one example row marked
示例 and a second sheet "填写说明" saying what each column takes. No database here.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from onewindow.policies.facts import (
    CREDIT_STATUS_LABELS,
    FACTS,
    QUALIFICATION_LABELS,
    Fact,
    FactKind,
)
from onewindow.policies.profile_values import fold

USCC_HEADER = "统一社会信用代码"
AS_OF_HEADER = "数据截至日期"
EXAMPLE_MARK = "示例"
SHEET_TITLE = "企业档案"
HELP_TITLE = "填写说明"

#: What a column of each kind takes (the rules of ``profile_values.encode``).
KIND_HELP = {
    FactKind.INTEGER: "整数，如 350",
    FactKind.MONEY: "单位：万元，如 1500 或 1500.5",
    FactKind.RATIO: "比例，如 4.6% 或 0.046",
    FactKind.DATE: "日期，如 2024-03-01",
    FactKind.INDUSTRY: "GB/T 4754-2017 行业代码，如 C3919",
    FactKind.CHOICE: "从可选值中选一个",
    FactKind.BOOLEAN: "填“是”或“否”",
    FactKind.QUALIFICATIONS: (
        "资质|证书编号|有效期起|有效期止，多项以分号分隔，"
        "如 高新技术企业|GR202344000123|2023-11-06|2026-11-05"
    ),
    FactKind.TAGS: "以顿号或逗号分隔，如 总部企业、上市企业",
}

#: The example row's values (skipped on import).
EXAMPLE = {
    "registered_on": dt.date(2018, 5, 20),
    "industry_code": "C3919",
    "employees": 350,
    "revenue": 15000,
    "total_assets": 12000,
    "rd_expense": 800,
    "rd_share": "5.3%",
    "rd_share_3y": "5.1%",
    "rd_domestic_share": "100%",
    "tech_staff_share": "12%",
    "high_tech_income_share": "65%",
    "owns_core_ip": "是",
    "tax_paid": 600,
    "new_employees": 40,
    "fixed_asset_investment": 2000,
    "tax_credit_grade": "A",
    "credit_status": "正常",
    "qualifications": "高新技术企业|GR202344000123|2023-11-06|2026-11-05",
    "tags": "总部企业、上市企业",
}

#: Facts that may be imported (the size class is derived, never given).
GIVEN_FACTS = tuple(fact for fact in FACTS if not fact.derived)
#: Columns written as text, so Excel keeps leading zeros and letters as typed.
TEXT_COLUMNS = frozenset({"industry_code", "park"})


@dataclass(frozen=True)
class Headers:
    """The folded headers a file may use: fact name by header, and the derived facts'
    headers (which are refused with their own message)."""

    facts: dict[str, str]
    derived: frozenset[str]


def header_text(fact: Fact) -> str:
    """The template's header of a fact: its label with its unit."""
    return f"{fact.label}（{fact.unit}）" if fact.unit else str(fact.label)


def headers() -> Headers:
    """The headers in Chinese, whatever the language of the request (a file is read the
    same way for everyone)."""
    with translation.override("zh-hans"):
        facts: dict[str, str] = {}
        for fact in GIVEN_FACTS:
            facts[fold(fact.label)] = fact.name
            facts[fold(header_text(fact))] = fact.name
        derived = frozenset(fold(fact.label) for fact in FACTS if fact.derived)
    return Headers(facts=facts, derived=derived)


def _help(fact: Fact, park_codes: Sequence[str]) -> str:
    if fact.name == "park":
        codes = "、".join(park_codes) or "—"
        return f"本区园区代码：{codes}"
    if fact.name == "credit_status":
        return "可选：" + "、".join(str(label) for label in CREDIT_STATUS_LABELS.values())
    if fact.name == "tax_credit_grade":
        return "可选：" + "、".join(code for code, _label in fact.choices)
    if fact.kind == FactKind.QUALIFICATIONS:
        allowed = "、".join(str(label) for label in QUALIFICATION_LABELS.values())
        return f"{KIND_HELP[fact.kind]}；资质可选：{allowed}"
    return KIND_HELP[fact.kind]


def template_workbook(park_codes: Sequence[str] = ()) -> bytes:
    """The import template as .xlsx bytes: headers, one example row, the help sheet."""
    with translation.override("zh-hans"):
        return _template(list(park_codes))


def _template(park_codes: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    example = {**EXAMPLE, "park": park_codes[0] if park_codes else ""}
    columns = [
        (USCC_HEADER, f"{EXAMPLE_MARK}（导入时跳过此行）", True),
        (AS_OF_HEADER, dt.date(2025, 12, 31), False),
        *((header_text(f), example.get(f.name), f.name in TEXT_COLUMNS) for f in GIVEN_FACTS),
    ]
    for index, (header, value, as_text) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index, value=header)
        head.font, head.fill = bold, fill
        head.alignment = Alignment(wrap_text=True, vertical="top")
        cell = sheet.cell(row=2, column=index, value=value if value != "" else None)
        cell.font = Font(italic=True, color="808080")
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        if as_text:
            cell.data_type = "s"
            for row in range(2, 52):  # the first rows typed in stay text (USCC, codes)
                sheet.cell(row=row, column=index).number_format = "@"
        sheet.column_dimensions[letter].width = max(14, min(40, len(header) * 2 + 2))
    sheet.freeze_panes = "C2"
    help_sheet = workbook.create_sheet(HELP_TITLE)
    help_sheet.append(["列", "填写说明"])
    help_sheet.append([USCC_HEADER, "18 位代码；只能导入本区的企业；每家企业一行"])
    help_sheet.append([AS_OF_HEADER, "这些数据截至哪一天，如 2025-12-31；不能晚于今天"])
    for fact in GIVEN_FACTS:
        help_sheet.append([header_text(fact), _help(fact, park_codes)])
    help_sheet.append(["", "空白单元格表示不修改该项；第 2 行为示例，导入时跳过。"])
    for cell in help_sheet[1]:
        cell.font = bold
    help_sheet.column_dimensions["A"].width = 40
    help_sheet.column_dimensions["B"].width = 90
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
