"""The backup and restore procedure of docs/operations/backup.md, end to end.

A production-mode installation (encrypted signing key, uploads, certificates, audit events:
the demo zone) is backed up as the document says (PostgreSQL: ``pg_dump -Fc``; SQLite: the
online ``.backup``; the ``uploads`` and ``keys`` directories copied), restored into a fresh
database and a fresh directory, and checked as the document says: ``onewindow audit-verify``
passes, every material file matches its recorded SHA-256, the signing key opens with the
passphrase and a certificate still verifies (``onewindow verify-cert``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SERVER = settings.DATABASES["default"]
ON_POSTGRESQL = "postgresql" in SERVER["ENGINE"]
#: The database names of this test, next to the test run's own (one per xdist worker too).
BASE_NAME = f"{SERVER.get('NAME') or 'onewindow'}_backup".removeprefix("test_")

CHECK_RESTORED = """
import hashlib, json, sys
import django
django.setup()
from cryptography.hazmat.primitives import serialization
from onewindow.cases.models import CaseMaterial
from onewindow.certificates.keys import active_key, load_private_key
from onewindow.certificates.models import Certificate
from onewindow.certificates.offline import envelope_bytes
from onewindow.org.models import Zone

files = 0
for row in CaseMaterial.objects.exclude(file=""):
    with row.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == row.sha256, row.pk
    files += 1
key = active_key(Zone.objects.get(code="SFQ"))
private = load_private_key(key)
public = private.public_key().public_bytes(
    serialization.Encoding.Raw, serialization.PublicFormat.Raw
)
assert public == bytes(key.public_key)
certificate = Certificate.objects.filter(status="valid").order_by("id").first()
open(sys.argv[1], "wb").write(envelope_bytes(certificate))
print(json.dumps({"files": files, "certificate": certificate.identifier}))
"""


def postgres_url(name: str) -> str:
    user = SERVER.get("USER") or "postgres"
    password = f":{SERVER['PASSWORD']}" if SERVER.get("PASSWORD") else ""
    host = SERVER.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{SERVER.get('PORT') or 5432}/{name}"


def postgres_tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PGHOST=SERVER.get("HOST") or "127.0.0.1",
        PGPORT=str(SERVER.get("PORT") or 5432),
        PGUSER=SERVER.get("USER") or "postgres",
    )
    if SERVER.get("PASSWORD"):
        env["PGPASSWORD"] = SERVER["PASSWORD"]
    return env


def run(command: list[str], env: dict[str, str], timeout: int = 300):
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result


def onewindow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """A command of the procedure; the system checks have their own test (test_deploy)."""
    return subprocess.run(
        [sys.executable, "-m", "onewindow", *args, "--skip-checks"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def production(var_dir: Path, database_url: str, passphrase: str, key: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ONEWINDOW_", "DJANGO_", "DATABASE_", "SECRET_KEY"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="onewindow.settings",
        SECRET_KEY=key,
        DATABASE_URL=database_url,
        ONEWINDOW_VAR_DIR=str(var_dir),
        ONEWINDOW_KEY_PASSPHRASE=passphrase,
    )
    return env


@pytest.fixture
def postgres_databases():
    if not ON_POSTGRESQL or not shutil.which("pg_dump"):
        pytest.skip("the PostgreSQL procedure needs DATABASE_URL on PostgreSQL and pg_dump")
    env = postgres_tool_env()
    names = (f"{BASE_NAME}_source", f"{BASE_NAME}_restored")
    for name in names:
        run(["dropdb", "--if-exists", name], env)
        run(["createdb", name], env)
    yield names
    for name in names:
        subprocess.run(["dropdb", "--if-exists", "--force", name], env=env, capture_output=True)


def build_and_back_up(source_env: dict[str, str]) -> None:
    result = onewindow(source_env, "migrate", "--no-input", "-v", "0")
    assert result.returncode == 0, result.stderr
    result = onewindow(source_env, "demo", "--cases", "1", "--appeals", "1", "--no-policies")
    assert result.returncode == 0, result.stderr


def copy_var_parts(source: Path, target: Path) -> None:
    """What the document copies besides the database: uploads and signing keys."""
    for part in ("uploads", "keys"):
        shutil.copytree(source / part, target / part, symlinks=False)


def check_restored(restored_env: dict[str, str], tmp_path: Path) -> None:
    verified = onewindow(restored_env, "audit-verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "审计链完整" in verified.stdout
    envelope = tmp_path / "certificate.json"
    checked = subprocess.run(
        [sys.executable, "-c", CHECK_RESTORED, str(envelope)],
        env=restored_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr
    assert '"files": 0' not in checked.stdout  # the demo's cases carry files
    result = onewindow(restored_env, "verify-cert", str(envelope))
    assert result.returncode == 0, result.stdout + result.stderr


def test_postgresql_backup_restores_into_a_fresh_database(postgres_databases, tmp_path):
    source_name, restored_name = postgres_databases
    key, passphrase = secrets.token_urlsafe(50), secrets.token_urlsafe(24)
    source_var, restored_var = tmp_path / "source", tmp_path / "restored"
    restored_var.mkdir()
    source_env = production(source_var, postgres_url(source_name), passphrase, key)
    build_and_back_up(source_env)

    # the backup: database dump, then the directories
    dump = tmp_path / "onewindow.dump"
    tools = postgres_tool_env()
    run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), source_name], tools)
    copy_var_parts(source_var, restored_var)

    # the restore into a fresh database
    run(["pg_restore", "--no-owner", "--exit-on-error", "-d", restored_name, str(dump)], tools)
    restored_env = production(restored_var, postgres_url(restored_name), passphrase, key)
    check_restored(restored_env, tmp_path)


def test_sqlite_backup_restores_into_a_fresh_file(tmp_path):
    key, passphrase = secrets.token_urlsafe(50), secrets.token_urlsafe(24)
    source_var, restored_var = tmp_path / "source", tmp_path / "restored"
    restored_var.mkdir()
    source_file = source_var / "onewindow.sqlite3"
    source_env = production(source_var, f"sqlite:///{source_file}", passphrase, key)
    build_and_back_up(source_env)

    # sqlite3 onewindow.sqlite3 ".backup backup.sqlite3": the online backup API
    backup_file = tmp_path / "backup.sqlite3"
    with sqlite3.connect(source_file) as source, sqlite3.connect(backup_file) as target:
        source.backup(target)
    copy_var_parts(source_var, restored_var)

    restored_file = restored_var / "onewindow.sqlite3"
    shutil.copyfile(backup_file, restored_file)
    restored_env = production(restored_var, f"sqlite:///{restored_file}", passphrase, key)
    check_restored(restored_env, tmp_path)

    # The key backup alone is not enough: the passphrase is kept apart.
    without = {**restored_env, "ONEWINDOW_KEY_PASSPHRASE": "not-the-passphrase"}
    refused = subprocess.run(
        [sys.executable, "-c", CHECK_RESTORED, str(tmp_path / "other.json")],
        env=without,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "ONEWINDOW_KEY_PASSPHRASE" in refused.stderr
