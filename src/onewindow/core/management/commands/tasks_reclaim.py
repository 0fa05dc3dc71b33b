"""``onewindow tasks-reclaim``: take back the running tasks whose worker was lost.

Every ``onewindow db_worker`` does this at start and every half lease; the command is for
an installation whose workers are all stopped, or a check from cron. A running task whose
lease expired goes back in the queue, or is marked failed once it has been started
``--max-attempts`` times (docs/operations/workers.md).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from onewindow.core.management.commands.db_worker import positive_count, positive_seconds
from onewindow.core.workers import tasks_reclaim


class Command(BaseCommand):
    help = "Put running tasks whose lease expired back in the queue (or fail them)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--lease-seconds",
            type=positive_seconds,
            default=None,
            help="a running task without a live lease counts as lost this many seconds "
            "after its start (default: ONEWINDOW_TASK_LEASE_SECONDS)",
        )
        parser.add_argument(
            "--max-attempts",
            type=positive_count,
            default=None,
            help="starts of a task before a lost one is failed "
            "(default: ONEWINDOW_TASK_MAX_ATTEMPTS)",
        )

    def handle(self, *args, lease_seconds=None, max_attempts=None, **options):
        result = tasks_reclaim(seconds=lease_seconds, attempts=max_attempts)
        for pk in result.reclaimed:
            self.stdout.write(f"重新排队 {pk}")
        for pk in result.failed:
            self.stdout.write(self.style.ERROR(f"标记失败 {pk}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"已收回 {len(result.reclaimed)} 个任务，标记失败 {len(result.failed)} 个"
            )
        )
