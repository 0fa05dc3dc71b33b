"""国民经济行业分类 GB/T 4754-2017: the 20 门类 (A–T) and their 97 大类, and industry codes.

A code is the 门类 letter alone (``C``) or the letter and 2, 3 or 4 digits (大类 ``C39``,
中类 ``C391``, 小类 ``C3919``). The data holds the 门类 and 大类 with their names
(``data/industry_gbt4754_2017.json``); a 中类 or 小类 is checked by its 大类 only (the
catalogue of 473 中类 and 1,382 小类 is not held), so ``C3999`` passes when ``C39`` exists.
The edition string is stored with every code (see :func:`stored`).

Pure: no database.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationFailed

EDITION = "GB/T 4754-2017"
DATA_FILE = Path(__file__).parent / "data" / "industry_gbt4754_2017.json"

_CODE = re.compile(r"^([A-Z])(\d{2}|\d{3}|\d{4})?$")
_DIGITS = re.compile(r"^(\d{2}|\d{3}|\d{4})$")


@dataclass(frozen=True)
class Section:
    """门类: a letter, its name and the range of its 大类."""

    letter: str
    name: str
    first: str
    last: str


@dataclass(frozen=True)
class Division:
    """大类: two digits, its name and its 门类 letter."""

    code: str
    name: str
    letter: str


@cache
def _load() -> tuple[dict[str, Section], dict[str, Division]]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    if data["edition"] != EDITION:  # pragma: no cover - a data file of another edition
        raise RuntimeError(f"{DATA_FILE} is {data['edition']}, not {EDITION}")
    sections: dict[str, Section] = {}
    divisions: dict[str, Division] = {}
    for row in data["sections"]:
        sections[row["letter"]] = Section(row["letter"], row["name"], row["first"], row["last"])
        for division in row["divisions"]:
            divisions[division["code"]] = Division(
                division["code"], division["name"], row["letter"]
            )
    return sections, divisions


def sections() -> dict[str, Section]:
    """The 20 门类 by letter, A to T."""
    return _load()[0]


def divisions() -> dict[str, Division]:
    """The 97 大类 by their two digits, 01 to 97."""
    return _load()[1]


def normalise_industry_code(text: str) -> str:
    """The code as stored: NFKC (full-width letters and digits), no spaces, upper case; a code
    typed without its letter (``3919``) gets the letter of its 大类 (``C3919``).

    Does not validate: a bad code comes back normalised for :func:`validate` to refuse.
    """
    code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()
    if _DIGITS.match(code):
        division = divisions().get(code[:2])
        if division is not None:
            return division.letter + code
    return code


def validate(code: str, *, field: str = "industry_code", label: str | None = None) -> str:
    """The normalised code, or ``ValidationFailed`` naming the field (in Chinese).

    Refuses a malformed code, an unknown letter, an unknown 大类 and a 大类 that is not of the
    letter given (``C65``: 65 is 软件和信息技术服务业, under I).
    """
    label = label or _("国民经济行业代码")
    normalised = normalise_industry_code(code)
    if not normalised:
        raise ValidationFailed.for_field(field, _("%(label)s不能为空。") % {"label": label})
    match = _CODE.match(normalised)
    if match is None:
        raise ValidationFailed.for_field(
            field,
            _("%(label)s“%(code)s”格式不对：应为门类字母加 2 至 4 位数字，如 C3919。")
            % {"label": label, "code": normalised},
        )
    letter, digits = match.group(1), match.group(2)
    if letter not in sections():
        raise ValidationFailed.for_field(
            field,
            _("%(label)s“%(code)s”的门类“%(letter)s”不存在（应为 A 至 T）。")
            % {"label": label, "code": normalised, "letter": letter},
        )
    if digits:
        division = divisions().get(digits[:2])
        if division is None:
            raise ValidationFailed.for_field(
                field,
                _("%(label)s“%(code)s”的大类“%(division)s”不存在。")
                % {"label": label, "code": normalised, "division": digits[:2]},
            )
        if division.letter != letter:
            raise ValidationFailed.for_field(
                field,
                _(
                    "%(label)s“%(code)s”不对：大类 %(division)s（%(name)s）属于门类 "
                    "%(right)s，不属于门类 %(letter)s。"
                )
                % {
                    "label": label,
                    "code": normalised,
                    "division": division.code,
                    "name": division.name,
                    "right": division.letter,
                    "letter": letter,
                },
            )
    return normalised


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except ValidationFailed:
        return False
    return True


def section_of(code: str) -> Section:
    """The 门类 of a valid code (``C3919`` → 制造业)."""
    return sections()[validate(code)[0]]


def division_of(code: str) -> Division | None:
    """The 大类 of a valid code, or None for a letter alone."""
    normalised = validate(code)
    return divisions()[normalised[1:3]] if len(normalised) > 1 else None


def is_under(code: str, prefix: str) -> bool:
    """Whether ``code`` falls under ``prefix`` (a 门类, 大类, 中类 or 小类, itself included):
    ``C3919`` is under ``C``, ``C39`` and ``C391``; ``I6513`` is not under ``C``.

    Both are normalised first (``3919`` is ``C3919``); a prefix more precise than the code
    (``C39`` under ``C3919``?) is not covered by it: False.
    """
    return normalise_industry_code(code).startswith(normalise_industry_code(prefix))


def stored(code: str) -> dict[str, str]:
    """The JSON the profile stores for a code: the validated code with its edition."""
    return {"code": validate(code), "edition": EDITION}


def describe(code: str) -> str:
    """``C3919 计算机、通信和其他电子设备制造业`` (the 大类's name; the letter's for ``C``)."""
    division = division_of(code)
    normalised = validate(code)
    name = division.name if division is not None else section_of(code).name
    return f"{normalised} {name}"
