"""The append-only, hash-chained audit log: chaining, tamper detection, guards, verify command."""

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
from onewindow.core.models import AuditChainHead, AuditEvent
from onewindow.testing.races import race

pytestmark = pytest.mark.django_db


def append_three() -> list[AuditEvent]:
    return [
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


@contextmanager
def append_only_lifted():
    """Set the database's append-only trigger aside, as an intruder with SQL access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
            )
            try:
                yield cursor
            finally:
                cursor.execute(
                    "ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only"
                )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'core_auditevent'"
            )
            triggers = cursor.fetchall()
            assert len(triggers) == 2
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


# --- the chain -------------------------------------------------------------------


def test_append_builds_a_gapless_chain(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        events = append_three()

    assert [event.sequence for event in events] == [1, 2, 3]
    assert events[0].previous_hash == GENESIS_HASH
    assert events[1].previous_hash == events[0].hash
    assert events[2].previous_hash == events[1].hash
    assert len({event.hash for event in events}) == 3
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (3, events[2].hash)


def test_hash_is_sha256_of_previous_hash_and_canonical_json():
    first, second, _third = append_three()
    stored = AuditEvent.objects.get(sequence=2)

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
    assert stored.hash == second.hash == compute_hash(first.hash, stored)


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
    assert audit_verify().ok


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
    assert audit_verify().ok


def test_user_input_that_does_not_fit_a_column_is_still_recorded():
    long_name = "x" * 150
    audit_append(action="test.input", actor=f"a\x00{long_name}", object_id=long_name)
    event = AuditEvent.objects.get()
    assert event.actor.startswith("a\ufffdx") and len(event.actor) == 150
    assert event.object_id == "x" * 128
    assert audit_verify().ok


def test_verify_empty_log():
    result = audit_verify()
    assert result.ok and result.checked == 0


def test_verify_intact_chain_in_small_batches():
    for index in range(7):
        audit_append(action="test.batch", data={"index": index})
    result = audit_verify(batch_size=2)
    assert result.ok and result.checked == 7


# --- tampering -------------------------------------------------------------------


def test_altered_data_is_reported_at_its_event():
    append_three()
    tamper("UPDATE core_auditevent SET data = %s WHERE sequence = 2", ['{"名称":"篡改"}'])

    result = audit_verify()

    assert not result.ok
    assert result.checked == 1
    assert result.first_break.sequence == 2
    assert "altered" in result.first_break.reason


def test_altered_actor_is_reported_at_its_event():
    append_three()
    tamper("UPDATE core_auditevent SET actor = %s WHERE sequence = 1", ["mallory"])

    assert audit_verify().first_break.sequence == 1


def test_altered_event_with_recomputed_hash_breaks_the_next_link():
    append_three()
    event = AuditEvent.objects.get(sequence=2)
    event.data = {"名称": "篡改"}
    forged = compute_hash(event.previous_hash, event)
    tamper(
        "UPDATE core_auditevent SET data = %s, hash = %s WHERE sequence = 2",
        [json.dumps(event.data), forged],
    )

    result = audit_verify()

    assert result.first_break.sequence == 3
    assert "previous_hash" in result.first_break.reason


def test_deleted_event_is_reported_as_a_gap():
    append_three()
    tamper("DELETE FROM core_auditevent WHERE sequence = %s", [2])

    result = audit_verify()

    assert result.first_break.sequence == 2
    assert "missing" in result.first_break.reason
    assert result.checked == 1


def test_deleted_last_event_is_reported_against_the_chain_head(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        append_three()
    tamper("DELETE FROM core_auditevent WHERE sequence = %s", [3])

    result = audit_verify()

    assert result.first_break.sequence == 3
    assert "chain head" in result.first_break.reason


def test_altered_previous_hash_is_reported():
    append_three()
    tamper("UPDATE core_auditevent SET previous_hash = %s WHERE sequence = 3", ["f" * 64])

    result = audit_verify()

    assert result.first_break.sequence == 3
    assert "previous_hash" in result.first_break.reason


def test_only_the_first_break_is_reported():
    append_three()
    tamper("UPDATE core_auditevent SET actor = %s WHERE sequence = 3", ["mallory"])
    tamper("UPDATE core_auditevent SET actor = %s WHERE sequence = 2", ["mallory"])

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
    assert event.sequence == 1
    message = database_refuses("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert "append-only" in message


# --- onewindow audit-verify ------------------------------------------------------


def test_verify_command_reports_an_intact_chain(capsys):
    append_three()
    call_command("audit_verify")
    assert capsys.readouterr().out.strip() == "审计链完整：已校验 3 条事件"


def test_verify_command_fails_on_a_broken_chain():
    append_three()
    tamper("DELETE FROM core_auditevent WHERE sequence = %s", [2])

    with pytest.raises(CommandError) as caught:
        call_command("audit_verify", batch_size=1)

    assert caught.value.returncode == 1
    assert "第 2 条事件" in str(caught.value)
    assert "missing" in str(caught.value)


def test_verify_command_exits_1_from_the_command_line(monkeypatch, capsys):
    # given a broken chain, run as cron would: `onewindow audit-verify`
    append_three()
    tamper("UPDATE core_auditevent SET actor = %s WHERE sequence = 2", ["mallory"])
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


@pytest.mark.django_db(transaction=True)
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
    assert list(AuditEvent.objects.values_list("sequence", flat=True)) == list(range(1, total + 1))
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

    result = audit_verify(last=2)

    assert result.ok
    assert (result.first_sequence, result.checked) == (5, 2)
    assert not result.whole_chain


def test_verify_last_finds_an_altered_event_inside_the_window():
    for index in range(6):
        audit_append(action="test.tail", data={"n": index})
    tamper("UPDATE core_auditevent SET actor = %s WHERE sequence = %s", ["mallory", 6])

    result = audit_verify(last=3)

    assert result.first_break.sequence == 6
    assert "altered" in result.first_break.reason


def test_verify_last_larger_than_the_chain_checks_the_whole_chain():
    append_three()

    result = audit_verify(last=1000)

    assert result.ok
    assert result.whole_chain
    assert result.checked == 3


def test_the_chain_head_moves_only_after_commit_and_never_back(
    django_capture_on_commit_callbacks,
):
    # given an event whose transaction has not committed yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = audit_append(action="test.pending")
    assert AuditChainHead.objects.get().sequence == 0  # locked, not written

    # when a later event commits first, then the earlier callback runs
    with django_capture_on_commit_callbacks(execute=True):
        second = audit_append(action="test.committed")
    for callback in callbacks:
        callback()

    # then the head stays at the newest committed event and the chain verifies
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (second.sequence, second.hash)
    assert first.sequence == 1 and second.sequence == 2
    assert audit_verify().ok


def test_a_head_lagging_behind_the_log_is_not_a_break():
    # Appends whose commit callbacks have not run (or a crash just after commit).
    append_three()

    assert AuditChainHead.objects.get().sequence == 0
    assert audit_verify().ok
