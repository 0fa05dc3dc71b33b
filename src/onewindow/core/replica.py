"""Reads that may come from a read replica, and the router that sends them there.

A replica (``ONEWINDOW_REPLICA_URL``: the ``replica`` database alias) takes the heavy reads
that tolerate a few seconds of replication lag: the dashboard's figures, drill-downs and
exports (``insights``). Nothing else reads from it, and nothing ever writes to it.

The reads are marked where they are made, not by model: the dashboard reads cases, ratings
and departments that every other page reads from the primary, and half of its statements
are raw SQL that no router sees. So a block of code says that its reads may be stale::

    with replica_reads():
        summary = selectors.summary(filters)      # ORM reads: routed by ReplicaRouter

and raw SQL inside such a block asks for ``connections[read_alias()]``. The mark is a
context variable, so each thread (and each asyncio task) has its own. Outside a block, and
when no replica is configured (``ONEWINDOW_READ_REPLICA`` empty), every read goes to
``default``. ADR 0031.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

#: The alias ``ONEWINDOW_REPLICA_URL`` adds (settings.py).
REPLICA_ALIAS = "replica"

_read_alias: ContextVar[str | None] = ContextVar("onewindow_read_alias", default=None)


def configured_replica() -> str | None:
    """The alias replica-tolerant reads go to, or None when there is no replica."""
    alias = getattr(settings, "ONEWINDOW_READ_REPLICA", "") or None
    if alias is not None and alias not in connections.settings:
        return None
    return alias


@contextmanager
def replica_reads() -> Iterator[str]:
    """Inside the block, ORM reads go to the replica (when there is one); yields the alias
    the block reads from, for raw SQL. Usable as a decorator too."""
    alias = configured_replica() or DEFAULT_DB_ALIAS
    token = _read_alias.set(alias)
    try:
        yield alias
    finally:
        _read_alias.reset(token)


def read_alias() -> str:
    """The alias a read made here goes to: the replica inside ``replica_reads()`` (when one is
    configured), ``default`` everywhere else."""
    return _read_alias.get() or DEFAULT_DB_ALIAS


class ReplicaRouter:
    """``DATABASE_ROUTERS``: reads inside ``replica_reads()`` to the replica, every write to
    ``default`` (also the write of an object that was read from the replica)."""

    def db_for_read(self, model, **hints) -> str | None:
        return _read_alias.get()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, first, second, **hints) -> bool | None:
        # The replica holds the primary's rows: an object read there may point at one read
        # from the primary.
        aliases = {DEFAULT_DB_ALIAS, REPLICA_ALIAS}
        if first._state.db in aliases and second._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The replica follows the primary's schema through replication, never by migrate.
        return False if db == REPLICA_ALIAS else None
