"""The implementation-list column layout (docs/catalog-excel.md): sheets and columns.

Each :class:`Column` names its Chinese header, the service field it fills (``key``), how a
cell is read (``parse``) and how the export writes it (``write``). The import, the export
and the documentation follow these tuples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import TextChoices

from onewindow.catalog.constants import (
    DelegationLevel,
    DelegationStatus,
    HandlingKind,
    ItemType,
    MaterialMedium,
    MaterialSource,
    OnlineDepth,
    StepKind,
    StepRole,
    VersionStatus,
)
from onewindow.catalog.excel.cells import (
    NO,
    YES,
    Parser,
    amount,
    certificate_type,
    choice,
    code,
    date,
    department,
    label_of,
    labels,
    lines,
    not_,
    search_terms,
    step_key,
    step_keys,
    text,
    whole_number,
    windows,
    yes_no,
)
from onewindow.catalog.models import ItemVersion, Material, Step

ITEMS = "事项"
MATERIALS = "材料"
STEPS = "环节"
SHEETS = (ITEMS, MATERIALS, STEPS)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, the service field it fills, and how to read and
    write it. ``parse`` is None for columns written by the export only (状态, 版本)."""

    header: str
    key: str
    width: int
    parse: Parser | None
    write: Callable[[Any], Any]
    required: bool = False
    default: Any = ""
    choices: tuple[str, ...] = ()
    as_text: bool = False  # written with the text number format (codes with leading zeros)
    # The header may be missing (a file made before the column existed): the row's value is
    # then None, which the import reads as "leave as it is".
    optional: bool = False


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda obj: getattr(obj, name)


def _label(choices: type[TextChoices], name: str) -> Callable[[Any], str]:
    def write(obj: Any) -> str:
        value = getattr(obj, name)
        return label_of(choices)[value] if value else ""

    return write


def _code_of(name: str) -> Callable[[Any], str]:
    def write(obj: Any) -> str:
        related = getattr(obj, name)
        return related.code if related is not None else ""

    return write


def _yes_no(name: str, *, invert: bool = False) -> Callable[[Any], str]:
    return lambda obj: YES if bool(getattr(obj, name)) != invert else NO


def _max(model: type, name: str) -> int | None:
    return model._meta.get_field(name).max_length


def _text(model: type, name: str) -> Parser:
    return text(_max(model, name))


def _enum(
    header: str, key: str, width: int, enum: type[TextChoices], *, required: bool = True
) -> Column:
    return Column(
        header,
        key,
        width,
        choice(enum),
        _label(enum, key),
        required=required,
        choices=tuple(labels(enum)),
    )


def _flag(header: str, key: str, *, required: bool = False, default: bool = False) -> Column:
    return Column(
        header,
        key,
        8,
        yes_no,
        _yes_no(key),
        required=required,
        default=default,
        choices=(YES, NO),
    )


