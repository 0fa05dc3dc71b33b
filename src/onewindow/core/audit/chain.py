"""The chainer: links committed events into the hash chain (PostgreSQL), and its
status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from onewindow.core.audit.checkpoints import _checkpoint_if_due
from onewindow.core.audit.events import GENESIS_HASH, _move_head, chains_synchronously, compute_hash
from onewindow.core.models import AuditCheckpoint, AuditEvent, AuditLink

#: PostgreSQL advisory lock keys: one chaining batch at a time (transaction lock), and one
#: looping chainer process (session lock, ``onewindow audit-chain``).
CHAIN_BATCH_LOCK = 0x6F77_6101
CHAINER_PROCESS_LOCK = 0x6F77_6102

#: How long an event may wait for the chainer before pages call it a problem.
CHAIN_LAG_ALERT = dt.timedelta(minutes=1)


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
