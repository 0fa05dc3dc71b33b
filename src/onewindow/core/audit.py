"""The append-only, hash-chained audit log (电子监察 reads it; 等保 level 3 requires it).

Writers append events **unchained** (``audit_append``: one insert, no lock). The chain is
a separate, insert-only table of links: link ``n`` holds the gapless ``sequence`` ``n``,
its event, the previous link's hash and ``hash = sha256(previous_hash + canonical_json)``
where the canonical JSON holds the sequence, time, actor, action, object and data of the
event with sorted keys, no spaces and unescaped Chinese.

- On PostgreSQL one chainer (``audit_chain_run``; ``onewindow audit-chain``) links
  committed events after the fact, under an advisory lock, in the order of the inserting
  transaction's id then the event's id, and only below the oldest running transaction
  (``pg_snapshot_xmin``): a transaction that commits late was still running, so nothing
  after it is linked before it and no event is ever skipped. Events wait while the chainer
  is down; nothing is lost (``audit_chain_status`` shows the lag).
- On SQLite (one writer at a time) ``audit_append`` links the event at once.

The chain head (``AuditChainHead``, forward-only) records the newest link's hash, and
checkpoints signed with a zone's Ed25519 key record it now and then, so ``audit_verify``
detects a rewritten newest event, and a copy of a checkpoint kept outside the database
detects a chain rewritten below it. See ADR 0004.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from onewindow.core import registry
from onewindow.core.models import AuditChainHead, AuditCheckpoint, AuditEvent, AuditLink

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64

#: PostgreSQL advisory lock keys: one chaining batch at a time (transaction lock), and one
#: looping chainer process (session lock, ``onewindow audit-chain``).
CHAIN_BATCH_LOCK = 0x6F77_6101
CHAINER_PROCESS_LOCK = 0x6F77_6102

#: How long an event may wait for the chainer before pages call it a problem.
CHAIN_LAG_ALERT = dt.timedelta(minutes=1)

#: What a checkpoint file says it is (``onewindow audit-checkpoint --export``).
CHECKPOINT_FORMAT = "onewindow-audit-checkpoint/1"


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


# -- the chainer (PostgreSQL) ------------------------------------------------------------------

_EVENT_COLUMNS = (
    "e.id, e.occurred_at, e.actor, e.actor_id, e.action, e.object_type, e.object_id, "
    "e.ip_address, e.data"
)


def _last_link(cursor) -> tuple[int, str, str | None, int | None]:
    """The newest link: its sequence and hash, and its event's transaction id and id
    (where the next batch starts)."""
    cursor.execute(
        "SELECT l.sequence, l.hash, e.transaction_id::text, e.id FROM core_auditlink l "
        "JOIN core_auditevent e ON e.id = l.event_id ORDER BY l.sequence DESC LIMIT 1"
    )
    row = cursor.fetchone()
    return tuple(row) if row is not None else (0, GENESIS_HASH, None, None)


def _unlinked_condition(last_transaction: str | None, last_id: int | None) -> tuple[str, list]:
    """Events not linked yet: after the newest link's event in chain order (an index range),
    and without a link (events copied from the former chain share one transaction id)."""
    where = "NOT EXISTS (SELECT 1 FROM core_auditlink l WHERE l.event_id = e.id)"
    if last_transaction is None:
        return where, []
    return f"(e.transaction_id, e.id) > (%s::xid8, %s) AND {where}", [last_transaction, last_id]


def _chain_batch(size: int) -> int:
    """Link up to ``size`` chainable events in one transaction; the number linked."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_BATCH_LOCK])
        # Every transaction below this id has ended: its events are all visible now, so
        # linking in (transaction id, id) order up to here never skips a late commit.
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
        horizon = cursor.fetchone()[0]
        sequence, previous_hash, last_transaction, last_id = _last_link(cursor)
        where, params = _unlinked_condition(last_transaction, last_id)
        events = list(
            AuditEvent.objects.raw(
                f"SELECT {_EVENT_COLUMNS} FROM core_auditevent e "
                f"WHERE e.transaction_id < %s::xid8 AND {where} "
                "ORDER BY e.transaction_id, e.id LIMIT %s",
                [horizon, *params, size],
            )
        )
        if not events:
            return 0
        links = []
        for event in events:
            sequence += 1
            link_hash = compute_hash(previous_hash, event, sequence)
            links.append(
                AuditLink(
                    sequence=sequence,
                    event_id=event.pk,
                    previous_hash=previous_hash,
                    hash=link_hash,
                )
            )
            previous_hash = link_hash
        AuditLink.objects.bulk_create(links)
        _move_head(sequence, previous_hash)
    return len(links)


