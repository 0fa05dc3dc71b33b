"""Addresses outside a request: every QR code, text message and e-mail link.

One setting, ``ONEWINDOW_PUBLIC_URL`` (the origin where the zone serves the site, e.g.
``https://zwfw.example.gov.cn``), makes a path absolute. Pages that have a request still
build links relative to it; anything printed, scanned or sent uses :func:`public_url`.
"""

from __future__ import annotations

from django.conf import settings


def public_url(path: str = "/") -> str:
    """``path`` (starting with ``/``) on the zone's public origin."""
    if not path.startswith("/"):
        raise ValueError(f"public_url needs an absolute path, got {path!r}")
    return settings.ONEWINDOW_PUBLIC_URL.rstrip("/") + path
