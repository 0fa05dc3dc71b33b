"""The append-only, hash-chained audit log: chaining, tamper detection, guards, verify command.

Transactional tests: on PostgreSQL the chainer links only committed events."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from decimal import Decimal
from functools import partial

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from onewindow import cli
from onewindow.core.audit import (
    GENESIS_HASH,
    audit_append,
    audit_verify,
    canonical_json,
    compute_hash,
)
from onewindow.core.models import AuditChainHead, AuditEvent, AuditLink
from onewindow.testing.audit import chain_everything
from onewindow.testing.races import race

pytestmark = pytest.mark.django_db(transaction=True)

AUDIT_TABLES = ("core_auditevent", "core_auditlink", "core_auditchainhead", "core_auditcheckpoint")


def append_three() -> list[AuditEvent]:
    events = [
        audit_append(action="test.created", actor="王晓窗", actor_id=7, data={"n": 1}),
        audit_append(
            action="test.updated",
            actor="李审查",
            object_type="case",
            object_id="SFQ-2026-0000001",
            data={"名称": "行政审批", "items": [3, 1, 2]},
            ip_address="10.0.0.8",
        ),
        audit_append(action="test.deleted", data={"reason": "撤回"}),
    ]
    chain_everything()
    return events


def links() -> list[AuditLink]:
    return list(AuditLink.objects.order_by("sequence"))


@contextmanager
def append_only_lifted():
    """Set the database's append-only triggers aside, as an intruder with SQL access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            try:
                yield cursor
            finally:
                for table in AUDIT_TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                f"AND tbl_name IN ({', '.join(['%s'] * len(AUDIT_TABLES))})",
                list(AUDIT_TABLES),
            )
            triggers = cursor.fetchall()
            assert len(triggers) == 8
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            try:
                yield cursor
            finally:
                for _name, sql in triggers:
                    cursor.execute(sql)


def tamper(sql: str, params: list) -> None:
    with append_only_lifted() as cursor:
        cursor.execute(sql, params)
        assert cursor.rowcount == 1


def event_of(sequence: int) -> AuditEvent:
    return AuditLink.objects.select_related("event").get(sequence=sequence).event


def tamper_event(sequence: int, column: str, value) -> None:
    tamper(
        f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, event_of(sequence).pk]
    )


def delete_link(sequence: int) -> None:
    event = event_of(sequence)
    tamper("DELETE FROM core_auditlink WHERE sequence = %s", [sequence])
    tamper("DELETE FROM core_auditevent WHERE id = %s", [event.pk])


# --- the chain -------------------------------------------------------------------


def test_append_builds_a_gapless_chain():
    events = append_three()
    chain = links()

    assert [link.sequence for link in chain] == [1, 2, 3]
    assert [link.event_id for link in chain] == [event.pk for event in events]
    assert chain[0].previous_hash == GENESIS_HASH
    assert chain[1].previous_hash == chain[0].hash
    assert chain[2].previous_hash == chain[1].hash
    assert len({link.hash for link in chain}) == 3
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (3, chain[2].hash)


def test_hash_is_sha256_of_previous_hash_and_canonical_json():
    append_three()
    first, second, _third = links()
    stored = event_of(2)

    payload = {
        "action": "test.updated",
        "actor": "李审查",
        "actor_id": "",
        "data": {"items": [3, 1, 2], "名称": "行政审批"},
        "ip_address": "10.0.0.8",
        "object_id": "SFQ-2026-0000001",
        "object_type": "case",
        "occurred_at": stored.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "sequence": 2,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256((first.hash + text).encode()).hexdigest() == second.hash
    assert second.hash == compute_hash(first.hash, stored, 2)


def test_canonical_json_sorts_keys_and_keeps_chinese():
    assert canonical_json({"b": 1, "a": "审批", "c": {"z": None, "y": [1, "是"]}}) == (
        '{"a":"审批","b":1,"c":{"y":[1,"是"],"z":null}}'
    )


def test_data_is_stored_as_read_back():
    event = audit_append(
        action="test.values",
        data={"on": dt.date(2026, 1, 5), "fee": Decimal("12.50"), "ratio": 0.25, "big": 1e20},
    )
    expected = {"on": "2026-01-05", "fee": "12.50", "ratio": "0.25", "big": "1e+20"}
    assert event.data == expected
    assert AuditEvent.objects.get().data == expected
    chain_everything()
    assert audit_verify().checked == 1


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
        ("192.0.2.7", "192.0.2.7"),
        ("not an address", None),
        ("", None),
    ],
)
def test_ip_address_is_hashed_as_stored(given, stored):
    audit_append(action="test.ip", ip_address=given)
    assert AuditEvent.objects.get().ip_address == stored
    chain_everything()
    result = audit_verify()
    assert result.ok and result.checked == 1


def test_user_input_that_does_not_fit_a_column_is_still_recorded():
    long_name = "x" * 150
    audit_append(action="test.input", actor=f"a\x00{long_name}", object_id=long_name)
    event = AuditEvent.objects.get()
    assert event.actor.startswith("a\ufffdx") and len(event.actor) == 150
    assert event.object_id == "x" * 128
    chain_everything()
    result = audit_verify()
    assert result.ok and result.checked == 1


