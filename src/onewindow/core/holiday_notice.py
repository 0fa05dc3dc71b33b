"""A year's holiday notice (国务院办公厅关于节假日安排的通知) as a document: checked and read
into its header and days, without the database (``core.services.holiday_notice_load``
writes what this returns)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationFailed
from onewindow.core.models import HolidayNoticeDay


def _parse_date(value: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed.for_field(
            where,
            _("{where}：日期格式应为 YYYY-MM-DD，收到 {value!r}").format(where=where, value=value),
        ) from None


Problems = dict[str, list[str]]
Days = dict[dt.date, tuple[str, str]]


def _add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def parse_holiday_notice(payload: dict[str, Any]) -> tuple[dict, list[tuple[dt.date, str, str]]]:
    """Check a notice document and return its header and days, or raise with every problem.

    The document (JSON)::

        {"year": 2027, "title": "国务院办公厅关于2027年部分节假日安排的通知",
         "document_number": "国办发明电〔2026〕12号",
         "holidays": [{"name": "春节", "from": "2027-02-05", "to": "2027-02-13"}, …],
         "workdays": [{"name": "春节", "date": "2027-02-14"}, …]}
    """
    problems: Problems = {}
    header = _read_header(payload, problems)
    days: Days = {}
    _read_holidays(payload.get("holidays"), header["year"], days, problems)
    _read_workdays(payload.get("workdays", []), header["year"], days, problems)
    if problems:
        raise ValidationFailed(
            _("节假日安排通知有误，未载入"), code="notice_invalid", fields=problems
        )
    return header, sorted((day, kind, name) for day, (kind, name) in days.items())


def _read_header(payload: dict[str, Any], problems: Problems) -> dict:
    """The year (raises at once if wrong: the days are checked against it), title and number."""
    year = payload.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationFailed.for_field("year", _("年份应为 2000 至 2100 之间的整数"))
    title = str(payload.get("title") or "").strip()
    if not title:
        _add(problems, "title", _("通知名称不能为空"))
    elif len(title) > 200:
        _add(problems, "title", _("通知名称不能超过 200 字"))
    document_number = str(payload.get("document_number") or "").strip()
    if len(document_number) > 100:
        _add(problems, "document_number", _("文号不能超过 100 字"))
    return {"year": year, "title": title, "document_number": document_number}


def _notice_range(year: int) -> tuple[dt.date, dt.date]:
    """The days a year's notice may name: from the December before to the year's end."""
    return dt.date(year - 1, 12, 1), dt.date(year, 12, 31)


def _read_holidays(holidays: Any, year: int, days: Days, problems: Problems) -> None:
    """Add each day of each holiday range to ``days``."""
    earliest, latest = _notice_range(year)
    if not isinstance(holidays, list) or not holidays:
        _add(problems, "holidays", _("应列出至少一个放假时段"))
        holidays = []
    for index, entry in enumerate(holidays, start=1):
        where = f"holidays[{index}]"
        try:
            name = str(entry["name"]).strip()
            start = _parse_date(entry["from"], f"{where}.from")
            end = _parse_date(entry["to"], f"{where}.to")
        except (KeyError, TypeError):
            _add(problems, where, _("{where}：需要 name、from、to 三项").format(where=where))
            continue
        except ValidationFailed as error:
            _add(problems, where, error.message)
            continue
        if not 1 <= len(name) <= 50:
            _add(problems, where, _("{where}：节日名称应为 1 至 50 个字").format(where=where))
            continue
        if end < start:
            _add(problems, where, _("{where}：结束日期早于开始日期").format(where=where))
            continue
        if start < earliest or end > latest:
            _add(
                problems,
                where,
                _("{where}：日期不在 {year} 年的通知范围内").format(where=where, year=year),
            )
            continue
        day = start
        while day <= end:
            if day in days:
                _add(problems, where, _("{where}：{day} 重复出现").format(where=where, day=day))
            days[day] = (HolidayNoticeDay.Kind.HOLIDAY, name)
            day += dt.timedelta(days=1)


def _read_workdays(workdays: Any, year: int, days: Days, problems: Problems) -> None:
    """Add each make-up working day (a Saturday or Sunday not already a holiday) to ``days``."""
    earliest, latest = _notice_range(year)
    if not isinstance(workdays, list):
        _add(problems, "workdays", _("调休上班日应为列表"))
        workdays = []
    for index, entry in enumerate(workdays, start=1):
        where = f"workdays[{index}]"
        try:
            name = str(entry["name"]).strip()
            day = _parse_date(entry["date"], f"{where}.date")
        except (KeyError, TypeError):
            _add(problems, where, _("{where}：需要 name、date 两项").format(where=where))
            continue
        except ValidationFailed as error:
            _add(problems, where, error.message)
            continue
        if not 1 <= len(name) <= 50:
            _add(problems, where, _("{where}：节日名称应为 1 至 50 个字").format(where=where))
        elif day.weekday() < 5:
            _add(
                problems,
                where,
                _("{where}：调休上班日 {day} 不是周六或周日").format(where=where, day=day),
            )
        elif not earliest <= day <= latest:
            _add(
                problems,
                where,
                _("{where}：日期不在 {year} 年的通知范围内").format(where=where, year=year),
            )
        elif day in days:
            _add(
                problems, where, _("{where}：{day} 既是假日又是上班日").format(where=where, day=day)
            )
        else:
            days[day] = (HolidayNoticeDay.Kind.MAKEUP_WORKDAY, name)
