"""Schemas shared by every API router."""

from ninja import Schema


class Error(Schema):
    """An error: a message for people, a stable code for programs, messages per field."""

    message: str
    code: str
    fields: dict[str, list[str]] = {}


#: Declare these on every endpoint so the OpenAPI document tells the truth.
ERROR_RESPONSES = {404: Error, 422: Error}
