"""``onewindow keys generate|rotate|list [--zone CODE]``: the zone's e-certificate signing keys.

``generate`` makes the zone's first key (refused when one is signing), ``rotate`` makes a
new signing key and keeps the old one published for verification, ``list`` shows every key
with its status and whether its private file is on this machine. Private key material is
never printed; the files live under ``ONEWINDOW_KEY_DIR`` (docs/certificates.md, "Keys").
"""

from __future__ import annotations

import getpass
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onewindow.certificates.keys import key_generate, key_rotate, private_key_path
from onewindow.certificates.models import KeyStatus, SigningKey
from onewindow.core.errors import ApplicationError
from onewindow.org.models import Zone


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _width(text: str) -> int:
    """Columns a terminal gives ``text`` (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


class Command(BaseCommand):
    help = "Generate, rotate or list a zone's e-certificate signing keys (Ed25519)."

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            choices=["generate", "rotate", "list"],
            help="generate: the first key; rotate: a new signing key; list: every key",
        )
        parser.add_argument(
            "--zone",
            default=None,
            help="zone code (default: settings.ONEWINDOW_DEFAULT_ZONE)",
        )

    def handle(self, *args, action: str, zone: str | None, **options):
        code = zone or settings.ONEWINDOW_DEFAULT_ZONE
        found = Zone.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"未找到开发区 {code}（可用 --zone 指定开发区代码）")
        if action == "list":
            self._list(found)
            return
        make = key_generate if action == "generate" else key_rotate
        try:
            key = make(zone=found, actor=_actor())
        except ApplicationError as error:
            raise CommandError(error.message) from None
        verb = "已生成" if action == "generate" else "已轮换，新的签发密钥为"
        self.stdout.write(self.style.SUCCESS(f"开发区 {code} 签名密钥{verb} {key.key_id}"))
        self.stdout.write(f"私钥文件：{private_key_path(key)}（权限 0600，不入数据库）")
        if action == "rotate":
            self.stdout.write("原密钥已停止签发，仍公开发布，用于验证其签发的证照。")

    def _list(self, zone: Zone) -> None:
        keys = list(SigningKey.objects.filter(zone=zone).select_related("zone"))
        if not keys:
            self.stdout.write(
                f"开发区 {zone.code} 尚无签名密钥；运行 onewindow keys generate 生成。"
            )
            return
        self.stdout.write(f"开发区 {zone.code} 的签名密钥（共 {len(keys)} 个）：")
        header = ("密钥标识", "状态", "生成时间", "轮换时间", "私钥文件")
        rows = [
            (
                key.key_id,
                str(KeyStatus(key.status).label),
                _when(key.created_at),
                _when(key.retired_at),
                "存在" if private_key_path(key).is_file() else "缺失",
            )
            for key in keys
        ]
        widths = [max(_width(row[column]) for row in (header, *rows)) for column in range(5)]
        for row in (header, *rows):
            cells = [
                cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
            ]
            self.stdout.write("  ".join(cells).rstrip())
