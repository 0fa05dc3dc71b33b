"""One enterprise (a one-row ``FactTable``) evaluated in plain Python floats.

numpy costs about a microsecond a call whatever the length; a one-row table would pay it
for every combination of every item (one enterprise against 1,000 items: tens of thousands of
calls). This path computes the same things as the vectorised one, in the same arithmetic
(float64 numbers, day ordinals, the table's codes and sets), as Python scalars: a leaf's truth,
the Kleene truth and the capped cost of a near miss of each node, and the amount. The property
test checks it against the plain evaluator like the vectorised path.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Any

from onewindow.policies.rules.language import All, Condition, Fixed, Leaf, NoAmount, Not, Rate
from onewindow.policies.rules.reasons import FALSE, TRUE, UNKNOWN
from onewindow.policies.rules.results import CompiledItem
from onewindow.policies.rules.table import (
    BooleanColumn,
    CodeColumn,
    DateColumn,
    FactTable,
    NumericColumn,
    SetColumn,
)

_COMPARE = {
    ">=": float.__ge__,
    ">": float.__gt__,
    "<=": float.__le__,
    "<": float.__lt__,
    "=": float.__eq__,
    "!=": float.__ne__,
}


def row_scalars(table: FactTable, row: int = 0) -> dict[str, Any]:
    """Each fact's value at ``row`` as the vectorised path compares it (None: unknown): a
    float, a day ordinal, a code, a bool or a frozenset of codes."""
    scalars: dict[str, Any] = {}
    for name, column in table.columns.items():
        if not column.known[row]:
            scalars[name] = None
        elif isinstance(column, NumericColumn):
            scalars[name] = float(column.values[row])
        elif isinstance(column, DateColumn):
            scalars[name] = int(column.ordinals[row])
        elif isinstance(column, CodeColumn):
            scalars[name] = column.categories[column.codes[row]]
        elif isinstance(column, BooleanColumn):
            scalars[name] = bool(column.values[row])
        else:
            assert isinstance(column, SetColumn)
            scalars[name] = frozenset(code for code, flags in column.members.items() if flags[row])
    return scalars


def _holds(leaf: Leaf, value: Any, cutoff) -> bool:
    """Mirror of ``evaluate._leaf_holds`` on one known value."""
    op, wanted = leaf.op, leaf.value
    if type(value) is float:
        if op == "between":
            return float(wanted[0]) <= value <= float(wanted[1])
        return _COMPARE[op](value, float(wanted))
    if type(value) is int:  # a day ordinal
        if op == "on_or_before":
            return value <= wanted.toordinal()
        if op == "on_or_after":
            return value >= wanted.toordinal()
        if op == "between":
            return wanted[0].toordinal() <= value <= wanted[1].toordinal()
        return value <= cutoff(wanted)
    if type(value) is str:
        if op == "starts_with":
            return any(value.startswith(prefix) for prefix in wanted)
        if op == "=":
            return value == wanted
        if op == "!=":
            return value != wanted
        if op == "in":
            return value in wanted
        return value not in wanted
    if type(value) is bool:
        return value if wanted else not value
    codes = (wanted,) if isinstance(wanted, str) else wanted
    return any(code in value for code in codes)


class OneRow:
    """Truths, near costs and amounts of items for one row's scalars."""

    def __init__(self, scalars: dict[str, Any], on, near_limit: int, cutoff) -> None:
        self.scalars = scalars
        self.cap = near_limit + 1
        self.cutoff = cutoff
        self.leaf_cache: dict[tuple, int] = {}

    def leaf(self, leaf: Leaf) -> int:
        signature = (leaf.fact, leaf.op, leaf.value)
        truth = self.leaf_cache.get(signature)
        if truth is None:
            value = self.scalars[leaf.fact]
            if value is None:
                truth = UNKNOWN
            else:
                truth = TRUE if _holds(leaf, value, self.cutoff) else FALSE
            self.leaf_cache[signature] = truth
        return truth

    def node(self, condition: Condition, leaf_truths: list[int]) -> tuple[int, int, int]:
        """(truth, capped cost to make it true, capped cost to make it false)."""
        cap = self.cap
        if isinstance(condition, Leaf):
            truth = self.leaf(condition)
            leaf_truths.append(truth)
            flip = 1 if condition.near else cap
            if truth == TRUE:
                return TRUE, 0, flip
            if truth == FALSE:
                return FALSE, flip, 0
            return UNKNOWN, cap, cap
        if isinstance(condition, Not):
            truth, to_true, to_false = self.node(condition.child, leaf_truths)
            return (UNKNOWN if truth == UNKNOWN else TRUE - truth), to_false, to_true
        parts = [self.node(child, leaf_truths) for child in condition.children]
        truths = [part[0] for part in parts]
        if isinstance(condition, All):
            truth = FALSE if FALSE in truths else (UNKNOWN if UNKNOWN in truths else TRUE)
            return (
                truth,
                min(cap, sum(part[1] for part in parts)),
                min(part[2] for part in parts),
            )
        truth = TRUE if TRUE in truths else (UNKNOWN if UNKNOWN in truths else FALSE)
        return truth, min(part[1] for part in parts), min(cap, sum(part[2] for part in parts))

    def amount(self, rule) -> tuple[float | None, bool]:
        """Mirror of ``evaluate._amounts``: (float 万元, NaN when unknown; None: no money)."""
        if isinstance(rule, NoAmount):
            return None, True
        if isinstance(rule, Fixed):
            amount = float(rule.amount)
        else:
            base = self.scalars[rule.of]
            if base is None:
                return math.nan, False
            if isinstance(rule, Rate):
                amount = base * float(rule.rate)
                amount = amount if amount > 0.0 else 0.0
            else:
                starts = [float(tier.start) for tier in rule.tiers]
                values = [0.0] + [float(tier.amount) for tier in rule.tiers]
                amount = values[bisect.bisect_right(starts, base)]
            if rule.cap is not None:
                amount = min(amount, float(rule.cap))
        if rule.per_year_ceiling is not None:
            amount = min(amount, float(rule.per_year_ceiling))
        return amount, True


def evaluate_one(
    items: Sequence[CompiledItem], table: FactTable, near_limit: int, cutoff
) -> list[tuple[int, bool, float | None, bool, list[int]]]:
    """Per item: (truth, near, amount or None, amount known, leaf truths) for row 0."""
    one = OneRow(row_scalars(table), table.on, near_limit, cutoff)
    found = []
    for item in items:
        leaf_truths: list[int] = []
        truth, to_true, _to_false = one.node(item.condition, leaf_truths)
        amount, known = one.amount(item.amount)
        found.append((truth, truth == FALSE and to_true <= near_limit, amount, known, leaf_truths))
    return found
