"""Compiled items, the result of one item for one enterprise, exclusions and the result hash.

Outcomes of an item for an enterprise:

- ``eligible``: the condition is true;
- ``unknown``: the condition is unknown (a fact it needs is missing; never shown as ineligible);
- ``near``: the condition is false, and making at most ``near_limit`` (default 2) of its false
  leaves true would make it true, where no unknown leaf is needed and no leaf marked
  ``"near": false`` must change. Precisely: the *cost* of making a node true is 0 for a true
  node; for a leaf, 1 when false (∞ when unknown or marked ``near: false``); for ``all`` the sum
  over its children; for ``any`` the least over its children; for ``not`` the cost of making its
  child false (the dual: a true leaf costs 1, ``all`` the least, ``any`` the sum). ``near`` is
  false with a cost ≤ ``near_limit``; ``ItemResult.missing`` names exactly those leaves (the
  first cheapest child where there is a choice);
- ``ineligible``: otherwise.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from onewindow.policies.facts import FACTS_BY_NAME, NUMERIC_KINDS, FactKind
from onewindow.policies.rules.language import (
    All,
    AmountRule,
    Condition,
    Leaf,
    Not,
    amount_facts,
    condition_facts,
    leaves,
    normalise_industry_code,
    parse_amount,
    parse_condition,
)
from onewindow.policies.rules.reasons import FALSE, TRUE, UNKNOWN, LeafWords, leaf_words
from onewindow.policies.rules.table import as_date

ELIGIBLE = "eligible"
NEAR = "near"
INELIGIBLE = "ineligible"
UNKNOWN_OUTCOME = "unknown"

NEAR_LIMIT = 2
#: Amounts are read as Decimal 万元 rounded half up to the fen (0.000001 万元).
FEN = Decimal("0.000001")
INFINITE = 1 << 30

TRUTH_WORDS = {TRUE: "true", FALSE: "false", UNKNOWN: "unknown"}


@dataclass(frozen=True)
class CompiledItem:
    key: str
    condition: Condition
    amount: AmountRule
    leaves: tuple[Leaf, ...]
    #: Keys of the items this one may not be combined with (互斥), in either direction.
    excludes: tuple[str, ...] = ()
    #: The leaves' compiled words by language (``words``).
    _words: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def words(self, language: str | None = None) -> tuple[LeafWords, ...]:
        """Each leaf's words in ``language`` (default: the active one), compiled once."""
        language = language or get_language()
        found = self._words.get(language)
        if found is None:
            found = self._words[language] = tuple(
                leaf_words(leaf, language) for leaf in self.leaves
            )
        return found


def compile_item(
    key: str, condition: Condition, amount: AmountRule, excludes: Iterable[str] = ()
) -> CompiledItem:
    """An item ready to evaluate: its leaves numbered in document order."""
    return CompiledItem(key, condition, amount, leaves(condition), tuple(excludes))


class _Text:
    """``Reason.text``: a string, or words built on first read from ``(words, truth, value)``
    (most results are never shown: building every reason's words up front is most of the cost
    of one enterprise against a thousand items)."""

    def __get__(self, reason: Reason | None, owner: type | None = None) -> str:
        if reason is None:
            return ""  # the field's default
        text = reason.__dict__["_text"]
        if type(text) is not str:
            words, truth, value = text
            text = reason.__dict__["_text"] = words.text(truth, value)
        return text

    def __set__(self, reason: Reason, text: str | tuple[LeafWords, int, Any]) -> None:
        reason.__dict__["_text"] = text


@dataclass(frozen=True)
class Reason:
    clause: str
    outcome: str  # "true" / "false" / "unknown"
    #: The words; ``Reason(..., (words, truth, value))`` builds them when first read.
    text: str = _Text()  # type: ignore[assignment]
    fact: str = ""
    path: str = ""


@dataclass(frozen=True)
class ItemResult:
    key: str
    outcome: str
    #: 万元; None when the item has no money or the amount is unknown (``amount_known``).
    amount: Decimal | None
    amount_known: bool
    #: One per leaf, in document order.
    reasons: tuple[Reason, ...]
    #: Near: the leaves to fix; unknown: the leaves whose facts are missing.
    missing: tuple[Reason, ...] = ()
    excluded_by: str | None = None


_new = object.__new__
_set = object.__setattr__


def _pending_reason(
    clause: str, outcome: str, pending: tuple[LeafWords, int, Any], fact: str, path: str
) -> Reason:
    """``Reason(clause, outcome, pending, fact, path)`` without the dataclass's ``__init__``
    (a thousand items make thousands of reasons)."""
    reason = _new(Reason)
    _set(
        reason,
        "__dict__",
        {"clause": clause, "outcome": outcome, "_text": pending, "fact": fact, "path": path},
    )
    return reason


