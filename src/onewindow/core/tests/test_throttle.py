"""One request limit for every worker: counted atomically in Redis or in the database
(``core.throttle``, ADR 0011)."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection, connections
from django.test import RequestFactory

from onewindow.core import throttle
from onewindow.core.apps import create_cache_tables
from onewindow.core.models import ThrottleCount
from onewindow.core.tests.test_settings import environment, start

NOW = 1_800_000_000.0  # a window boundary for 60-second windows (divisible by 60)


def request(address: str = "203.0.113.7", **meta: str):
    return RequestFactory().get("/track/", REMOTE_ADDR=address, **meta)


# -- the client address ------------------------------------------------------------------------


def test_the_address_is_remote_addr_without_a_trusted_proxy(settings):
    settings.ONEWINDOW_TRUSTED_PROXY_HEADER = ""
    forwarded = request("10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert throttle.client_address(forwarded) == "10.0.0.1"


@pytest.mark.parametrize(
    ("forwarded_for", "count", "expected"),
    [
        ("198.51.100.9", 1, "198.51.100.9"),
        # a client may write anything at the left; only the proxies' own hops count
        ("1.2.3.4, 198.51.100.9", 1, "198.51.100.9"),
        ("1.2.3.4, 198.51.100.9, 10.0.0.2", 2, "198.51.100.9"),
        ("198.51.100.9", 2, "10.0.0.1"),  # fewer hops than proxies: the direct peer
        ("", 1, "10.0.0.1"),
    ],
)
def test_a_trusted_proxy_header_gives_the_hop_the_outermost_proxy_saw(
    settings, forwarded_for, count, expected
):
    settings.ONEWINDOW_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.ONEWINDOW_TRUSTED_PROXY_COUNT = count
    forwarded = request("10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert throttle.client_address(forwarded) == expected


def test_the_key_hashes_the_address():
    key = throttle.FixedWindow("test:scope", 3, 60).key(request("203.0.113.7"))
    assert key.startswith("throttle:test:scope:")
    assert "203.0.113.7" not in key


# -- the database counter ---------------------------------------------------------------------


def test_the_database_counts_per_window_and_refuses_after_the_limit(db):
    window = throttle.FixedWindow("test:db", limit=3, seconds=60)
    counter = throttle.DatabaseCounter()
    answers = [window.allow(request(), counter=counter, now=NOW + i) for i in range(5)]
    assert answers == [True, True, True, False, False]
    # another address has its own allowance; the next window starts afresh
    assert window.allow(request("198.51.100.1"), counter=counter, now=NOW + 5)
    assert window.allow(request(), counter=counter, now=NOW + 60)


def test_two_workers_on_the_database_share_one_count(db):
    # given two processes' counters (each with its own counter object, one database)
    window = throttle.FixedWindow("test:shared", limit=4, seconds=60)
    first, second = throttle.DatabaseCounter(), throttle.DatabaseCounter()
    # when they take turns
    answers = [
        window.allow(request(), counter=counter, now=NOW)
        for counter in (first, second, first, second, first, second)
    ]
    # then the limit holds for both together
    assert answers == [True, True, True, True, False, False]


def test_rows_of_ended_windows_are_deleted(db):
    counter = throttle.DatabaseCounter()
    counter.hit("a", int(NOW), 60)
    counter.hit("b", int(NOW), 60)
    counter.hit("a", int(NOW) + 60, 60)  # a new window's first hit sweeps ended ones
    assert set(ThrottleCount.objects.values_list("bucket", "window_start")) == {
        ("a", int(NOW) + 60)
    }


def test_retry_after_is_what_is_left_of_the_window():
    window = throttle.FixedWindow("test:retry", limit=1, seconds=60)
    assert window.retry_after(now=NOW) == 60
    assert window.retry_after(now=NOW + 45.5) == 15


def test_the_default_counter_is_the_database_unless_the_cache_is_redis():
    assert isinstance(throttle.counter_for(LocMemCache("x", {})), throttle.DatabaseCounter)
    redis = RedisCache("redis://127.0.0.1:1/0", {})
    assert isinstance(throttle.counter_for(redis), throttle.RedisCounter)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_pass_more_than_the_limit():
    # given 8 workers that each send 10 requests from one address at the same moment
    window = throttle.FixedWindow("test:race", limit=25, seconds=60)
    allowed: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            counter = throttle.DatabaseCounter()
            barrier.wait()
            for _ in range(10):
                answer = window.allow(request(), counter=counter, now=NOW)
                with lock:
                    allowed.append(answer)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly the limit passed and every request was counted
    assert allowed.count(True) == 25
    assert ThrottleCount.objects.get().count == 80


# -- the Redis counter -------------------------------------------------------------------------


def redis_cache(url: str, prefix: str) -> RedisCache:
    return RedisCache(url, {"KEY_PREFIX": prefix})


def test_two_workers_on_redis_share_one_count(redis_url):
    # given two processes' caches: separate clients, one Redis
    prefix = f"test-{uuid.uuid4().hex}"
    first = throttle.RedisCounter(redis_cache(redis_url, prefix))
    second = throttle.RedisCounter(redis_cache(redis_url, prefix))
    window = throttle.FixedWindow("test:redis", limit=3, seconds=60)
    # when they take turns
    answers = [
        window.allow(request(), counter=counter, now=NOW)
        for counter in (first, second, first, second)
    ]
    # then the limit holds for both together, and the next window starts afresh
    assert answers == [True, True, True, False]
    assert window.allow(request(), counter=second, now=NOW + 60)


def test_redis_forgets_a_count_after_its_window(redis_url):
    cache = redis_cache(redis_url, f"test-{uuid.uuid4().hex}")
    throttle.RedisCounter(cache).hit("k", 120, 60)
    name = cache.make_and_validate_key("k:120")
    ttl = cache._cache.get_client(name).ttl(name)
    assert 60 <= ttl <= 120


# -- the cache settings ------------------------------------------------------------------------

PRINT_CACHE = (
    "import django; from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
)


@pytest.mark.parametrize(
    ("variables", "backend"),
    [
        ({"ONEWINDOW_CACHE_URL": "redis://127.0.0.1:6390/1"}, "redis.RedisCache"),
        (
            {"ONEWINDOW_CACHE_URL": "redis://127.0.0.1:6390/1", "ONEWINDOW_DEBUG": "1"},
            "redis.RedisCache",
        ),
        ({}, "db.DatabaseCache"),
        ({"ONEWINDOW_DEBUG": "1"}, "locmem.LocMemCache"),
    ],
)
def test_the_cache_comes_from_the_environment(tmp_path, variables, backend):
    env = environment(tmp_path, SECRET_KEY="test-" + "k" * 60, **variables)
    if "ONEWINDOW_CACHE_URL" not in variables:
        env.pop("ONEWINDOW_CACHE_URL", None)
    result = start(env, PRINT_CACHE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"django.core.cache.backends.{backend}"


def test_migrate_creates_the_database_cache_table_once(db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "onewindow_test_cache",
        }
    }
    create_cache_tables(sender=None, using="default", verbosity=0)
    create_cache_tables(sender=None, using="default", verbosity=0)  # idempotent
    assert "onewindow_test_cache" in connection.introspection.table_names()
