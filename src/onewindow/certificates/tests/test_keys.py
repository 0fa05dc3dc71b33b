"""Zone signing keys: one active key, rotation, private halves only in 0600 files."""

from __future__ import annotations

import base64
import io
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command

from onewindow.certificates.keys import (
    active_key,
    key_generate,
    key_rotate,
    load_private_key,
    private_key_path,
    published_keys,
)
from onewindow.certificates.models import KeyStatus, SigningKey
from onewindow.certificates.services import certificate_issue, certificate_verify
from onewindow.certificates.signing import b64url, b64url_decode, key_id_for
from onewindow.core.audit import audit_verify
from onewindow.core.errors import Conflict
from onewindow.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    settings.ONEWINDOW_KEY_DIR = tmp_path / "keys"
    settings.ONEWINDOW_KEY_PASSPHRASE = ""
    return settings.ONEWINDOW_KEY_DIR


def raw_public(private) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def test_generate_stores_the_public_half_and_writes_the_private_file(zone):
    key = key_generate(zone=zone, actor="admin")

    assert key.status == KeyStatus.ACTIVE
    assert key.key_id == key_id_for(bytes(key.public_key))
    assert len(bytes(key.public_key)) == 32
    assert raw_public(load_private_key(key)) == bytes(key.public_key)
    assert active_key(zone) == key
    event = AuditEvent.objects.get(action="certificates.key_generated")
    assert (event.actor, event.object_id, event.data) == ("admin", key.key_id, {"zone": "SFQ"})
    assert audit_verify().ok


def test_the_private_file_is_0600_in_a_0700_directory(zone, key_dir):
    key = key_generate(zone=zone)

    path = private_key_path(key)
    assert path == key_dir / "SFQ" / f"{key.key_id}.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_a_second_generate_is_refused(zone):
    first = key_generate(zone=zone)

    with pytest.raises(Conflict) as refused:
        key_generate(zone=zone)

    assert refused.value.code == "signing_key_exists"
    assert first.key_id in refused.value.message and "轮换" in refused.value.message
    assert SigningKey.objects.count() == 1


def test_without_a_key_issuing_says_how_to_make_one(zone):
    with pytest.raises(Conflict) as refused:
        active_key(zone)
    assert refused.value.code == "no_signing_key"
    assert "onewindow keys generate" in refused.value.message


def test_rotation_retires_the_old_key_and_old_certificates_still_verify(
    zone, food_licence, enterprise
):
    old = key_generate(zone=zone)
    before = certificate_issue(
        certificate_type=food_licence,
        holder=enterprise,
        actor=None,
        facts={"premises": "示范路 1 号", "area": "80"},
    )

    new = key_rotate(zone=zone, actor="admin")
    after = certificate_issue(
        certificate_type=food_licence,
        holder=enterprise,
        actor=None,
        facts={"premises": "示范路 2 号", "area": "90"},
    )

    old.refresh_from_db()
    assert (old.status, new.status) == (KeyStatus.RETIRED, KeyStatus.ACTIVE)
    assert old.retired_at is not None and new.retired_at is None
    assert active_key(zone) == new
    assert before.signing_key == old and after.signing_key == new
    first = certificate_verify(
        before.identifier, code=before.verification_code, channel="page", count=False
    )
    second = certificate_verify(
        after.identifier, code=after.verification_code, channel="page", count=False
    )
    assert first.signature_valid and first.key_id == old.key_id
    assert second.signature_valid and second.key_id == new.key_id
    # Both stay published: a verifier holding an old certificate finds its key.
    published = {jwk["kid"]: jwk for jwk in published_keys(zone)}
    assert published[old.key_id]["status"] == "retired"
    assert published[old.key_id]["retired_at"] is not None
    assert published[new.key_id]["status"] == "active"
    assert AuditEvent.objects.filter(action="certificates.key_rotated").count() == 1


def test_rotation_without_any_key_makes_the_first(zone):
    key = key_rotate(zone=zone)
    assert active_key(zone) == key


def test_published_keys_are_ed25519_jwks(zone):
    key = key_generate(zone=zone)

    [jwk] = published_keys()

    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["alg"] == "EdDSA"
    assert jwk["kid"] == key.key_id and jwk["zone"] == "SFQ" and jwk["use"] == "sig"
    assert b64url_decode(jwk["x"]) == bytes(key.public_key)
    assert "d" not in jwk  # the private scalar of an OKP JWK


def test_dumpdata_holds_no_private_key_material(zone, food_licence, enterprise):
    key = key_generate(zone=zone)
    certificate_issue(
        certificate_type=food_licence,
        holder=enterprise,
        actor=None,
        facts={"premises": "示范路 1 号", "area": "80"},
    )
    private = load_private_key(key)
    seed = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pem = private_key_path(key).read_text()
    pem_body = "".join(pem.strip().splitlines()[1:-1])

    output = io.StringIO()
    call_command("dumpdata", format="json", stdout=output)
    dump = output.getvalue()

    assert key.key_id in dump  # the dump did include the keys table
    for secret in (seed.hex(), b64url(seed), pem_body, pem_body[:40], "PRIVATE KEY"):
        assert secret not in dump
    assert base64.b64encode(seed).decode() not in dump


def test_a_passphrase_encrypts_the_file_and_the_key_still_loads(zone, settings):
    settings.ONEWINDOW_KEY_PASSPHRASE = "zone passphrase 2026"
    key = key_generate(zone=zone)

    path = private_key_path(key)
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(TypeError):  # unreadable without the passphrase
        serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert raw_public(load_private_key(key)) == bytes(key.public_key)

    settings.ONEWINDOW_KEY_PASSPHRASE = "a wrong passphrase"
    with pytest.raises(Conflict) as refused:
        load_private_key(key)
    assert refused.value.code == "signing_key_unreadable"
    assert key.key_id in refused.value.message


def test_a_missing_private_file_refuses_to_sign(zone):
    key = key_generate(zone=zone)
    private_key_path(key).unlink()

    with pytest.raises(Conflict) as refused:
        load_private_key(key)

    assert refused.value.code == "signing_key_missing"
