"""Enterprise fact values: what people and programs may give, how it is stored, how it is read.

``encode(name, value)`` accepts what a form, a spreadsheet cell or a JSON body holds and
returns the stored JSON, or raises ``ValidationFailed`` naming the fact in Chinese:

=================  ===========================================  ==========================
kind               accepted                                      stored (JSON)
=================  ===========================================  ==========================
integer            int, "1,500", "１５００"                        int ≥ 0
money (万元)        int, Decimal, float, "1,500.5"                 decimal string ≥ 0
ratio              "0.046", "4.6%", Decimal                      decimal string in [0, 1]
date               date, datetime, "2024-03-01", "2024/3/1"      ISO string
industry           "C3919", "3919", "Ｃ３９１９"                      {"code", "edition"}
choice             a code or its label ("A", "严重失信")            the code
boolean            bool, 是/否, yes/no, true/false, 1/0           bool
qualifications     [{"code", "number", "valid_from",             list of the same, dates ISO
                   "valid_until"}], or text "高新技术企业|GR…|
                   2023-11-06|2026-11-05; …"
tags               ["总部企业"], or text "总部企业、上市企业"        list of distinct strings
=================  ===========================================  ==========================

``decode(name, stored)`` gives the Python value the rule engine reads (int, Decimal, date,
str, bool, list of dicts, list of strings); ``display(name, stored)`` the text pages show.
Pure: no database (the park codes a zone allows are passed in).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationFailed
from onewindow.policies import industry
from onewindow.policies.facts import (
    FACTS_BY_NAME,
    QUALIFICATION_LABELS,
    Fact,
    FactKind,
    Qualification,
)

MAX_INTEGER = 100_000_000
MAX_MONEY = Decimal("1000000000000")  # 万元
MAX_DECIMAL_PLACES = 6
MAX_TEXT = 100
MAX_ITEMS = 50

_TRUE = {"true", "1", "yes", "y", "是", "有", "√"}
_FALSE = {"false", "0", "no", "n", "否", "无", "×"}
_SEPARATORS = re.compile(r"[;；\n]+")
_TAG_SEPARATORS = re.compile(r"[,，、;；\n]+")


def known_fact(name: str) -> Fact:
    fact = FACTS_BY_NAME.get(name)
    if fact is None:
        raise ValidationFailed.for_field(
            name, _("没有名为“%(name)s”的企业档案事实。") % {"name": name}, code="unknown_fact"
        )
    return fact


def fold(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _refuse(fact: Fact, message: str) -> ValidationFailed:
    return ValidationFailed.for_field(
        fact.name, _("%(label)s：%(message)s") % {"label": fact.label, "message": message}
    )


def _decimal(fact: Fact, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _refuse(fact, _("应为数字。"))
    if isinstance(value, float):
        value = repr(value)
    text = fold(value).replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _refuse(fact, _("“%(value)s”不是数字。") % {"value": text}) from None
    if not number.is_finite():
        raise _refuse(fact, _("应为数字。"))
    return number


def _integer(fact: Fact, value: Any) -> int:
    number = _decimal(fact, value)
    if number != number.to_integral_value():
        raise _refuse(fact, _("应为整数。"))
    if number < 0 or number > MAX_INTEGER:
        raise _refuse(fact, _("应在 0 至 %(max)s 之间。") % {"max": MAX_INTEGER})
    return int(number)


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _money(fact: Fact, value: Any) -> str:
    number = _decimal(fact, value)
    if number < 0:
        raise _refuse(fact, _("不能为负数。"))
    if number > MAX_MONEY:
        raise _refuse(fact, _("数额过大（单位为万元）。"))
    if _places(number) > MAX_DECIMAL_PLACES:
        raise _refuse(fact, _("小数不能超过 %(places)s 位。") % {"places": MAX_DECIMAL_PLACES})
    return _plain(number)


def _plain(number: Decimal) -> str:
    """A decimal string without exponent or trailing zeros (``1500``, ``0.046``)."""
    text = format(number.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def _ratio(fact: Fact, value: Any) -> str:
    percent = isinstance(value, str) and fold(value).endswith(("%", "％"))
    number = _decimal(fact, fold(value).rstrip("%％") if percent else value)
    if percent:
        number = number / 100
    if number < 0 or number > 1:
        raise _refuse(fact, _("比例应在 0 至 1 之间（或 0% 至 100%）。"))
    if _places(number) > MAX_DECIMAL_PLACES:
        raise _refuse(fact, _("小数不能超过 %(places)s 位。") % {"places": MAX_DECIMAL_PLACES})
    return _plain(number)


def parse_date(value: Any) -> dt.date | None:
    """A date from a date, a datetime or text (``2024-03-01``, ``2024/3/1``,
    ``2024年3月1日``); None when it is none of these."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", fold(value))
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _date(fact: Fact, value: Any, *, what: str = "") -> str:
    day = parse_date(value)
    if day is None:
        raise _refuse(
            fact,
            _("%(what)s“%(value)s”不是有效日期（如 2024-03-01）。")
            % {"what": what, "value": fold(value)},
        )
    return day.isoformat()


