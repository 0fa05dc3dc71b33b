"""Settings for the test suite: the production settings with a fixed test key."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789")

from onewindow.settings import *  # noqa: F403
from onewindow.settings import STATIC_ROOT, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise warns at start-up when STATIC_ROOT is missing; tests never collect static files.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Uploaded case materials go to a throw-away directory, never into var/.
import tempfile  # noqa: E402

STORAGES["case_materials"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": tempfile.mkdtemp(prefix="onewindow-test-uploads-"), "base_url": None},
}

ONEWINDOW_KEY_DIR = tempfile.mkdtemp(prefix="onewindow-test-keys-")

# -- Shared cache (ADR 0011): local memory in tests unless a Redis URL is given ----------
from onewindow.settings import ONEWINDOW_CACHE_URL  # noqa: E402

if not ONEWINDOW_CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# -- Security settings (ADR 0014) ------------------------------------------------------------
# The test client and the browser tests' live server speak plain HTTP: no redirect to HTTPS
# (HSTS and the secure cookies stay as in production). Throw-away keys need no passphrase.
SECURE_SSL_REDIRECT = False
ONEWINDOW_ALLOW_PLAINTEXT_KEYS = True

# -- Notifications: the in-app inbox only; a test that checks a backend sets its own list.
ONEWINDOW_NOTIFIERS: list[str] = []

# -- The tutorial's example app (docs/tutorials/new-module.md) --------------------------------
# docs/tutorials/example/suggestions is built and tested with the suite but is no part of
# the product: only these settings put its directory on sys.path and the app in
# INSTALLED_APPS (its tests use their own URL conf). An installed wheel has no docs/, so its
# tests run without the example.
import sys  # noqa: E402

from onewindow.settings import INSTALLED_APPS, REPOSITORY_DIR  # noqa: E402

TUTORIAL_EXAMPLE_DIR = REPOSITORY_DIR / "docs" / "tutorials" / "example"
if TUTORIAL_EXAMPLE_DIR.is_dir():
    if str(TUTORIAL_EXAMPLE_DIR) not in sys.path:
        sys.path.append(str(TUTORIAL_EXAMPLE_DIR))
    INSTALLED_APPS = [*INSTALLED_APPS, "suggestions"]

# -- The read replica (ADR 0031): an alias mirroring default, read only by the tests that
# switch ONEWINDOW_READ_REPLICA on (and list it in their databases); the others read default.
from onewindow.settings import DATABASES  # noqa: E402

if "replica" not in DATABASES:
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
ONEWINDOW_READ_REPLICA = ""
