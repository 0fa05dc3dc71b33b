"""Serving files that people uploaded (case materials) so that a browser never runs them.

Images open in the browser, in a sandbox (``Content-Security-Policy: sandbox``: no script,
no same-origin access) with ``nosniff``; every other type is a download (``attachment``).
PDFs are downloads too: Chromium's PDF viewer does not open in a sandboxed document, and
a PDF opened from the site's origin without a sandbox could run its own script.
"""

from __future__ import annotations

from typing import IO

from django.http import FileResponse
from django.utils.http import content_disposition_header

#: Content types shown inline (in the sandbox); the check of the upload fixed the type.
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})


def user_file_response(handle: IO[bytes], *, content_type: str, filename: str) -> FileResponse:
    """A ``FileResponse`` for an uploaded file: a sandboxed image or an attachment."""
    content_type = content_type or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        response["Content-Security-Policy"] = "sandbox"
    return response
