"""A version's rules in words, for the officer's preview and the public pages (the same words
on both): the condition as lines with their clauses, the amount as the policy would put it.

These are the requirement's words, without any enterprise's values (the engine's reasons,
``rules.reasons``, say how an enterprise fares against each leaf).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from onewindow.policies.facts import FACTS_BY_NAME, QUALIFICATION_LABELS, FactKind
from onewindow.policies.rules.language import (
    All,
    Condition,
    Fixed,
    Leaf,
    NoAmount,
    Not,
    Rate,
    RuleError,
    Tiers,
    parse_amount,
    parse_condition,
)

_RELATIONS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "=", "!=": "≠"}


def op_labels() -> dict[str, str]:
    """Every operator of the language in words (the editor's operator select)."""
    return {
        ">=": _("不低于（≥）"),
        ">": _("高于（>）"),
        "<=": _("不高于（≤）"),
        "<": _("低于（<）"),
        "=": _("等于"),
        "!=": _("不等于"),
        "between": _("介于（含两端）"),
        "on_or_before": _("不晚于"),
        "on_or_after": _("不早于"),
        "years_before_at_least": _("距今满（年）"),
        "starts_with": _("属于行业（代码前缀）"),
        "in": _("属于其中之一"),
        "not_in": _("不属于其中任何一个"),
        "is": _("是 / 否"),
        "holds": _("持有有效资质"),
        "holds_any": _("持有其中任一有效资质"),
        "has": _("带有标签"),
        "has_any": _("带有其中任一标签"),
    }


@dataclass(frozen=True)
class Line:
    """One line of a condition in words: ``depth`` for the indentation, ``clause`` (leaves
    only) the policy's article, ``heading`` for the all / any / not lines."""

    depth: int
    text: str
    clause: str = ""
    heading: bool = False


def plain_number(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _number(fact_name: str, number: Decimal) -> str:
    fact = FACTS_BY_NAME[fact_name]
    if fact.kind == FactKind.RATIO:
        return f"{plain_number(number * 100)}%"
    if not fact.unit:
        return plain_number(number)
    # Chinese writes the unit right after the number (50人); English puts a space between.
    return pgettext("a number and its unit", "{number}{unit}").format(
        number=plain_number(number), unit=fact.unit
    )


def _choice(fact_name: str, code: str) -> str:
    for choice, label in FACTS_BY_NAME[fact_name].choices:
        if choice == code:
            return str(label)
    return code


def _qualification(code: str) -> str:
    label = QUALIFICATION_LABELS.get(code)
    return str(label) if label is not None else code


def describe_leaf(leaf: Leaf) -> str:
    """``上年度研发费用占营业收入比例 ≥ 5%`` — the requirement, without its clause."""
    fact = FACTS_BY_NAME[leaf.fact]
    subject = leaf.label or str(fact.label)
    op, value = leaf.op, leaf.value
    if fact.kind in (FactKind.INTEGER, FactKind.MONEY, FactKind.RATIO):
        if op == "between":
            low, high = (_number(leaf.fact, bound) for bound in value)
            return _("%(subject)s在 %(low)s 至 %(high)s 之间") % {
                "subject": subject,
                "low": low,
                "high": high,
            }
        return f"{subject} {_RELATIONS[op]} {_number(leaf.fact, value)}"
    if fact.kind == FactKind.DATE:
        if op == "years_before_at_least":
            return _("%(subject)s距判定日满 %(years)s 年") % {"subject": subject, "years": value}
        if op == "between":
            return _("%(subject)s在 %(start)s 至 %(end)s 之间") % {
                "subject": subject,
                "start": value[0].isoformat(),
                "end": value[1].isoformat(),
            }
        template = (
            _("%(subject)s不晚于 %(date)s")
            if op == "on_or_before"
            else _("%(subject)s不早于 %(date)s")
        )
        return template % {"subject": subject, "date": value.isoformat()}
    if fact.kind == FactKind.INDUSTRY:
        return _("%(subject)s属于 %(codes)s") % {"subject": subject, "codes": "、".join(value)}
    if fact.kind == FactKind.CHOICE:
        if op in ("=", "!="):
            template = (
                _("%(subject)s为“%(value)s”") if op == "=" else _("%(subject)s不为“%(value)s”")
            )
            return template % {"subject": subject, "value": _choice(leaf.fact, value)}
        words = "、".join(_choice(leaf.fact, code) for code in sorted(value))
        template = (
            _("%(subject)s为%(values)s之一") if op == "in" else _("%(subject)s不为%(values)s")
        )
        return template % {"subject": subject, "values": words}
    if fact.kind == FactKind.BOOLEAN:
        template = _("须%(subject)s") if value else _("不得%(subject)s")
        return template % {"subject": subject}
    if fact.kind == FactKind.QUALIFICATIONS:
        if op == "holds":
            return _("须持有有效的%(name)s认定") % {"name": leaf.label or _qualification(value)}
        return _("须持有以下任一有效认定：%(names)s") % {
            "names": "、".join(_qualification(code) for code in value)
        }
    if op == "has":
        return _("须为%(tag)s") % {"tag": leaf.label or value}
    return _("须为以下之一：%(tags)s") % {"tags": "、".join(value)}


def _lines(node: Condition, depth: int) -> list[Line]:
    if isinstance(node, Leaf):
        return [Line(depth, describe_leaf(node), node.clause)]
    if isinstance(node, Not):
        return [Line(depth, _("不满足以下条件："), heading=True), *_lines(node.child, depth + 1)]
    heading = _("同时满足以下全部条件：") if isinstance(node, All) else _("满足以下任一条件：")
    lines = [Line(depth, heading, heading=True)]
    for child in node.children:
        lines += _lines(child, depth + 1)
    return lines


def describe_condition(data: Any) -> list[Line]:
    """The condition (its JSON) as lines; ``RuleError`` when it does not parse."""
    return _lines(parse_condition(data), 0)


def describe_condition_safely(data: Any) -> tuple[list[Line], str]:
    """(lines, error): a draft's preview shows why its condition cannot be read."""
    try:
        return describe_condition(data), ""
    except RuleError as error:
        return [], str(error)


def _money(number: Decimal) -> str:
    return _("%(n)s万元") % {"n": plain_number(number)}


def describe_amount(data: Any) -> str:
    """The amount rule in words (``按上年度研发费用的10%计算，最高200万元``); empty when
    it does not parse."""
    try:
        rule = parse_amount(data)
    except RuleError:
        return ""
    if isinstance(rule, NoAmount):
        return _("不涉及资金")
    if isinstance(rule, Fixed):
        text = _("%(amount)s") % {"amount": _money(rule.amount)}
    elif isinstance(rule, Rate):
        text = _("按%(of)s的%(rate)s计算") % {
            "of": FACTS_BY_NAME[rule.of].label,
            "rate": f"{plain_number(rule.rate * 100)}%",
        }
    else:
        assert isinstance(rule, Tiers)
        of = FACTS_BY_NAME[rule.of]
        steps = "；".join(
            _("%(of)s达到%(start)s的，%(amount)s")
            % {"of": of.label, "start": _number(rule.of, tier.start), "amount": _money(tier.amount)}
            for tier in rule.tiers
        )
        text = _("分档：%(steps)s") % {"steps": steps}
    if getattr(rule, "cap", None) is not None:
        text += _("，最高%(cap)s") % {"cap": _money(rule.cap)}
    if rule.per_year_ceiling is not None:
        text += _("，每年至多%(ceiling)s") % {"ceiling": _money(rule.per_year_ceiling)}
    return text
