"""The append-only, hash-chained audit log (电子监察 reads it; 等保 level 3 requires it).

Each event's hash is ``sha256(previous_hash + canonical_json(event))`` where the
canonical JSON holds the sequence number, time, actor, action, object and data with
sorted keys, no spaces and unescaped Chinese. Appending locks the chain head, so
sequence numbers have no gaps and the chain has no forks, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


class AuditAction:
    """Stable action names (past tense)."""

    LOGIN_SUCCEEDED = "auth.login_succeeded"
    LOGIN_FAILED = "auth.login_failed"
    LOGGED_OUT = "auth.logged_out"
    CALENDAR_NOTICE_LOADED = "calendar.notice_loaded"
    CALENDAR_OVERRIDE_SET = "calendar.override_set"
    CALENDAR_OVERRIDE_REMOVED = "calendar.override_removed"


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip_address": event.ip_address,
        "data": event.data,
    }


def compute_hash(previous_hash: str, event: AuditEvent) -> str:
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(canonical_json(_payload(event)).encode("utf-8"))
    return digest.hexdigest()


@transaction.atomic
def audit_append(
    *,
    action: str,
    actor: str = "",
    actor_id: str | int = "",
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    head, _ = AuditChainHead.objects.get_or_create(id=1, defaults={"hash": GENESIS_HASH})
    head = AuditChainHead.objects.select_for_update().get(id=1)
    # Round-trip the data through JSON so the hash is over exactly what is stored.
    data = json.loads(canonical_json(data or {}))
    event = AuditEvent(
        sequence=head.sequence + 1,
        occurred_at=timezone.now(),
        actor=str(actor)[:150],
        actor_id=str(actor_id),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip_address=ip_address or None,
        data=data,
        previous_hash=head.hash,
    )
    event.hash = compute_hash(head.hash, event)
    event.save(force_insert=True)
    head.sequence = event.sequence
    head.hash = event.hash
    head.save(update_fields=["sequence", "hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _events(batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].sequence


def audit_verify(*, batch_size: int = 2000) -> VerifyResult:
    """Walk the chain in order and report the first broken link (memory stays flat)."""
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in _events(batch_size):
        if event.sequence != expected_sequence:
            return VerifyResult(
                checked,
                ChainBreak(
                    expected_sequence,
                    f"event #{expected_sequence} is missing (next present is #{event.sequence})",
                ),
            )
        if event.previous_hash != previous_hash:
            return VerifyResult(
                checked,
                ChainBreak(event.sequence, "previous_hash does not match the preceding event"),
            )
        if compute_hash(previous_hash, event) != event.hash:
            return VerifyResult(
                checked,
                ChainBreak(
                    event.sequence, "content does not match its hash (the event was altered)"
                ),
            )
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.sequence != checked:
        return VerifyResult(
            checked,
            ChainBreak(
                checked + 1,
                f"the chain head records #{head.sequence} but the log ends at #{checked}",
            ),
        )
    return VerifyResult(checked, None)
