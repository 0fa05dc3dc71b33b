"""The words of a reason: one leaf, its outcome and the enterprise's value, in the policy's terms.

E.g. "上年度研发费用占营业收入比例 4.6% < 5%（第十一条(四)）", "需取得高新技术企业认定（第三条）",
"未知：缺少上年度研发费用（第十一条(四)）".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from onewindow.policies.facts import FACTS_BY_NAME, QUALIFICATION_LABELS, FactKind
from onewindow.policies.rules.language import Leaf

TRUE = 1
FALSE = 0
UNKNOWN = -1

#: The relation shown when a comparison holds / fails.
_SHOWN = {
    ">=": ("≥", "<"),
    ">": (">", "≤"),
    "<=": ("≤", ">"),
    "<": ("<", "≥"),
    "=": ("=", "≠"),
    "!=": ("≠", "="),
}


def plain_number(number: Decimal) -> str:
    """``Decimal("1500.0")`` → ``"1500"``, ``Decimal("4.60")`` → ``"4.6"``."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def show_number(fact_name: str, number: Decimal) -> str:
    fact = FACTS_BY_NAME[fact_name]
    if fact.kind == FactKind.RATIO:
        return f"{plain_number(number * 100)}%"
    return f"{plain_number(number)}{fact.unit}"


def _choice_label(fact_name: str, code: str) -> str:
    for choice, label in FACTS_BY_NAME[fact_name].choices:
        if choice == code:
            return str(label)
    return code


def _qualification(code: str) -> str:
    label = QUALIFICATION_LABELS.get(code)
    return str(label) if label is not None else code


def _list(words) -> str:
    return "、".join(words)


def leaf_text(leaf: Leaf, truth: int, value: Any, on: dt.date) -> str:
    """The reason for ``leaf`` given its ``truth`` and the enterprise's (normalised) ``value``."""
    fact = FACTS_BY_NAME[leaf.fact]
    subject = leaf.label or str(fact.label)
    clause = leaf.clause
    if truth == UNKNOWN:
        return _("未知：缺少%(fact)s（%(clause)s）") % {"fact": fact.label, "clause": clause}
    holds = truth == TRUE
    kind = fact.kind
    op = leaf.op
    if kind in (FactKind.INTEGER, FactKind.MONEY, FactKind.RATIO):
        actual = show_number(leaf.fact, value)
        if op == "between":
            low, high = (show_number(leaf.fact, bound) for bound in leaf.value)
            template = (
                _("%(subject)s %(actual)s，在 %(low)s 至 %(high)s 之间（%(clause)s）")
                if holds
                else _("%(subject)s %(actual)s，不在 %(low)s 至 %(high)s 之间（%(clause)s）")
            )
            return template % {
                "subject": subject,
                "actual": actual,
                "low": low,
                "high": high,
                "clause": clause,
            }
        relation = _SHOWN[op][0 if holds else 1]
        wanted = show_number(leaf.fact, leaf.value)
        return f"{subject} {actual} {relation} {wanted}（{clause}）"
    if kind == FactKind.DATE:
        words = {"subject": subject, "actual": value.isoformat(), "clause": clause}
        if op == "years_before_at_least":
            words["years"] = leaf.value
            template = (
                _("%(subject)s %(actual)s，已满 %(years)s 年（%(clause)s）")
                if holds
                else _("%(subject)s %(actual)s，未满 %(years)s 年（%(clause)s）")
            )
        elif op == "between":
            words["start"], words["end"] = (bound.isoformat() for bound in leaf.value)
            template = (
                _("%(subject)s %(actual)s，在 %(start)s 至 %(end)s 之间（%(clause)s）")
                if holds
                else _("%(subject)s %(actual)s，不在 %(start)s 至 %(end)s 之间（%(clause)s）")
            )
        else:
            words["wanted"] = leaf.value.isoformat()
            if op == "on_or_before":
                template = (
                    _("%(subject)s %(actual)s，不晚于 %(wanted)s（%(clause)s）")
                    if holds
                    else _("%(subject)s %(actual)s，晚于 %(wanted)s（%(clause)s）")
                )
            else:
                template = (
                    _("%(subject)s %(actual)s，不早于 %(wanted)s（%(clause)s）")
                    if holds
                    else _("%(subject)s %(actual)s，早于 %(wanted)s（%(clause)s）")
                )
        return template % words
    if kind == FactKind.INDUSTRY:
        template = (
            _("%(subject)s %(actual)s，属于 %(wanted)s（%(clause)s）")
            if holds
            else _("%(subject)s %(actual)s，不属于 %(wanted)s（%(clause)s）")
        )
        return template % {
            "subject": subject,
            "actual": value,
            "wanted": _list(leaf.value),
            "clause": clause,
        }
    if kind == FactKind.CHOICE:
        wanted = leaf.value if isinstance(leaf.value, str) else sorted(leaf.value)
        wanted_words = (
            _choice_label(leaf.fact, wanted)
            if isinstance(wanted, str)
            else _list(_choice_label(leaf.fact, code) for code in wanted)
        )
        words = {
            "subject": subject,
            "actual": _choice_label(leaf.fact, value),
            "wanted": wanted_words,
            "clause": clause,
        }
        if op in ("=", "in"):
            template = (
                _("%(subject)s为%(actual)s（%(clause)s）")
                if holds
                else _("%(subject)s为%(actual)s，须为%(wanted)s（%(clause)s）")
            )
        else:
            template = (
                _("%(subject)s为%(actual)s（%(clause)s）")
                if holds
                else _("%(subject)s为%(actual)s，不得为%(wanted)s（%(clause)s）")
            )
        return template % words
    if kind == FactKind.BOOLEAN:
        words = {"subject": subject, "clause": clause}
        if holds:
            template = (
                _("%(subject)s：是（%(clause)s）") if value else _("%(subject)s：否（%(clause)s）")
            )
        else:
            template = (
                _("%(subject)s：否，须为是（%(clause)s）")
                if leaf.value
                else _("%(subject)s：是，须为否（%(clause)s）")
            )
        return template % words
    if kind == FactKind.QUALIFICATIONS:
        codes = (leaf.value,) if isinstance(leaf.value, str) else leaf.value
        names = (leaf.label,) if leaf.label else tuple(_qualification(code) for code in codes)
        words = {"wanted": _("或").join(names), "clause": clause}
        template = (
            _("已取得%(wanted)s认定（%(clause)s）")
            if holds
            else _("需取得%(wanted)s认定（%(clause)s）")
        )
        return template % words
    codes = (leaf.value,) if isinstance(leaf.value, str) else leaf.value
    words = {"wanted": _("或").join(f"“{code}”" for code in codes), "clause": clause}
    template = (
        _("已有标签%(wanted)s（%(clause)s）") if holds else _("需有标签%(wanted)s（%(clause)s）")
    )
    return template % words
