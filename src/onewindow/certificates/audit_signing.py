"""Audit chain checkpoints signed with a zone's Ed25519 key (ADR 0004).

``core.audit`` writes the checkpoints but cannot import the key machinery (it is a lower
layer), so this module registers the signer in ``core.registry`` at start-up. The key is the
active signing key of the zone named by ``ONEWINDOW_AUDIT_CHECKPOINT_ZONE`` (a zone code), or
when it is empty the oldest active key of any zone; a checkpoint verifies with the key that
signed it even after a rotation.
"""

from __future__ import annotations

from django.conf import settings

from onewindow.certificates.keys import load_private_key
from onewindow.certificates.models import KeyStatus, SigningKey
from onewindow.certificates.signing import sign, verify
from onewindow.core.registry import AuditSigner


def checkpoint_key() -> SigningKey | None:
    keys = (
        SigningKey.objects.filter(status=KeyStatus.ACTIVE)
        .select_related("zone")
        .order_by("created_at", "pk")
    )
    zone_code = getattr(settings, "ONEWINDOW_AUDIT_CHECKPOINT_ZONE", "")
    if zone_code:
        keys = keys.filter(zone__code=zone_code)
    return keys.first()


def sign_checkpoint(payload: str) -> tuple[str, str] | None:
    key = checkpoint_key()
    if key is None:
        return None
    return key.key_id, sign(load_private_key(key), payload)


def verify_checkpoint(key_id: str, payload: str, signature: str) -> bool:
    key = SigningKey.objects.filter(key_id=key_id).first()
    return key is not None and verify(bytes(key.public_key), payload, signature)


SIGNER = AuditSigner(sign=sign_checkpoint, verify=verify_checkpoint)
