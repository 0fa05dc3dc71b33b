"""Tasks that only the tests enqueue (the worker imports them by path, in-process or in a
``onewindow db_worker`` subprocess)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task

from onewindow.core.models import TaskLease


@task(takes_context=True)
def lease_holder(context) -> str:
    """Which worker holds this task's lease while it runs."""
    return TaskLease.objects.get(task_result_id=context.task_result.id).worker_id


@task()
def fail() -> None:
    raise RuntimeError("this task always fails")


@task()
def slow_journal(path: str, seconds: float) -> None:
    """Write "start", wait ``seconds``, write "done": a journal of every run."""
    journal = Path(path)
    with journal.open("a") as file:
        file.write(f"start {os.getpid()}\n")
    time.sleep(seconds)
    with journal.open("a") as file:
        file.write(f"done {os.getpid()}\n")
