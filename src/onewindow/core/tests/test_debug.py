"""The technical 500 page of development mode shows no secrets (ADR 0011)."""

from __future__ import annotations

import os

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import path

from onewindow.core.debug import SafeReporterFilter, secret_values

# Built from parts: the technical page shows the source lines around a failing line, and
# these must not be found there instead of in the values under test.
SECRET = "top" + "secret"
DATABASE_URL = f"postgres://u:{SECRET}@db.example:5432/onewindow"
PASSPHRASE = SECRET + "2"


def broken(request: HttpRequest):
    """A view that fails with secrets in its frame, as a misconfigured connection would."""
    url = os.environ["DATABASE_URL"]
    attempt = {"target": os.environ["DATABASE_URL"], "with": os.environ["ONEWINDOW_KEY_PASSPHRASE"]}
    raise RuntimeError(f"cannot connect ({len(url)}, {len(attempt)})")


urlpatterns = [path("broken/", broken)]


@pytest.fixture
def secrets_in_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
    monkeypatch.setenv("ONEWINDOW_KEY_PASSPHRASE", PASSPHRASE)


@pytest.mark.urls(__name__)
def test_the_debug_page_shows_no_secret_from_the_environment(settings, secrets_in_environment):
    # given development mode and a server that copies its environment into every request
    # (runserver's WSGI handler does)
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    environment = {key: value for key, value in os.environ.items() if key.isupper()}
    # when a view fails
    response = client.get("/broken/", secure=True, HTTP_ACCEPT="text/html", **environment)
    # then the technical page is shown, without either secret anywhere
    body = response.content.decode()
    assert response.status_code == 500
    assert "RuntimeError" in body and "cannot connect" in body
    assert SECRET not in body
    assert "HTTP_USER_AGENT" in body or "REQUEST_METHOD" in body  # the harmless keys stay


def test_database_settings_are_shown_without_password():
    databases = {
        "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "ow", "PASSWORD": "pw123"}
    }
    shown = SafeReporterFilter().cleanse_setting("DATABASES", databases)
    assert shown["default"]["NAME"] == "ow"
    assert shown["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert shown["default"]["PASSWORD"] != "pw123"


@pytest.mark.parametrize(
    "name",
    ["DATABASE_URL", "ONEWINDOW_CACHE_URL", "SENTRY_DSN", "ONEWINDOW_KEY_PASSPHRASE", "SECRET_KEY"],
)
def test_settings_that_hold_secrets_are_hidden(name):
    assert SafeReporterFilter().cleanse_setting(name, "value-1234") != "value-1234"


def test_secret_values_include_the_password_inside_an_environment_url(secrets_in_environment):
    found = secret_values()
    assert {DATABASE_URL, SECRET, PASSPHRASE} <= found


def test_request_meta_keeps_only_harmless_keys(rf):
    request = rf.get("/", HTTP_USER_AGENT="Mozilla", HTTP_X_API="x", HOME="/root")
    meta = SafeReporterFilter().get_safe_request_meta(request)
    assert meta["HTTP_USER_AGENT"] == "Mozilla"
    assert meta["REQUEST_METHOD"] == "GET"
    assert meta["HOME"] != "/root"
    assert meta["HTTP_X_API"] != "x"
