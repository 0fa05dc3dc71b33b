"""Background workers that lose no task: leases, heartbeats, reclaiming (ADR 0012).

``django_tasks_db`` marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED
when the worker finishes it. A worker killed in between (``kill -9``, out of memory, a
lost machine) left the task RUNNING forever: never retried, never reported. Here:

- :class:`LeasedWorker` (run by ``onewindow db_worker``) holds a lease (``core.TaskLease``)
  on the task it runs and renews it from a heartbeat thread every third of
  ``ONEWINDOW_TASK_LEASE_SECONDS``;
- :func:`tasks_reclaim` (every worker at start and every half lease, and ``onewindow
  tasks-reclaim``) puts a RUNNING task whose lease ran out back in the queue, or marks it
  FAILED once it has been started ``ONEWINDOW_TASK_MAX_ATTEMPTS`` times. Each task row is
  locked with ``SKIP LOCKED`` and decided again under the lock, so two reclaimers never
  take the same task;
- :func:`task_retry` puts a failed task back in the queue (an administrator's action);
  :func:`task_problem_counts` and the ``*_tasks`` queries feed the administrators' page.

Attempts are the library's own record: ``worker_ids`` gains one id per claim. A running
task without a lease of its holder (its worker died between the claim and the lease, or
it was claimed before leases existed) counts from ``started_at``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from onewindow.core.audit import AuditAction, audit_append
from onewindow.core.errors import Conflict, NotFound
from onewindow.core.locks import lock_shared_row
from onewindow.core.models import TaskLease

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"
TASK_OBJECT_TYPE = "task"
READY, RUNNING, FAILED = "READY", "RUNNING", "FAILED"
#: Failures the administrators' home page counts (older ones stay listed on the page).
RECENT_FAILURES = dt.timedelta(days=7)


class TaskAbandoned(Exception):
    """Recorded as the error of a task whose worker stopped while running it, once the
    task has been started the most times allowed (never raised)."""


def lease_seconds() -> float:
    return float(settings.ONEWINDOW_TASK_LEASE_SECONDS)


def max_attempts() -> int:
    return int(settings.ONEWINDOW_TASK_MAX_ATTEMPTS)


def _task_name(row: DBTaskResult) -> str:
    return row.task_path.rsplit(".", 1)[-1]


# -- the lease ----------------------------------------------------------------------------


def lease_take(*, task_result_id: Any, worker_id: str, seconds: float) -> TaskLease:
    """The worker ``worker_id`` answers for the task for ``seconds`` from now."""
    now = timezone.now()
    lease, _created = TaskLease.objects.update_or_create(
        task_result_id=task_result_id,
        defaults={
            "worker_id": worker_id,
            "taken_at": now,
            "renewed_at": now,
            "expires_at": now + dt.timedelta(seconds=seconds),
        },
    )
    return lease


def lease_renew(*, task_result_id: Any, worker_id: str, seconds: float) -> bool:
    """Push the lease ``seconds`` forward; False when the worker no longer holds it (the
    task was reclaimed: another worker may be running it)."""
    now = timezone.now()
    return bool(
        TaskLease.objects.filter(task_result_id=task_result_id, worker_id=worker_id).update(
            renewed_at=now, expires_at=now + dt.timedelta(seconds=seconds)
        )
    )


def lease_release(*, task_result_id: Any, worker_id: str) -> None:
    TaskLease.objects.filter(task_result_id=task_result_id, worker_id=worker_id).delete()


# -- reads for the administrators -------------------------------------------------------


def _live_lease(now: dt.datetime) -> Exists:
    return Exists(TaskLease.objects.filter(task_result=OuterRef("pk"), expires_at__gt=now))


def stuck_tasks(*, now: dt.datetime | None = None, seconds: float | None = None) -> QuerySet:
    """Running tasks nobody answers for: the lease ran out (or there is none and the task
    started more than a lease ago). The reclaimer takes them on its next round."""
    now = now or timezone.now()
    started_before = now - dt.timedelta(seconds=lease_seconds() if seconds is None else seconds)
    return (
        DBTaskResult.objects.filter(status=RUNNING, started_at__lte=started_before)
        .exclude(_live_lease(now))
        .order_by("started_at", "pk")
    )


def waiting_tasks(*, now: dt.datetime | None = None, seconds: float | None = None) -> QuerySet:
    """Tasks due for more than a lease that no worker has taken (are workers running?)."""
    now = now or timezone.now()
    due_before = now - dt.timedelta(seconds=lease_seconds() if seconds is None else seconds)
    return DBTaskResult.objects.filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=due_before),
        status=READY,
        enqueued_at__lte=due_before,
    ).order_by("enqueued_at", "pk")


def failed_tasks() -> QuerySet:
    return DBTaskResult.objects.filter(status=FAILED).order_by("-finished_at", "pk")


@dataclass(frozen=True)
class TaskProblemCounts:
    stuck: int
    waiting: int
    failed_recently: int

    @property
    def total(self) -> int:
        return self.stuck + self.waiting + self.failed_recently


def task_problem_counts(*, now: dt.datetime | None = None) -> TaskProblemCounts:
    """What the administrators' home page shows, in one query: stuck, waiting and recently
    failed tasks (as :func:`stuck_tasks`, :func:`waiting_tasks` and :func:`failed_tasks`)."""
    now = now or timezone.now()
    before = now - dt.timedelta(seconds=lease_seconds())
    counts = DBTaskResult.objects.filter(status__in=(RUNNING, READY, FAILED)).aggregate(
        stuck=Count("pk", filter=Q(status=RUNNING, started_at__lte=before) & ~Q(_live_lease(now))),
        waiting=Count(
            "pk",
            filter=Q(status=READY, enqueued_at__lte=before)
            & (Q(run_after=get_date_max()) | Q(run_after__lte=before)),
        ),
        failed_recently=Count(
            "pk", filter=Q(status=FAILED, finished_at__gte=now - RECENT_FAILURES)
        ),
    )
    return TaskProblemCounts(**counts)


# -- reclaiming ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReclaimResult:
    reclaimed: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


def tasks_reclaim(
    *,
    seconds: float | None = None,
    attempts: int | None = None,
    now: dt.datetime | None = None,
) -> ReclaimResult:
    """Put every running task whose lease ran out back in the queue (``tasks.reclaimed``),
    or fail it (``tasks.failed``) once it has been started ``attempts`` times. One task
    per transaction; safe to run from any number of processes at once."""
    seconds = lease_seconds() if seconds is None else seconds
    attempts = max_attempts() if attempts is None else attempts
    now = now or timezone.now()
    reclaimed: list[str] = []
    failed: list[str] = []
    for pk in stuck_tasks(now=now, seconds=seconds).values_list("pk", flat=True):
        outcome = _reclaim_one(pk, seconds=seconds, attempts=attempts, now=now)
        if outcome == READY:
            reclaimed.append(str(pk))
        elif outcome == FAILED:
            failed.append(str(pk))
    return ReclaimResult(reclaimed=tuple(reclaimed), failed=tuple(failed))


def _reclaim_one(pk: Any, *, seconds: float, attempts: int, now: dt.datetime) -> str | None:
    with transaction.atomic():
        # A shared row (core.locks); appending its audit event takes no lock (ADR 0004).
        row = lock_shared_row(
            DBTaskResult, pk=pk, status=RUNNING, skip_locked=True, missing_ok=True
        )
        if row is None:  # another reclaimer has it, or it finished since the query
            return None
        holder = row.worker_ids[-1] if row.worker_ids else ""
        lease = lock_shared_row(TaskLease, task_result_id=pk, missing_ok=True)
        if lease is not None and lease.worker_id == holder:
            expired_at = lease.expires_at
        else:  # no lease of the worker that claimed it last: count from the start
            expired_at = row.started_at + dt.timedelta(seconds=seconds)
        if expired_at > now:  # renewed since the query
            return None
        if lease is not None:
            lease.delete()
        tried = len(row.worker_ids)
        data = {
            "task": row.task_path,
            "worker": holder,
            "attempts": tried,
            "max_attempts": attempts,
            "started_at": row.started_at.isoformat(),
            "lease_expired_at": expired_at.isoformat(),
        }
        if tried >= attempts:
            row.status = FAILED
            row.finished_at = now
            row.return_value = None
            row.exception_class_path = f"{TaskAbandoned.__module__}.{TaskAbandoned.__qualname__}"
            row.traceback = _(
                "执行进程 {worker} 在运行中失去联系（租约于 {expired} 到期）。"
                "该任务已启动 {attempts} 次，不再自动重试。"
            ).format(worker=holder or "—", expired=expired_at.isoformat(), attempts=tried)
            row.save(
                update_fields=[
                    "status",
                    "finished_at",
                    "return_value",
                    "exception_class_path",
                    "traceback",
                ]
            )
            _audit(AuditAction.TASK_FAILED, row, {**data, "reason": "abandoned"})
            logger.error("task %s (%s) abandoned %d times: failed", pk, row.task_path, tried)
            return FAILED
        row.status = READY
        row.save(update_fields=["status"])
        _audit(AuditAction.TASK_RECLAIMED, row, data)
        logger.warning(
            "task %s (%s) lost its worker %s: back in the queue (attempt %d of %d done)",
            pk,
            row.task_path,
            holder,
            tried,
            attempts,
        )
        return READY


def _audit(action: str, row: DBTaskResult, data: dict, *, actor: Any = None) -> None:
    audit_append(
        action=action,
        actor=actor.get_username() if actor is not None else SYSTEM_ACTOR,
        actor_id=actor.pk if actor is not None else "",
        object_type=TASK_OBJECT_TYPE,
        object_id=str(row.pk),
        data=data,
    )


def task_retry(*, task_result_id: Any, actor: Any) -> DBTaskResult:
    """Put a failed task back in the queue: it runs again from its start, with a fresh
    attempt count; the failure it had is kept in the audit event."""
    with transaction.atomic():
        row = lock_shared_row(DBTaskResult, pk=task_result_id, missing_ok=True)
        if row is None:
            raise NotFound(_("任务不存在"), code="task_not_found")
        if row.status != FAILED:
            raise Conflict(_("只有失败的任务可以重新执行"), code="task_not_failed")
        data = {
            "task": row.task_path,
            "attempts": len(row.worker_ids),
            "workers": list(row.worker_ids),
            "error": row.exception_class_path,
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        }
        row.status = READY
        row.worker_ids = []
        row.started_at = None
        row.finished_at = None
        row.return_value = None
        row.exception_class_path = ""
        row.traceback = ""
        row.save(
            update_fields=[
                "status",
                "worker_ids",
                "started_at",
                "finished_at",
                "return_value",
                "exception_class_path",
                "traceback",
            ]
        )
        TaskLease.objects.filter(task_result_id=row.pk).delete()
        _audit(AuditAction.TASK_RETRIED, row, data, actor=actor)
    logger.info("task %s (%s) put back in the queue by %s", row.pk, row.task_path, actor)
    return row


# -- the worker ---------------------------------------------------------------------------


class LeasedWorker(Worker):
    """``django_tasks_db``'s worker, holding a lease on the task it runs.

    A heartbeat thread (its own database connection) renews the lease every third of
    ``lease`` and runs the reclaimer every half lease; the worker reclaims once at start.
    A task that ends in an error is recorded as ``tasks.failed`` (the library marks it
    FAILED and does not retry it: an administrator may, from the tasks page).
    """

    def __init__(self, *, lease: float, attempts: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lease = lease
        self.attempts = attempts
        self.current_task_id: Any = None
        self._heartbeat: Heartbeat | None = None

    def reclaim(self) -> ReclaimResult | None:
        try:
            return tasks_reclaim(seconds=self.lease, attempts=self.attempts)
        except Exception:  # a database hiccup: the next round tries again
            logger.exception("reclaiming abandoned tasks failed")
            return None

    def run(self) -> None:
        self.reclaim()
        self._heartbeat = Heartbeat(self)
        self._heartbeat.start()
        try:
            super().run()
        finally:
            self._heartbeat.stop()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        pk = db_task_result.pk
        lease_take(task_result_id=pk, worker_id=self.worker_id, seconds=self.lease)
        self.current_task_id = pk
        try:
            super().run_task(db_task_result)
        finally:
            self.current_task_id = None
            lease_release(task_result_id=pk, worker_id=self.worker_id)
        if db_task_result.status == FAILED:
            data = {
                "task": db_task_result.task_path,
                "worker": self.worker_id,
                "attempts": len(db_task_result.worker_ids),
                "reason": "error",
                "error": db_task_result.exception_class_path,
            }
            try:
                _audit(AuditAction.TASK_FAILED, db_task_result, data)
            except Exception:
                logger.exception("recording the failure of task %s failed", pk)


class Heartbeat(threading.Thread):
    """Renews the lease of the worker's current task; runs the reclaimer now and then."""

    def __init__(self, worker: LeasedWorker) -> None:
        super().__init__(name=f"heartbeat-{worker.worker_id}", daemon=True)
        self.worker = worker
        self.beat = max(worker.lease / 3, 0.05)
        self.reclaim_every = max(worker.lease / 2, 0.05)
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=self.beat * 2 + 5)

    def run(self) -> None:
        next_reclaim = time.monotonic() + self.reclaim_every
        try:
            while not self._stopped.wait(self.beat):
                close_old_connections()
                self._renew()
                if time.monotonic() >= next_reclaim:
                    self.worker.reclaim()
                    next_reclaim = time.monotonic() + self.reclaim_every
        finally:
            connection.close()

    def _renew(self) -> None:
        pk = self.worker.current_task_id
        if pk is None:
            return
        try:
            held = lease_renew(
                task_result_id=pk, worker_id=self.worker.worker_id, seconds=self.worker.lease
            )
        except Exception:
            logger.exception("renewing the lease of task %s failed", pk)
            return
        if not held and self.worker.current_task_id == pk:
            logger.error(
                "worker %s lost the lease of task %s (reclaimed after a stall?)",
                self.worker.worker_id,
                pk,
            )
