"""The words of a reason: one leaf, its outcome and the enterprise's value, in the policy's terms.

E.g. "上年度研发费用占营业收入比例 4.6% < 5%（第十一条(四)）", "需取得高新技术企业认定（第三条）",
"未知：缺少上年度研发费用（第十一条(四)）".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, gettext, override

from onewindow.policies.facts import FACTS_BY_NAME, QUALIFICATION_LABELS, FactKind
from onewindow.policies.rules.language import Leaf

TRUE = 1
FALSE = 0
UNKNOWN = -1

#: Translated words by (language, message): reasons are many and their words few, and
#: Django's gettext costs a few microseconds a call (the catalogue is fixed while running).
_TRANSLATED: dict[tuple[str | None, str], str] = {}


def _translated(language: str | None, message: Any) -> str:
    """``message`` (a string or a lazy translation) in ``language``, the active one."""
    key = (language, message if isinstance(message, str) else f"lazy:{id(message)}")
    found = _TRANSLATED.get(key)
    if found is None:
        found = _TRANSLATED[key] = gettext(message) if isinstance(message, str) else str(message)
    return found


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


def show_number(fact_name: str, number: Decimal, language: str | None = None) -> str:
    fact = FACTS_BY_NAME[fact_name]
    if fact.kind == FactKind.RATIO:
        return f"{plain_number(number * 100)}%"
    unit = _translated(language or get_language(), fact.unit) if fact.unit else ""
    return f"{plain_number(number)}{unit}"


def _choice_label(fact_name: str, code: str, language: str | None) -> str:
    for choice, label in FACTS_BY_NAME[fact_name].choices:
        if choice == code:
            return _translated(language, label)
    return code


def _qualification(code: str, language: str | None) -> str:
    label = QUALIFICATION_LABELS.get(code)
    return _translated(language, label) if label is not None else code


def _list(words) -> str:
    return "、".join(words)


def _compose(leaf: Leaf, truth: int, actual: str, language: str | None) -> str:
    """The words for ``leaf`` at ``truth`` with the enterprise's value already shown as
    ``actual`` (a boolean's value is implied by the truth; sets show none)."""

    def _(message: str) -> str:
        return _translated(language, message)

    fact = FACTS_BY_NAME[leaf.fact]
    label = _translated(language, fact.label)
    subject = leaf.label or label
    clause = leaf.clause
    if truth == UNKNOWN:
        return _("未知：缺少%(fact)s（%(clause)s）") % {"fact": label, "clause": clause}
    holds = truth == TRUE
    kind = fact.kind
    op = leaf.op
    if kind in (FactKind.INTEGER, FactKind.MONEY, FactKind.RATIO):
        if op == "between":
            low, high = (show_number(leaf.fact, bound, language) for bound in leaf.value)
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
        wanted = show_number(leaf.fact, leaf.value, language)
        return f"{subject} {actual} {relation} {wanted}（{clause}）"
    if kind == FactKind.DATE:
        words = {"subject": subject, "actual": actual, "clause": clause}
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
            "actual": actual,
            "wanted": _list(leaf.value),
            "clause": clause,
        }
    if kind == FactKind.CHOICE:
        wanted = leaf.value if isinstance(leaf.value, str) else sorted(leaf.value)
        wanted_words = (
            _choice_label(leaf.fact, wanted, language)
            if isinstance(wanted, str)
            else _list(_choice_label(leaf.fact, code, language) for code in wanted)
        )
        words = {
            "subject": subject,
            "actual": actual,
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
                _("%(subject)s：是（%(clause)s）")
                if leaf.value
                else _("%(subject)s：否（%(clause)s）")
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
        names = [_qualification(code, language) for code in codes]
        if leaf.label:
            names = [leaf.label]
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


#: Stands for the enterprise's shown value while a leaf's words are compiled.
_SLOT = "\x00"


class LeafWords:
    """One leaf's words in one language, compiled once: per truth, the text split where the
    enterprise's value goes, so a reason costs showing the value and a join."""

    __slots__ = ("_parts", "_show")

    def __init__(self, leaf: Leaf, language: str | None) -> None:
        if language is not None and language != get_language():
            with override(language):
                self.__init__(leaf, language)
            return
        self._parts = {
            truth: tuple(_compose(leaf, truth, _SLOT, language).split(_SLOT))
            for truth in (TRUE, FALSE, UNKNOWN)
        }
        self._show = _shower(leaf.fact, language)

    def text(self, truth: int, value: Any) -> str:
        """The reason at ``truth`` for the enterprise's normalised ``value``."""
        parts = self._parts[truth]
        if len(parts) == 1:
            return parts[0]
        return self._show(value).join(parts)


#: Shown values by (language, fact, value): one enterprise's values recur across its items.
_SHOWN_VALUES: dict[tuple[str | None, str, Any], str] = {}
_SHOWN_VALUES_SIZE = 65536


def _shower(fact_name: str, language: str | None):
    """A function showing a value of ``fact_name`` as reasons do, with its words (unit, choice
    labels) translated now; numbers, which need Decimal arithmetic, are cached."""
    fact = FACTS_BY_NAME[fact_name]
    kind = fact.kind
    if kind == FactKind.DATE:
        return _isoformat
    if kind == FactKind.CHOICE:
        labels = {code: _translated(language, label) for code, label in fact.choices}

        def choice(value: Any) -> str:
            return labels.get(value, value)

        return choice
    if kind not in (FactKind.INTEGER, FactKind.MONEY, FactKind.RATIO):
        return str
    unit = _translated(language, fact.unit) if fact.unit else ""
    ratio = kind == FactKind.RATIO

    def show(value: Any) -> str:
        key = (language, fact_name, value)
        found = _SHOWN_VALUES.get(key)
        if found is None:
            found = f"{plain_number(value * 100)}%" if ratio else f"{plain_number(value)}{unit}"
            if len(_SHOWN_VALUES) >= _SHOWN_VALUES_SIZE:
                _SHOWN_VALUES.clear()
            _SHOWN_VALUES[key] = found
        return found

    return show


def _isoformat(value: dt.date) -> str:
    return value.isoformat()


_LEAF_WORDS: dict[tuple[Leaf, str | None], LeafWords] = {}
_LEAF_WORDS_SIZE = 16384


def leaf_words(leaf: Leaf, language: str | None = None) -> LeafWords:
    """The compiled words of ``leaf`` in ``language`` (default: the active one), kept."""
    language = language or get_language()
    key = (leaf, language)
    found = _LEAF_WORDS.get(key)
    if found is None:
        found = LeafWords(leaf, language)
        if len(_LEAF_WORDS) >= _LEAF_WORDS_SIZE:
            _LEAF_WORDS.clear()
        _LEAF_WORDS[key] = found
    return found


def leaf_text(leaf: Leaf, truth: int, value: Any, on: dt.date) -> str:
    """The reason for ``leaf`` given its ``truth`` and the enterprise's (normalised) ``value``
    (``on``, the evaluation date, is kept for callers; the words do not depend on it)."""
    return leaf_words(leaf).text(truth, value)
