"""Linking the audit chain in tests (ADR 0004).

On PostgreSQL events are linked by the chainer after their transaction commits, and only
below the oldest transaction still running anywhere on the server (another test run's open
transaction holds it back for a moment): ``chain_everything`` runs the chainer until every
committed event is linked. On SQLite events are linked as they are appended.
"""

from __future__ import annotations

import time

from onewindow.core.audit import audit_chain_pending, audit_chain_run


def chain_everything(timeout: float = 60) -> int:
    """Link every committed event; the number linked. Fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    linked = 0
    while True:
        linked += audit_chain_run()
        if audit_chain_pending() == 0:
            return linked
        if time.monotonic() > deadline:
            raise AssertionError(f"{audit_chain_pending()} audit events still unlinked")
        time.sleep(0.05)
