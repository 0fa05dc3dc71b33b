"""``onewindow calendar-load-year YEAR FILE``: load a year's State Council holiday notice.

The notice is published around November for the next year. Until it is loaded, a
deadline reaching into that year is only provisional (weekends and fixed-date holidays
assumed). Loading replaces whatever was known about the year (chinesecalendar's data or
an earlier load) and bumps the calendar revision, so every process rebuilds its working
calendar on its next question; the cases module recomputes the deadlines it stored as
provisional. The file format is documented in
:func:`onewindow.core.holiday_notice.parse_holiday_notice`; an example is
``docs/examples/holidays-2027.example.json``.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onewindow.core.calendar import chinesecalendar_notices
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import HolidayNotice, HolidayNoticeDay
from onewindow.core.services import holiday_notice_load


class Command(BaseCommand):
    help = (
        "载入一年的国务院节假日安排通知（JSON 文件），替换该年已知的安排；"
        "文件有误时列出全部问题，不载入任何内容。"
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="通知所属年份，须与文件中的 year 一致")
        parser.add_argument("file", type=Path, help="通知的 JSON 文件")

    def handle(self, *args, year: int, file: Path, **options):
        payload = self._read(file)
        if payload.get("year") != year:
            raise CommandError(
                f"命令指定的年份为 {year}，文件中的 year 为 {payload.get('year')!r}；未载入"
            )
        replaced = HolidayNotice.objects.filter(year=year).exists()
        try:
            notice = holiday_notice_load(
                payload=payload, actor=f"command-line user ({getpass.getuser()})"
            )
        except ValidationFailed as error:
            for field, messages in error.fields.items():
                for message in messages:
                    # parse messages already begin with their field ("holidays[2]：…")
                    line = message if message.startswith(field) else f"{field}：{message}"
                    self.stderr.write(f"  {line}")
            raise CommandError(f"{file}：{error.message}") from None

        holidays = notice.days.filter(kind=HolidayNoticeDay.Kind.HOLIDAY).count()
        workdays = notice.days.filter(kind=HolidayNoticeDay.Kind.MAKEUP_WORKDAY).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入 {notice.year} 年节假日安排：{notice.title}"
                + (f"（{notice.document_number}）" if notice.document_number else "")
            )
        )
        self.stdout.write(f"  放假 {holidays} 天，调休上班 {workdays} 天")
        if replaced:
            self.stdout.write("  替换了此前载入的同年通知")
        elif year in chinesecalendar_notices()[1]:
            self.stdout.write("  替换了 chinesecalendar 中该年的安排")
        else:
            self.stdout.write("  此前该年没有通知：涉及该年的期限此前只能给出临时结果")
        self.stdout.write(
            "  工作日历版本已更新：各进程下次计算时重建日历，临时期限待办件模块重新计算"
        )

    def _read(self, file: Path) -> dict:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"无法读取 {file}：{error.strerror or error}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} 不是 UTF-8 编码的文本") from None
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{file} 不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列：{error.msg}）"
            ) from None
        if not isinstance(payload, dict):
            raise CommandError(f"{file} 应为一个 JSON 对象（含 year、title、holidays、workdays）")
        return payload
