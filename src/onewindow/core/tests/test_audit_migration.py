"""Migration 0007 (ADR 0004): events written by the former chain (sequence and hashes on
the event) become links with the same sequence and hashes, and the chain verifies."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from onewindow.core.audit import GENESIS_HASH, audit_append, audit_verify, canonical_json
from onewindow.core.models import AuditLink
from onewindow.testing.audit import chain_everything

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("core", "0006_notification_template")]
AFTER = [("core", "0007_audit_links_and_checkpoints")]


def migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def test_events_of_the_former_chain_become_links_that_verify():
    migrate(BEFORE)
    try:
        # given three events chained the former way, as that code wrote them
        previous = GENESIS_HASH
        occurred = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
        with connection.cursor() as cursor:
            for sequence in (1, 2, 3):
                data = {"n": sequence, "名称": "旧链"}
                payload = {
                    "sequence": sequence,
                    "occurred_at": occurred.isoformat(timespec="microseconds"),
                    "actor": "王晓窗",
                    "actor_id": "7",
                    "action": "test.former",
                    "object_type": "case",
                    "object_id": f"SFQ-2026-000000{sequence}",
                    "ip_address": None,
                    "data": data,
                }
                digest = hashlib.sha256(
                    (previous + canonical_json(payload)).encode("utf-8")
                ).hexdigest()
                cursor.execute(
                    "INSERT INTO core_auditevent (sequence, occurred_at, actor, actor_id, "
                    "action, object_type, object_id, ip_address, data, previous_hash, hash) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, NULL, %s, %s, %s)",
                    [
                        sequence,
                        occurred,
                        "王晓窗",
                        "7",
                        "test.former",
                        "case",
                        f"SFQ-2026-000000{sequence}",
                        json.dumps(data, ensure_ascii=False),
                        previous,
                        digest,
                    ],
                )
                previous = digest
            cursor.execute(
                "INSERT INTO core_auditchainhead (id, sequence, hash) VALUES (1, 3, %s)",
                [previous],
            )
    finally:
        # when the migration runs
        migrate(AFTER)

    # then each event is a link with its former sequence and hash, and the chain verifies
    links = list(AuditLink.objects.order_by("sequence").values_list("sequence", "hash"))
    assert [sequence for sequence, _hash in links] == [1, 2, 3]
    assert links[-1][1] == previous
    result = audit_verify()
    assert result.ok and result.checked == 3
    # and goes on from there
    audit_append(action="test.after_migration")
    chain_everything()
    result = audit_verify()
    assert result.ok and result.checked == 4
