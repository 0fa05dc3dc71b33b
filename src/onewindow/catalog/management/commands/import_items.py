"""``onewindow import-items FILE.xlsx [--zone SFQ]``: import an implementation-list file.

All or nothing: the file is checked first, and on any problem nothing is imported and every
problem is listed as ``sheet 第N行 column：message``, exit status 1. Otherwise each item is
created, given a new published version, or left alone when unchanged, in one transaction,
through the catalog services. The layout is ``docs/catalog-excel.md``.

On a terminal a progress bar on stderr follows the items; elsewhere (a pipe, a log file)
only the final line is written.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onewindow.catalog.excel import import_catalog
from onewindow.catalog.management.commands.export_items import zone_by_code
from onewindow.org.models import User

BAR_WIDTH = 30


class ProgressBar:
    """A text bar on one line of a terminal, redrawn at most ten times a second."""

    def __init__(self, stream, *, interactive: bool) -> None:
        self.stream = stream
        self.interactive = interactive
        self.started = time.monotonic()
        self.drawn_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.interactive:
            return
        now = time.monotonic()
        if done < total and now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        percent = 100 * done // total if total else 100
        self.stream.write(f"\r导入 [{bar}] {done}/{total} {percent:3d}%", style_func=str, ending="")
        self.stream.flush()

    def finish(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        if self.interactive:
            self.stream.write("", style_func=str)
        self.stream.write(f"已处理 {done}/{total} 个事项，用时 {elapsed:.1f} 秒", style_func=str)
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "导入实施清单 Excel 文件（.xlsx，格式见 docs/catalog-excel.md）："
        "先检查全部内容，有任何问题则不导入任何内容并列出全部问题。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="要导入的 .xlsx 文件")
        parser.add_argument(
            "--zone",
            default=settings.ONEWINDOW_DEFAULT_ZONE,
            help="开发区代码（默认 %(default)s）",
        )
        parser.add_argument(
            "--actor",
            default=None,
            help="记为操作人的工作人员用户名（默认不记名，事件中记为命令行导入）",
        )

    def handle(self, *args, file: Path, zone: str, actor: str | None, **options):
        target = zone_by_code(zone)
        user = self._actor(actor)
        if not file.exists():
            raise CommandError(f"找不到文件 {file}")
        stream = self.stderr  # Django's OutputWrapper: write() ends lines unless told not to
        bar = ProgressBar(stream, interactive=stream.isatty())
        if bar.interactive:
            stream.write(f"检查 {file} …", style_func=str)
            stream.flush()
        report = import_catalog(target, file, actor=user, progress=bar)
        if report.problems:
            if bar.interactive and bar.drawn_at:
                stream.write("", style_func=str)
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{file}：发现 {len(report.problems)} 个问题，未导入任何内容")
        bar.finish(report.items, report.items)
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {target.name}（{target.code}）的 {report.items} 个事项："
                f"新建 {report.created} 个，新版本 {report.new_versions} 个，"
                f"未变 {report.unchanged} 个"
            )
        )

    def _actor(self, username: str | None) -> User | None:
        if username is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为“{username}”的用户")
        return user
