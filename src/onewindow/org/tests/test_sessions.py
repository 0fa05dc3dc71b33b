"""Sessions in the database (the default) or, with Redis, in the cache
(``ONEWINDOW_SESSION_ENGINE``: ``cached_db`` or ``cache``; docs/deploy.md): a login works
with each, and a second worker process sees it."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from onewindow.core.tests.test_settings import STRONG_KEY, environment, start

pytestmark = pytest.mark.django_db

ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cached_db": "django.contrib.sessions.backends.cached_db",
    "cache": "django.contrib.sessions.backends.cache",
}
#: Where each cache engine keeps a session in the cache.
CACHE_KEYS = {
    "cached_db": "django.contrib.sessions.cached_db",
    "cache": "django.contrib.sessions.cache",
}


@pytest.fixture
def session_cache(settings, redis_url):
    """A Redis cache of its own (a fresh key prefix) as the default cache."""
    prefix = f"test-sessions-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    return RedisCache(redis_url, {"KEY_PREFIX": prefix})  # another worker's client


@pytest.mark.parametrize("engine", ENGINES)
def test_a_login_works_with_each_session_engine(settings, session_cache, clerk, engine):
    settings.SESSION_ENGINE = ENGINES[engine]
    browser = Client()

    # when the clerk logs in through the login page
    response = browser.post(reverse("login"), {"username": "clerk", "password": PASSWORD})

    # then the session is where the engine keeps it
    assert response.status_code == 302
    key = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    in_database = Session.objects.filter(session_key=key).exists()
    cache_key = CACHE_KEYS.get(engine, "none:") + key
    assert in_database == (engine != "cache")
    assert (session_cache.get(cache_key) is not None) == (engine != "db")
    # and another worker (a fresh client and its own middleware) serves the signed-in clerk
    other_worker = Client()
    other_worker.cookies[django_settings.SESSION_COOKIE_NAME] = key
    page = other_worker.get(reverse("home"))
    assert page.wsgi_request.user == clerk
    # and logging out ends the session everywhere
    other_worker.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert session_cache.get(cache_key) is None
    assert browser.get(reverse("home")).wsgi_request.user.is_anonymous


PRINT_ENGINE = "import django; from django.conf import settings; print(settings.SESSION_ENGINE)"


@pytest.mark.parametrize(
    ("variables", "engine"),
    [
        ({}, "db"),
        ({"ONEWINDOW_SESSION_ENGINE": "db"}, "db"),
        ({"ONEWINDOW_SESSION_ENGINE": "cached_db"}, "cached_db"),
        ({"ONEWINDOW_SESSION_ENGINE": "cache"}, "cache"),
    ],
)
def test_the_session_engine_comes_from_the_environment(tmp_path, variables, engine):
    env = environment(
        tmp_path, SECRET_KEY=STRONG_KEY, ONEWINDOW_CACHE_URL="redis://127.0.0.1:6390/1", **variables
    )
    if "ONEWINDOW_SESSION_ENGINE" not in variables:
        env.pop("ONEWINDOW_SESSION_ENGINE", None)
    result = start(env, PRINT_ENGINE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ENGINES[engine]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ONEWINDOW_SESSION_ENGINE": "cache"}, "set ONEWINDOW_CACHE_URL"),
        (
            {"ONEWINDOW_SESSION_ENGINE": "cached_db", "ONEWINDOW_DEBUG": "1"},
            "set ONEWINDOW_CACHE_URL",
        ),
        ({"ONEWINDOW_SESSION_ENGINE": "redis"}, "use one of db, cached_db, cache"),
    ],
)
def test_sessions_in_a_cache_that_is_not_shared_are_refused(tmp_path, variables, message):
    env = environment(tmp_path, SECRET_KEY=STRONG_KEY, **variables)
    env.pop("ONEWINDOW_CACHE_URL", None)
    result = start(env, PRINT_ENGINE)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