def test_verify_empty_log():
    result = audit_verify()
    assert result.ok and result.checked == 0


def test_verify_intact_chain_in_small_batches():
    for index in range(7):
        audit_append(action="test.batch", data={"index": index})
    chain_everything()
    result = audit_verify(batch_size=2)
    assert result.ok and result.checked == 7


# --- tampering -------------------------------------------------------------------


def test_altered_data_is_reported_at_its_event():
    append_three()
    tamper_event(2, "data", '{"名称":"篡改"}')

    result = audit_verify()

    assert not result.ok
    assert result.checked == 1
    assert result.first_break.sequence == 2
    assert "altered" in result.first_break.reason


def test_altered_actor_is_reported_at_its_event():
    append_three()
    tamper_event(1, "actor", "mallory")

    assert audit_verify().first_break.sequence == 1


def rewrite(sequence: int, data: dict) -> None:
    """Alter an event and recompute its link's hash, as an intruder would."""
    link = AuditLink.objects.select_related("event").get(sequence=sequence)
    link.event.data = data
    forged = compute_hash(link.previous_hash, link.event, sequence)
    tamper("UPDATE core_auditevent SET data = %s WHERE id = %s", [json.dumps(data), link.event_id])
    tamper("UPDATE core_auditlink SET hash = %s WHERE sequence = %s", [forged, sequence])


def test_altered_event_with_recomputed_hash_breaks_the_next_link():
    append_three()
    rewrite(2, {"名称": "篡改"})

    result = audit_verify()

    assert result.first_break.sequence == 3
    assert "previous_hash" in result.first_break.reason


def test_rewritten_newest_event_is_reported_against_the_head_hash():
    # given the newest event altered and its link's hash recomputed: every link agrees
    append_three()
    rewrite(3, {"reason": "篡改"})

    result = audit_verify()

    # then the head, which recorded the link's hash when it was written, tells
    assert not result.ok
    assert result.first_break.sequence == 3
    assert "head" in result.first_break.reason
    assert result.checked == 3


def test_deleted_event_is_reported_as_a_gap():
    append_three()
    delete_link(2)

    result = audit_verify()

    assert result.first_break.sequence == 2
    assert "missing" in result.first_break.reason
    assert result.checked == 1


def test_deleted_last_event_is_reported_against_the_chain_head():
    append_three()
    delete_link(3)

    result = audit_verify()

    assert result.first_break.sequence == 3
    assert "chain head" in result.first_break.reason


def test_altered_previous_hash_is_reported():
    append_three()
    tamper("UPDATE core_auditlink SET previous_hash = %s WHERE sequence = 3", ["f" * 64])

    result = audit_verify()

    assert result.first_break.sequence == 3
    assert "previous_hash" in result.first_break.reason


def test_only_the_first_break_is_reported():
    append_three()
    tamper_event(3, "actor", "mallory")
    tamper_event(2, "actor", "mallory")

    assert audit_verify().first_break.sequence == 2


# --- append-only guards ----------------------------------------------------------


def test_model_save_of_an_existing_event_is_refused():
    event = audit_append(action="test.guard")
    event.actor = "mallory"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.get().save(update_fields=["actor"])


def test_model_delete_is_refused():
    event = audit_append(action="test.guard")
    with pytest.raises(TypeError, match="append-only"):
        event.delete()


def test_queryset_update_delete_and_bulk_update_are_refused():
    event = audit_append(action="test.guard")
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(actor="mallory")
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()
    event.actor = "mallory"
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["actor"])  # runs without a savepoint
    assert AuditEvent.objects.get().actor == ""


def database_refuses(sql: str, params: list) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(caught.value)


