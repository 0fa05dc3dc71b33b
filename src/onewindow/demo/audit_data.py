"""The demo's audit chain, verified once after the demo is built: the administrator's home
shows the last full verification (in production the daily ``onewindow audit-verify``)."""

from __future__ import annotations

from onewindow.core.audit import (
    AuditAction,
    VerifyResult,
    audit_chain_run,
    audit_record_verification,
    audit_verify,
)
from onewindow.core.models import AuditEvent


def load() -> VerifyResult | None:
    """Link what waits (PostgreSQL), verify the whole chain and record the result; nothing
    when a verification is on record already (running the demo again changes nothing)."""
    if AuditEvent.objects.filter(action=AuditAction.AUDIT_CHAIN_VERIFIED).exists():
        return None
    audit_chain_run()
    result = audit_verify()
    audit_record_verification(result, actor="onewindow demo")
    return result
