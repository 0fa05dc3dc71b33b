"""What the redemption services accept from people: text folded (NFKC) and bounded,
amounts in 万元 with at most two decimals, ISO dates; each refusal names the field."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationFailed

MAX_TEXT = 2000


def fold(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def required_text(field: str, value: str | None, label: str, *, limit: int = MAX_TEXT) -> str:
    text = fold(value)
    if not text:
        raise ValidationFailed.for_field(field, _("请填写{label}").format(label=label))
    if len(text) > limit:
        raise ValidationFailed.for_field(
            field, _("{label}不能超过 {limit} 个字").format(label=label, limit=limit)
        )
    return text


def money(field: str, value, label: str) -> Decimal:
    try:
        amount = Decimal(fold(str(value)))
    except (InvalidOperation, ValueError):
        raise ValidationFailed.for_field(
            field, _("{label}应为金额（万元）").format(label=label)
        ) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed.for_field(
            field, _("{label}应为大于 0 的金额，最多两位小数").format(label=label)
        )
    return amount


def iso_day(field: str, value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(fold(str(value)))
    except ValueError:
        raise ValidationFailed.for_field(field, _("日期格式应为 YYYY-MM-DD")) from None
