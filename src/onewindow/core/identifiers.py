"""Identifier checks: 统一社会信用代码, 居民身份证号码, passport numbers.

Validation uses python-stdnum (``stdnum.cn.uscc``, ``stdnum.cn.ric``) and turns its
exceptions into messages that name the field and the rule broken.
"""

from __future__ import annotations

import hmac
import re
import unicodedata

from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from onewindow.core.errors import ValidationFailed

# GB 32100-2015: the alphabet of the USCC (0-9, A-Z without I, O, Z, S, V).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# GB 11714-1997: weights of the 9-character organisation code inside the USCC, and the
# values of its characters: 0-9 are 0-9 and A-Z are 10-35 over the full Latin alphabet
# (not the USCC alphabet, which skips I, O, Z, S, V and would misvalue J to Y).
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_VALUES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,20}$")
ID_NUMBER_RE = re.compile(r"[0-9]{17}[0-9X]")


def _normalise(value: str) -> str:
    """Full-width characters (typed with a Chinese input method) become ASCII; blanks go."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()


def organisation_code_check_character(code8: str) -> str:
    """The check character of an organisation code (GB 11714-1997, mod 11)."""
    total = sum(
        _ORG_CODE_VALUES.index(c) * w for c, w in zip(code8, _ORG_CODE_WEIGHTS, strict=True)
    )
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def validate_uscc(value: str, *, field: str = "uscc") -> str:
    """Return the normalised 统一社会信用代码 or raise naming the rule broken."""
    number = uscc.compact(_normalise(value))
    label = _("统一社会信用代码")
    if not number:
        raise ValidationFailed.for_field(field, _("{label}不能为空").format(label=label))
    if len(number) != 18:
        raise ValidationFailed.for_field(
            field,
            _("{label}应为18位，现为{n}位").format(label=label, n=len(number)),
            code="uscc_length",
        )
    bad = sorted({c for c in number if c not in USCC_ALPHABET})
    if bad:
        raise ValidationFailed.for_field(
            field,
            _(
                "{label}含有不允许的字符：{chars}（只用数字和除 I、O、Z、S、V 以外的大写字母）"
            ).format(label=label, chars="、".join(bad)),
            code="uscc_alphabet",
        )
    try:
        uscc.validate(number)
    except stdnum_errors.InvalidChecksum:
        raise ValidationFailed.for_field(
            field, _("{label}校验位错误").format(label=label), code="uscc_checksum"
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationFailed.for_field(
            field,
            _("{label}第1至8位（登记管理部门、机构类别、行政区划）应为数字").format(label=label),
            code="uscc_format",
        ) from None
    org_code = number[8:17]
    if organisation_code_check_character(org_code[:8]) != org_code[8]:
        raise ValidationFailed.for_field(
            field,
            _("{label}第9至17位的组织机构代码校验位错误").format(label=label),
            code="uscc_organisation_code",
        )
    return number


def validate_id_number(value: str, *, field: str = "id_number") -> str:
    """Return the normalised 居民身份证号码 (GB 11643-1999) or raise naming the rule."""
    number = ric.compact(_normalise(value))
    label = _("居民身份证号码")
    if not number:
        raise ValidationFailed.for_field(field, _("{label}不能为空").format(label=label))
    if len(number) != 18:
        raise ValidationFailed.for_field(
            field,
            _("{label}应为18位，现为{n}位").format(label=label, n=len(number)),
            code="id_number_length",
        )
    if not ID_NUMBER_RE.fullmatch(number):
        raise ValidationFailed.for_field(
            field,
            _("{label}前17位应为数字，最后一位为数字或 X").format(label=label),
            code="id_number_format",
        )
    try:
        ric.validate(number)
    except stdnum_errors.InvalidChecksum:
        raise ValidationFailed.for_field(
            field, _("{label}校验位错误").format(label=label), code="id_number_checksum"
        ) from None
    except (stdnum_errors.ValidationError, KeyError):
        # stdnum raises KeyError for a known prefix that is not a county (e.g. 110001).
        raise ValidationFailed.for_field(
            field,
            _("{label}中的出生日期或地址码无效").format(label=label),
            code="id_number_component",
        ) from None
    return number


def validate_passport_number(value: str, *, field: str = "passport_number") -> str:
    number = _normalise(value)
    label = _("护照号码")
    if not number:
        raise ValidationFailed.for_field(field, _("{label}不能为空").format(label=label))
    if not PASSPORT_RE.match(number):
        raise ValidationFailed.for_field(
            field,
            _("{label}应为5至20位字母或数字").format(label=label),
            code="passport_format",
        )
    return number


def mask_identifier(value: str) -> str:
    """Mask a personal identifier: first 4 and last 4 kept for an ID card number
    (3201**********1234), first 2 and last 2 for shorter numbers."""
    if not value:
        return ""
    keep = 4 if len(value) >= 12 else 2
    if len(value) <= keep * 2:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


# -- codes people type (query codes, verification codes) --------------------------------------


def fold_code(value: str) -> str:
    """A code as typed: full-width characters folded to ASCII (NFKC), blanks removed, upper
    case. Any other character stays, so it cannot match and nothing raises."""
    return _normalise(value)


def codes_match(expected: str, given: str) -> bool:
    """Whether ``given`` is ``expected``, compared as UTF-8 bytes in constant time; an empty
    ``given`` never matches. Any text is accepted (``hmac.compare_digest`` refuses ``str``
    with characters beyond ASCII)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass")
    )


def mask_name(name: str) -> str:
    """Mask a person's name for a public page: a Chinese name keeps its first and last
    character (张*三, 张*), a Latin name the first letter of each word (J*** S****)."""
    name = (name or "").strip()
    if not name:
        return ""
    if " " in name or name.isascii():
        return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