def tidy_amount(number: Decimal) -> Decimal:
    """Round half up to the fen and drop trailing zeros (never into exponent form)."""
    number = number.quantize(FEN, rounding=ROUND_HALF_UP)
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return Decimal(format(number.normalize(), "f"))


def _costs(node: Condition, truths: dict[int, int], index: dict[int, int]):
    """(cost to make true, its leaves, cost to make false, its leaves) of ``node``."""
    if isinstance(node, Leaf):
        truth = truths[index[id(node)]]
        flip = 1 if node.near else INFINITE
        to_true = (
            (0, ()) if truth == TRUE else ((flip, (node,)) if truth == FALSE else (INFINITE, ()))
        )
        to_false = (
            (0, ()) if truth == FALSE else ((flip, (node,)) if truth == TRUE else (INFINITE, ()))
        )
        return (*to_true, *to_false)
    if isinstance(node, Not):
        true_cost, true_leaves, false_cost, false_leaves = _costs(node.child, truths, index)
        return false_cost, false_leaves, true_cost, true_leaves
    parts = [_costs(child, truths, index) for child in node.children]

    def total(offset: int):
        cost = min(INFINITE, sum(part[offset] for part in parts))
        return cost, tuple(leaf for part in parts for leaf in part[offset + 1])

    def least(offset: int):
        best = min(parts, key=lambda part: part[offset])
        return best[offset], best[offset + 1]

    if isinstance(node, All):
        return (*total(0), *least(2))
    return (*least(0), *total(2))


def build_result(
    item: CompiledItem,
    truth: int,
    leaf_truths: list[int],
    values: Mapping[str, Any],
    amount: Decimal | None,
    amount_known: bool,
    on: dt.date,
    near_limit: int = NEAR_LIMIT,
    *,
    texts: bool = True,
    language: str | None = None,
    near: bool | None = None,
) -> ItemResult:
    """The result with its reasons from the leaves' truths and the facts' normalised values
    (``texts=False``: the reasons without their words, for counting). The words are built
    when a reason's ``text`` is first read, in ``language`` (default: the one active now).
    ``near``: whether a false condition is a near miss, when the caller knows (the cost of the
    near miss is then worked out only to name the leaves of a near one)."""
    if texts:
        reasons = tuple(
            _pending_reason(
                leaf.clause,
                TRUTH_WORDS[leaf_truth],
                (words, leaf_truth, values.get(leaf.fact)),
                leaf.fact,
                leaf.path,
            )
            for leaf, leaf_truth, words in zip(
                item.leaves, leaf_truths, item.words(language), strict=True
            )
        )
    else:
        reasons = tuple(
            Reason(leaf.clause, TRUTH_WORDS[leaf_truth], "", leaf.fact, leaf.path)
            for leaf, leaf_truth in zip(item.leaves, leaf_truths, strict=True)
        )
    missing: tuple[Reason, ...] = ()
    if truth == TRUE:
        outcome = ELIGIBLE
    elif truth == UNKNOWN:
        outcome = UNKNOWN_OUTCOME
        missing = tuple(reason for reason in reasons if reason.outcome == "unknown")
    elif near is False:
        outcome = INELIGIBLE
    else:
        index = {id(leaf): position for position, leaf in enumerate(item.leaves)}
        cost, needed, _false_cost, _false_leaves = _costs(
            item.condition, dict(enumerate(leaf_truths)), index
        )
        if cost <= near_limit:
            outcome = NEAR
            wanted = {id(leaf) for leaf in needed}
            missing = tuple(
                reason
                for leaf, reason in zip(item.leaves, reasons, strict=True)
                if id(leaf) in wanted
            )
        else:
            outcome = INELIGIBLE
    return ItemResult(item.key, outcome, amount, amount_known, reasons, missing)


def apply_exclusions(
    results: Mapping[str, ItemResult], groups: Mapping[str, Iterable[str]]
) -> dict[str, ItemResult]:
    """One enterprise's results with mutual exclusions (互斥) applied.

    ``groups`` maps an item's key to the keys it excludes (either side naming the other is
    enough). Among eligible items that exclude each other only the larger amount is proposed
    (ties: the key first in sort order); each other one is marked ``excluded_by`` with a reason.
    """
    conflicts: dict[str, set[str]] = {}
    for key, others in groups.items():
        for other in others:
            conflicts.setdefault(key, set()).add(other)
            conflicts.setdefault(other, set()).add(key)
    eligible = [result for result in results.values() if result.outcome == ELIGIBLE]
    eligible.sort(key=lambda result: (-(result.amount or Decimal(0)), result.key))
    chosen: list[str] = []
    updated = dict(results)
    for result in eligible:
        winner = next((key for key in chosen if key in conflicts.get(result.key, ())), None)
        if winner is None:
            chosen.append(result.key)
            continue
        reason = Reason(
            "",
            "false",
            _("与“%(winner)s”不可同时享受，只推荐金额较大的“%(winner)s”") % {"winner": winner},
        )
        updated[result.key] = replace(result, excluded_by=winner, reasons=(*result.reasons, reason))
    return updated