def audit_chain_run(max_events: int | None = None, *, batch_size: int | None = None) -> int:
    """Link every event that is chainable now (at most ``max_events``), in batches of
    ``batch_size`` (``ONEWINDOW_AUDIT_CHAIN_BATCH``), each batch in one transaction under
    the chain's advisory lock; then write a signed checkpoint when one is due. Returns how
    many events were linked. On SQLite, where events are linked as appended, it only writes
    the checkpoint when one is due."""
    if chains_synchronously():
        _checkpoint_if_due()
        return 0
    batch_size = batch_size or settings.ONEWINDOW_AUDIT_CHAIN_BATCH
    total = 0
    while max_events is None or total < max_events:
        size = batch_size if max_events is None else min(batch_size, max_events - total)
        linked = _chain_batch(size)
        total += linked
        if linked < size:
            break
    if total:
        _checkpoint_if_due()
    return total


def _pending() -> tuple[int, dt.datetime | None]:
    """The events waiting for the chainer and the time of the oldest, in one query."""
    if chains_synchronously():
        found = AuditEvent.objects.filter(link__isnull=True).order_by()
        waiting = found.aggregate(count=models.Count("id"), oldest=models.Min("occurred_at"))
        return waiting["count"], waiting["oldest"]
    with connection.cursor() as cursor:
        # After the newest link's event in chain order (an index range), without a link.
        cursor.execute(
            "WITH last AS (SELECT e.transaction_id, e.id FROM core_auditlink l "
            "JOIN core_auditevent e ON e.id = l.event_id ORDER BY l.sequence DESC LIMIT 1) "
            "SELECT count(*), min(e.occurred_at) FROM core_auditevent e "
            "WHERE (e.transaction_id, e.id) > ("
            "coalesce((SELECT transaction_id FROM last), '0'::xid8), "
            "coalesce((SELECT id FROM last), 0)) "
            "AND NOT EXISTS (SELECT 1 FROM core_auditlink l WHERE l.event_id = e.id)"
        )
        count, oldest = cursor.fetchone()
    return count, oldest


def audit_chain_pending() -> int:
    """How many committed events wait for the chainer (0 on SQLite)."""
    return _pending()[0]


@dataclass(frozen=True)
class ChainStatus:
    """Where the chaining stands, for pages and monitoring."""

    linked_up_to: int
    pending: int
    oldest_pending_at: dt.datetime | None
    last_checkpoint_at: dt.datetime | None
    last_checkpoint_sequence: int | None
    measured_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def oldest_pending_age(self) -> dt.timedelta | None:
        if self.oldest_pending_at is None:
            return None
        return max(self.measured_at - self.oldest_pending_at, dt.timedelta(0))

    @property
    def lagging(self) -> bool:
        """An event has waited longer than ``CHAIN_LAG_ALERT``: is the chainer running?"""
        age = self.oldest_pending_age
        return age is not None and age > CHAIN_LAG_ALERT


def audit_chain_status() -> ChainStatus:
    """The newest linked sequence, the events waiting and the age of the oldest, and the
    last signed checkpoint."""
    linked = AuditLink.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    pending, oldest = _pending()
    checkpoint = (
        AuditCheckpoint.objects.order_by("-sequence").values_list("created_at", "sequence").first()
    )
    return ChainStatus(
        linked_up_to=linked or 0,
        pending=pending,
        oldest_pending_at=oldest,
        last_checkpoint_at=checkpoint[0] if checkpoint else None,
        last_checkpoint_sequence=checkpoint[1] if checkpoint else None,
    )


# -- signed checkpoints ---------------------------------------------------------------------


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
