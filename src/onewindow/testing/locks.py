"""The rows a block of code locks, in order: for the lock-order tests (ADR 0019).

Only PostgreSQL writes ``SELECT … FOR UPDATE`` (SQLite locks the whole database and
Django leaves the clause out), so the tests that use this run on PostgreSQL only, with
``django_db(transaction=True)``, as the services run in production. ``CHAIN_HEAD`` names
the audit chain head's table, which no service may lock any more (ADR 0004: only the
chainer writes it, under an advisory lock).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.core.audit import GENESIS_HASH
from onewindow.core.models import AuditChainHead

#: The audit chain head's table (written only by the chainer, ADR 0004).
CHAIN_HEAD = "core_auditchainhead"

_FROM = re.compile(r'\bFROM\s+"(\w+)"')

#: Marks a module whose tests read the locks taken (PostgreSQL, real transactions).
postgresql_only = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite takes no row locks (no SELECT … FOR UPDATE)",
    ),
    pytest.mark.django_db(transaction=True),
]


@contextmanager
def locked_tables() -> Iterator[list[str]]:
    """The table of each ``SELECT … FOR UPDATE`` run in the block, in order (filled in
    when the block ends). The chain head row is made first, as a used database has it."""
    AuditChainHead.objects.get_or_create(id=1, defaults={"hash": GENESIS_HASH})
    tables: list[str] = []
    with CaptureQueriesContext(connection) as queries:
        yield tables
    for query in queries.captured_queries:
        sql = query["sql"]
        if "FOR UPDATE" in sql:
            match = _FROM.search(sql)
            tables.append(match.group(1) if match else sql)
