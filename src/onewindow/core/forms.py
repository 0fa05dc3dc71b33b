"""A service's refusal (``ApplicationError``) shown on a Django form.

The services name the fields they refuse (``error.fields``); pages name their form
fields after them, so each message goes next to its field. The one adapter for every
page.
"""

from __future__ import annotations

from typing import Literal

from django import forms

from onewindow.core.errors import ApplicationError


def add_service_error(
    form: forms.Form,
    error: ApplicationError,
    *,
    others: Literal["above", "drop"] = "above",
) -> None:
    """Put each message of ``error`` next to the form field it names. A message for a
    field the form does not have goes above the form (``others="above"``) or is left out
    (``others="drop"``, for forms that show only their own fields); when nothing was
    placed, the error's message goes above the form."""
    placed = False
    for name, messages in (error.fields or {}).items():
        if name in form.fields:
            target = name
        elif others == "above":
            target = None
        else:
            continue
        for message in messages:
            form.add_error(target, message)
        placed = True
    if not placed:
        form.add_error(None, error.message)
