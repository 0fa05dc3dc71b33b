"""Vectorised evaluation: every item over every enterprise of a ``FactTable`` at once.

Each leaf becomes two boolean arrays (true, false; unknown is neither) computed by one numpy
comparison over its fact's column; identical leaves (same fact, op and value) across items are
computed once. ``all`` / ``any`` / ``not`` combine them by Kleene logic (all: false if any child
is false, true if all are true, else unknown; any: the dual; not swaps true and false). The cost
of a near miss (``results`` module) is computed the same way, as small integers capped at
``near_limit + 1``. Amounts are float64 万元 and read as Decimal rounded half up to the fen.

``Evaluation`` keeps each item's truth, near flag and amount, and each leaf's truth (int8:
1 true, 0 false, -1 unknown), so the reasons of any (enterprise, item) are available without
evaluating again. For a large population evaluate in chunks of rows (a table per chunk) to bound
memory: about (items + distinct leaves) bytes per enterprise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.utils.translation import get_language

from onewindow.policies.rules.language import (
    All,
    Condition,
    Fixed,
    Leaf,
    NoAmount,
    Not,
    Rate,
)
from onewindow.policies.rules.naive import evaluate_naive, whole_years
from onewindow.policies.rules.one import evaluate_one
from onewindow.policies.rules.results import (
    ELIGIBLE,
    INELIGIBLE,
    NEAR,
    NEAR_LIMIT,
    UNKNOWN_OUTCOME,
    CompiledItem,
    ItemResult,
    apply_exclusions,
    build_result,
    compile_item,
    result_hash,
    tidy_amount,
)
from onewindow.policies.rules.table import (
    BooleanColumn,
    CodeColumn,
    DateColumn,
    FactTable,
    NumericColumn,
    SetColumn,
)

__all__ = [
    "CompiledItem",
    "Evaluation",
    "ItemResult",
    "apply_exclusions",
    "compile_item",
    "evaluate",
    "evaluate_naive",
    "result_hash",
]


def _years_cutoff(on: dt.date, years: int) -> int:
    """The last day a date may be to lie at least ``years`` whole years before ``on``."""
    year = on.year - years
    day = on.day
    while True:
        try:
            cutoff = dt.date(year, on.month, day)
            break
        except ValueError:
            day -= 1
    # Agree with whole_years() (29 February): move back while the cutoff does not qualify.
    while whole_years(cutoff, on) < years:
        cutoff -= dt.timedelta(days=1)
    return cutoff.toordinal()


def _leaf_holds(leaf: Leaf, table: FactTable) -> tuple[np.ndarray, np.ndarray]:
    """(holds, known) of one leaf over the table; ``holds`` is meaningful where known."""
    column = table.columns[leaf.fact]
    op, wanted = leaf.op, leaf.value
    if isinstance(column, NumericColumn):
        values = column.values
        if op == "between":
            holds = (values >= float(wanted[0])) & (values <= float(wanted[1]))
        else:
            number = float(wanted)
            holds = {
                ">=": np.greater_equal,
                ">": np.greater,
                "<=": np.less_equal,
                "<": np.less,
                "=": np.equal,
                "!=": np.not_equal,
            }[op](values, number)
    elif isinstance(column, DateColumn):
        days = column.ordinals
        if op == "on_or_before":
            holds = days <= wanted.toordinal()
        elif op == "on_or_after":
            holds = days >= wanted.toordinal()
        elif op == "between":
            holds = (days >= wanted[0].toordinal()) & (days <= wanted[1].toordinal())
        else:
            holds = days <= _years_cutoff(table.on, wanted)
    elif isinstance(column, CodeColumn):
        categories = column.categories
        if op == "starts_with":
            flags = [any(code.startswith(prefix) for prefix in wanted) for code in categories]
        elif op == "=":
            flags = [code == wanted for code in categories]
        elif op == "!=":
            flags = [code != wanted for code in categories]
        elif op == "in":
            flags = [code in wanted for code in categories]
        else:
            flags = [code not in wanted for code in categories]
        holds = column.lookup(np.array(flags, dtype=bool))
    elif isinstance(column, BooleanColumn):
        holds = column.values if wanted else ~column.values
    else:
        assert isinstance(column, SetColumn)
        codes = (wanted,) if isinstance(wanted, str) else wanted
        holds = np.zeros(table.size, dtype=bool)
        for code in codes:
            holds |= column.has(code)
    return holds, column.known


@dataclass
class _Node:
    true: np.ndarray
    false: np.ndarray
    #: Cost (capped) of making the node true / false.
    to_true: np.ndarray
    to_false: np.ndarray


class _Evaluator:
    def __init__(self, table: FactTable, near_limit: int) -> None:
        self.table = table
        self.cap = np.uint8(near_limit + 1)
        self.cache: dict[tuple, tuple[_Node, np.ndarray]] = {}

    def leaf(self, leaf: Leaf) -> tuple[_Node, np.ndarray]:
        signature = (leaf.fact, leaf.op, leaf.value, leaf.near)
        found = self.cache.get(signature)
        if found is not None:
            return found
        holds, known = _leaf_holds(leaf, self.table)
        true = holds & known
        false = known ^ true
        unknown = ~known
        flip = np.uint8(1) if leaf.near else self.cap
        to_true = np.where(true, np.uint8(0), np.where(false, flip, self.cap)).astype(np.uint8)
        to_false = np.where(false, np.uint8(0), np.where(true, flip, self.cap)).astype(np.uint8)
        truth = true.view(np.int8) - unknown.view(np.int8)
        found = self.cache[signature] = (_Node(true, false, to_true, to_false), truth)
        return found

    def node(self, condition: Condition, leaf_truths: list[np.ndarray]) -> _Node:
        if isinstance(condition, Leaf):
            node, truth = self.leaf(condition)
            leaf_truths.append(truth)
            return node
        if isinstance(condition, Not):
            child = self.node(condition.child, leaf_truths)
            return _Node(child.false, child.true, child.to_false, child.to_true)
        children = [self.node(child, leaf_truths) for child in condition.children]
        first = children[0]
        if len(children) == 1:
            return first
        cap = self.cap
        if isinstance(condition, All):
            true = np.logical_and.reduce([child.true for child in children])
            false = np.logical_or.reduce([child.false for child in children])
            to_true = first.to_true.copy()
            for child in children[1:]:
                np.minimum(to_true + child.to_true, cap, out=to_true)
            to_false = np.minimum.reduce([child.to_false for child in children])
        else:
            true = np.logical_or.reduce([child.true for child in children])
            false = np.logical_and.reduce([child.false for child in children])
            to_false = first.to_false.copy()
            for child in children[1:]:
                np.minimum(to_false + child.to_false, cap, out=to_false)
            to_true = np.minimum.reduce([child.to_true for child in children])
        return _Node(true, false, to_true, to_false)


def _amounts(rule, table: FactTable) -> tuple[np.ndarray | None, np.ndarray]:
    """(amounts in float64 万元 or None for no money, known)."""
    size = table.size
    if isinstance(rule, NoAmount):
        return None, np.ones(size, dtype=bool)
    if isinstance(rule, Fixed):
        amounts = np.full(size, float(rule.amount))
        known = np.ones(size, dtype=bool)
    else:
        column = table.columns[rule.of]
        base, known = column.values, column.known
        if isinstance(rule, Rate):
            amounts = np.maximum(base * float(rule.rate), 0.0)
        else:
            starts = np.array([float(tier.start) for tier in rule.tiers])
            values = np.array([0.0] + [float(tier.amount) for tier in rule.tiers])
            position = np.searchsorted(starts, np.where(known, base, -np.inf), side="right")
            amounts = values[position]
        if rule.cap is not None:
            amounts = np.minimum(amounts, float(rule.cap))
    if rule.per_year_ceiling is not None:
        amounts = np.minimum(amounts, float(rule.per_year_ceiling))
    return np.where(known, amounts, np.nan), known


@dataclass
class ItemArrays:
    item: CompiledItem
    #: Kleene truth of the condition: 1 true, 0 false, -1 unknown (int8).
    truth: np.ndarray
    near: np.ndarray
    amounts: np.ndarray | None
    amount_known: np.ndarray
    leaf_truths: list[np.ndarray]

    def outcomes(self) -> np.ndarray:
        """Per enterprise: "eligible", "near", "ineligible" or "unknown"."""
        words = np.array([INELIGIBLE, ELIGIBLE, UNKNOWN_OUTCOME, NEAR])
        return words[np.where(self.near, 3, np.where(self.truth < 0, 2, self.truth))]


class Evaluation:
    """The results of ``items`` over a ``FactTable``.

    A one-row table is evaluated in Python scalars (``one``); its ``items`` (the arrays) are
    then made on first use, and ``result`` reads the scalars.
    """

    def __init__(
        self,
        table: FactTable,
        items: list[ItemArrays] | None,
        near_limit: int,
        *,
        compiled: Sequence[CompiledItem] = (),
        scalars: list | None = None,
    ) -> None:
        self.table = table
        self._items = items
        self._compiled = list(compiled) if items is None else [arrays.item for arrays in items]
        self._scalars = scalars
        self._index = {item.key: index for index, item in enumerate(self._compiled)}
        self._by_key: dict[str, ItemArrays] | None = None
        self._values: dict[int, dict[str, Any]] = {}
        self.near_limit = near_limit

    @property
    def items(self) -> list[ItemArrays]:
        if self._items is None:
            self._items = [
                ItemArrays(
                    item,
                    np.array([truth], dtype=np.int8),
                    np.array([near], dtype=bool),
                    None if amount is None else np.array([amount], dtype=np.float64),
                    np.array([known], dtype=bool),
                    [np.array([leaf], dtype=np.int8) for leaf in leaf_truths],
                )
                for item, (truth, near, amount, known, leaf_truths) in zip(
                    self._compiled, self._scalars, strict=True
                )
            ]
        return self._items

    @property
    def by_key(self) -> dict[str, ItemArrays]:
        if self._by_key is None:
            self._by_key = {arrays.item.key: arrays for arrays in self.items}
        return self._by_key

    def arrays(self, item: str | int) -> ItemArrays:
        return self.items[item] if isinstance(item, int) else self.by_key[item]

    def _row_values(self, row: int) -> dict[str, Any]:
        """The row's facts as reasons show them, read once per fact (``FactTable.value``)."""
        values = self._values.get(row)
        if values is None:
            values = self._values[row] = _RowValues(self.table, row)
        return values

    def result(self, row: int, item: str | int, *, language: str | None = None) -> ItemResult:
        """The result of one item for the enterprise at ``row``, with its reasons (their
        words are built when read, in ``language``, default the active one)."""
        index = item if isinstance(item, int) else self._index[item]
        compiled = self._compiled[index]
        if self._scalars is not None and row == 0:
            truth, near, amount_float, known, leaf_truths = self._scalars[index]
            if amount_float is None:
                known = True
        else:
            arrays = self.items[index]
            truth = int(arrays.truth[row])
            near = bool(arrays.near[row])
            known = bool(arrays.amount_known[row])
            amount_float = None if arrays.amounts is None else float(arrays.amounts[row])
            leaf_truths = [int(truths[row]) for truths in arrays.leaf_truths]
        amount = None
        if amount_float is not None and known:
            amount = tidy_amount(Decimal(repr(amount_float)))
        return build_result(
            compiled,
            truth,
            leaf_truths,
            self._row_values(row),
            amount,
            known,
            self.table.on,
            self.near_limit,
            language=language,
            near=near,
        )

    def results(self, row: int, *, language: str | None = None) -> dict[str, ItemResult]:
        """Every item's result for the enterprise at ``row``, exclusions applied; the words
        of a reason are built only when read (an ineligible item's usually never are)."""
        language = language or get_language()
        results = {
            item.key: self.result(row, index, language=language)
            for index, item in enumerate(self._compiled)
        }
        groups = {item.key: item.excludes for item in self._compiled if item.excludes}
        return apply_exclusions(results, groups) if groups else results


