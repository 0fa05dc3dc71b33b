"""The rule language: conditions and amount rules as JSON, parsed into typed trees.

A condition node is one of::

    {"all": [node, ...]}      every child true
    {"any": [node, ...]}      at least one child true
    {"not": node}             the child false
    {"fact": "rd_share", "op": ">=", "value": "0.05", "clause": "第十一条(四)", "label": "..."}

A leaf compares one fact (``policies.facts``) with a value; which ops a leaf may use depends on
the fact's kind (``OPS_BY_KIND``). Every leaf carries the clause of the policy it comes from;
``label`` (optional) is the policy's own words for the compared thing, used in reasons instead
of the fact's label. ``"near": false`` (optional) marks a leaf whose failure is never a near
miss (a credit block cannot be fixed by the enterprise).

An amount rule (万元) is ``{"kind": "fixed", "amount": "50"}``, ``{"kind": "rate", "of":
"<money fact>", "rate": "0.1", "cap": "200"}``, ``{"kind": "tiers", "of": "<fact>", "tiers":
[{"from": "0", "amount": "10"}, ...], "cap": ...}`` or ``{"kind": "none"}``; the money kinds
take an optional ``"per_year_ceiling"``.

Parsing validates everything and raises ``RuleError`` naming the clause (when the node has
one) and the node's path; text is never evaluated.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from onewindow.policies.facts import FACTS_BY_NAME, NUMERIC_KINDS, Fact, FactKind

NUMERIC_OPS = frozenset({">=", ">", "<=", "<", "=", "!=", "between"})
DATE_OPS = frozenset({"on_or_before", "on_or_after", "between", "years_before_at_least"})

OPS_BY_KIND: dict[FactKind, frozenset[str]] = {
    FactKind.INTEGER: NUMERIC_OPS,
    FactKind.MONEY: NUMERIC_OPS,
    FactKind.RATIO: NUMERIC_OPS,
    FactKind.DATE: DATE_OPS,
    FactKind.INDUSTRY: frozenset({"starts_with"}),
    FactKind.CHOICE: frozenset({"=", "!=", "in", "not_in"}),
    FactKind.BOOLEAN: frozenset({"is"}),
    FactKind.QUALIFICATIONS: frozenset({"holds", "holds_any"}),
    FactKind.TAGS: frozenset({"has", "has_any"}),
}

#: A GB/T 4754-2017 code or prefix: the 门类 letter, or the letter and 2, 3 or 4 digits.
INDUSTRY_PREFIX = re.compile(r"^[A-T](\d{2}|\d{3}|\d{4})?$")

#: 门类 of each 大类 (GB/T 4754-2017), for codes written without their letter ("3919").
_SECTION_RANGES = (
    ("A", 1, 5),
    ("B", 6, 12),
    ("C", 13, 43),
    ("D", 44, 46),
    ("E", 47, 50),
    ("F", 51, 52),
    ("G", 53, 60),
    ("H", 61, 62),
    ("I", 63, 65),
    ("J", 66, 69),
    ("K", 70, 70),
    ("L", 71, 72),
    ("M", 73, 75),
    ("N", 76, 79),
    ("O", 80, 82),
    ("P", 83, 83),
    ("Q", 84, 85),
    ("R", 86, 90),
    ("S", 91, 96),
    ("T", 97, 97),
)
SECTION_OF_DIVISION = {
    division: letter for letter, low, high in _SECTION_RANGES for division in range(low, high + 1)
}


def normalise_industry_code(code: str) -> str:
    """``"c3919"``, ``"Ｃ３９１９"`` and ``"3919"`` all become ``"C3919"``.

    A code of digits only gets the letter of its 门类 from its 大类 (the first two digits).
    """
    text = unicodedata.normalize("NFKC", str(code)).strip().upper()
    if text.isdigit() and len(text) >= 2:
        section = SECTION_OF_DIVISION.get(int(text[:2]))
        if section:
            return section + text
    return text


class RuleError(ValueError):
    """A rule that cannot be used; the message (Chinese) names the clause and the node."""


@dataclass(frozen=True)
class Leaf:
    fact: str
    op: str
    #: The normalised value: Decimal, (lo, hi), date, int (years), bool, str or tuple of str.
    value: Any
    clause: str
    label: str = ""
    #: False: a failure of this leaf is never a near miss.
    near: bool = True
    #: Where the leaf sits, e.g. ``all[1].any[0]``.
    path: str = ""

    @property
    def kind(self) -> FactKind:
        return FACTS_BY_NAME[self.fact].kind


@dataclass(frozen=True)
class All:
    children: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    child: Condition


Condition = Leaf | All | AnyOf | Not


@dataclass(frozen=True)
class Fixed:
    amount: Decimal
    per_year_ceiling: Decimal | None = None


@dataclass(frozen=True)
class Rate:
    of: str
    rate: Decimal
    cap: Decimal | None = None
    per_year_ceiling: Decimal | None = None


@dataclass(frozen=True)
class Tier:
    start: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Tiers:
    of: str
    tiers: tuple[Tier, ...]
    cap: Decimal | None = None
    per_year_ceiling: Decimal | None = None


@dataclass(frozen=True)
class NoAmount:
    """权益 / 资质 items: no money."""


AmountRule = Fixed | Rate | Tiers | NoAmount


def _where(clause: str, path: str) -> str:
    place = _("位置 %(path)s") % {"path": path or _("根")}
    return f"{clause}：{place}" if clause else place


def _fail(clause: str, path: str, message: str) -> RuleError:
    return RuleError(f"{_where(clause, path)}：{message}")


def _decimal(value: Any, clause: str, path: str, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal, float)):
        raise _fail(clause, path, _("“%(what)s”须为数值") % {"what": what})
    try:
        number = Decimal(unicodedata.normalize("NFKC", str(value)).strip().replace(",", ""))
    except InvalidOperation:
        raise _fail(clause, path, _("“%(what)s”须为数值") % {"what": what}) from None
    if not number.is_finite():
        raise _fail(clause, path, _("“%(what)s”须为数值") % {"what": what})
    return number


def _date(value: Any, clause: str, path: str, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _fail(clause, path, _("“%(what)s”须为日期（年-月-日）") % {"what": what})
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(unicodedata.normalize("NFKC", str(value)).strip())
    except (TypeError, ValueError):
        raise _fail(clause, path, _("“%(what)s”须为日期（年-月-日）") % {"what": what}) from None


def _codes(value: Any, clause: str, path: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise _fail(clause, path, _("“%(what)s”须为非空列表") % {"what": what})
    codes = []
    for code in value:
        if not isinstance(code, str) or not code.strip():
            raise _fail(clause, path, _("“%(what)s”的每一项须为代码") % {"what": what})
        codes.append(unicodedata.normalize("NFKC", code).strip())
    return tuple(codes)


def _code(value: Any, clause: str, path: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(clause, path, _("“%(what)s”须为代码") % {"what": what})
    return unicodedata.normalize("NFKC", value).strip()


def _check_choices(fact: Fact, codes: tuple[str, ...], clause: str, path: str) -> None:
    if not fact.choices:
        return
    allowed = {code for code, _label in fact.choices}
    for code in codes:
        if code not in allowed:
            raise _fail(
                clause,
                path,
                _("“%(fact)s”没有“%(code)s”这一项") % {"fact": fact.label, "code": code},
            )


def _leaf_value(fact: Fact, op: str, value: Any, clause: str, path: str) -> Any:
    what = str(fact.label)
    kind = fact.kind
    if kind in NUMERIC_KINDS:
        if op == "between":
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                raise _fail(clause, path, _("“%(what)s”的区间须为[下限, 上限]") % {"what": what})
            low = _decimal(value[0], clause, path, what)
            high = _decimal(value[1], clause, path, what)
            if low > high:
                raise _fail(clause, path, _("“%(what)s”的区间下限大于上限") % {"what": what})
            return (low, high)
        number = _decimal(value, clause, path, what)
        if kind == FactKind.INTEGER and number != number.to_integral_value():
            raise _fail(clause, path, _("“%(what)s”须为整数") % {"what": what})
        return number
    if kind == FactKind.DATE:
        if op == "years_before_at_least":
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise _fail(clause, path, _("“%(what)s”的年数须为整数") % {"what": what})
            try:
                years = int(str(value).strip())
            except ValueError:
                raise _fail(clause, path, _("“%(what)s”的年数须为整数") % {"what": what}) from None
            if years < 0:
                raise _fail(clause, path, _("“%(what)s”的年数不能为负") % {"what": what})
            return years
        if op == "between":
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                raise _fail(clause, path, _("“%(what)s”的区间须为[起, 止]") % {"what": what})
            start = _date(value[0], clause, path, what)
            end = _date(value[1], clause, path, what)
            if start > end:
                raise _fail(clause, path, _("“%(what)s”的起始日期晚于截止日期") % {"what": what})
            return (start, end)
        return _date(value, clause, path, what)
    if kind == FactKind.INDUSTRY:
        prefixes = tuple(
            normalise_industry_code(code) for code in _codes(value, clause, path, what)
        )
        for prefix in prefixes:
            if not INDUSTRY_PREFIX.match(prefix):
                raise _fail(
                    clause,
                    path,
                    _("“%(code)s”不是国民经济行业代码（门类字母，或字母加2至4位数字）")
                    % {"code": prefix},
                )
        return prefixes
    if kind == FactKind.CHOICE:
        codes = _codes(value, clause, path, what) if op in ("in", "not_in") else None
        if codes is None:
            codes = (_code(value, clause, path, what),)
            _check_choices(fact, codes, clause, path)
            return codes[0]
        _check_choices(fact, codes, clause, path)
        return frozenset(codes)
    if kind == FactKind.BOOLEAN:
        if not isinstance(value, bool):
            raise _fail(clause, path, _("“%(what)s”须为 true 或 false") % {"what": what})
        return value
    # Qualifications and tags: one code, or a list for the *_any ops.
    if op in ("holds_any", "has_any"):
        return _codes(value, clause, path, what)
    return _code(value, clause, path, what)


def _parse(data: Any, path: str) -> Condition:
    if not isinstance(data, Mapping):
        raise _fail("", path, _("条件须为对象（all、any、not 或比较）"))
    clause = data.get("clause", "")
    clause = clause.strip() if isinstance(clause, str) else ""
    combinators = [key for key in ("all", "any", "not") if key in data]
    if combinators:
        if len(combinators) > 1 or "fact" in data:
            raise _fail(clause, path, _("一个条件只能是 all、any、not 或比较之一"))
        key = combinators[0]
        if key == "not":
            return Not(_parse(data["not"], f"{path}.not" if path else "not"))
        children = data[key]
        if not isinstance(children, list) or not children:
            raise _fail(clause, path, _("“%(key)s”须为非空的条件列表") % {"key": key})
        prefix = f"{path}." if path else ""
        parsed = tuple(
            _parse(child, f"{prefix}{key}[{index}]") for index, child in enumerate(children)
        )
        return All(parsed) if key == "all" else AnyOf(parsed)
    if "fact" not in data:
        raise _fail(clause, path, _("条件须为 all、any、not 或比较"))
    if not clause:
        raise _fail("", path, _("每个比较条件须注明条款出处（clause）"))
    name = data.get("fact")
    fact = FACTS_BY_NAME.get(name) if isinstance(name, str) else None
    if fact is None:
        raise _fail(clause, path, _("没有名为“%(name)s”的企业信息项") % {"name": name})
    op = data.get("op")
    if op not in OPS_BY_KIND[fact.kind]:
        raise _fail(
            clause, path, _("“%(fact)s”不能用“%(op)s”比较") % {"fact": fact.label, "op": op}
        )
    if "value" not in data:
        raise _fail(clause, path, _("“%(fact)s”的比较缺少值（value）") % {"fact": fact.label})
    label = data.get("label") or ""
    if not isinstance(label, str):
        raise _fail(clause, path, _("“label”须为文字"))
    near = data.get("near", True)
    if not isinstance(near, bool):
        raise _fail(clause, path, _("“near”须为 true 或 false"))
    value = _leaf_value(fact, op, data["value"], clause, path)
    return Leaf(fact.name, op, value, clause, label.strip(), near, path)


def parse_condition(data: Any) -> Condition:
    """The condition tree of ``data``; ``RuleError`` names the clause and node when it is bad."""
    return _parse(data, "")


def _money_fact(name: Any, path: str) -> str:
    fact = FACTS_BY_NAME.get(name) if isinstance(name, str) else None
    if fact is None or fact.kind not in NUMERIC_KINDS:
        raise _fail(
            "", path, _("金额规则的“of”须为数值类企业信息项，而不是“%(name)s”") % {"name": name}
        )
    return fact.name


def parse_amount(data: Any) -> AmountRule:
    """The amount rule of ``data`` (万元); ``RuleError`` names what is wrong."""
    path = _("金额")
    if not isinstance(data, Mapping):
        raise _fail("", path, _("金额规则须为对象"))
    kind = data.get("kind")

    def optional(key: str) -> Decimal | None:
        if data.get(key) is None:
            return None
        number = _decimal(data[key], "", path, key)
        if number < 0:
            raise _fail("", path, _("“%(what)s”不能为负") % {"what": key})
        return number

    if kind == "none":
        return NoAmount()
    if kind == "fixed":
        amount = _decimal(data.get("amount"), "", path, "amount")
        if amount < 0:
            raise _fail("", path, _("“%(what)s”不能为负") % {"what": "amount"})
        return Fixed(amount, optional("per_year_ceiling"))
    if kind == "rate":
        rate = _decimal(data.get("rate"), "", path, "rate")
        if rate < 0:
            raise _fail("", path, _("“%(what)s”不能为负") % {"what": "rate"})
        return Rate(
            _money_fact(data.get("of"), path), rate, optional("cap"), optional("per_year_ceiling")
        )
    if kind == "tiers":
        raw = data.get("tiers")
        if not isinstance(raw, list) or not raw:
            raise _fail("", path, _("“tiers”须为非空列表"))
        tiers = []
        for index, tier in enumerate(raw):
            where = f"{path} tiers[{index}]"
            if not isinstance(tier, Mapping):
                raise _fail("", where, _("档位须为对象（from、amount）"))
            tiers.append(
                Tier(
                    _decimal(tier.get("from"), "", where, "from"),
                    _decimal(tier.get("amount"), "", where, "amount"),
                )
            )
        for before, after in itertools.pairwise(tiers):
            if after.start <= before.start:
                raise _fail("", path, _("档位须按“from”从小到大排列且不重复"))
        if any(tier.amount < 0 for tier in tiers):
            raise _fail("", path, _("“%(what)s”不能为负") % {"what": "amount"})
        return Tiers(
            _money_fact(data.get("of"), path),
            tuple(tiers),
            optional("cap"),
            optional("per_year_ceiling"),
        )
    raise _fail("", path, _("金额规则的类型须为 fixed、rate、tiers 或 none"))


def leaves(condition: Condition) -> tuple[Leaf, ...]:
    """The leaves of ``condition`` in document order."""
    if isinstance(condition, Leaf):
        return (condition,)
    if isinstance(condition, Not):
        return leaves(condition.child)
    return tuple(leaf for child in condition.children for leaf in leaves(child))


def condition_facts(condition: Condition) -> set[str]:
    """The names of the facts ``condition`` reads."""
    return {leaf.fact for leaf in leaves(condition)}


def amount_facts(amount: AmountRule) -> set[str]:
    """The names of the facts an amount rule reads."""
    return {amount.of} if isinstance(amount, (Rate, Tiers)) else set()
