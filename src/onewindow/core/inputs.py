"""What the API accepts as input text, decided once (ADR 0013).

Every string that reaches a service through the API (a JSON body, a query parameter, a path
parameter) must be text that every store and every output can hold:

- **Characters.** The set XML 1.0 calls ``Char``: tab, line feed, carriage return and
  everything from U+0020 up, except the surrogates (U+D800–U+DFFF) and U+FFFE/U+FFFF.
  Refused: NUL (PostgreSQL's text cannot hold it), the other C0 control characters (Excel
  exports, PDF and OFD documents cannot), and lone surrogates (no UTF-8 encoding exists,
  so the first write or response fails). Tab, LF and CR stay: people paste them from
  forms and spreadsheets.
- **JSON.** Strict UTF-8; at most :data:`MAX_DEPTH` nested arrays and objects; no ``NaN``
  or ``Infinity`` (not JSON, and no database column holds them). Keys follow the same
  character rule as values.

A refusal is a :class:`ValidationFailed` (422) that names the field by its path
(``form.contact``, ``items.0``), so a client can point at it.

Nothing is folded here: NFKC folding of what people type is a per-field decision and
lives in the services that own the field.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import Field

from onewindow.core.errors import ValidationFailed

#: How many arrays and objects may nest in a JSON body (ours need three or four).
MAX_DEPTH = 32

#: The name a problem with the body as a whole is reported under.
BODY = "body"

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` is not acceptable text (a message for people), or None."""
    if _CONTROL.search(value):
        return _("含有不允许的控制字符（如 NUL）")
    if _SURROGATE.search(value):
        return _("含有无效的 Unicode 字符（不成对的代理项）")
    return None


def check_text(value: str, *, field: str) -> None:
    """Refuse ``value`` on ``field`` unless it is acceptable text."""
    problem = text_problem(value)
    if problem is not None:
        raise ValidationFailed.for_field(field, problem)


def check_parameters(parameters: Iterable[tuple[str, str]]) -> None:
    """Refuse the first (name, value) pair, of a query string or a path, that is not
    acceptable text. A bad name is reported under ``request`` (it names nothing)."""
    for name, value in parameters:
        if text_problem(name) is not None:
            check_text(name, field="request")
        check_text(value, field=name)


def _refuse_constant(name: str) -> Any:
    raise ValidationFailed.for_field(BODY, _("JSON 中不允许 NaN 或 Infinity"), code="invalid_json")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        _refuse_constant(text)
    return number


def parse_json(raw: bytes | str) -> Any:
    """The one JSON parser of the API: ``raw`` decoded as strict UTF-8 and parsed, then
    every key and string checked and the nesting bounded. An empty body is an error for
    the caller to decide (it is passed as ``None``)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise _not_json() from None
    if not text.strip():
        return None
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # JSONDecodeError, and integers past Python's digit limit
        raise _not_json() from None
    check_tree(data)
    return data


def check_tree(data: Any) -> None:
    """Walk parsed JSON (iteratively: depth is what is being checked) and refuse the first
    string that is not acceptable text, naming its path, or a nesting past MAX_DEPTH."""
    stack: list[tuple[Any, tuple[str, ...], int]] = [(data, (), 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            check_text(value, field=".".join(path) or BODY)
        elif isinstance(value, dict | list):
            if depth + 1 > MAX_DEPTH:
                raise _too_deep()
            if isinstance(value, dict):
                for key in value:
                    if text_problem(key) is not None:
                        check_text(key, field=".".join(path) or BODY)
                children = [((*path, key), item) for key, item in value.items()]
            else:
                children = [((*path, str(index)), item) for index, item in enumerate(value)]
            # Reversed onto the stack, so problems are found in the document's order.
            stack.extend((item, where, depth + 1) for where, item in reversed(children))


def _not_json() -> ValidationFailed:
    return ValidationFailed.for_field(BODY, _("请求体应为 JSON 对象"), code="invalid_json")


def _too_deep() -> ValidationFailed:
    return ValidationFailed.for_field(
        BODY, _("JSON 嵌套过深（至多 {depth} 层）").format(depth=MAX_DEPTH), code="invalid"
    )


# --- numbers in input schemas ---------------------------------------------------------------

#: The largest primary key (``BigAutoField``: a signed 64-bit integer).
MAX_REFERENCE = 2**63 - 1

#: A reference to a row by its id: a JSON integer, never ``true`` or ``"1"`` (pydantic's lax
#: mode would take both for 1), and within the column's range, so a lookup cannot overflow.
Reference = Annotated[int, Field(strict=True, ge=1, le=MAX_REFERENCE)]

#: A count or a level: a JSON integer, never a boolean, a float or a numeric string.
Integer = Annotated[int, Field(strict=True, ge=-MAX_REFERENCE, le=MAX_REFERENCE)]