def _canonical(name: str, value: Any) -> Any:
    if value is None:
        return None
    kind = FACTS_BY_NAME[name].kind
    if kind in NUMERIC_KINDS:
        return format(Decimal(str(value)).normalize(), "f")
    if kind == FactKind.DATE:
        return as_date(value).isoformat()
    if kind == FactKind.INDUSTRY:
        return normalise_industry_code(value)
    if kind == FactKind.QUALIFICATIONS:
        entries = [
            {
                key: (
                    as_date(entry[key]).isoformat() if key.startswith("valid") else str(entry[key])
                )
                for key in ("code", "number", "valid_from", "valid_until")
                if entry.get(key) is not None
            }
            for entry in value
        ]
        return sorted(entries, key=lambda entry: json.dumps(entry, sort_keys=True))
    if kind == FactKind.TAGS:
        return sorted({str(tag) for tag in value})
    if kind == FactKind.BOOLEAN:
        return bool(value)
    return str(value)


def _plain(value: Any) -> Any:
    """JSON-able item content: Decimal and dates as strings."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


#: Per version key: (a copy of its content, the facts it reads in order, its canonical JSON).
#: Published content never changes, so each call only canonicalises and hashes the facts part;
#: a different content under the same key (a draft edited) is seen by comparing and replaces it.
_CONTENT_CACHE: dict[str, tuple[Any, tuple[str, ...], str]] = {}
_CONTENT_CACHE_SIZE = 8192
#: A fact's JSON by (name, type, value) for hashable values (numbers, dates, codes).
_VALUE_CACHE: dict[tuple[str, type, Any], str] = {}
_VALUE_CACHE_SIZE = 65536


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _content_part(item_version_key: str, item_content: Mapping[str, Any]):
    found = _CONTENT_CACHE.get(item_version_key)
    if found is not None and found[0] == item_content:
        return found
    read = condition_facts(parse_condition(item_content["condition"]))
    read |= amount_facts(parse_amount(item_content.get("amount", {"kind": "none"})))
    found = (copy.deepcopy(item_content), tuple(sorted(read)), _dumps(_plain(item_content)))
    if len(_CONTENT_CACHE) >= _CONTENT_CACHE_SIZE:
        _CONTENT_CACHE.clear()
    _CONTENT_CACHE[item_version_key] = found
    return found


def _value_key(name: str, value: Any) -> tuple | None:
    """A hashable key standing for ``value`` (None when there is none); types are part of it
    (``1`` and ``"1"`` or ``True`` are not canonicalised alike)."""
    if isinstance(value, (list, tuple)):
        try:
            return (
                name,
                list,
                tuple(
                    tuple((key, type(item), item) for key, item in entry.items())
                    if isinstance(entry, Mapping)
                    else (type(entry), entry)
                    for entry in value
                ),
            )
        except AttributeError:
            return None
    return (name, type(value), value)


def _fact_json(name: str, value: Any) -> str:
    """``"name":<canonical value>`` as JSON, kept by value."""
    key = _value_key(name, value)
    try:
        found = _VALUE_CACHE.get(key) if key is not None else None
    except TypeError:  # unhashable
        key = None
        found = None
    if found is None:
        found = _dumps(name) + ":" + _dumps(_canonical(name, value))
        if key is not None:
            if len(_VALUE_CACHE) >= _VALUE_CACHE_SIZE:
                _VALUE_CACHE.clear()
            _VALUE_CACHE[key] = found
    return found


def result_hash(
    facts: Mapping[str, Any], item_version_key: str, item_content: Mapping[str, Any], on: dt.date
) -> str:
    """sha256 (hex) over a canonical JSON of the facts the item reads, its version and content
    and the evaluation date: the same inputs give the same hash; any read fact changes it.

    ``item_content`` holds the item's ``condition`` and ``amount`` as stored (JSON). The JSON
    is ``{"facts": {name: canonical value}, "item": content, "on": ISO date, "version": key}``
    with sorted keys and no spaces; the content's part is kept per version key (see
    ``_CONTENT_CACHE``), so a call costs the facts it reads.
    """
    _content, read, item_json = _content_part(item_version_key, item_content)
    facts_json = "{" + ",".join(_fact_json(name, facts.get(name)) for name in read) + "}"
    text = (
        f'{{"facts":{facts_json},"item":{item_json},"on":{_dumps(on.isoformat())},'
        f'"version":{_dumps(item_version_key)}}}'
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
