"""Verification of the whole chain, against the head and the checkpoints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from onewindow.core import registry
from onewindow.core.audit.chain import _pending
from onewindow.core.audit.checkpoints import ExternalCheckpoint, checkpoint_payload
from onewindow.core.audit.events import GENESIS_HASH, AuditAction, audit_append, compute_hash
from onewindow.core.models import AuditChainHead, AuditCheckpoint, AuditEvent, AuditLink

# -- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: ChainBreak | None
    first_sequence: int = 1  # where the walk started (1 for the whole chain)
    pending: int = 0  # events not linked yet (the chainer's lag)
    oldest_pending_at: dt.datetime | None = None
    checkpoints: int = 0  # signed checkpoints compared with the chain

    @property
    def ok(self) -> bool:
        return self.first_break is None

    @property
    def whole_chain(self) -> bool:
        return self.first_sequence == 1


def _links(batch_size: int, after: int) -> Iterator[AuditLink]:
    last = after
    while True:
        batch = list(
            AuditLink.objects.filter(sequence__gt=last)
            .select_related("event")
            .order_by("sequence")[:batch_size]
        )
        yield from batch
        if len(batch) < batch_size:
            return
        last = batch[-1].sequence


def audit_verify(
    *,
    batch_size: int = 2000,
    last: int | None = None,
    checkpoint: ExternalCheckpoint | None = None,
) -> VerifyResult:
    """Walk the chain in order and report the first broken link (memory stays flat): each
    link's previous hash and its hash over its event, the stored checkpoints (signature and
    hash), the chain head's sequence and hash, and ``checkpoint`` (a copy kept outside the
    database) when given. The result also tells the chainer's lag.

    ``last=N`` checks only the newest N links, anchored on the stored hash of the link
    before them: cheap enough for a page; the full walk is ``onewindow audit-verify``.
    """
    previous_hash = GENESIS_HASH
    start = 0
    head = AuditChainHead.objects.filter(id=1).values_list("sequence", "hash").first()
    newest = AuditLink.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    if last is not None and newest is not None and newest > last:
        start = newest - last
        anchor = AuditLink.objects.filter(sequence=start).values_list("hash", flat=True).first()
        if anchor is None:
            return VerifyResult(0, ChainBreak(start, f"link #{start} is missing"), start)
        previous_hash = anchor
    pending, oldest_pending_at = _pending()
    signer = registry.audit_signer()
    stored = {row.sequence: row for row in AuditCheckpoint.objects.filter(sequence__gt=start)}
    checked = 0

    def result(first_break: ChainBreak | None) -> VerifyResult:
        return VerifyResult(
            checked,
            first_break,
            start + 1,
            pending=pending,
            oldest_pending_at=oldest_pending_at,
            checkpoints=len(stored) + (checkpoint is not None),
        )

    def broken(sequence: int, reason: str) -> VerifyResult:
        return result(ChainBreak(sequence, reason))

    if checkpoint is not None and not checkpoint.signature_valid():
        return broken(
            checkpoint.sequence,
            "the checkpoint's signature is not valid (altered, or not signed by a key of "
            "this installation)",
        )
    for row in stored.values():
        payload = checkpoint_payload(row.sequence, row.hash, row.created_at)
        if signer is None or not signer.verify(row.key_id, payload, row.signature):
            return broken(row.sequence, f"stored checkpoint #{row.sequence} has no valid signature")

    expected_sequence = start + 1
    for link in _links(batch_size, start):
        if link.sequence != expected_sequence:
            return broken(
                expected_sequence,
                f"link #{expected_sequence} is missing (next present is #{link.sequence})",
            )
        if link.previous_hash != previous_hash:
            return broken(link.sequence, "previous_hash does not match the preceding link")
        if compute_hash(previous_hash, link.event, link.sequence) != link.hash:
            return broken(
                link.sequence,
                f"event {link.event_id} does not match its hash (the event was altered)",
            )
        signed = stored.get(link.sequence)
        if signed is not None and signed.hash != link.hash:
            return broken(link.sequence, "the chain differs from the signed checkpoint here")
        outside = checkpoint is not None and checkpoint.sequence == link.sequence
        if outside and checkpoint.hash != link.hash:
            return broken(link.sequence, "the chain differs from the checkpoint file here")
        previous_hash = link.hash
        expected_sequence += 1
        checked += 1
    end = expected_sequence - 1
    for sequence in sorted(stored):
        if sequence > end:
            return broken(
                sequence, f"signed checkpoint #{sequence} is beyond the chain's end #{end}"
            )
    if checkpoint is not None and checkpoint.sequence > end:
        return broken(
            checkpoint.sequence,
            f"the checkpoint file records #{checkpoint.sequence} but the chain ends at #{end}",
        )
    if head is not None and head[0] > 0:
        head_sequence, head_hash = head
        if head_sequence > end:
            return broken(
                end + 1,
                f"the chain head records #{head_sequence} but the chain ends at #{end}",
            )
        if head_sequence > start:
            at_head = (
                previous_hash  # the newest link's, checked above
                if head_sequence == end
                else AuditLink.objects.filter(sequence=head_sequence)
                .values_list("hash", flat=True)
                .first()
            )
            if at_head != head_hash:
                return broken(
                    head_sequence,
                    "the chain head's hash does not match this link (the newest events "
                    "were rewritten)",
                )
    return result(None)


def audit_record_verification(
    result: VerifyResult, *, actor: str = "", actor_id: str | int = ""
) -> AuditEvent:
    """Append the outcome of a verification (``audit.chain_verified``), so the audit trail
    page shows the last result without walking the chain on every view (ADR 0010)."""
    data: dict[str, Any] = {
        "ok": result.ok,
        "checked": result.checked,
        "first_sequence": result.first_sequence,
        "pending": result.pending,
    }
    if result.first_break is not None:
        data["broken_at"] = result.first_break.sequence
        data["reason"] = result.first_break.reason
    return audit_append(
        action=AuditAction.AUDIT_CHAIN_VERIFIED, actor=actor, actor_id=actor_id, data=data
    )
