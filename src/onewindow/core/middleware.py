"""Response headers and the request-size bound for every request (docs/decisions/0014).

- The Content-Security-Policy is django-csp's ``CSPMiddleware`` with
  ``settings.CONTENT_SECURITY_POLICY``, the same on every page (the API documentation page
  too: its Swagger UI is vendored and started from a static script, ADR 0016).
- :class:`SecurityHeadersMiddleware`: ``Permissions-Policy`` on every answer and
  ``Cache-Control: private, no-store`` on every answer except static files and the answers
  a view marked public with :func:`public_cache` (shared window terminals keep nothing).
- :class:`RequestSizeLimitMiddleware`: refuses a body larger than the bound before anything
  reads it, with 413 and a message in Chinese (JSON under ``/api/``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

#: Features no page uses; a page that comes to need one (a QR scan: camera) lists it here.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
)

NO_STORE = "private, no-store"
#: The attribute :func:`public_cache` sets on a response the middleware leaves alone.
PUBLIC_MARK = "_onewindow_public_cache"


def public_cache(max_age: int) -> Callable:
    """Mark a view's answers as public and cacheable for ``max_age`` seconds.

    Only for answers that carry nothing about a person (published public keys): every
    other answer is ``private, no-store``. Grep for this decorator to see the whole list.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                response["Cache-Control"] = f"public, max-age={max_age}"
                setattr(response, PUBLIC_MARK, True)
            return response

        return wrapped

    return decorator


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` everywhere; ``Cache-Control: private, no-store`` on every
    answer but static files and the ones marked with :func:`public_cache`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if getattr(response, PUBLIC_MARK, False) or request.path.startswith(self.static_prefix):
            return response
        # The page of a shared window terminal must not be kept by the browser or any proxy.
        # A view's own "private, no-store, …" (never_cache) stays; anything else is replaced.
        directives = {
            part.split("=")[0].strip().lower()
            for part in response.get("Cache-Control", "").split(",")
        }
        if not {"private", "no-store"} <= directives:
            del response["Cache-Control"]
            patch_cache_control(response, private=True, no_store=True)
        return response


def body_limit(request: HttpRequest) -> int:
    """The bound for this request's body: uploads (multipart) have the larger one."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.lower().startswith("multipart/form-data"):
        return settings.ONEWINDOW_MULTIPART_MAX_BYTES
    return settings.ONEWINDOW_REQUEST_MAX_BYTES


class RequestSizeLimitMiddleware:
    """Refuse a request body over the bound before any code reads it.

    The bound is ``ONEWINDOW_REQUEST_MAX_BYTES`` for forms and JSON and
    ``ONEWINDOW_MULTIPART_MAX_BYTES`` for file uploads (multipart). A body without a length
    (chunked transfer) is refused with 411: Django under WSGI would read it as empty.
    The reverse proxy bounds bodies first (docs/deploy.md: ``client_max_body_size``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        declared = request.META.get("CONTENT_LENGTH", "")
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not declared:
            return self._refuse(
                request, 411, "length_required", _("请求缺少内容长度（Content-Length），无法处理")
            )
        if declared:
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length < 0:
                return self._refuse(
                    request, 400, "bad_length", _("请求的内容长度（Content-Length）无效")
                )
            limit = body_limit(request)
            if length > limit:
                return self._refuse(
                    request,
                    413,
                    "request_too_large",
                    _("提交的内容过大：单次请求不能超过 {limit}").format(limit=size_text(limit)),
                )
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
        # The body is never read; the WSGI server closes a connection whose body is left.
        if request.path.startswith("/api/"):
            body = {"message": message, "code": code, "fields": {}}
            response: HttpResponse = JsonResponse(
                body, status=status, json_dumps_params={"ensure_ascii": False}
            )
        else:
            html = render_to_string("request_refused.html", {"message": message})
            response = HttpResponse(html, status=status)
        return response


def size_text(limit: int) -> str:
    """A byte count for people: ``20 MB``, ``512 KB``, ``900 B``."""
    megabytes = limit / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:.1f}".removesuffix(".0") + " MB"
    if limit >= 1024:
        return f"{limit / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{limit} B"
