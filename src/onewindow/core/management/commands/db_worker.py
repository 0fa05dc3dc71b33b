"""``onewindow db_worker``: the ``django_tasks_db`` worker, holding a lease on its task.

The library's command with its options, plus ``--lease-seconds`` and ``--max-attempts``
(defaults: ``ONEWINDOW_TASK_LEASE_SECONDS``, ``ONEWINDOW_TASK_MAX_ATTEMPTS``). The worker
renews the lease of the task it runs and reclaims tasks whose worker was lost (at start
and every half lease): see :mod:`onewindow.core.workers` and docs/operations/workers.md.
``onewindow.core`` comes before ``django_tasks_db`` in ``INSTALLED_APPS`` so that this
command, not the library's, answers to ``db_worker``.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser, ArgumentTypeError

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand
from django_tasks_db.management.commands.db_worker import logger

from onewindow.core import workers


def positive_seconds(value: str) -> float:
    number = float(value)
    if not number > 0 or number == float("inf"):
        raise ArgumentTypeError("must be a positive number of seconds")
    return number


def positive_count(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ArgumentTypeError("must be 1 or more")
    return number


class Command(LibraryCommand):
    help = "Run a database background worker that holds a lease on the task it runs"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--lease-seconds",
            type=positive_seconds,
            default=None,
            help="lease on a running task, renewed every third of it "
            "(default: ONEWINDOW_TASK_LEASE_SECONDS)",
        )
        parser.add_argument(
            "--max-attempts",
            type=positive_count,
            default=None,
            help="starts of a task before a lost one is failed "
            "(default: ONEWINDOW_TASK_MAX_ATTEMPTS)",
        )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        lease_seconds: float | None,
        max_attempts: int | None,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be specified together: no autoreload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")

        worker = workers.LeasedWorker(
            lease=lease_seconds if lease_seconds is not None else workers.lease_seconds(),
            attempts=max_attempts if max_attempts is not None else workers.max_attempts(),
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child process runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
