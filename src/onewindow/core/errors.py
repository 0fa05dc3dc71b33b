"""The application's error hierarchy.

Every error a user can cause carries a stable ``code`` (for programs), a message in
the user's language (for people) and, where it concerns input, the ``fields`` it is
about. The API renders them as ``{"message", "code", "fields"}``; pages show the
message next to the field.
"""

from __future__ import annotations


class ApplicationError(Exception):
    """Base class: a refusal the user can understand and act on."""

    status = 400
    code = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if code is not None:
            self.code = code
        self.fields = fields or {}

    def as_dict(self) -> dict:
        return {"message": self.message, "code": self.code, "fields": self.fields}


class ValidationFailed(ApplicationError):
    status = 422
    code = "invalid"

    @classmethod
    def for_field(cls, field: str, message: str, *, code: str | None = None) -> ValidationFailed:
        return cls(message, code=code, fields={field: [str(message)]})


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class Forbidden(ApplicationError):
    status = 403
    code = "forbidden"


class Conflict(ApplicationError):
    status = 409
    code = "conflict"
