"""A fixed-window request limit per client address, counted in Django's cache.

Public endpoints that answer anyone (the case progress lookup, the certificate check) slow
down a client that walks through numbers: at most ``limit`` requests per address in each
window of ``seconds``, the window starting with the first request. The address is the one
Django sees (``REMOTE_ADDR``; behind a proxy it must be the forwarded one), hashed before
it is used as a key. The cache is Django's default: per process unless a shared cache is
configured.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class FixedWindow:
    """``FixedWindow("cases:track", limit=20, seconds=60).allow(request)``."""

    scope: str
    limit: int
    seconds: int

    def key(self, request: HttpRequest) -> str:
        address = request.META.get("REMOTE_ADDR") or "unknown"
        return f"throttle:{self.scope}:" + hashlib.sha256(address.encode()).hexdigest()[:32]

    def allow(self, request: HttpRequest) -> bool:
        """Count this request; False once the address has used up the window."""
        key = self.key(request)
        cache.add(key, 0, self.seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # the window expired between add and incr
            cache.set(key, 1, self.seconds)
            count = 1
        return count <= self.limit
