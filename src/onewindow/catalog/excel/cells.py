"""Cell parsers: a raw cell value (never blank) → the services' value, or :class:`CellError`.

Read-only openpyxl gives values as Excel stored them: a number typed into a text cell is a
string, a whole number may be a float, a date a ``datetime``. Each parser accepts these
spellings of one value and refuses anything else with a message for the clerk.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import TextChoices
from django.utils import translation

from onewindow.catalog.search_keys import parse_terms
from onewindow.certificates.models import CertificateType
from onewindow.org.models import Department, Window, Zone

YES, NO = "是", "否"


class CellError(Exception):
    """A cell's value cannot be read as its column's type (the message is for the clerk)."""


@dataclass(frozen=True)
class Lookups:
    """The zone's reference data that cells name by code."""

    departments: dict[str, Department]
    windows: dict[str, Window]
    certificates: dict[str, CertificateType]

    @classmethod
    def for_zone(cls, zone: Zone) -> Lookups:
        return cls(
            departments={d.code: d for d in Department.objects.filter(zone=zone)},
            windows={w.code: w for w in Window.objects.filter(zone=zone)},
            certificates={c.code: c for c in CertificateType.objects.all()},
        )


Parser = Callable[[Any, Lookups], Any]


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: Any) -> str:
    """A cell as text: a whole number typed into a general cell is read without ".0"."""
    if isinstance(value, bool):
        raise CellError("应为文字，收到逻辑值")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value).strip()


def text(max_length: int | None = None) -> Parser:
    def parse(value: Any, lookups: Lookups) -> str:
        result = _as_text(value)
        if max_length is not None and len(result) > max_length:
            raise CellError(f"不能超过{max_length}个字，现有{len(result)}个字")
        return result

    return parse


def code(value: Any, lookups: Lookups) -> str:
    """A code cell (实施编码, 环节编码 …): text without blanks, letters upper-cased."""
    return re.sub(r"\s+", "", _as_text(value)).upper()


def whole_number(value: Any, lookups: Lookups) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    whole = isinstance(value, float) and value.is_integer()
    if whole or (isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value)):
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        raise CellError(f"应为不小于 0 的整数，收到“{_as_text(value)}”")
    if number < 0:
        raise CellError(f"应为不小于 0 的整数，收到“{number}”")
    if number > 32767:
        raise CellError(f"不能大于 32767，收到“{number}”")
    return number


def amount(value: Any, lookups: Lookups) -> Decimal:
    """An amount in yuan with at most two decimals (收费金额)."""
    if isinstance(value, bool):
        raise CellError("应为金额（元）")
    raw = str(value).strip() if isinstance(value, str) else repr(value)
    if isinstance(value, int | float):
        raw = str(round(value, 6))
    try:
        number = Decimal(raw.replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise CellError(f"应为金额（元），收到“{_as_text(value)}”") from None
    if not number.is_finite() or number < 0:
        raise CellError(f"应为不小于 0 的金额（元），收到“{_as_text(value)}”")
    if number != number.quantize(Decimal("0.01")):
        raise CellError(f"金额最多保留两位小数，收到“{_as_text(value)}”")
    if number >= Decimal("10000000000"):
        raise CellError(f"金额过大，收到“{_as_text(value)}”")
    return number.quantize(Decimal("0.01"))


def date(value: Any, lookups: Lookups) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip().replace("/", "-"))
        except ValueError:
            pass
    raise CellError(f"应为日期（如 2026-01-31），收到“{_as_text(value)}”")


def yes_no(value: Any, lookups: Lookups) -> bool:
    result = _as_text(value)
    if result == YES:
        return True
    if result == NO:
        return False
    raise CellError(f"应填“是”或“否”，收到“{result}”")


def not_(parser: Parser) -> Parser:
    def parse(value: Any, lookups: Lookups) -> Any:
        return not parser(value, lookups)

    return parse


@functools.cache
def label_of(choices: type[TextChoices]) -> dict[str, str]:
    """Value → Chinese label of an enumeration: the source text of the translations, so a
    file reads the same whatever language the command runs in (computed once)."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices.choices}


@functools.cache
def _value_of(choices: type[TextChoices]) -> dict[str, str]:
    return {label: value for value, label in label_of(choices).items()}


def labels(choices: type[TextChoices]) -> list[str]:
    """The labels a clerk may choose, in order (an empty value's label is left out)."""
    return [label for value, label in label_of(choices).items() if value]


def choice(choices: type[TextChoices]) -> Parser:
    def parse(value: Any, lookups: Lookups) -> str:
        result = _as_text(value)
        found = _value_of(choices).get(result)
        if found is None:
            allowed = "、".join(labels(choices))
            raise CellError(f"“{result}”不是可选值，应为：{allowed}")
        return found

    return parse


def lines(value: Any, lookups: Lookups) -> list[str]:
    """One entry per line (依据条款)."""
    return [line.strip() for line in _as_text(value).splitlines() if line.strip()]


def search_terms(value: Any, lookups: Lookups) -> list[str]:
    """Search terms: one per line, or separated by commas or 、 (the service checks them)."""
    return parse_terms(_as_text(value))


def code_list(value: Any) -> list[str]:
    """Codes separated by commas (half- or full-width) or 、."""
    return [part for part in re.split(r"[,，、\s]+", code(value, None)) if part]


def department(value: Any, lookups: Lookups) -> Department:
    department_code = code(value, lookups)
    found = lookups.departments.get(department_code)
    if found is None:
        raise CellError(f"部门代码“{department_code}”在本区不存在")
    return found


def windows(value: Any, lookups: Lookups) -> list[Window]:
    codes = code_list(value)
    missing = [window_code for window_code in codes if window_code not in lookups.windows]
    if missing:
        raise CellError("窗口编号“{}”在本区不存在".format("、".join(missing)))
    if len(set(codes)) != len(codes):
        raise CellError("窗口编号重复")
    return [lookups.windows[window_code] for window_code in codes]


def certificate_type(value: Any, lookups: Lookups) -> CertificateType:
    type_code = code(value, lookups)
    found = lookups.certificates.get(type_code)
    if found is None:
        raise CellError(f"证照类型代码“{type_code}”不存在")
    return found


def step_keys(value: Any, lookups: Lookups) -> list[str]:
    """环节编码 separated by commas; the case is kept (keys are slugs chosen by the clerk)."""
    return [part for part in re.split(r"[,，、\s]+", _as_text(value)) if part]


def step_key(value: Any, lookups: Lookups) -> str:
    keys = step_keys(value, lookups)
    if len(keys) != 1:
        raise CellError("只能填一个环节编码")
    return keys[0]
