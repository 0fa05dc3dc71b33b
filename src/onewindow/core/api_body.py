"""A JSON body that a view reads itself, under the API's input policy (ADR 0013).

The text goes through the API's one JSON parser (``core.inputs``: strict UTF-8, bounded
nesting, a 422 naming the field); the object is validated against a schema with the
mismatches sent to the project's validation handler, which names each field.
"""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.core.errors import ValidationFailed
from onewindow.core.inputs import parse_json

SchemaT = TypeVar("SchemaT", bound=pydantic.BaseModel)


def json_object(request: HttpRequest, *, empty_is_object: bool = True) -> dict[str, Any]:
    """The request's JSON object. An empty body is an empty object, or, with
    ``empty_is_object=False``, refused like any body that is not an object (422 ``body``)."""
    data = parse_json(request.body)
    if data is None and empty_is_object:
        return {}
    if not isinstance(data, dict):
        raise ValidationFailed.for_field("body", _("请求体应为 JSON 对象"), code="invalid_json")
    return data


def validated(schema: type[SchemaT], data: dict[str, Any]) -> SchemaT:
    """``data`` as ``schema``; a mismatch goes to the project's validation handler, which
    names each field (the same messages as ninja's own parameter errors)."""
    try:
        return schema.model_validate(data)
    except pydantic.ValidationError as error:
        raise NinjaValidationError(
            [
                {key: value for key, value in detail.items() if key != "input"}
                for detail in error.errors(include_url=False)
            ]
        ) from None
