"""Leases across connections and processes (PostgreSQL): two reclaimers at once, and a
real ``onewindow db_worker`` killed with SIGKILL in the middle of a task.

SQLite serialises every writer and its in-memory test database is not shared between
threads or processes, so these run on PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onewindow.core.audit import AuditAction, audit_verify
from onewindow.core.models import AuditEvent
from onewindow.core.tests import tasks_for_tests
from onewindow.core.workers import tasks_reclaim
from onewindow.testing.races import race

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers and does not share its "
        "in-memory test database between threads and processes",
    ),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 60


def lost_task() -> DBTaskResult:
    result = tasks_for_tests.lease_holder.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        started_at=timezone.now() - dt.timedelta(minutes=10),
        worker_ids=["lost-worker"],
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_two_reclaimers_at_once_take_each_task_once():
    rows = [lost_task() for _ in range(8)]

    def reclaim() -> object:
        return tasks_reclaim(seconds=300, attempts=3)

    results = race(reclaim, reclaim, timeout=TIMEOUT)

    assert not any(isinstance(result, BaseException) for result in results), results
    first, second = results
    assert set(first.reclaimed) & set(second.reclaimed) == set()
    assert set(first.reclaimed) | set(second.reclaimed) == {str(row.pk) for row in rows}
    assert AuditEvent.objects.filter(action=AuditAction.TASK_RECLAIMED).count() == len(rows)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"READY"}
    assert audit_verify().ok


# -- a real worker process, killed -----------------------------------------------------------


def worker_environment() -> dict[str, str]:
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


def start_worker(worker_id: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onewindow",
            "db_worker",
            "--worker-id",
            worker_id,
            "--lease-seconds",
            "1",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
            *extra,
        ],
        env=worker_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, *, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_worker_killed_mid_task_loses_nothing(tmp_path: Path):
    journal = tmp_path / "journal.txt"
    journal.touch()
    result = tasks_for_tests.slow_journal.enqueue(str(journal), 4)

    # given a worker running the task (longer than its one-second lease)
    first = start_worker("worker-a")
    try:
        wait_for(
            lambda: "start" in journal.read_text() or first.poll() is not None,
            what="the first worker to start",
        )
        assert first.poll() is None, first.communicate()[0].decode()  # it did not start
        time.sleep(1.5)
        # the heartbeat keeps its lease alive: nothing to reclaim
        assert tasks_reclaim(seconds=1, attempts=3).reclaimed == ()
        # when the worker is killed mid-task
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=TIMEOUT)
    finally:
        if first.poll() is None:
            first.kill()
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"
    time.sleep(1.2)  # the lease runs out

    # then the reclaimer puts it back, and the next worker finishes it
    assert tasks_reclaim(seconds=1, attempts=3).reclaimed == (result.id,)
    second = start_worker("worker-b", "--batch")
    output, _ = second.communicate(timeout=TIMEOUT)
    assert second.returncode == 0, output.decode()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.worker_ids == ["worker-a", "worker-b"]
    lines = journal.read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["start", "start", "done"]
    assert lines[1].split()[1] == lines[2].split()[1]  # the second worker finished it
    assert AuditEvent.objects.filter(action=AuditAction.TASK_RECLAIMED).count() == 1
