"""``onewindow export-items FILE.xlsx [--zone SFQ]``: the zone's published items to Excel.

The layout is ``docs/catalog-excel.md``; ``onewindow import-items`` reads the file back, and
importing an unedited export changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onewindow.catalog.excel import export_catalog
from onewindow.org.models import Zone


def zone_by_code(code: str) -> Zone:
    zone = Zone.objects.filter(code=code.strip().upper()).first()
    if zone is None:
        known = "、".join(Zone.objects.values_list("code", flat=True)) or "无"
        raise CommandError(f"没有代码为“{code}”的开发区（已有：{known}）")
    return zone


class Command(BaseCommand):
    help = "把本区已发布的事项导出为实施清单 Excel 文件（.xlsx，格式见 docs/catalog-excel.md）。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="要写入的 .xlsx 文件")
        parser.add_argument(
            "--zone",
            default=settings.ONEWINDOW_DEFAULT_ZONE,
            help="开发区代码（默认 %(default)s）",
        )

    def handle(self, *args, file: Path, zone: str, **options):
        if file.suffix.lower() != ".xlsx":
            raise CommandError(f"{file}：文件名应以 .xlsx 结尾")
        target = zone_by_code(zone)
        try:
            count = export_catalog(target, file)
        except OSError as error:
            raise CommandError(f"无法写入 {file}：{error.strerror or error}") from None
        self.stdout.write(
            self.style.SUCCESS(f"已导出 {target.name}（{target.code}）的 {count} 个事项到 {file}")
        )
