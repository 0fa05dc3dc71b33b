"""Settings read from the environment, and the ``onewindow`` command's argument handling."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from onewindow import cli

#: A key that passes the production checks (50+ characters, many distinct ones).
STRONG_KEY = "Xq3-7pW9" * 8

PRINT_SETTINGS = (
    "import django; from django.conf import settings; "
    "print(settings.SECRET_KEY); print(settings.DEBUG); "
    "print(settings.DATABASES['default']['ENGINE'])"
)


def environment(var_dir: Path, **variables: str) -> dict[str, str]:
    """The process environment with the settings' own variables cleared."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "ONEWINDOW_DEBUG",
            "DATABASE_URL",
            "CONN_MAX_AGE",
            "ONEWINDOW_HTTPS",
            "ONEWINDOW_ALLOW_HTTP",
        }
    }
    env.update(DJANGO_SETTINGS_MODULE="onewindow.settings", ONEWINDOW_VAR_DIR=str(var_dir))
    env.update(variables)
    return env


def start(env: dict[str, str], code: str = PRINT_SETTINGS) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = start(environment(tmp_path))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr
    assert "ONEWINDOW_DEBUG=1" in result.stderr  # says how to run a demo instead
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_a_blank_secret_key(tmp_path):
    result = start(environment(tmp_path, SECRET_KEY="   "))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_secret_key(tmp_path):
    result = start(environment(tmp_path, SECRET_KEY=STRONG_KEY))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [STRONG_KEY, "False", "django.db.backends.sqlite3"]


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("Xq3-7pW9" * 6 + "Z", "49 characters"),  # one short of Django's deployment rule
        ("abcd" * 20, "four distinct characters"),
        ("k" * 60, "one distinct character"),
    ],
)
def test_production_refuses_a_weak_secret_key(tmp_path, key, why):
    result = start(environment(tmp_path, SECRET_KEY=key))

    assert result.returncode != 0, why
    assert "SECRET_KEY is too weak" in result.stderr


def test_development_accepts_any_secret_key(tmp_path):
    result = start(environment(tmp_path, SECRET_KEY="short", ONEWINDOW_DEBUG="1"))

    assert result.returncode == 0, result.stderr


def test_production_refuses_plain_http(tmp_path):
    result = start(environment(tmp_path, SECRET_KEY=STRONG_KEY, ONEWINDOW_HTTPS="0"))

    assert result.returncode != 0
    assert "ONEWINDOW_HTTPS=0 in production mode" in result.stderr
    assert "ONEWINDOW_ALLOW_HTTP=1" in result.stderr  # says how to do it on purpose


def test_production_runs_on_plain_http_when_allowed(tmp_path):
    code = (
        "import django; from django.conf import settings; "
        "print(settings.SESSION_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT, "
        "settings.SECURE_HSTS_SECONDS)"
    )
    env = environment(
        tmp_path, SECRET_KEY=STRONG_KEY, ONEWINDOW_HTTPS="0", ONEWINDOW_ALLOW_HTTP="1"
    )

    result = start(env, code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "0"]


def test_production_on_https_redirects_and_sends_hsts(tmp_path):
    code = (
        "import django; from django.conf import settings; "
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, "
        "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_PROXY_SSL_HEADER[0])"
    )

    result = start(environment(tmp_path, SECRET_KEY=STRONG_KEY), code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "True",
        "HTTP_X_FORWARDED_PROTO",
    ]


def test_development_generates_a_private_key_once(tmp_path):
    env = environment(tmp_path, ONEWINDOW_DEBUG="1")

    first = start(env)

    assert first.returncode == 0, first.stderr
    key, debug, _engine = first.stdout.split()
    assert debug == "True"
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == key
    assert len(key) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no leftovers

    second = start(env)

    assert second.returncode == 0, second.stderr
    assert second.stdout.split()[0] == key


def test_processes_starting_together_share_one_key(tmp_path):
    env = environment(tmp_path, ONEWINDOW_DEBUG="1")

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: start(env), range(6)))

    assert all(result.returncode == 0 for result in results), [r.stderr for r in results]
    keys = {result.stdout.split()[0] for result in results}
    assert keys == {(tmp_path / "secret_key").read_text()}


def test_empty_database_url_means_the_default(tmp_path):
    result = start(environment(tmp_path, SECRET_KEY=STRONG_KEY, DATABASE_URL="", CONN_MAX_AGE=""))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[2] == "django.db.backends.sqlite3"


def test_database_url_selects_postgresql(tmp_path):
    result = start(
        environment(
            tmp_path, SECRET_KEY=STRONG_KEY, DATABASE_URL="postgres://u@db.example:5432/onewindow"
        )
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[2] == "django.db.backends.postgresql"


# --- the onewindow command -------------------------------------------------------


@pytest.fixture
def executed(monkeypatch) -> list[list[str]]:
    """Capture what cli.main hands to Django instead of running it."""
    calls: list[list[str]] = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: calls.append(argv)
    )
    return calls


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["onewindow", "audit-verify"], ["onewindow", "audit_verify"]),
        (
            ["onewindow", "audit-verify", "--batch-size", "10"],
            ["onewindow", "audit_verify", "--batch-size", "10"],
        ),
        (["onewindow", "runserver", "0.0.0.0:8000"], ["onewindow", "runserver", "0.0.0.0:8000"]),
        (["onewindow", "migrate", "--run-syncdb"], ["onewindow", "migrate", "--run-syncdb"]),
        (["onewindow", "--version"], ["onewindow", "--version"]),
        (["onewindow"], ["onewindow"]),
    ],
)
def test_cli_maps_dashed_command_names(executed, argv, expected):
    cli.main(argv)
    assert executed == [expected]


def test_cli_reads_sys_argv_and_defaults_the_settings(executed, monkeypatch):
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE")
    monkeypatch.setattr(sys, "argv", ["/usr/bin/onewindow", "audit-verify"])

    cli.main()

    assert executed == [["/usr/bin/onewindow", "audit_verify"]]
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "onewindow.settings"


def test_cli_keeps_a_chosen_settings_module(executed, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "onewindow.settings_test")
    cli.main(["onewindow", "check"])
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "onewindow.settings_test"


def test_console_script_is_declared():
    (script,) = entry_points(group="console_scripts", name="onewindow")
    assert script.value == "onewindow.cli:main"


def test_console_script_runs_audit_verify_with_exit_status_for_cron(tmp_path):
    command = shutil.which("onewindow", path=str(Path(sys.executable).parent))
    if command is None:
        pytest.skip("the onewindow console script is not installed next to this Python")
    env = environment(tmp_path, ONEWINDOW_DEBUG="1")

    def run(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [command, *arguments], env=env, capture_output=True, text=True, timeout=120
        )

    # given a fresh SQLite database with three audit events
    assert run("migrate", "-v", "0").returncode == 0
    append = "from onewindow.core.audit import audit_append as a; [a(action='t') for _ in 'xyz']"
    assert run("shell", "-c", append).returncode == 0
    # when verified: exit status 0
    verify = run("audit-verify")
    assert verify.returncode == 0
    assert verify.stdout.startswith("审计链完整：已校验 3 条事件；")

    # given event 2 deleted behind the application's back
    with sqlite3.connect(tmp_path / "onewindow.sqlite3") as database:
        database.execute("DROP TRIGGER core_auditevent_no_delete")
        database.execute("DELETE FROM core_auditevent WHERE id = 2")
    database.close()
    # when verified: exit status 1 and the broken link on stderr
    verify = run("audit-verify")
    assert verify.returncode == 1
    assert verify.stdout == ""
    assert "第 2 条事件" in verify.stderr
