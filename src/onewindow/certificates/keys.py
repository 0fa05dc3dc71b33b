"""Zone signing keys: generate, rotate, list; private halves kept as files, never in the DB.

A private key is a PKCS#8 PEM file ``{ONEWINDOW_KEY_DIR}/{zone code}/{key id}.pem`` (mode
0600, directory 0700), encrypted with ``ONEWINDOW_KEY_PASSPHRASE``. In production a key is
not written in plain text unless ``ONEWINDOW_ALLOW_PLAINTEXT_KEYS`` says so (development mode
does). The database keeps the raw 32-byte public key, its id and status. Rotation makes a
new key the signing one and keeps the old one published for verification only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.certificates.models import KeyStatus, SigningKey
from onewindow.certificates.signing import key_id_for
from onewindow.core.audit import audit_append
from onewindow.core.errors import Conflict
from onewindow.core.locks import lock_rows
from onewindow.org.models import Zone


def key_directory() -> Path:
    return Path(settings.ONEWINDOW_KEY_DIR)


def private_key_path(key: SigningKey) -> Path:
    return key_directory() / key.zone.code / f"{key.key_id}.pem"


def _passphrase() -> bytes | None:
    value = getattr(settings, "ONEWINDOW_KEY_PASSPHRASE", "") or ""
    return value.encode("utf-8") or None


def _refuse_plaintext() -> None:
    """Production keeps private keys encrypted at rest (等保: confidentiality of keys)."""
    if _passphrase() is None and not settings.ONEWINDOW_ALLOW_PLAINTEXT_KEYS:
        raise Conflict(
            _(
                "生产环境的签名私钥须加密保存：请设置口令 ONEWINDOW_KEY_PASSPHRASE 后再生成；"
                "确需明文保存时设置 ONEWINDOW_ALLOW_PLAINTEXT_KEYS=1"
            ),
            code="signing_key_passphrase_missing",
        )


def _write_private(path: Path, private_key: Ed25519PrivateKey) -> None:
    passphrase = _passphrase()
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_private_key(key: SigningKey) -> Ed25519PrivateKey:
    path = private_key_path(key)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Conflict(
            _("签名密钥 %(key)s 的私钥文件缺失，无法签发电子证照") % {"key": key.key_id},
            code="signing_key_missing",
        ) from None
    try:
        private = serialization.load_pem_private_key(data, password=_passphrase())
    except (TypeError, ValueError):
        # Wrong, missing or superfluous passphrase, or a damaged file: say which key.
        raise Conflict(
            _(
                "无法读取签名密钥 %(key)s 的私钥文件："
                "口令（ONEWINDOW_KEY_PASSPHRASE）不符或文件已损坏"
            )
            % {"key": key.key_id},
            code="signing_key_unreadable",
        ) from None
    if not isinstance(private, Ed25519PrivateKey):
        raise Conflict(_("签名密钥文件不是 Ed25519 私钥"), code="signing_key_invalid")
    return private


def _new_key(zone: Zone, *, actor: str, action: str) -> SigningKey:
    _refuse_plaintext()
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    key = SigningKey(zone=zone, key_id=key_id_for(public), public_key=public)
    path = private_key_path(key)
    _write_private(path, private)
    try:
        key.save()
        audit_append(
            action=action,
            actor=actor,
            object_type="certificates.SigningKey",
            object_id=key.key_id,
            data={"zone": zone.code},
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return key


@transaction.atomic
def key_generate(*, zone: Zone, actor: str = "system") -> SigningKey:
    """The zone's first signing key. Refused when one is already signing (rotate instead)."""
    locked = lock_rows(SigningKey, zone=zone, status=KeyStatus.ACTIVE)
    if locked:
        raise Conflict(
            _("开发区 %(zone)s 已有签发中的密钥 %(key)s；如需更换请轮换密钥")
            % {"zone": zone.code, "key": locked[0].key_id},
            code="signing_key_exists",
        )
    return _new_key(zone, actor=actor, action="certificates.key_generated")


@transaction.atomic
def key_rotate(*, zone: Zone, actor: str = "system") -> SigningKey:
    """A new signing key; the previous one is kept, published, for verification only."""
    now = timezone.now()
    active = lock_rows(SigningKey, zone=zone, status=KeyStatus.ACTIVE)
    SigningKey.objects.filter(pk__in=[key.pk for key in active]).update(
        status=KeyStatus.RETIRED, retired_at=now
    )
    return _new_key(zone, actor=actor, action="certificates.key_rotated")


def active_key(zone: Zone) -> SigningKey:
    key = (
        SigningKey.objects.filter(zone=zone, status=KeyStatus.ACTIVE).select_related("zone").first()
    )
    if key is None:
        raise Conflict(
            _("开发区尚未生成电子证照签名密钥，请管理员运行 onewindow keys generate"),
            code="no_signing_key",
        )
    return key


def published_keys(zone: Zone | None = None) -> list[dict]:
    """The public keys as JWKs (RFC 8037 OKP/Ed25519), signing and rotated-out alike."""
    from onewindow.certificates.signing import b64url

    keys = SigningKey.objects.select_related("zone").order_by("zone__code", "created_at")
    if zone is not None:
        keys = keys.filter(zone=zone)
    return [
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "use": "sig",
            "kid": key.key_id,
            "x": b64url(bytes(key.public_key)),
            "zone": key.zone.code,
            "status": key.status,
            "created_at": key.created_at.isoformat(),
            "retired_at": key.retired_at.isoformat() if key.retired_at else None,
        }
        for key in keys
    ]
