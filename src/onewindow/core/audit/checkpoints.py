"""Signed checkpoints of the chain head, their export and the external copy."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.core import registry
from onewindow.core.audit.events import canonical_json
from onewindow.core.models import AuditChainHead, AuditCheckpoint

logger = logging.getLogger("onewindow.core.audit")

#: What a checkpoint file says it is (``onewindow audit-checkpoint --export``).
CHECKPOINT_FORMAT = "onewindow-audit-checkpoint/1"


def checkpoint_payload(sequence: int, hash_: str, created_at: dt.datetime) -> str:
    """The text a checkpoint's signature is over."""
    return canonical_json(
        {
            "format": CHECKPOINT_FORMAT,
            "sequence": sequence,
            "hash": hash_,
            "created_at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        }
    )


def audit_checkpoint_write() -> AuditCheckpoint | None:
    """Sign the chain head now with a zone's key and keep the checkpoint (the existing one
    when the head has not moved). None when the chain is empty or no zone has a signing key
    (``onewindow keys generate``)."""
    signer = registry.audit_signer()
    head = AuditChainHead.objects.filter(id=1).values_list("sequence", "hash").first()
    if signer is None or head is None or head[0] == 0:
        return None
    sequence, hash_ = head
    existing = AuditCheckpoint.objects.filter(sequence=sequence).first()
    if existing is not None:
        return existing
    created_at = timezone.now()
    signed = signer.sign(checkpoint_payload(sequence, hash_, created_at))
    if signed is None:
        return None
    key_id, signature = signed
    try:
        with transaction.atomic():
            return AuditCheckpoint.objects.create(
                sequence=sequence,
                hash=hash_,
                created_at=created_at,
                key_id=key_id,
                signature=signature,
            )
    except IntegrityError:  # written by another process in the meantime
        return AuditCheckpoint.objects.get(sequence=sequence)


_unsigned_warned: list[int] = []


def _checkpoint_if_due() -> None:
    """A checkpoint every ``ONEWINDOW_AUDIT_CHECKPOINT_EVERY`` links. A failure to sign (a
    missing key file) is logged and never stops the chaining."""
    every = settings.ONEWINDOW_AUDIT_CHECKPOINT_EVERY
    if every <= 0:
        return
    head = AuditChainHead.objects.filter(id=1).values_list("sequence", flat=True).first() or 0
    last = AuditCheckpoint.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    if head - (last or 0) < every:
        return
    try:
        written = audit_checkpoint_write()
    except Exception:
        logger.exception("audit checkpoint at #%s could not be signed", head)
        return
    if written is None and not _unsigned_warned:
        _unsigned_warned.append(head)  # once per process: the chainer polls every second
        logger.warning("audit checkpoint due at #%s but no zone has a signing key", head)


def checkpoint_export(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """A checkpoint as the JSON kept outside the database."""
    return {
        "format": CHECKPOINT_FORMAT,
        "sequence": checkpoint.sequence,
        "hash": checkpoint.hash,
        "created_at": checkpoint.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "key_id": checkpoint.key_id,
        "algorithm": checkpoint.algorithm,
        "signature": checkpoint.signature,
    }


@dataclass(frozen=True)
class ExternalCheckpoint:
    """A checkpoint read from a file (``onewindow audit-verify --checkpoint FILE``)."""

    sequence: int
    hash: str
    created_at: dt.datetime
    key_id: str
    signature: str

    @classmethod
    def parse(cls, document: Any) -> ExternalCheckpoint:
        """Raises ValueError when the document is not a checkpoint."""
        if not isinstance(document, dict) or document.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"not an audit checkpoint (format {CHECKPOINT_FORMAT})")
        try:
            sequence = document["sequence"]
            if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
                raise ValueError("sequence must be a positive integer")
            created_at = dt.datetime.fromisoformat(document["created_at"])
            if created_at.tzinfo is None:
                raise ValueError("created_at has no time zone")
            return cls(
                sequence=sequence,
                hash=str(document["hash"]),
                created_at=created_at,
                key_id=str(document["key_id"]),
                signature=str(document["signature"]),
            )
        except KeyError as missing:
            raise ValueError(f"the checkpoint has no {missing}") from None
        except TypeError as error:
            raise ValueError(f"the checkpoint has a field of the wrong type ({error})") from None

    def signature_valid(self) -> bool:
        signer = registry.audit_signer()
        payload = checkpoint_payload(self.sequence, self.hash, self.created_at)
        return signer is not None and signer.verify(self.key_id, payload, self.signature)
