"""Signing keys encrypted at rest in production, and what the system checks say (ADR 0014)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onewindow.certificates.checks import check_signing_keys_encrypted, plaintext_key_files
from onewindow.certificates.keys import key_generate, key_rotate, load_private_key
from onewindow.certificates.keys import private_key_path as key_path
from onewindow.certificates.models import SigningKey
from onewindow.core.errors import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_keys(settings, tmp_path):
    """Production rules: no plain keys allowed, no passphrase until a test sets one."""
    settings.ONEWINDOW_KEY_DIR = tmp_path / "keys"
    settings.ONEWINDOW_KEY_PASSPHRASE = ""
    settings.ONEWINDOW_ALLOW_PLAINTEXT_KEYS = False
    return settings


def ids(messages) -> list[str]:
    return [message.id for message in messages]


# -- generating --------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [key_generate, key_rotate])
def test_production_refuses_to_write_a_plain_key(production_keys, zone, make):
    with pytest.raises(Conflict) as refused:
        make(zone=zone, actor="admin")

    assert refused.value.code == "signing_key_passphrase_missing"
    assert "ONEWINDOW_KEY_PASSPHRASE" in refused.value.message
    assert not SigningKey.objects.exists()
    assert not (production_keys.ONEWINDOW_KEY_DIR / zone.code).exists()


def test_rotation_refused_keeps_the_signing_key(production_keys, zone):
    production_keys.ONEWINDOW_KEY_PASSPHRASE = "a long passphrase kept apart"
    first = key_generate(zone=zone, actor="admin")
    production_keys.ONEWINDOW_KEY_PASSPHRASE = ""

    with pytest.raises(Conflict):
        key_rotate(zone=zone, actor="admin")

    first.refresh_from_db()
    assert first.status == "active"


def test_the_keys_command_says_why(production_keys, zone):
    with pytest.raises(CommandError, match="ONEWINDOW_KEY_PASSPHRASE"):
        call_command("keys", "generate", "--zone", zone.code, stdout=io.StringIO())


def test_with_a_passphrase_the_key_file_is_encrypted(production_keys, zone):
    production_keys.ONEWINDOW_KEY_PASSPHRASE = "a long passphrase kept apart"

    key = key_generate(zone=zone, actor="admin")

    pem = key_path(key).read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert load_private_key(key) is not None
    assert plaintext_key_files(production_keys.ONEWINDOW_KEY_DIR) == []


def test_plain_keys_when_allowed_on_purpose(production_keys, zone):
    production_keys.ONEWINDOW_ALLOW_PLAINTEXT_KEYS = True

    key = key_generate(zone=zone, actor="admin")

    assert key_path(key).read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


# -- the system checks -------------------------------------------------------------------------


def test_check_warns_without_a_passphrase(production_keys):
    assert ids(check_signing_keys_encrypted()) == ["certificates.W001"]


def test_check_names_plain_key_files(production_keys, zone):
    production_keys.ONEWINDOW_ALLOW_PLAINTEXT_KEYS = True
    plain = key_generate(zone=zone, actor="admin")
    production_keys.ONEWINDOW_ALLOW_PLAINTEXT_KEYS = False
    production_keys.ONEWINDOW_KEY_PASSPHRASE = "a long passphrase kept apart"

    messages = check_signing_keys_encrypted()

    assert ids(messages) == ["certificates.W002"]
    assert str(key_path(plain)) in messages[0].msg


def test_check_is_quiet_when_keys_are_encrypted(production_keys, zone):
    production_keys.ONEWINDOW_KEY_PASSPHRASE = "a long passphrase kept apart"
    key_generate(zone=zone, actor="admin")

    assert check_signing_keys_encrypted() == []


def test_check_is_quiet_in_development(production_keys, zone):
    production_keys.ONEWINDOW_ALLOW_PLAINTEXT_KEYS = True  # what DEBUG sets
    key_generate(zone=zone, actor="admin")

    assert check_signing_keys_encrypted() == []