def _choice(fact: Fact, value: Any, park_codes: Collection[str] | None) -> str:
    text = fold(value)
    if fact.name == "park" and not fact.choices:
        code = text.upper()
        if park_codes is not None and code not in park_codes:
            raise _refuse(fact, _("园区代码“%(value)s”不是本区的园区。") % {"value": text})
        if not code:
            raise _refuse(fact, _("不能为空。"))
        return code
    for code, label in fact.choices:
        if text in {code, str(label)} or text.lower() == code.lower():
            return code
    allowed = "、".join(str(label) for _code, label in fact.choices)
    raise _refuse(
        fact, _("“%(value)s”不在可选值（%(allowed)s）中。") % {"value": text, "allowed": allowed}
    )


def _boolean(fact: Fact, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _refuse(fact, _("应为“是”或“否”。"))


def _qualification_code(fact: Fact, value: Any) -> str:
    text = fold(value)
    for code, label in QUALIFICATION_LABELS.items():
        if text in {code.value, str(label)}:
            return code.value
    allowed = "、".join(str(label) for label in QUALIFICATION_LABELS.values())
    raise _refuse(
        fact,
        _("资质“%(value)s”不在可选值（%(allowed)s）中。") % {"value": text, "allowed": allowed},
    )


def _qualifications_from_text(text: str) -> list[dict[str, Any]]:
    entries = []
    for part in _SEPARATORS.split(text):
        if not part.strip():
            continue
        fields = [field.strip() for field in re.split(r"[|｜]", part)]
        fields += [""] * (4 - len(fields))
        entries.append(
            dict(zip(("code", "number", "valid_from", "valid_until"), fields, strict=False))
        )
    return entries


def _qualifications(fact: Fact, value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        value = _qualifications_from_text(fold(value))
    if not isinstance(value, list | tuple):
        raise _refuse(fact, _("应为资质列表。"))
    if len(value) > MAX_ITEMS:
        raise _refuse(fact, _("最多 %(count)s 项。") % {"count": MAX_ITEMS})
    result = []
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise _refuse(fact, _("第 %(n)s 项应包含资质、证书编号和有效期。") % {"n": position})
        unknown = set(entry) - {"code", "number", "valid_from", "valid_until"}
        if unknown:
            raise _refuse(
                fact,
                _("第 %(n)s 项有多余的字段：%(fields)s。")
                % {"n": position, "fields": "、".join(sorted(unknown))},
            )
        code = _qualification_code(fact, entry.get("code") or "")
        number = fold(entry.get("number") or "")
        if not number or len(number) > MAX_TEXT:
            raise _refuse(fact, _("第 %(n)s 项缺少证书编号（或超过 100 字）。") % {"n": position})
        valid_from = _date(
            fact, entry.get("valid_from") or "", what=_("第 %(n)s 项的有效期起") % {"n": position}
        )
        valid_until = entry.get("valid_until") or None
        if valid_until is not None:
            valid_until = _date(
                fact, valid_until, what=_("第 %(n)s 项的有效期止") % {"n": position}
            )
            if valid_until < valid_from:
                raise _refuse(fact, _("第 %(n)s 项的有效期止早于有效期起。") % {"n": position})
        result.append(
            {"code": code, "number": number, "valid_from": valid_from, "valid_until": valid_until}
        )
    return result


def _tags(fact: Fact, value: Any) -> list[str]:
    if isinstance(value, str):
        value = _TAG_SEPARATORS.split(value)
    if not isinstance(value, list | tuple):
        raise _refuse(fact, _("应为标签列表。"))
    tags: list[str] = []
    for tag in value:
        if not isinstance(tag, str):
            raise _refuse(fact, _("每个标签应为文字。"))
        text = fold(tag)
        if len(text) > 40:
            raise _refuse(fact, _("标签“%(tag)s”超过 40 字。") % {"tag": text[:40]})
        if text and text not in tags:
            tags.append(text)
    if len(tags) > MAX_ITEMS:
        raise _refuse(fact, _("最多 %(count)s 项。") % {"count": MAX_ITEMS})
    return tags


def encode(name: str, value: Any, *, park_codes: Collection[str] | None = None) -> Any:
    """The stored JSON of ``value`` for fact ``name``; ``ValidationFailed`` names the fact.

    Refuses derived facts (the size class is computed, never typed in) and empty values (to
    clear a fact the caller says None, and the service handles it before calling this).
    """
    fact = known_fact(name)
    if fact.derived:
        raise _refuse(fact, _("由其他事实推算得出，不能直接填写。"))
    if value is None or (isinstance(value, str) and not fold(value)):
        raise _refuse(fact, _("不能为空。"))
    kind = fact.kind
    if kind == FactKind.INTEGER:
        return _integer(fact, value)
    if kind == FactKind.MONEY:
        return _money(fact, value)
    if kind == FactKind.RATIO:
        return _ratio(fact, value)
    if kind == FactKind.DATE:
        return _date(fact, value)
    if kind == FactKind.INDUSTRY:
        if not isinstance(value, str | int):
            raise _refuse(fact, _("应为行业代码。"))
        return industry.stored(
            industry.validate(str(value), field=fact.name, label=str(fact.label))
        )
    if kind == FactKind.CHOICE:
        return _choice(fact, value, park_codes)
    if kind == FactKind.BOOLEAN:
        return _boolean(fact, value)
    if kind == FactKind.QUALIFICATIONS:
        return _qualifications(fact, value)
    return _tags(fact, value)


def decode(name: str, stored: Any) -> Any:
    """The Python value of a stored fact, as the rule engine reads it."""
    if stored is None:
        return None
    kind = FACTS_BY_NAME[name].kind
    if kind in (FactKind.MONEY, FactKind.RATIO):
        return Decimal(stored)
    if kind == FactKind.DATE:
        return dt.date.fromisoformat(stored)
    if kind == FactKind.INDUSTRY:
        return stored["code"]
    return stored


def display(name: str, stored: Any) -> str:
    """The value as a page shows it (``1,500 万元``, ``4.6%``, ``C3919 计算机…``)."""
    if stored is None:
        return ""
    fact = FACTS_BY_NAME[name]
    kind = fact.kind
    if kind == FactKind.INTEGER:
        return f"{stored:,} {fact.unit}".strip()
    if kind == FactKind.MONEY:
        return f"{Decimal(stored):,f} {fact.unit}".strip()
    if kind == FactKind.RATIO:
        return f"{_plain(Decimal(stored) * 100)}%"
    if kind == FactKind.INDUSTRY:
        return f"{industry.describe(stored['code'])}（{stored['edition']}）"
    if kind == FactKind.CHOICE:
        return str(dict(fact.choices).get(stored, stored))
    if kind == FactKind.BOOLEAN:
        return _("是") if stored else _("否")
    if kind == FactKind.QUALIFICATIONS:
        parts = []
        for entry in stored:
            label = QUALIFICATION_LABELS.get(Qualification(entry["code"]), entry["code"])
            span = f"{entry['valid_from']} 至 {entry['valid_until'] or _('长期')}"
            parts.append(f"{label}（{entry['number']}，{span}）")
        return "；".join(parts)
    if kind == FactKind.TAGS:
        return "、".join(stored)
    return str(stored)
