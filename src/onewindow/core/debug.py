"""What Django's error reports may show: no secrets, in development mode as well.

Django's technical 500 page (development mode, ``make demo``) lists ``request.META`` —
under ``runserver`` a copy of the process environment, with ``DATABASE_URL`` and its
password — the settings, and each frame's local variables. ``SafeReporterFilter``
(``DEFAULT_EXCEPTION_REPORTER_FILTER``) is on whatever ``DEBUG`` says and shows:

- of ``request.META`` only a short allow-list of request headers and server keys;
- settings whose name says they hold a secret or an address with credentials
  (``HIDDEN_SETTINGS``) as stars, ``DATABASES`` without passwords;
- frame variables with such names as stars, and any other value in which one of the
  process's secrets (``secret_values``) appears with the secret replaced.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

#: request.META keys shown as they are: what the client sent that says nothing secret and
#: what the server knows about the request.
META_ALLOWED = frozenset(
    {
        "CONTENT_LENGTH",
        "CONTENT_TYPE",
        "HTTP_ACCEPT",
        "HTTP_ACCEPT_ENCODING",
        "HTTP_ACCEPT_LANGUAGE",
        "HTTP_HOST",
        "HTTP_REFERER",
        "HTTP_USER_AGENT",
        "PATH_INFO",
        "QUERY_STRING",
        "REMOTE_ADDR",
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "wsgi.url_scheme",
    }
)

#: Names of settings, environment variables and local variables that hold secrets or
#: addresses that may carry credentials.
HIDDEN_SETTINGS = re.compile(
    "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE|DATABASE|URL|DSN|CREDENTIAL", re.I
)

#: Secrets shorter than this are not looked for inside other values (too many false hits).
MIN_SECRET_LENGTH = 4


def _url_password(value: str) -> str:
    try:
        return urlsplit(value).password or ""
    except ValueError:
        return ""


def secret_values() -> set[str]:
    """The secrets this process knows: environment values under hidden names (and the
    passwords inside URL-valued ones), the secret key, database passwords."""
    found: set[str] = set()
    for name, value in os.environ.items():
        if HIDDEN_SETTINGS.search(name):
            found.update({value, _url_password(value)})
    found.add(str(getattr(settings, "SECRET_KEY", "")))
    found.add(str(getattr(settings, "ONEWINDOW_KEY_PASSPHRASE", "")))
    for database in settings.DATABASES.values():
        found.add(str(database.get("PASSWORD") or ""))
    return {value for value in found if len(value) >= MIN_SECRET_LENGTH}


class SafeReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = HIDDEN_SETTINGS

    def is_active(self, request) -> bool:
        # Django turns its filter off in DEBUG; the demo runs in DEBUG on real data.
        return True

    def cleanse_setting(self, key, value):
        if key == "DATABASES" and isinstance(value, dict):
            return {
                alias: {
                    name: self.cleansed_substitute if HIDDEN_SETTINGS.search(name) else item
                    for name, item in database.items()
                }
                if isinstance(database, dict)
                else self.cleansed_substitute
                for alias, database in value.items()
            }
        return super().cleanse_setting(key, value)

    def get_safe_request_meta(self, request) -> dict:
        if not hasattr(request, "META"):
            return {}
        return {
            key: value if key in META_ALLOWED else self.cleansed_substitute
            for key, value in request.META.items()
        }

    def get_traceback_frame_variables(self, request, tb_frame):
        secrets = secret_values()
        shown = []
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if isinstance(name, str) and HIDDEN_SETTINGS.search(name):
                value = self.cleansed_substitute
            else:
                value = self._without_secrets(value, secrets)
            shown.append((name, value))
        return shown

    def _without_secrets(self, value, secrets: set[str]):
        try:
            text = repr(value)
        except Exception:  # a repr that fails shows nothing of the value
            return self.cleansed_substitute
        if not any(secret in text for secret in secrets):
            return value
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, self.cleansed_substitute)
        return text
