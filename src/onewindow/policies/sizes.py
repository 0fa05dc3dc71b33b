"""统计上大中小微型企业划分办法（2017）: the size class derived from industry and figures.

The sectors, the industry codes that belong to each and their bounds are data
(``data/size_bounds_2017.json``). Each sector lists one or two of three measures: 从业人员
(``employees``, people), 营业收入 (``revenue``, 万元) and 资产总额 (``total_assets``, 万元);
each class's bound is a lower limit. 大型, 中型 and 小型 must reach every listed bound of their
class; 微型 needs only one measure below the 小型 bound.

Pure: no database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from onewindow.policies.facts import SizeClass
from onewindow.policies.industry import is_valid, normalise_industry_code

DATA_FILE = Path(__file__).parent / "data" / "size_bounds_2017.json"

#: The measures a sector may list, in the document's order.
MEASURES = ("employees", "revenue", "total_assets")


@dataclass(frozen=True)
class Sector:
    name: str
    #: Industry-code prefixes (门类 letter + digits) that belong to the sector.
    prefixes: tuple[str, ...]
    #: measure → class → lower bound (int people, Decimal 万元).
    bounds: dict[str, dict[SizeClass, Decimal]]

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(measure for measure in MEASURES if measure in self.bounds)


@cache
def sectors() -> tuple[Sector, ...]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    result = []
    for row in data["sectors"]:
        unknown = set(row["bounds"]) - set(MEASURES)
        if unknown:  # pragma: no cover - a broken data file
            raise RuntimeError(f"{DATA_FILE}: unknown measures {sorted(unknown)}")
        bounds = {
            measure: {SizeClass(size): Decimal(str(value)) for size, value in by_class.items()}
            for measure, by_class in row["bounds"].items()
        }
        result.append(Sector(row["name"], tuple(row["prefixes"]), bounds))
    return tuple(result)


@cache
def _by_prefix() -> dict[str, Sector]:
    table: dict[str, Sector] = {}
    for sector in sectors():
        for prefix in sector.prefixes:
            if prefix in table:  # pragma: no cover - a broken data file
                raise RuntimeError(f"{DATA_FILE}: {prefix} in two sectors")
            table[prefix] = sector
    return table


def sector_of(industry_code: str | None) -> Sector | None:
    """The sector an industry code belongs to, by its longest listed prefix; None when the code
    is missing or invalid, not precise enough to tell (``C`` may be 43, which is 其他未列明行业;
    ``G59`` may be 装卸搬运 or 仓储), or in an industry the document does not cover (金融业)."""
    if not industry_code or not is_valid(industry_code):
        return None
    code = normalise_industry_code(industry_code)
    table = _by_prefix()
    for length in range(len(code), 0, -1):
        sector = table.get(code[:length])
        if sector is not None:
            return sector
    return None


def derive_size_class(
    industry_code: str | None,
    employees: int | None,
    revenue: Decimal | int | str | None,
    total_assets: Decimal | int | str | None,
) -> SizeClass | None:
    """The size class, or None when it cannot be told.

    Only the measures the sector lists are read (the others may be None). Classes are checked
    大, 中, 小 in order: a class holds when every listed measure reaches its bound.

    A missing fact is never guessed. With every listed measure known, the first class reached
    is the answer, else 微型. With one missing: a known measure below the 小型 bound makes the
    enterprise 微型 for certain (微型 needs only one, and no larger class can hold); otherwise
    the answer is None (unknown), because the missing measure could place it in any class.
    An unknown sector (no industry code, too coarse a code, an industry not covered) is None.
    """
    sector = sector_of(industry_code)
    if sector is None:
        return None
    given = {"employees": employees, "revenue": revenue, "total_assets": total_assets}
    values: dict[str, Decimal] = {}
    for measure in sector.measures:
        value = given[measure]
        if value is not None:
            values[measure] = Decimal(str(value))
    below_small = any(
        value < sector.bounds[measure][SizeClass.SMALL] for measure, value in values.items()
    )
    if below_small:
        return SizeClass.MICRO
    if len(values) < len(sector.measures):
        return None
    for size in (SizeClass.LARGE, SizeClass.MEDIUM):
        if all(values[measure] >= sector.bounds[measure][size] for measure in sector.measures):
            return size
    return SizeClass.SMALL  # every listed measure reaches the 小型 bound (none is below it)
