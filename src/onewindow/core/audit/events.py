"""Audit events: the action codes, the canonical form and hash of an event, and
``audit_append`` (see the package's docstring)."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from onewindow.core.models import AuditChainHead, AuditEvent, AuditLink

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


def _payload(event: AuditEvent, sequence: int) -> dict[str, Any]:
    return {
        "sequence": sequence,
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


def compute_hash(previous_hash: str, event: AuditEvent, sequence: int) -> str:
    """The hash of ``event`` as link ``sequence`` after a link whose hash is ``previous_hash``."""
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(canonical_json(_payload(event, sequence)).encode("utf-8"))
    return digest.hexdigest()


def chains_synchronously() -> bool:
    """SQLite links each event as it is appended (it has one writer at a time anyway);
    PostgreSQL leaves linking to the chainer."""
    return connection.vendor != "postgresql"


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
    """Append one event, inside the caller's transaction, and return it.

    On PostgreSQL this is one ``INSERT`` and takes no lock: the database stamps the row
    with the transaction's id and the chainer links it once the transaction has committed.
    On SQLite the event is linked at once (the next link and the head, in the same
    transaction). No savepoint of its own: a failed append fails the caller's transaction,
    which is what an audited change must do.
    """
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=_stored_text(actor, 150),
        actor_id=_stored_text(actor_id, 64),
        action=action,
        object_type=_stored_text(object_type, 64),
        object_id=_stored_text(object_id, 128),
        ip_address=_stored_ip(ip_address),
        # The hash is over exactly what is stored and read back.
        data=_stored_data(data),
    )
    if not chains_synchronously():
        batch = getattr(connection, "_audit_batch", None)
        if batch is not None:
            batch.append(event)  # inserted with the others when the batch ends
            return event
        event.save(force_insert=True)
        return event
    with transaction.atomic(savepoint=False):
        event.save(force_insert=True)
        last = AuditLink.objects.order_by("-sequence").values_list("sequence", "hash").first()
        sequence, previous_hash = last if last is not None else (0, GENESIS_HASH)
        link = AuditLink(
            sequence=sequence + 1,
            event=event,
            previous_hash=previous_hash,
            hash=compute_hash(previous_hash, event, sequence + 1),
        )
        link.save(force_insert=True)
        _move_head(link.sequence, link.hash)
    return event


def _move_head(sequence: int, hash_: str) -> None:
    """Move the chain head forward to link ``sequence`` (a trigger refuses moving it back)."""
    if not AuditChainHead.objects.filter(id=1, sequence__lt=sequence).update(
        sequence=sequence, hash=hash_
    ):
        AuditChainHead.objects.get_or_create(id=1, defaults={"sequence": sequence, "hash": hash_})


@contextmanager
def audit_batch() -> Iterator[None]:
    """Events appended inside the block are inserted together as it ends: one multi-row
    ``INSERT`` on PostgreSQL instead of one per event, still in the caller's transaction.

    For a use-case that appends several events in one transaction (受理 appends five).
    An event has no id until the block ends, and nothing inside the block may read the
    events back. A block that raises inserts nothing (the caller's transaction is rolling
    back). Use it inside the service's own atomic block, with no savepoint inside that is
    rolled back and then carried on from. SQLite links each event as it is appended:
    there the block changes nothing.
    """
    if chains_synchronously() or getattr(connection, "_audit_batch", None) is not None:
        yield
        return
    events: list[AuditEvent] = []
    connection._audit_batch = events
    try:
        yield
    finally:
        connection._audit_batch = None
    if events:
        AuditEvent.objects.bulk_create(events)
