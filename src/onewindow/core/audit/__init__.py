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

from onewindow.core.audit.chain import (
    CHAIN_BATCH_LOCK,
    CHAIN_LAG_ALERT,
    CHAINER_PROCESS_LOCK,
    ChainStatus,
    audit_chain_pending,
    audit_chain_run,
    audit_chain_status,
)
from onewindow.core.audit.checkpoints import (
    CHECKPOINT_FORMAT,
    ExternalCheckpoint,
    audit_checkpoint_write,
    checkpoint_export,
    checkpoint_payload,
)
from onewindow.core.audit.events import (
    GENESIS_HASH,
    AuditAction,
    audit_append,
    audit_batch,
    canonical_json,
    chains_synchronously,
    compute_hash,
)
from onewindow.core.audit.verify import (
    ChainBreak,
    VerifyResult,
    audit_record_verification,
    audit_verify,
)
from onewindow.core.models import AuditEvent  # the events' model, as the callers read it

__all__ = [
    "CHAINER_PROCESS_LOCK",
    "CHAIN_BATCH_LOCK",
    "CHAIN_LAG_ALERT",
    "CHECKPOINT_FORMAT",
    "GENESIS_HASH",
    "AuditAction",
    "AuditEvent",
    "ChainBreak",
    "ChainStatus",
    "ExternalCheckpoint",
    "VerifyResult",
    "audit_append",
    "audit_batch",
    "audit_chain_pending",
    "audit_chain_run",
    "audit_chain_status",
    "audit_checkpoint_write",
    "audit_record_verification",
    "audit_verify",
    "canonical_json",
    "chains_synchronously",
    "checkpoint_export",
    "checkpoint_payload",
    "compute_hash",
]
