"""A column table of enterprise facts for vectorised evaluation.

``FactTable.from_rows(rows, on)`` turns plain dicts (fact name → value, as the profile stores
them) into one column per fact, in one pass per fact (O(n)): numbers as float64, dates as day
ordinals, codes (industry, choices) dictionary-encoded, qualifications and tags as one boolean
array per code (a qualification counts only when valid on ``on``). Every column has a ``known``
mask: a missing key or ``None`` is unknown, never zero or false.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from onewindow.policies.facts import FACTS, NUMERIC_KINDS, FactKind
from onewindow.policies.rules.language import normalise_industry_code


def as_date(value: Any) -> dt.date:
    """A date from a ``date`` or an ISO string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def held_on(entry: Mapping[str, Any], on: dt.date) -> bool:
    """Whether a qualification entry is valid on ``on`` (both ends inclusive, open when absent)."""
    start = entry.get("valid_from")
    end = entry.get("valid_until")
    if start is not None and as_date(start) > on:
        return False
    return not (end is not None and as_date(end) < on)


@dataclass
class NumericColumn:
    values: np.ndarray  # float64, NaN where unknown
    known: np.ndarray


@dataclass
class DateColumn:
    ordinals: np.ndarray  # int64, 0 where unknown
    known: np.ndarray


@dataclass
class CodeColumn:
    """Dictionary-encoded codes indexing ``categories``; unknown is ``len(categories)``."""

    categories: list[str]
    codes: np.ndarray  # int32
    known: np.ndarray

    def lookup(self, wanted: np.ndarray) -> np.ndarray:
        """Per row, ``wanted[category]`` (a bool per category); False where unknown."""
        return np.append(wanted, False)[self.codes]


@dataclass
class BooleanColumn:
    values: np.ndarray
    known: np.ndarray


@dataclass
class SetColumn:
    """Qualifications (held valid on the table's date) or tags: one boolean array per code."""

    size: int
    members: dict[str, np.ndarray]
    known: np.ndarray

    def has(self, code: str) -> np.ndarray:
        found = self.members.get(code)
        return found if found is not None else np.zeros(self.size, dtype=bool)


Column = NumericColumn | DateColumn | CodeColumn | BooleanColumn | SetColumn


def _to_float(value: Any) -> float:
    if isinstance(value, str):
        return float(value.replace(",", ""))
    return float(value)


def _numeric(values: list[Any], size: int) -> NumericColumn:
    known = np.fromiter((value is not None for value in values), dtype=bool, count=size)
    numbers = np.fromiter(
        (np.nan if value is None else _to_float(value) for value in values),
        dtype=np.float64,
        count=size,
    )
    return NumericColumn(numbers, known)


def _dates(values: list[Any], size: int) -> DateColumn:
    cache: dict[Any, int] = {}

    def ordinal(value: Any) -> int:
        if value is None:
            return 0
        found = cache.get(value)
        if found is None:
            found = cache[value] = as_date(value).toordinal()
        return found

    known = np.fromiter((value is not None for value in values), dtype=bool, count=size)
    return DateColumn(np.fromiter(map(ordinal, values), dtype=np.int64, count=size), known)


def _codes(values: list[Any], size: int, normalise=None) -> CodeColumn:
    index: dict[Any, int] = {}
    raw: list[Any] = []
    codes = np.empty(size, dtype=np.int32)
    for position, value in enumerate(values):
        if value is None:
            codes[position] = -1
            continue
        number = index.get(value)
        if number is None:
            number = index[value] = len(raw)
            raw.append(value)
        codes[position] = number
    categories = [normalise(value) if normalise else str(value) for value in raw]
    known = codes >= 0
    codes[~known] = len(categories)
    return CodeColumn(categories, codes, known)


def _sets(values: list[Any], size: int, on: dt.date, qualifications: bool) -> SetColumn:
    rows: dict[str, list[int]] = {}
    known = np.zeros(size, dtype=bool)
    for position, value in enumerate(values):
        if value is None:
            continue
        known[position] = True
        for entry in value:
            if qualifications:
                if not held_on(entry, on):
                    continue
                code = entry.get("code")
            else:
                code = entry
            rows.setdefault(str(code), []).append(position)
    members = {}
    for code, positions in rows.items():
        flags = np.zeros(size, dtype=bool)
        flags[positions] = True
        members[code] = flags
    return SetColumn(size, members, known)


@dataclass
class FactTable:
    """Facts of ``size`` enterprises, one column per fact, as of the evaluation date ``on``."""

    on: dt.date
    size: int
    columns: dict[str, Column] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]], on: dt.date) -> FactTable:
        size = len(rows)
        table = cls(on=on, size=size)
        for fact in FACTS:
            values = [row.get(fact.name) for row in rows]
            if fact.kind in NUMERIC_KINDS:
                column: Column = _numeric(values, size)
            elif fact.kind == FactKind.DATE:
                column = _dates(values, size)
            elif fact.kind == FactKind.INDUSTRY:
                column = _codes(values, size, normalise_industry_code)
            elif fact.kind == FactKind.CHOICE:
                column = _codes(values, size)
            elif fact.kind == FactKind.BOOLEAN:
                known = np.fromiter((v is not None for v in values), dtype=bool, count=size)
                flags = np.fromiter((bool(v) for v in values), dtype=bool, count=size)
                column = BooleanColumn(flags, known)
            else:
                column = _sets(values, size, on, fact.kind == FactKind.QUALIFICATIONS)
            table.columns[fact.name] = column
        return table

    def value(self, name: str, row: int) -> Any:
        """The value of one fact for one row, for reasons: Decimal, date, str, bool or None."""
        column = self.columns[name]
        if not column.known[row]:
            return None
        if isinstance(column, NumericColumn):
            return Decimal(repr(float(column.values[row])))
        if isinstance(column, DateColumn):
            return dt.date.fromordinal(int(column.ordinals[row]))
        if isinstance(column, CodeColumn):
            return column.categories[column.codes[row]]
        if isinstance(column, BooleanColumn):
            return bool(column.values[row])
        return sorted(code for code, flags in column.members.items() if flags[row])
