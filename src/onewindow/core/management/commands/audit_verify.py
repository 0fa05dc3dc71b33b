"""``onewindow audit-verify``: walk the audit hash chain and report the first broken link.

Exits 0 when the chain is intact and 1 otherwise, so a cron job or a monitoring check
notices a tampered log (等保 level 3: audit logs are protected from change). Every link,
the stored signed checkpoints and the chain head's hash are checked; ``--checkpoint FILE``
also compares the chain with a checkpoint kept outside the database. The chainer's lag
(events not linked yet, the age of the oldest) is printed. The outcome is appended as an
``audit.chain_verified`` event, which the audit trail page shows.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onewindow.core.audit import (
    ExternalCheckpoint,
    audit_record_verification,
    audit_verify,
)


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit status 1 at the first broken link."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="links read per query (memory stays flat however long the log is)",
        )
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="a checkpoint exported by onewindow audit-checkpoint --export",
        )

    def handle(self, *args, batch_size: int, checkpoint: str | None, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 应为正整数")
        external = self._read(checkpoint) if checkpoint else None
        result = audit_verify(batch_size=batch_size, checkpoint=external)
        # The outcome joins the chain: the audit trail page shows the last one.
        audit_record_verification(result)
        lag = f"待链接 {result.pending} 条"
        if result.oldest_pending_at is not None:
            age = (timezone.now() - result.oldest_pending_at).total_seconds()
            lag += f"，最早的已等待 {max(age, 0):.1f} 秒"
        if not result.ok:
            broken = result.first_break
            # CommandError prints to stderr and exits with status 1 from the command line.
            raise CommandError(
                f"审计链断裂：第 {broken.sequence} 条事件 — {broken.reason}"
                f"（此前已校验 {result.checked} 条；{lag}）",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"审计链完整：已校验 {result.checked} 条事件；检查点 {result.checkpoints} 个；{lag}"
            )
        )

    def _read(self, path: str) -> ExternalCheckpoint:
        try:
            return ExternalCheckpoint.parse(json.loads(Path(path).read_text(encoding="utf-8")))
        except OSError as error:
            raise CommandError(f"无法读取检查点文件 {path}：{error.strerror}") from None
        except ValueError as error:
            raise CommandError(f"检查点文件 {path} 无效：{error}") from None
