"""The append-only, hash-chained audit log (电子监察 reads it; 等保 level 3 requires it).

Each event's hash is ``sha256(previous_hash + canonical_json(event))`` where the
canonical JSON holds the sequence number, time, actor, action, object and data with
sorted keys, no spaces and unescaped Chinese. Appending locks the chain head, so
sequence numbers have no gaps and the chain has no forks, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from onewindow.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


class AuditAction:
    """Stable action names (past tense)."""

    LOGIN_SUCCEEDED = "auth.login_succeeded"
    LOGIN_FAILED = "auth.login_failed"
    LOGGED_OUT = "auth.logged_out"
    # Login throttling and the second factor (docs/decisions/0009).
    LOCKED_OUT = "auth.locked_out"
    UNLOCKED = "auth.unlocked"
    SECOND_FACTOR_ENROLLED = "auth.second_factor_enrolled"
    SECOND_FACTOR_VERIFIED = "auth.second_factor_verified"
    SECOND_FACTOR_FAILED = "auth.second_factor_failed"
    SECOND_FACTOR_DISABLED = "auth.second_factor_disabled"
    CALENDAR_NOTICE_LOADED = "calendar.notice_loaded"
    CALENDAR_OVERRIDE_SET = "calendar.override_set"
    CALENDAR_OVERRIDE_REMOVED = "calendar.override_removed"
    # Personal identifiers and applicants (ADR 0015): every full view by staff, every
    # lookup by a full number, every admin change of an applicant or a representation.
    IDENTIFIER_VIEWED = "org.identifier_viewed"
    IDENTIFIER_LOOKED_UP = "org.identifier_looked_up"
    APPLICANT_ADDED = "org.applicant_added"
    APPLICANT_CHANGED = "org.applicant_changed"
    APPLICANT_REMOVED = "org.applicant_removed"
    REPRESENTATION_ADDED = "org.representation_added"
    REPRESENTATION_CHANGED = "org.representation_changed"
    REPRESENTATION_REMOVED = "org.representation_removed"
    # A clerk checked the documents of an applicant registered in another zone (ADR 0026).
    APPLICANT_ZONE_LINKED = "org.applicant_zone_linked"
    # Background tasks (ADR 0012): a task taken back from a lost worker, a task that
    # failed for good, a failed task an administrator put back in the queue.
    TASK_RECLAIMED = "tasks.reclaimed"
    TASK_FAILED = "tasks.failed"
    TASK_RETRIED = "tasks.retried"
    # Staff accounts, role grants and the audit trail (ADR 0010).
    STAFF_CREATED = "org.staff_created"
    ROLE_GRANTED = "org.role_granted"
    ROLE_REVOKED = "org.role_revoked"
    PASSWORD_CHANGED = "org.password_changed"
    AUDIT_TRAIL_VIEWED = "audit.trail_viewed"
    AUDIT_CHAIN_VERIFIED = "audit.chain_verified"


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


def _stored_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """The data exactly as both databases give it back, so the hash stays verifiable.

    A JSON round trip; floats (and NaN, Infinity) become their text, because PostgreSQL's
    jsonb rewrites numbers (1e+20 comes back as 100000000000000000000).
    """
    return json.loads(canonical_json(data or {}), parse_float=str, parse_constant=str)


def _stored_text(value: str | int, max_length: int) -> str:
    """Fit a column: user input (a failed login's username) may be long or hold NUL,
    which PostgreSQL refuses; the event must be recorded all the same."""
    return str(value).replace("\x00", "\ufffd")[:max_length]


def _stored_ip(value: str | None) -> str | None:
    """The address as the database stores it (IPv6 compressed, as Django and PostgreSQL
    do), or None when it is not an IP address."""
    if not value:
        return None
    try:
        if ":" in value:
            return clean_ipv6_address(value)
        return str(ipaddress.IPv4Address(value))
    except (ValueError, ValidationError):
        return None


def compute_hash(previous_hash: str, event: AuditEvent) -> str:
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(canonical_json(_payload(event)).encode("utf-8"))
    return digest.hexdigest()


def _advance_head() -> None:
    """After commit: move the chain head forward (never back) to the newest committed
    event (in autocommit, only committed events are visible)."""
    newest = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    if newest is not None:
        AuditChainHead.objects.filter(id=1, sequence__lt=newest[0]).update(
            sequence=newest[0], hash=newest[1]
        )


class _TransactionState:
    """What one transaction knows of the chain: that it holds the head's lock (and since
    which savepoint), and its one after-commit callback that moves the head."""

    def __init__(self, savepoint: str | None) -> None:
        self.savepoint = savepoint

    def __call__(self) -> None:
        _advance_head()


def _transaction_state(connection) -> _TransactionState | None:
    """This transaction's state, or None in a new transaction or after a rollback past it
    (Django drops the on-commit callbacks of a rolled-back transaction or savepoint)."""
    state = getattr(connection, "_audit_state", None)
    if state is None:
        return None
    if any(callback is state for _ids, callback, _robust in connection.run_on_commit):
        return state
    return None


def _holds_lock(connection, state: _TransactionState | None) -> bool:
    """The head lock taken earlier in this transaction is still held: taken outside any
    savepoint, or inside one that is still open (rolling a savepoint back releases the
    row locks taken inside it, and a released savepoint's id is gone: lock again)."""
    if state is None:
        return False
    return state.savepoint is None or state.savepoint in connection.savepoint_ids


def audit_lock_chain() -> None:
    """Take the chain head's lock for this transaction now (once; a no-op when held).

    ``audit_append`` does this itself. A service that locks another row *before* its first
    audit event calls this first, so every transaction takes the head before its other
    counters and two such transactions cannot deadlock (lock order: chain head, then the
    rest). Must run inside a transaction."""
    connection = transaction.get_connection()
    state = _transaction_state(connection)
    if _holds_lock(connection, state):
        return
    head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(id=1, defaults={"hash": GENESIS_HASH})
        AuditChainHead.objects.select_for_update().get(id=1)
    savepoint = connection.savepoint_ids[-1] if connection.savepoint_ids else None
    if state is None:
        state = _TransactionState(savepoint)
        connection._audit_state = state
        transaction.on_commit(state)
    else:
        state.savepoint = savepoint


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
    """Append one event to the chain, inside the caller's transaction.

    The chain-head row is only locked here (``SELECT … FOR UPDATE``), once per
    transaction, so appends are serialised without writing it: updating one row thousands
    of times inside one long transaction (an Excel import) made every later read of it
    slower on PostgreSQL. The previous link is the newest event (a unique index); the head
    is moved forward once, after the transaction commits, and lets ``audit_verify``
    notice a log that ends before it. No savepoint of its own: a failed append fails the
    caller's transaction, which is what an audited change must do.
    """
    with transaction.atomic(savepoint=False):
        audit_lock_chain()
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
        sequence, previous_hash = last if last is not None else (0, GENESIS_HASH)
        # The hash is over exactly what is stored and read back.
        data = _stored_data(data)
        event = AuditEvent(
            sequence=sequence + 1,
            occurred_at=timezone.now(),
            actor=_stored_text(actor, 150),
            actor_id=_stored_text(actor_id, 64),
            action=action,
            object_type=_stored_text(object_type, 64),
            object_id=_stored_text(object_id, 128),
            ip_address=_stored_ip(ip_address),
            data=data,
            previous_hash=previous_hash,
        )
        event.hash = compute_hash(previous_hash, event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: ChainBreak | None
    first_sequence: int = 1  # where the walk started (1 for the whole chain)

    @property
    def ok(self) -> bool:
        return self.first_break is None

    @property
    def whole_chain(self) -> bool:
        return self.first_sequence == 1


def _events(batch_size: int, after: int) -> Iterator[AuditEvent]:
    last = after
    while True:
        batch = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].sequence


def audit_verify(*, batch_size: int = 2000, last: int | None = None) -> VerifyResult:
    """Walk the chain in order and report the first broken link (memory stays flat).

    ``last=N`` checks only the newest N events, anchored on the stored hash of the event
    before them: cheap enough for a page; the full walk is ``onewindow audit-verify``.
    """
    previous_hash = GENESIS_HASH
    start = 0
    head = AuditChainHead.objects.filter(id=1).first()
    newest = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    if last is not None and newest is not None and newest > last:
        start = newest - last
        anchor = AuditEvent.objects.filter(sequence=start).values_list("hash", flat=True).first()
        if anchor is None:
            return VerifyResult(0, ChainBreak(start, f"event #{start} is missing"), start)
        previous_hash = anchor
    expected_sequence = start + 1
    checked = 0

    def broken(sequence: int, reason: str) -> VerifyResult:
        return VerifyResult(checked, ChainBreak(sequence, reason), start + 1)

    for event in _events(batch_size, start):
        if event.sequence != expected_sequence:
            return broken(
                expected_sequence,
                f"event #{expected_sequence} is missing (next present is #{event.sequence})",
            )
        if event.previous_hash != previous_hash:
            return broken(event.sequence, "previous_hash does not match the preceding event")
        if compute_hash(previous_hash, event) != event.hash:
            return broken(event.sequence, "content does not match its hash (the event was altered)")
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    # The head follows commits, so it may lag behind the log by a moment, never lead it.
    if head is not None and head.sequence > expected_sequence - 1:
        return broken(
            expected_sequence,
            f"the chain head records #{head.sequence} but the log ends at #{expected_sequence - 1}",
        )
    return VerifyResult(checked, None, start + 1)


def audit_record_verification(
    result: VerifyResult, *, actor: str = "", actor_id: str | int = ""
) -> AuditEvent:
    """Append the outcome of a verification (``audit.chain_verified``), so the audit trail
    page shows the last result without walking the chain on every view (ADR 0010)."""
    data: dict[str, Any] = {
        "ok": result.ok,
        "checked": result.checked,
        "first_sequence": result.first_sequence,
    }
    if result.first_break is not None:
        data["broken_at"] = result.first_break.sequence
        data["reason"] = result.first_break.reason
    return audit_append(
        action=AuditAction.AUDIT_CHAIN_VERIFIED, actor=actor, actor_id=actor_id, data=data
    )