class _RowValues(dict):
    """One row's values by fact name, read from the table on first use."""

    def __init__(self, table: FactTable, row: int) -> None:
        super().__init__()
        self.table = table
        self.row = row

    def __missing__(self, name: str) -> Any:
        value = self[name] = self.table.value(name, self.row)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        return self[name]


def evaluate(
    items: Sequence[CompiledItem], table: FactTable, *, near_limit: int = NEAR_LIMIT
) -> Evaluation:
    """Evaluate every item over every enterprise of ``table`` (one enterprise: in scalars)."""
    if table.size == 1:
        scalars = evaluate_one(
            items, table, near_limit, lambda years: _years_cutoff(table.on, years)
        )
        return Evaluation(table, None, near_limit, compiled=items, scalars=scalars)
    evaluator = _Evaluator(table, near_limit)
    evaluated = []
    for item in items:
        leaf_truths: list[np.ndarray] = []
        node = evaluator.node(item.condition, leaf_truths)
        truth = node.true.view(np.int8) - (~(node.true | node.false)).view(np.int8)
        near = node.false & (node.to_true <= near_limit)
        amounts, known = _amounts(item.amount, table)
        evaluated.append(ItemArrays(item, truth, near, amounts, known, leaf_truths))
    return Evaluation(table, evaluated, near_limit)
