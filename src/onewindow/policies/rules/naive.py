"""The plain evaluator: one enterprise, one item, one leaf at a time, in Decimal.

It shares nothing with the vectorised path but the parsed rule and the words of reasons: it is
the oracle of the property tests and the comparison of the bench.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from onewindow.policies.facts import FACTS_BY_NAME, NUMERIC_KINDS, FactKind
from onewindow.policies.rules.language import (
    All,
    Condition,
    Fixed,
    Leaf,
    NoAmount,
    Not,
    Rate,
    Tiers,
    normalise_industry_code,
)
from onewindow.policies.rules.reasons import FALSE, TRUE, UNKNOWN
from onewindow.policies.rules.results import (
    NEAR_LIMIT,
    CompiledItem,
    ItemResult,
    build_result,
    tidy_amount,
)
from onewindow.policies.rules.table import as_date, held_on


def normalised_value(name: str, raw: Any, on: dt.date) -> Any:
    """A profile value as the reasons and comparisons use it (None: unknown)."""
    if raw is None:
        return None
    kind = FACTS_BY_NAME[name].kind
    if kind in NUMERIC_KINDS:
        return Decimal(str(raw).replace(",", "")) if isinstance(raw, str) else Decimal(str(raw))
    if kind == FactKind.DATE:
        return as_date(raw)
    if kind == FactKind.INDUSTRY:
        return normalise_industry_code(raw)
    if kind == FactKind.BOOLEAN:
        return bool(raw)
    if kind == FactKind.QUALIFICATIONS:
        return sorted({str(entry.get("code")) for entry in raw if held_on(entry, on)})
    if kind == FactKind.TAGS:
        return sorted({str(tag) for tag in raw})
    return str(raw)


def whole_years(start: dt.date, on: dt.date) -> int:
    """Whole years from ``start`` to ``on`` (an anniversary on 29 February falls on 1 March)."""
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def leaf_truth(leaf: Leaf, value: Any, on: dt.date) -> int:
    if value is None:
        return UNKNOWN
    op, wanted = leaf.op, leaf.value
    if op == ">=":
        holds = value >= wanted
    elif op == ">":
        holds = value > wanted
    elif op == "<=":
        holds = value <= wanted
    elif op == "<":
        holds = value < wanted
    elif op in ("=", "is"):
        holds = value == wanted
    elif op == "!=":
        holds = value != wanted
    elif op == "between":
        holds = wanted[0] <= value <= wanted[1]
    elif op == "on_or_before":
        holds = value <= wanted
    elif op == "on_or_after":
        holds = value >= wanted
    elif op == "years_before_at_least":
        holds = whole_years(value, on) >= wanted
    elif op == "starts_with":
        holds = any(value.startswith(prefix) for prefix in wanted)
    elif op == "in":
        holds = value in wanted
    elif op == "not_in":
        holds = value not in wanted
    elif op in ("holds", "has"):
        holds = wanted in value
    else:  # holds_any, has_any
        holds = any(code in value for code in wanted)
    return TRUE if holds else FALSE


def _combine(node: Condition, truths: dict[int, int]) -> int:
    if isinstance(node, Leaf):
        return truths[id(node)]
    if isinstance(node, Not):
        child = _combine(node.child, truths)
        return UNKNOWN if child == UNKNOWN else TRUE - child
    children = [_combine(child, truths) for child in node.children]
    if isinstance(node, All):
        if FALSE in children:
            return FALSE
        return UNKNOWN if UNKNOWN in children else TRUE
    if TRUE in children:
        return TRUE
    return UNKNOWN if UNKNOWN in children else FALSE


def naive_amount(item: CompiledItem, values: Mapping[str, Any]) -> tuple[Decimal | None, bool]:
    rule = item.amount
    if isinstance(rule, NoAmount):
        return None, True
    if isinstance(rule, Fixed):
        amount = rule.amount
    else:
        base = values.get(rule.of)
        if base is None:
            return None, False
        if isinstance(rule, Rate):
            amount = max(Decimal(0), base * rule.rate)
        else:
            amount = Decimal(0)
            for tier in rule.tiers:
                if tier.start <= base:
                    amount = tier.amount
        if rule.cap is not None:
            amount = min(amount, rule.cap)
    if rule.per_year_ceiling is not None:
        amount = min(amount, rule.per_year_ceiling)
    return tidy_amount(amount), True


def evaluate_naive(
    item: CompiledItem,
    facts: Mapping[str, Any],
    on: dt.date,
    *,
    near_limit: int = NEAR_LIMIT,
    texts: bool = True,
) -> ItemResult:
    """The result of ``item`` for one enterprise's ``facts`` (as the profile stores them);
    ``texts=False`` leaves the words of the reasons out (the bench's comparison)."""
    names = {leaf.fact for leaf in item.leaves}
    if isinstance(item.amount, (Rate, Tiers)):
        names.add(item.amount.of)
    values = {name: normalised_value(name, facts.get(name), on) for name in names}
    leaf_truths = [leaf_truth(leaf, values[leaf.fact], on) for leaf in item.leaves]
    truth = _combine(
        item.condition, {id(leaf): t for leaf, t in zip(item.leaves, leaf_truths, strict=True)}
    )
    amount, amount_known = naive_amount(item, values)
    return build_result(
        item, truth, leaf_truths, values, amount, amount_known, on, near_limit, texts=texts
    )
