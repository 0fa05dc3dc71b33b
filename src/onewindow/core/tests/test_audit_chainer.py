"""The audit chainer on PostgreSQL (ADR 0004): late commits, rollbacks, concurrent writers
and chainers, a second chainer process, and a chainer killed with SIGKILL mid-batch.

SQLite links as it appends (``test_audit.py`` covers it); these run on PostgreSQL only,
with real transactions, threads and processes.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection, transaction

from onewindow.core.audit import (
    CHAINER_PROCESS_LOCK,
    audit_append,
    audit_chain_pending,
    audit_chain_run,
    audit_chain_status,
    audit_verify,
)
from onewindow.core.models import AuditEvent, AuditLink
from onewindow.testing.audit import chain_everything

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite links each event as it is appended",
    ),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 60


def linked_event_ids() -> list[int]:
    return list(AuditLink.objects.order_by("sequence").values_list("event_id", flat=True))


def assert_each_event_linked_once() -> None:
    ids = linked_event_ids()
    assert len(ids) == len(set(ids))
    assert set(ids) == set(AuditEvent.objects.values_list("id", flat=True))
    assert list(AuditLink.objects.values_list("sequence", flat=True)) == list(
        range(1, len(ids) + 1)
    )
    result = audit_verify()
    assert result.ok, result.first_break
    assert (result.checked, result.pending) == (len(ids), 0)


class Writer(threading.Thread):
    """A transaction in its own connection that appends, waits to be told, then commits
    (or rolls back)."""

    def __init__(self, name: str, *, rollback: bool = False) -> None:
        super().__init__()
        self.label, self.rollback = name, rollback
        self.opened, self.release = threading.Event(), threading.Event()
        self.ids: list[int] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.ids.append(audit_append(action="test.writer", data={"w": self.label}).pk)
                self.opened.set()
                assert self.release.wait(TIMEOUT)
                self.ids.append(audit_append(action="test.writer", data={"w": self.label}).pk)
                if self.rollback:
                    raise RuntimeError("rolled back on purpose")
        except RuntimeError:
            pass
        except BaseException as error:
            self.error = error
        finally:
            self.opened.set()
            connection.close()


def test_an_event_committed_late_is_linked_before_later_transactions_never_skipped():
    # given a transaction that appended and stays open, one that will roll back, and a
    # later transaction that commits at once
    late, undone = Writer("late"), Writer("undone", rollback=True)
    late.start()
    assert late.opened.wait(TIMEOUT)
    undone.start()
    assert undone.opened.wait(TIMEOUT)
    early = audit_append(action="test.committed_first")

    # when the chainer runs while they are open: the committed event waits behind them
    assert audit_chain_run() == 0
    assert audit_chain_pending() == 1
    status = audit_chain_status()
    assert (status.linked_up_to, status.pending) == (0, 1)
    assert status.oldest_pending_at == early.occurred_at

    # then, once they end, everything committed is linked, in transaction order
    undone.release.set()
    late.release.set()
    late.join(TIMEOUT)
    undone.join(TIMEOUT)
    assert late.error is None and undone.error is None
    chain_everything()
    assert linked_event_ids() == [*late.ids, early.pk]
    assert not AuditEvent.objects.filter(pk__in=undone.ids).exists()
    assert_each_event_linked_once()


def test_concurrent_writers_and_chainers_link_every_committed_event_once():
    writers, transactions_each = 6, 12
    done = threading.Event()
    errors: list[BaseException] = []

    def write(number: int) -> None:
        generator = random.Random(number)
        try:
            for index in range(transactions_each):
                try:
                    with transaction.atomic():
                        for part in range(generator.randint(1, 3)):
                            audit_append(action="test.mixed", data={"w": number, "i": index})
                            time.sleep(generator.random() * 0.01)  # overlap the others
                            if number == 0 and index % 3 == 0 and part == 0:
                                raise RuntimeError("rolled back on purpose")
                except RuntimeError:
                    pass
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def chain() -> None:
        try:
            while not done.is_set():
                audit_chain_run(batch_size=5)
                time.sleep(0.005)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    chainers = [threading.Thread(target=chain) for _ in range(2)]
    for thread in threads + chainers:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    done.set()
    for thread in chainers:
        thread.join(TIMEOUT)

    assert errors == []
    chain_everything()
    assert not AuditEvent.objects.filter(data__w=0, data__i=0).exists()  # rolled back
    assert AuditEvent.objects.filter(data__w=1).exists()
    assert_each_event_linked_once()


# -- the chainer as a process ------------------------------------------------------------------


def environment() -> dict[str, str]:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or ''}"
        f":{database['PORT'] or 5432}/{database['NAME']}"
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "onewindow.settings_test",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }


def chainer(*arguments: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "onewindow", "audit-chain", *arguments],
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, *, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def backlog(count: int) -> None:
    """``count`` committed, unlinked events, written in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (occurred_at, actor, actor_id, action, object_type, "
            "object_id, data) SELECT now(), 'load', '', 'test.backlog', 'thing', g::text, "
            "jsonb_build_object('n', g) FROM generate_series(1, %s) AS g",
            [count],
        )


def process_lock_held() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND objid = %s AND database = (SELECT oid FROM pg_database "
            "WHERE datname = current_database())",
            [CHAINER_PROCESS_LOCK & 0xFFFFFFFF],
        )
        return cursor.fetchone()[0] > 0


def test_once_links_what_is_waiting_and_says_so():
    for index in range(3):
        audit_append(action="test.once", data={"n": index})

    run = chainer("--once")
    output, errors = run.communicate(timeout=TIMEOUT)

    assert run.returncode == 0, errors
    assert "已链接 3 条事件" in output and "待链接 0 条" in output
    assert_each_event_linked_once()


def test_a_second_looping_chainer_exits_with_a_message_and_once_still_works():
    first = chainer("--interval", "0.05")
    try:
        wait_for(lambda: process_lock_held() or first.poll() is not None, what="the chainer")
        assert first.poll() is None, first.communicate()
        second = chainer()
        _output, errors = second.communicate(timeout=TIMEOUT)
        assert second.returncode == 2
        assert "另一个审计链接器" in errors and "--wait" in errors
        # --once takes turns with the running chainer, batch by batch
        audit_append(action="test.beside")
        once = chainer("--once")
        _output, errors = once.communicate(timeout=TIMEOUT)
        assert once.returncode == 0, errors
        wait_for(lambda: audit_chain_pending() == 0, what="the event to be linked")
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=TIMEOUT)
    assert_each_event_linked_once()


def test_a_chainer_killed_mid_batch_loses_nothing_and_links_nothing_twice():
    # given a backlog that takes the chainer many batches
    total = 60_000
    backlog(total)

    # when it is killed with SIGKILL while linking
    first = chainer("--batch-size", "1000", "--interval", "0.05")
    try:
        wait_for(
            lambda: AuditLink.objects.exists() or first.poll() is not None,
            what="the first batch",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=TIMEOUT)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    linked_before = AuditLink.objects.count()
    assert 0 < linked_before < total  # it was killed part way
    assert audit_verify().ok  # what was committed is a whole chain; the rest waits
    assert audit_chain_pending() == total - linked_before

    # then a new chainer links the rest, each event once, and the chain verifies
    second = chainer("--once")
    output, errors = second.communicate(timeout=TIMEOUT * 3)
    assert second.returncode == 0, errors
    assert f"已链接 {total - linked_before} 条事件" in output
    assert AuditLink.objects.count() == total
    assert_each_event_linked_once()