def test_database_refuses_raw_update_and_delete():
    event = audit_append(action="test.guard")

    message = database_refuses(
        "UPDATE core_auditevent SET actor = %s WHERE id = %s", ["x", event.pk]
    )
    assert "append-only" in message
    message = database_refuses("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert "append-only" in message
    assert AuditEvent.objects.get().actor == ""
    assert audit_verify().ok


def test_links_are_insert_only():
    append_three()
    link = AuditLink.objects.get(sequence=2)

    with pytest.raises(TypeError, match="append-only"):
        link.save()
    with pytest.raises(TypeError, match="append-only"):
        AuditLink.objects.filter(sequence=2).update(hash="f" * 64)
    with pytest.raises(TypeError, match="append-only"):
        link.delete()
    message = database_refuses(
        "UPDATE core_auditlink SET hash = %s WHERE sequence = %s", ["f" * 64, 2]
    )
    assert "append-only" in message
    message = database_refuses("DELETE FROM core_auditlink WHERE sequence = %s", [2])
    assert "append-only" in message
    assert audit_verify().ok


def test_the_chain_head_moves_forward_only():
    append_three()
    newest = AuditLink.objects.get(sequence=3)

    # back, a rewritten hash for the same link, or away: refused by the database
    assert "forward only" in database_refuses(
        "UPDATE core_auditchainhead SET sequence = %s WHERE id = 1", [2]
    )
    assert "forward only" in database_refuses(
        "UPDATE core_auditchainhead SET hash = %s WHERE id = 1", ["f" * 64]
    )
    assert "deleted" in database_refuses("DELETE FROM core_auditchainhead WHERE id = %s", [1])
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (3, newest.hash)


def test_database_refuses_updates_that_bypass_the_model_guards():
    event = audit_append(action="test.guard")

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk).update(actor="mallory")
    copy = AuditEvent(**{f.attname: getattr(event, f.attname) for f in AuditEvent._meta.fields})
    with pytest.raises(TypeError):
        copy.save(force_update=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        # a fresh instance with an existing primary key is inserted, never updated: refused
        copy.save()
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_keeps_the_guard():
    # Django's flush (used between transactional tests and by `onewindow flush`) DELETEs on
    # SQLite: the core flush command sets the triggers aside and puts them back.
    append_three()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()

    event = audit_append(action="test.after_flush")
    chain_everything()
    assert AuditLink.objects.get(event=event).sequence == 1
    message = database_refuses("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert "append-only" in message


# --- onewindow audit-verify ------------------------------------------------------


def test_verify_command_reports_an_intact_chain(capsys):
    append_three()
    call_command("audit_verify")
    assert (
        capsys.readouterr().out.strip() == "审计链完整：已校验 3 条事件；检查点 0 个；待链接 0 条"
    )


def test_verify_command_fails_on_a_broken_chain():
    append_three()
    delete_link(2)

    with pytest.raises(CommandError) as caught:
        call_command("audit_verify", batch_size=1)

    assert caught.value.returncode == 1
    assert "第 2 条事件" in str(caught.value)
    assert "missing" in str(caught.value)


def test_verify_command_exits_1_from_the_command_line(monkeypatch, capsys):
    # given a broken chain, run as cron would: `onewindow audit-verify`
    append_three()
    tamper_event(2, "actor", "mallory")
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's connection

    with pytest.raises(SystemExit) as exit_:
        cli.main(["onewindow", "audit-verify"])

    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "审计链断裂：第 2 条事件" in captured.err


def test_verify_command_exits_0_from_the_command_line(monkeypatch, capsys):
    append_three()
    monkeypatch.setattr(connections, "close_all", lambda: None)

    cli.main(["onewindow", "audit-verify"])  # returns normally: exit status 0

    assert "审计链完整：已校验 3 条事件" in capsys.readouterr().out


# --- concurrency (PostgreSQL) ----------------------------------------------------


def test_concurrent_appends_keep_one_gapless_chain():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises every writer (IMMEDIATE transactions) and "
            "the in-memory test database is not shared between threads' connections"
        )
    threads, per_thread = 8, 25

    def work(number: int) -> None:
        for index in range(per_thread):
            audit_append(action="test.concurrent", data={"thread": number, "index": index})

    results = race(*(partial(work, n) for n in range(threads)), timeout=120)
    errors = [result for result in results if isinstance(result, BaseException)]

    assert errors == []
    total = threads * per_thread
    chain_everything()
    assert list(AuditLink.objects.values_list("sequence", flat=True)) == list(range(1, total + 1))
    result = audit_verify()
    assert result.ok and result.checked == total
    per_worker = {n: 0 for n in range(threads)}
    for data in AuditEvent.objects.values_list("data", flat=True):
        per_worker[data["thread"]] += 1
    assert set(per_worker.values()) == {per_thread}


# --- checking only the newest events ------------------------------------------------


def test_verify_last_checks_only_the_newest_events_anchored_on_the_one_before():
    for index in range(6):
        audit_append(action="test.tail", data={"n": index})
    chain_everything()

    result = audit_verify(last=2)

    assert result.ok
    assert (result.first_sequence, result.checked) == (5, 2)
    assert not result.whole_chain


def test_verify_last_finds_an_altered_event_inside_the_window():
    for index in range(6):
        audit_append(action="test.tail", data={"n": index})
    chain_everything()
    tamper_event(6, "actor", "mallory")

    result = audit_verify(last=3)

    assert result.first_break.sequence == 6
    assert "altered" in result.first_break.reason


def test_verify_last_larger_than_the_chain_checks_the_whole_chain():
    append_three()

    result = audit_verify(last=1000)

    assert result.ok
    assert result.whole_chain
    assert result.checked == 3


def test_unlinked_events_are_the_lag_not_a_break():
    # given events appended and not linked yet (PostgreSQL: the chainer has not run)
    append_three()
    audit_append(action="test.waiting")

    result = audit_verify()

    assert result.ok
    if connection.vendor == "postgresql":
        assert (result.checked, result.pending) == (3, 1)
        assert result.oldest_pending_at is not None
    else:  # SQLite links as it appends
        assert (result.checked, result.pending) == (4, 0)
