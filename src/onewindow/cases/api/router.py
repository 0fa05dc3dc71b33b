"""The cases router and the responses every authenticated endpoint may give."""

from __future__ import annotations

from ninja import Router

from onewindow.core.api_auth import session_auth
from onewindow.core.schemas import ERROR_RESPONSES, Error

router = Router(tags=["cases"], auth=session_auth)

#: Responses every authenticated endpoint may give.
READ_ERRORS = {401: Error, **ERROR_RESPONSES}
WRITE_ERRORS = {401: Error, 403: Error, 409: Error, **ERROR_RESPONSES}
