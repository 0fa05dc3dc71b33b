"""Item codes (GLOSSARY.md, "Identifiers"): the one place their rule lives.

基本编码 (basic code, GB/T 39554.1-2020 as used in published data), 12 characters:
region-level code (2) + item type code (2) + main item (5) + sub-item (3).
实施编码 (implementation code), 31 characters: the implementing organ's 统一社会信用代码 (18)
+ level digit (1) + the basic code (12).

Sources disagree on the inner layout (GB/T 39046-2020 lists the elements, not the layout),
so the length and alphabet are checked strictly, and inside only what the published data
agrees on: the type code is a known national type and matches the item's type, the USCC
is valid and is the implementing organ's, and the basic code repeats at the end.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from onewindow.catalog.constants import ItemType
from onewindow.core.errors import ValidationFailed
from onewindow.core.identifiers import validate_uscc

BASIC_CODE_RE = re.compile(r"^[0-9]{12}$")
LEVEL_DIGITS = "12345"  # 1 national … 5 township (implementation level)


def validate_basic_code(
    value: str, *, item_type: str | None = None, field: str = "basic_code"
) -> str:
    code = (value or "").strip().upper()
    label = _("基本编码")
    if not BASIC_CODE_RE.match(code):
        raise ValidationFailed.for_field(
            field, _("{label}应为12位数字，收到“{value}”").format(label=label, value=value)
        )
    type_code = code[2:4]
    all_types = {"02", "03", "04", "06", *ItemType.values}
    if type_code not in all_types:
        raise ValidationFailed.for_field(
            field,
            _("{label}第3至4位“{code}”不是国家规定的事项类型代码").format(
                label=label, code=type_code
            ),
        )
    if type_code not in ItemType.values:
        raise ValidationFailed.for_field(
            field,
            _(
                "{label}第3至4位“{code}”不是依申请事项的类型（应为 01、05、07、08、09、10 或 20）"
            ).format(label=label, code=type_code),
        )
    if item_type is not None and type_code != item_type:
        kind = ItemType(item_type).label if item_type in ItemType.values else item_type
        raise ValidationFailed.for_field(
            field,
            _("{label}第3至4位“{code}”与事项类型“{kind}”（{expected}）不一致").format(
                label=label, code=type_code, kind=kind, expected=item_type
            ),
        )
    return code


def validate_item_codes(
    *,
    implementation_code: str,
    basic_code: str,
    item_type: str | None = None,
    organ_uscc: str | None = None,
) -> tuple[str, str]:
    """Check both codes together; return them normalised or raise naming the field."""
    basic = validate_basic_code(basic_code, item_type=item_type)
    code = (implementation_code or "").strip().upper()
    label = _("实施编码")
    field = "implementation_code"
    if len(code) != 31:
        raise ValidationFailed.for_field(
            field, _("{label}应为31位，现为{n}位").format(label=label, n=len(code))
        )
    try:
        uscc = validate_uscc(code[:18], field=field)
    except ValidationFailed as error:
        raise ValidationFailed.for_field(
            field,
            _("{label}前18位应为实施机关的统一社会信用代码：{reason}").format(
                label=label, reason=error.message
            ),
        ) from None
    if organ_uscc and uscc != organ_uscc:
        raise ValidationFailed.for_field(
            field,
            _("{label}前18位“{code}”不是实施机关的统一社会信用代码“{organ}”").format(
                label=label, code=uscc, organ=organ_uscc
            ),
        )
    if code[18] not in LEVEL_DIGITS:
        raise ValidationFailed.for_field(
            field, _("{label}第19位（实施层级）应为 1 至 5 的数字").format(label=label)
        )
    if code[19:] != basic:
        raise ValidationFailed.for_field(
            field, _("{label}后12位应与基本编码“{basic}”一致").format(label=label, basic=basic)
        )
    return code, basic
