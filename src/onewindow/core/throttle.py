"""A fixed-window request limit per client address, shared by every worker process.

Public endpoints that answer anyone (the case progress lookup, the certificate check) slow
down a client that walks through numbers: at most ``limit`` requests per address in each
window of ``seconds`` (windows aligned on the clock: 12:00:00–12:00:59, …). Endpoints that
share a ``scope`` share one allowance (the page and the API of the same lookup).

The count must be one count for all workers, or N workers allow N × the limit. It is kept
where every worker sees it and incremented in one atomic step:

- Redis, when the default cache is Django's ``RedisCache`` (``ONEWINDOW_CACHE_URL``):
  ``INCR`` and ``EXPIRE`` in one ``MULTI``/``EXEC``;
- otherwise the database, in the small table ``core_throttlecount``: one
  ``INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count`` (SQLite ≥ 3.35,
  PostgreSQL). Django's database cache is not used for this: its ``incr`` reads, adds and
  writes back, so two workers can both read 5 and both write 6.

The address is ``REMOTE_ADDR``, unless ``ONEWINDOW_TRUSTED_PROXY_HEADER`` names the header
that the deployment's own reverse proxies append to (``HTTP_X_FORWARDED_FOR``) and
``ONEWINDOW_TRUSTED_PROXY_COUNT`` how many of them there are: the hop that the outermost
trusted proxy saw is taken, never an entry a client could have written. The address is
hashed before it becomes a key. ADR 0011.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address a request came from, as far as the deployment's proxies vouch for it."""
    header = getattr(settings, "ONEWINDOW_TRUSTED_PROXY_HEADER", "")
    if header:
        count = max(1, int(getattr(settings, "ONEWINDOW_TRUSTED_PROXY_COUNT", 1)))
        hops = [hop.strip() for hop in request.META.get(header, "").split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or "unknown"


def request_address(request: HttpRequest | None) -> str | None:
    """The client address an audit event records: the same one the limits count (behind
    the deployment's trusted proxies, the forwarded one), or None when there is none."""
    if request is None:
        return None
    address = client_address(request)
    return None if address == "unknown" else address


class Counter(Protocol):
    def hit(self, key: str, window_start: int, seconds: int) -> int:
        """Add one to ``key``'s count in the window starting at ``window_start`` (epoch
        seconds) and return the new count; the count may be forgotten after the window."""


class RedisCounter:
    """Counts in Redis through a Django ``RedisCache`` (its key prefix and version kept)."""

    def __init__(self, cache: RedisCache) -> None:
        self.cache = cache

    def hit(self, key: str, window_start: int, seconds: int) -> int:
        name = self.cache.make_and_validate_key(f"{key}:{window_start}")
        client = self.cache._cache.get_client(name, write=True)
        with client.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, seconds * 2)
            count, _expiry_set = pipe.execute()
        return int(count)


class DatabaseCounter:
    """Counts in ``core_throttlecount`` with one atomic upsert per hit; rows of windows that
    have ended are deleted when a new window's first hit is counted."""

    def __init__(self, using: str | None = None) -> None:
        from onewindow.core.models import ThrottleCount

        self.model = ThrottleCount
        self.using = using or router.db_for_write(ThrottleCount)

    def hit(self, key: str, window_start: int, seconds: int) -> int:
        connection = connections[self.using]
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (bucket, window_start, expires, count)"
                " VALUES (%s, %s, %s, 1)"
                " ON CONFLICT (bucket, window_start)"
                f" DO UPDATE SET count = {table}.count + 1"
                " RETURNING count",
                [key, window_start, window_start + seconds],
            )
            count = cursor.fetchone()[0]
            if count == 1:
                cursor.execute(
                    f"DELETE FROM {table} WHERE expires <= %s",
                    [window_start],
                )
        return int(count)


def counter_for(cache: BaseCache | None = None) -> Counter:
    """Redis when the (default) cache is Redis, the database otherwise."""
    cache = cache if cache is not None else caches["default"]
    if isinstance(cache, RedisCache):
        return RedisCounter(cache)
    return DatabaseCounter()


@dataclass(frozen=True)
class FixedWindow:
    """``FixedWindow("cases:track", limit=20, seconds=60).allow(request)``."""

    scope: str
    limit: int
    seconds: int

    def key(self, request: HttpRequest) -> str:
        address = client_address(request)
        return f"throttle:{self.scope}:" + hashlib.sha256(address.encode()).hexdigest()[:32]

    def allow(
        self, request: HttpRequest, *, counter: Counter | None = None, now: float | None = None
    ) -> bool:
        """Count this request; False once the address has used up the window."""
        now = time.time() if now is None else now
        window_start = int(now) - int(now) % self.seconds
        count = (counter or counter_for()).hit(self.key(request), window_start, self.seconds)
        return count <= self.limit

    def retry_after(self, now: float | None = None) -> int:
        """Seconds until the current window ends (the ``Retry-After`` of a refusal)."""
        now = time.time() if now is None else now
        return self.seconds - int(now) % self.seconds
