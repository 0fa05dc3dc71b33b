"""``onewindow audit-chain``: link committed audit events into the hash chain (ADR 0004).

On PostgreSQL writers append events unchained; this chainer links them, batch by batch,
each batch in one transaction under the chain's advisory lock. Looping (the default) it
holds a second, session-wide advisory lock, so a second looping chainer exits at once with
a message (or waits with ``--wait``); ``--once`` links what is chainable now and exits 0,
safely beside a running chainer (the batches take turns). Killed at any moment, the batch
in progress is rolled back and the next run links those events again: none is lost or
linked twice. On SQLite events are linked as they are appended: the command only signs a
checkpoint when one is due, and exits.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from onewindow.core.audit import (
    CHAINER_PROCESS_LOCK,
    audit_chain_run,
    audit_chain_status,
    chains_synchronously,
)


class Command(BaseCommand):
    help = "Link committed audit events into the hash chain (PostgreSQL); --once, or loop."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="link what is chainable now, then exit"
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=None,
            help="events linked per transaction (default ONEWINDOW_AUDIT_CHAIN_BATCH)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between polls (default ONEWINDOW_AUDIT_CHAIN_INTERVAL)",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="when another chainer is running, wait for it instead of exiting",
        )

    def handle(self, *args, once: bool, batch_size: int | None, interval, wait: bool, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size 应为正整数")
        interval = settings.ONEWINDOW_AUDIT_CHAIN_INTERVAL if interval is None else interval
        if chains_synchronously():
            audit_chain_run()  # only signs a checkpoint when one is due
            self.stdout.write(
                "SQLite：审计事件在写入时即已入链，无需常驻链接器"
                "（检查点可由定时任务运行 onewindow audit-chain --once 签署）。"
            )
            return
        if once:
            self._report(audit_chain_run(batch_size=batch_size))
            return
        self._take_process_lock(wait)
        try:
            while True:
                linked = audit_chain_run(batch_size=batch_size)
                if linked:
                    self._report(linked)
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("审计链接器已停止。")

    def _take_process_lock(self, wait: bool) -> None:
        with connection.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_lock(%s)", [CHAINER_PROCESS_LOCK])
                return
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [CHAINER_PROCESS_LOCK])
            if not cursor.fetchone()[0]:
                raise CommandError(
                    "另一个审计链接器（onewindow audit-chain）正在运行：同一时间只运行一个。"
                    "如需等待它停止后接替，请加 --wait。",
                    returncode=2,
                )

    def _report(self, linked: int) -> None:
        status = audit_chain_status()
        age = status.oldest_pending_age
        lag = f"，最早的已等待 {age.total_seconds():.1f} 秒" if age is not None else ""
        self.stdout.write(
            f"已链接 {linked} 条事件，链已至第 {status.linked_up_to} 号；"
            f"待链接 {status.pending} 条{lag}。"
        )
