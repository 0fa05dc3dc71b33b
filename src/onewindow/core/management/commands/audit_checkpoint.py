"""``onewindow audit-checkpoint``: sign the audit chain's head now (ADR 0004).

The checkpoint (sequence, head hash, time) is signed with a zone's Ed25519 key and kept in
the database; ``--export FILE`` also writes it as JSON, to keep outside the database (another
machine, a printed copy, the supervisor's archive). ``onewindow audit-verify --checkpoint
FILE`` later proves the chain was not rewritten below it.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onewindow.core.audit import audit_chain_run, audit_checkpoint_write, checkpoint_export


class Command(BaseCommand):
    help = "Sign a checkpoint of the audit chain's head; --export FILE writes it as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--export", metavar="FILE", help="also write the checkpoint here")

    def handle(self, *args, export: str | None, **options):
        # What is chainable now is linked first, so the checkpoint covers it.
        audit_chain_run()
        checkpoint = audit_checkpoint_write()
        if checkpoint is None:
            raise CommandError(
                "无法签署检查点：审计链为空，或尚无开发区签名密钥（onewindow keys generate）。"
            )
        if export:
            text = json.dumps(checkpoint_export(checkpoint), ensure_ascii=False, indent=2)
            Path(export).write_text(text + "\n", encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"检查点：第 {checkpoint.sequence} 号，哈希 {checkpoint.hash}，"
                f"密钥 {checkpoint.key_id}" + (f"，已写入 {export}" if export else "")
            )
        )
