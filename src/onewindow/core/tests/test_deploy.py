"""``onewindow check --deploy`` is clean under the production settings that docs/deploy.md
documents: the test reads the settings from the document itself (ADR 0014)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

DEPLOY_DOC = Path(__file__).resolve().parents[4] / "docs" / "deploy.md"
#: Variables of the test process that must not leak into the production start.
#: Never in a production environment: the test run's own (the browser fixture lets
#: Playwright's event loop call the ORM with DJANGO_ALLOW_ASYNC_UNSAFE).
CLEARED = {
    "DJANGO_SETTINGS_MODULE",
    "ONEWINDOW_DEBUG",
    "ONEWINDOW_ALLOW_HTTP",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def documented_environment() -> dict[str, str]:
    """The ``KEY=value`` lines of the block after the ``production-environment`` marker;
    a ``<placeholder>`` becomes a fresh random value."""
    text = DEPLOY_DOC.read_text(encoding="utf-8")
    block = text.split("<!-- production-environment", 1)[1].split("```sh", 1)[1]
    block = block.split("```", 1)[0]
    variables = {}
    for line in block.splitlines():
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            name, value = match.groups()
            variables[name] = secrets.token_urlsafe(50) if value.startswith("<") else value
    return variables


def production_environment(var_dir: Path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in CLEARED and not key.startswith(("ONEWINDOW_", "SECRET_KEY", "DATABASE_"))
    }
    env.update(documented_environment())
    env.update(ONEWINDOW_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="onewindow.settings")
    env.update(overrides)
    return env


def onewindow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "onewindow", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_document_names_every_production_setting():
    names = set(documented_environment())

    assert {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "ONEWINDOW_HTTPS",
        "DATABASE_URL",
        "ONEWINDOW_CACHE_URL",
        "ONEWINDOW_KEY_PASSPHRASE",
    } <= names
    assert "client_max_body_size 201m;" in DEPLOY_DOC.read_text(encoding="utf-8")


def test_check_deploy_is_clean_under_the_documented_settings(tmp_path):
    result = onewindow(
        production_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_the_key_passphrase(tmp_path):
    env = production_environment(tmp_path)
    del env["ONEWINDOW_KEY_PASSPHRASE"]

    result = onewindow(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "certificates.W001" in result.stderr


def test_the_wsgi_application_refuses_a_weak_key(tmp_path):
    env = production_environment(tmp_path, SECRET_KEY="change-me")

    result = subprocess.run(
        [sys.executable, "-c", "import onewindow.wsgi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr
