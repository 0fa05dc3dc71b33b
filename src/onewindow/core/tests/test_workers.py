"""Background tasks survive their worker (ADR 0012): leases, the reclaimer, retries, the
``onewindow db_worker`` and ``onewindow tasks-reclaim`` commands."""

from __future__ import annotations

import datetime as dt
import logging
import signal

import pytest
from django.core.management import call_command, get_commands
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from onewindow.core.audit import AuditAction, audit_verify
from onewindow.core.errors import Conflict, NotFound
from onewindow.core.models import AuditEvent, TaskLease
from onewindow.core.tests import tasks_for_tests
from onewindow.core.workers import (
    Heartbeat,
    LeasedWorker,
    TaskAbandoned,
    lease_take,
    stuck_tasks,
    task_problem_counts,
    task_retry,
    tasks_reclaim,
    waiting_tasks,
)

pytestmark = pytest.mark.django_db

LEASE = 300


@pytest.fixture(autouse=True)
def keep_signal_handlers():
    """The worker installs SIGINT/SIGTERM handlers: give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def running(*, minutes_ago: float, workers: list[str] | None = None, task=None) -> DBTaskResult:
    """A task claimed ``minutes_ago`` by the last of ``workers`` (who then vanished)."""
    result = (task or tasks_for_tests.lease_holder).enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = "RUNNING"
    row.started_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    row.worker_ids = workers if workers is not None else ["lost-worker"]
    row.save(update_fields=["status", "started_at", "worker_ids"])
    return row


def lease(row: DBTaskResult, *, expires_in: float, worker: str | None = None) -> TaskLease:
    now = timezone.now()
    return TaskLease.objects.create(
        task_result=row,
        worker_id=worker or row.worker_ids[-1],
        taken_at=row.started_at,
        renewed_at=now,
        expires_at=now + dt.timedelta(seconds=expires_in),
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


#: Tests that run a worker in-process commit for real: the worker's loop closes a
#: connection found inside a transaction (``close_old_connections``), as a test's would be.
runs_worker = pytest.mark.django_db(transaction=True)


def run_worker(**options) -> None:
    """``onewindow db_worker --batch``: every task due, then exit."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--verbosity", "0", **options)


# -- the command ---------------------------------------------------------------------------


def test_onewindow_db_worker_is_the_leased_worker():
    assert get_commands()["db_worker"] == "onewindow.core"


@runs_worker
def test_the_worker_holds_a_lease_while_the_task_runs_and_drops_it_after():
    result = tasks_for_tests.lease_holder.enqueue()

    run_worker(worker_id="worker-1")

    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.return_value) == ("SUCCESSFUL", "worker-1")
    assert not TaskLease.objects.exists()


@runs_worker
def test_a_task_that_raises_is_failed_and_audited():
    result = tasks_for_tests.fail.enqueue()

    run_worker(worker_id="worker-1")

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    assert not TaskLease.objects.exists()
    [event] = events(AuditAction.TASK_FAILED)
    assert (event.object_type, event.object_id) == ("task", str(row.pk))
    assert event.data == {
        "task": row.task_path,
        "worker": "worker-1",
        "attempts": 1,
        "reason": "error",
        "error": "builtins.RuntimeError",
    }


@runs_worker
def test_a_worker_reclaims_a_lost_task_at_start_and_runs_it():
    row = running(minutes_ago=10)

    run_worker(worker_id="worker-2")

    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert row.worker_ids == ["lost-worker", "worker-2"]
    [event] = events(AuditAction.TASK_RECLAIMED)
    assert event.data["attempts"] == 1 and event.data["worker"] == "lost-worker"


@pytest.mark.parametrize(
    ("option", "value"), [("lease_seconds", "0"), ("lease_seconds", "-1"), ("max_attempts", "0")]
)
def test_the_worker_refuses_bad_limits(option, value):
    with pytest.raises(Exception, match="must be"):
        call_command("db_worker", "--batch", f"--{option.replace('_', '-')}={value}")


# -- the reclaimer -------------------------------------------------------------------------


def test_a_running_task_without_a_lease_is_reclaimed_a_lease_after_its_start():
    lost = running(minutes_ago=6)
    recent = running(minutes_ago=4)

    result = tasks_reclaim(seconds=LEASE, attempts=3)

    assert result.reclaimed == (str(lost.pk),) and result.failed == ()
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.status, recent.status) == ("READY", "RUNNING")
    [event] = events(AuditAction.TASK_RECLAIMED)
    assert event.actor == "system"
    assert event.data["attempts"] == 1 and event.data["max_attempts"] == 3
    assert audit_verify().ok


def test_a_live_lease_keeps_a_long_task_running():
    row = running(minutes_ago=60)
    lease(row, expires_in=100)

    assert tasks_reclaim(seconds=LEASE, attempts=3).reclaimed == ()
    row.refresh_from_db()
    assert row.status == "RUNNING"


def test_an_expired_lease_is_reclaimed_and_removed():
    row = running(minutes_ago=60)
    lease(row, expires_in=-1)

    assert tasks_reclaim(seconds=LEASE, attempts=3).reclaimed == (str(row.pk),)
    assert not TaskLease.objects.exists()
    [event] = events(AuditAction.TASK_RECLAIMED)
    assert event.data["lease_expired_at"] < timezone.now().isoformat()


def test_a_lease_of_an_earlier_worker_does_not_count():
    # the task was reclaimed from "w1" and claimed by "w2", who died before its lease
    row = running(minutes_ago=10, workers=["w1", "w2"])
    TaskLease.objects.create(
        task_result=row,
        worker_id="w1",
        taken_at=row.started_at,
        renewed_at=row.started_at,
        expires_at=row.started_at,
    )

    assert tasks_reclaim(seconds=LEASE, attempts=3).reclaimed == (str(row.pk),)


def test_a_task_started_the_most_times_allowed_fails_for_good():
    row = running(minutes_ago=10, workers=["w1", "w2", "w3"])

    result = tasks_reclaim(seconds=LEASE, attempts=3)

    assert result.failed == (str(row.pk),) and result.reclaimed == ()
    row.refresh_from_db()
    assert row.status == "FAILED" and row.finished_at is not None
    assert row.exception_class_path == "onewindow.core.workers.TaskAbandoned"
    assert "w3" in row.traceback and "3" in row.traceback
    assert row.task_result.errors[0].exception_class is TaskAbandoned
    [event] = events(AuditAction.TASK_FAILED)
    assert event.data["reason"] == "abandoned" and event.data["attempts"] == 3


def test_a_task_is_retried_until_the_limit_then_failed():
    # given a task whose every worker dies with it
    row = running(minutes_ago=10, workers=["w1"])
    for attempt in (2, 3):
        assert tasks_reclaim(seconds=LEASE, attempts=3).reclaimed == (str(row.pk),)
        running_again = DBTaskResult.objects.get(pk=row.pk)
        running_again.claim(f"w{attempt}")
        DBTaskResult.objects.filter(pk=row.pk).update(
            started_at=timezone.now() - dt.timedelta(minutes=10)
        )

    assert tasks_reclaim(seconds=LEASE, attempts=3).failed == (str(row.pk),)
    assert len(events(AuditAction.TASK_RECLAIMED)) == 2
    assert len(events(AuditAction.TASK_FAILED)) == 1


def test_reclaiming_twice_takes_a_task_once():
    row = running(minutes_ago=10)

    first = tasks_reclaim(seconds=LEASE, attempts=3)
    second = tasks_reclaim(seconds=LEASE, attempts=3)

    assert (first.reclaimed, second.reclaimed) == ((str(row.pk),), ())
    assert len(events(AuditAction.TASK_RECLAIMED)) == 1


def test_finished_and_waiting_tasks_are_left_alone():
    done = running(minutes_ago=10)
    DBTaskResult.objects.filter(pk=done.pk).update(status="SUCCESSFUL")
    tasks_for_tests.lease_holder.enqueue()

    result = tasks_reclaim(seconds=LEASE, attempts=3)

    assert (result.reclaimed, result.failed) == ((), ())
    assert DBTaskResult.objects.get(pk=done.pk).status == "SUCCESSFUL"


def test_tasks_reclaim_command(capsys):
    row = running(minutes_ago=2)

    call_command("tasks_reclaim", "--lease-seconds", "60")

    row.refresh_from_db()
    assert row.status == "READY"
    out = capsys.readouterr().out
    assert str(row.pk) in out and "已收回 1 个任务" in out


# -- heartbeat -------------------------------------------------------------------------------


def make_worker(worker_id: str = "worker-1", lease_seconds: float = LEASE) -> LeasedWorker:
    return LeasedWorker(
        lease=lease_seconds,
        attempts=3,
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def test_the_heartbeat_pushes_the_lease_forward():
    row = running(minutes_ago=60, workers=["worker-1"])
    lease_take(task_result_id=row.pk, worker_id="worker-1", seconds=1)
    worker = make_worker()
    worker.current_task_id = row.pk

    Heartbeat(worker)._renew()

    held = TaskLease.objects.get(pk=row.pk)
    assert held.expires_at > timezone.now() + dt.timedelta(seconds=LEASE - 10)
    assert tasks_reclaim(seconds=LEASE, attempts=3).reclaimed == ()


def test_the_heartbeat_reports_a_lease_taken_away(caplog):
    row = running(minutes_ago=60, workers=["worker-1"])
    worker = make_worker()
    worker.current_task_id = row.pk  # its lease was reclaimed during a stall

    with caplog.at_level(logging.ERROR, logger="onewindow.core.workers"):
        Heartbeat(worker)._renew()

    assert "lost the lease" in caplog.text
    assert not TaskLease.objects.exists()


# -- administrators' reads and retry ---------------------------------------------------------


def test_problem_counts_and_lists():
    stuck = running(minutes_ago=10)
    alive = running(minutes_ago=10, workers=["w9"])
    lease(alive, expires_in=100)
    waiting = tasks_for_tests.lease_holder.enqueue()
    DBTaskResult.objects.filter(pk=waiting.id).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=10)
    )
    tasks_for_tests.lease_holder.enqueue()  # just enqueued: not waiting long
    failed = running(minutes_ago=10)
    DBTaskResult.objects.filter(pk=failed.pk).update(status="FAILED", finished_at=timezone.now())
    old_failure = running(minutes_ago=10)
    DBTaskResult.objects.filter(pk=old_failure.pk).update(
        status="FAILED", finished_at=timezone.now() - dt.timedelta(days=8)
    )

    counts = task_problem_counts()

    assert (counts.stuck, counts.waiting, counts.failed_recently) == (1, 1, 1)
    assert counts.total == 3
    assert list(stuck_tasks()) == [stuck]
    assert [str(row.pk) for row in waiting_tasks()] == [waiting.id]


@runs_worker
def test_retry_puts_a_failed_task_back_with_a_fresh_count(administrator):
    row = running(minutes_ago=10, workers=["w1", "w2", "w3"])
    tasks_reclaim(seconds=LEASE, attempts=3)

    task_retry(task_result_id=row.pk, actor=administrator)

    row.refresh_from_db()
    assert (row.status, row.worker_ids, row.traceback, row.finished_at) == ("READY", [], "", None)
    [event] = events(AuditAction.TASK_RETRIED)
    assert (event.actor, event.actor_id) == ("admin", str(administrator.pk))
    assert event.data["workers"] == ["w1", "w2", "w3"]
    assert event.data["error"] == "onewindow.core.workers.TaskAbandoned"
    # and a worker now runs it
    run_worker(worker_id="worker-4")
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"


def test_retry_refuses_a_task_that_has_not_failed(administrator):
    row = running(minutes_ago=1)

    with pytest.raises(Conflict) as error:
        task_retry(task_result_id=row.pk, actor=administrator)

    assert error.value.code == "task_not_failed"
    assert not events(AuditAction.TASK_RETRIED)


def test_retry_of_a_missing_task(administrator):
    with pytest.raises(NotFound):
        task_retry(task_result_id="00000000-0000-0000-0000-000000000000", actor=administrator)