ITEM_COLUMNS: tuple[Column, ...] = (
    Column(
        "实施编码",
        "implementation_code",
        36,
        code,
        lambda v: v.item.implementation_code,
        required=True,
        as_text=True,
    ),
    Column(
        "基本编码", "basic_code", 16, code, lambda v: v.item.basic_code, required=True, as_text=True
    ),
    Column("事项名称", "name", 30, _text(ItemVersion, "name"), _attr("name"), required=True),
    _enum("事项类型", "item_type", 14, ItemType),
    Column("实施机关", "department", 12, department, _code_of("department"), required=True),
    Column("设定依据", "legal_basis", 40, text(), _attr("legal_basis"), required=True),
    Column(
        "依据条款",
        "legal_citations",
        40,
        lines,
        lambda v: "\n".join(v.legal_citations or []),
        default=[],
    ),
    Column(
        "法定时限", "legal_limit_days", 10, whole_number, _attr("legal_limit_days"), required=True
    ),
    Column(
        "承诺时限",
        "promised_limit_days",
        10,
        whole_number,
        _attr("promised_limit_days"),
        required=True,
    ),
    _enum("办件类型", "handling_kind", 10, HandlingKind),
    Column("受理条件", "acceptance_conditions", 40, text(), _attr("acceptance_conditions")),
    Column(
        "是否收费",
        "fee_free",
        10,
        not_(yes_no),
        _yes_no("fee_free", invert=True),
        required=True,
        choices=(YES, NO),
    ),
    Column("收费金额", "fee_amount", 12, amount, _attr("fee_amount"), default=None),
    Column("收费依据", "fee_basis", 30, text(), _attr("fee_basis")),
    Column(
        "到现场次数", "required_visits", 10, whole_number, _attr("required_visits"), required=True
    ),
    _enum("网办深度", "online_depth", 28, OnlineDepth),
    _enum("赋权层级", "delegated_from_level", 14, DelegationLevel, required=False),
    Column(
        "赋权机关",
        "delegated_from_organ",
        24,
        _text(ItemVersion, "delegated_from_organ"),
        _attr("delegated_from_organ"),
    ),
    Column(
        "赋权协议日期",
        "delegation_agreement_date",
        14,
        date,
        _attr("delegation_agreement_date"),
        default=None,
    ),
    _enum("承接状态", "delegation_status", 10, DelegationStatus, required=False),
    Column(
        "办理窗口",
        "windows",
        14,
        windows,
        lambda v: ",".join(sorted(w.code for w in v.windows.all())),
        default=[],
    ),
    Column(
        "咨询电话",
        "consultation_phone",
        16,
        _text(ItemVersion, "consultation_phone"),
        _attr("consultation_phone"),
        as_text=True,
    ),
    Column(
        "投诉电话",
        "complaint_phone",
        16,
        _text(ItemVersion, "complaint_phone"),
        _attr("complaint_phone"),
        as_text=True,
    ),
    Column(
        "证照类型代码",
        "certificate_type",
        24,
        certificate_type,
        _code_of("certificate_type"),
        default=None,
        as_text=True,
    ),
    Column(
        "办理结果名称", "result_name", 24, _text(ItemVersion, "result_name"), _attr("result_name")
    ),
    Column(
        "搜索别名",
        "search_terms",
        30,
        search_terms,
        lambda v: v.item.search_terms,
        default=[],
        optional=True,
    ),
    Column("状态", "status", 10, None, _label(VersionStatus, "status")),
    Column("版本", "version", 8, None, _attr("version")),
)

ITEM_CODE_COLUMN = ITEM_COLUMNS[0]
MATERIAL_COLUMNS: tuple[Column, ...] = (
    Column(
        "实施编码",
        "implementation_code",
        36,
        code,
        lambda m: m.version.item.implementation_code,
        required=True,
        as_text=True,
    ),
    Column("序号", "position", 6, whole_number, _attr("position"), required=True),
    Column("材料名称", "name", 40, _text(Material, "name"), _attr("name"), required=True),
    _flag("必要", "required", required=True),
    Column("原件", "originals", 6, whole_number, _attr("originals"), default=0),
    Column("复印件", "copies", 6, whole_number, _attr("copies"), default=0),
    _enum("材料形式", "medium", 12, MaterialMedium),
    _enum("来源渠道", "source", 16, MaterialSource),
    Column(
        "证照类型代码",
        "certificate_type",
        24,
        certificate_type,
        _code_of("certificate_type"),
        default=None,
        as_text=True,
    ),
    Column(
        "共享部门代码",
        "source_department",
        14,
        department,
        _code_of("source_department"),
        default=None,
    ),
    _flag("可容缺", "tolerable"),
    _flag("可告知承诺", "commitment_allowed"),
    Column("填报说明", "notes", 40, text(), _attr("notes")),
)

STEP_COLUMNS: tuple[Column, ...] = (
    Column(
        "实施编码",
        "implementation_code",
        36,
        code,
        lambda s: s.version.item.implementation_code,
        required=True,
        as_text=True,
    ),
    Column("序号", "position", 6, whole_number, _attr("position"), required=True),
    Column("环节编码", "key", 16, step_key, _attr("key"), required=True),
    Column("环节名称", "name", 20, _text(Step, "name"), _attr("name"), required=True),
    _enum("环节类型", "kind", 12, StepKind),
    Column("办理部门代码", "department", 14, department, _code_of("department"), default=None),
    _enum("办理角色", "role", 18, StepRole),
    Column("环节时限", "limit_days", 10, whole_number, _attr("limit_days"), default=0),
    Column("前置环节", "after", 20, step_keys, lambda s: ",".join(s.after or []), default=[]),
)

LAYOUT: dict[str, tuple[Column, ...]] = {
    ITEMS: ITEM_COLUMNS,
    MATERIALS: MATERIAL_COLUMNS,
    STEPS: STEP_COLUMNS,
}
