"""Holiday notices: parsing, loading (replace, overlap, revision, audit) and the command."""

from __future__ import annotations

import copy
import datetime as dt
import getpass
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from onewindow.core.audit import AuditAction
from onewindow.core.calendar import CalendarNotCovered, DayKind
from onewindow.core.errors import ValidationFailed
from onewindow.core.holiday_notice import parse_holiday_notice
from onewindow.core.models import AuditEvent, HolidayNotice, HolidayNoticeDay
from onewindow.core.selectors import calendar_revision, national_calendar
from onewindow.core.services import holiday_notice_load

D = dt.date
EXAMPLE = Path(__file__).resolve().parents[4] / "docs/examples/holidays-2027.example.json"


def notice(**changes) -> dict:
    payload = {
        "year": 2027,
        "title": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
        "document_number": "国办发明电〔2026〕1号",
        "holidays": [
            {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
            {"name": "春节", "from": "2027-02-05", "to": "2027-02-13"},
        ],
        "workdays": [{"name": "春节", "date": "2027-02-14"}],
    }
    payload.update(changes)
    return payload


def problems(payload: dict) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as raised:
        parse_holiday_notice(payload)
    return raised.value.fields


# -- parsing ------------------------------------------------------------------------------


def test_parse_returns_the_header_and_sorted_days():
    header, days = parse_holiday_notice(notice())
    assert header == {
        "year": 2027,
        "title": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
        "document_number": "国办发明电〔2026〕1号",
    }
    assert len(days) == 3 + 9 + 1
    assert days[0] == (D(2027, 1, 1), "holiday", "元旦")
    assert (D(2027, 2, 14), "makeup_workday", "春节") in days
    assert days == sorted(days)


def test_parse_accepts_a_notice_without_workdays():
    payload = notice()
    del payload["workdays"]
    assert len(parse_holiday_notice(payload)[1]) == 12


@pytest.mark.parametrize("year", [None, "2027", 1999, 2101, 2027.0])
def test_parse_refuses_a_bad_year(year):
    with pytest.raises(ValidationFailed) as raised:
        parse_holiday_notice(notice(year=year))
    assert raised.value.fields == {"year": ["年份应为 2000 至 2100 之间的整数"]}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "通知名称不能为空"),
        ({"title": "通" * 201}, "title", "通知名称不能超过 200 字"),
        ({"document_number": "号" * 101}, "document_number", "文号不能超过 100 字"),
        ({"holidays": []}, "holidays", "应列出至少一个放假时段"),
        ({"holidays": "春节"}, "holidays", "应列出至少一个放假时段"),
        (
            {"holidays": [{"name": "元旦", "from": "2027-01-01"}]},
            "holidays[1]",
            "holidays[1]：需要 name、from、to 三项",
        ),
        ({"holidays": ["元旦"]}, "holidays[1]", "holidays[1]：需要 name、from、to 三项"),
        (
            {"holidays": [{"name": "元旦", "from": "2027/01/01", "to": "2027-01-03"}]},
            "holidays[1]",
            "holidays[1].from：日期格式应为 YYYY-MM-DD，收到 '2027/01/01'",
        ),
        (
            {"holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-02-30"}]},
            "holidays[1]",
            "holidays[1].to：日期格式应为 YYYY-MM-DD，收到 '2027-02-30'",
        ),
        (
            {"holidays": [{"name": "元旦", "from": "2027-01-03", "to": "2027-01-01"}]},
            "holidays[1]",
            "holidays[1]：结束日期早于开始日期",
        ),
        (
            {"holidays": [{"name": "元旦", "from": "2026-11-30", "to": "2027-01-01"}]},
            "holidays[1]",
            "holidays[1]：日期不在 2027 年的通知范围内",
        ),
        (
            {"holidays": [{"name": "元旦", "from": "2027-12-31", "to": "2028-01-01"}]},
            "holidays[1]",
            "holidays[1]：日期不在 2027 年的通知范围内",
        ),
        (
            {"holidays": [{"name": " ", "from": "2027-01-01", "to": "2027-01-01"}]},
            "holidays[1]",
            "holidays[1]：节日名称应为 1 至 50 个字",
        ),
        (
            {"holidays": [{"name": "节" * 51, "from": "2027-01-01", "to": "2027-01-01"}]},
            "holidays[1]",
            "holidays[1]：节日名称应为 1 至 50 个字",
        ),
        (
            {
                "holidays": [
                    {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
                    {"name": "元旦", "from": "2027-01-03", "to": "2027-01-03"},
                ]
            },
            "holidays[2]",
            "holidays[2]：2027-01-03 重复出现",
        ),
        ({"workdays": {"date": "2027-02-14"}}, "workdays", "调休上班日应为列表"),
        (
            {"workdays": [{"date": "2027-02-14"}]},
            "workdays[1]",
            "workdays[1]：需要 name、date 两项",
        ),
        (
            {"workdays": [{"name": "春节", "date": "14/02/2027"}]},
            "workdays[1]",
            "workdays[1].date：日期格式应为 YYYY-MM-DD，收到 '14/02/2027'",
        ),
        (
            {"workdays": [{"name": "春节", "date": "2027-02-15"}]},
            "workdays[1]",
            "workdays[1]：调休上班日 2027-02-15 不是周六或周日",
        ),
        (
            {"workdays": [{"name": "春节", "date": "2028-01-01"}]},
            "workdays[1]",
            "workdays[1]：日期不在 2027 年的通知范围内",
        ),
        (
            {"workdays": [{"name": "春节", "date": "2027-02-06"}]},
            "workdays[1]",
            "workdays[1]：2027-02-06 既是假日又是上班日",
        ),
        (
            {"workdays": [{"name": "", "date": "2027-02-20"}]},
            "workdays[1]",
            "workdays[1]：节日名称应为 1 至 50 个字",
        ),
    ],
)
def test_parse_problem(changes, field, message):
    assert problems(notice(**changes)) == {field: [message]}


def test_parse_reports_every_problem_at_once():
    payload = notice(
        title="",
        holidays=[
            {"name": "元旦", "from": "2027-01-03", "to": "2027-01-01"},
            {"name": "春节", "from": "x", "to": "2027-02-13"},
        ],
        workdays=[{"name": "春节", "date": "2027-02-15"}, {"name": "春节"}],
    )
    with pytest.raises(ValidationFailed) as raised:
        parse_holiday_notice(payload)
    error = raised.value
    assert (error.code, error.message) == ("notice_invalid", "节假日安排通知有误，未载入")
    assert error.fields == {
        "title": ["通知名称不能为空"],
        "holidays[1]": ["holidays[1]：结束日期早于开始日期"],
        "holidays[2]": ["holidays[2].from：日期格式应为 YYYY-MM-DD，收到 'x'"],
        "workdays[1]": ["workdays[1]：调休上班日 2027-02-15 不是周六或周日"],
        "workdays[2]": ["workdays[2]：需要 name、date 两项"],
    }


def test_a_notice_may_declare_days_in_the_previous_december():
    # e.g. the 2008 notice made Sat 29 Dec 2007 a working day for 元旦
    payload = notice(workdays=[{"name": "元旦", "date": "2026-12-26"}])
    assert (D(2026, 12, 26), "makeup_workday", "元旦") in parse_holiday_notice(payload)[1]


# -- loading ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_stores_the_notice_and_its_days():
    loaded = holiday_notice_load(payload=notice(), actor="管理员")
    assert (loaded.year, loaded.loaded_by) == (2027, "管理员")
    assert loaded.days.count() == 13
    assert loaded.days.get(date=D(2027, 2, 14)).kind == HolidayNoticeDay.Kind.MAKEUP_WORKDAY


@pytest.mark.django_db
def test_load_replaces_the_year():
    holiday_notice_load(payload=notice(), actor="管理员")
    corrected = notice(
        title="更正后的通知",
        holidays=[{"name": "春节", "from": "2027-02-06", "to": "2027-02-12"}],
        workdays=[],
    )
    holiday_notice_load(payload=corrected, actor="管理员")
    assert list(HolidayNotice.objects.values_list("year", "title")) == [(2027, "更正后的通知")]
    assert HolidayNoticeDay.objects.count() == 7
    calendar = national_calendar()
    assert calendar.is_working_day(D(2027, 1, 1))  # no longer a holiday
    assert not calendar.is_working_day(D(2027, 2, 14))  # no longer a make-up day


@pytest.mark.django_db
def test_load_replaces_a_year_chinesecalendar_knows():
    before = national_calendar()
    assert before.day(D(2026, 10, 10)).kind == DayKind.MAKEUP_WORKDAY
    payload = notice(
        year=2026,
        title="更正：2026年安排",
        holidays=[{"name": "国庆节", "from": "2026-10-01", "to": "2026-10-08"}],
        workdays=[],
    )
    holiday_notice_load(payload=payload, actor="管理员")
    after = national_calendar()
    assert after.day(D(2026, 10, 8)).kind == DayKind.HOLIDAY
    assert after.day(D(2026, 10, 10)).kind == DayKind.WEEKEND
    assert after.day(D(2026, 2, 16)).kind == DayKind.WORKDAY  # the package's 春节 is gone
    assert before.day(D(2026, 10, 10)).kind == DayKind.MAKEUP_WORKDAY  # built calendars stay


@pytest.mark.django_db
def test_replacing_a_year_keeps_the_next_years_december_days():
    # 29 Dec 2018 (Sat, make-up) and 30–31 Dec 2018 (元旦) were declared by the 2019 notice
    payload = notice(
        year=2018,
        title="更正：2018年安排",
        holidays=[{"name": "国庆节", "from": "2018-10-01", "to": "2018-10-07"}],
        workdays=[],
    )
    holiday_notice_load(payload=payload, actor="管理员")
    calendar = national_calendar()
    assert calendar.day(D(2018, 2, 16)).kind == DayKind.WORKDAY  # the old 春节 is gone
    assert calendar.day(D(2018, 12, 29)).kind == DayKind.MAKEUP_WORKDAY
    assert calendar.day(D(2018, 12, 31)).kind == DayKind.HOLIDAY


@pytest.mark.django_db
def test_replacing_a_year_replaces_its_days_in_the_previous_december():
    # the 2019 notice declared 29–31 Dec 2018; a correction without them removes them
    payload = notice(
        year=2019,
        title="更正：2019年安排",
        holidays=[{"name": "元旦", "from": "2019-01-01", "to": "2019-01-01"}],
        workdays=[],
    )
    holiday_notice_load(payload=payload, actor="管理员")
    calendar = national_calendar()
    assert calendar.day(D(2018, 12, 29)).kind == DayKind.WEEKEND
    assert calendar.day(D(2018, 12, 31)).kind == DayKind.WORKDAY
    assert calendar.day(D(2019, 1, 1)).kind == DayKind.HOLIDAY


@pytest.mark.django_db
def test_load_refuses_a_day_another_notice_declared():
    holiday_notice_load(
        payload=notice(holidays=[{"name": "元旦", "from": "2027-12-31", "to": "2027-12-31"}]),
        actor="管理员",
    )
    payload = notice(
        year=2028,
        title="2028年",
        holidays=[{"name": "元旦", "from": "2027-12-31", "to": "2028-01-02"}],
        workdays=[],
    )
    with pytest.raises(ValidationFailed) as raised:
        holiday_notice_load(payload=payload, actor="管理员")
    assert (raised.value.code, raised.value.message) == (
        "notice_overlap",
        "2027-12-31 已由 2027 年的通知规定",
    )
    assert list(HolidayNotice.objects.values_list("year", flat=True)) == [2027]


@pytest.mark.django_db
def test_a_refused_replacement_keeps_the_loaded_notice():
    holiday_notice_load(payload=notice(), actor="管理员")
    holiday_notice_load(
        payload=notice(
            year=2028,
            title="2028年",
            holidays=[{"name": "元旦", "from": "2027-12-31", "to": "2028-01-01"}],
            workdays=[],
        ),
        actor="管理员",
    )
    clashing = notice(holidays=[{"name": "元旦", "from": "2027-12-30", "to": "2027-12-31"}])
    with pytest.raises(ValidationFailed):
        holiday_notice_load(payload=clashing, actor="管理员")
    kept = HolidayNotice.objects.get(year=2027)
    assert kept.days.count() == 13


@pytest.mark.django_db
def test_an_invalid_notice_writes_nothing():
    revision = calendar_revision()
    with pytest.raises(ValidationFailed):
        holiday_notice_load(payload=notice(title=""), actor="管理员")
    assert not HolidayNotice.objects.exists()
    assert calendar_revision() == revision
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_load_bumps_the_revision():
    before = calendar_revision()
    holiday_notice_load(payload=notice(), actor="管理员")
    middle = calendar_revision()
    holiday_notice_load(payload=notice(), actor="管理员")
    assert before < middle < calendar_revision()


@pytest.mark.django_db
def test_a_calendar_built_before_the_load_is_rebuilt_after():
    # given a calendar built while 2027 has no notice
    before = national_calendar()
    assert national_calendar() is before  # cached while nothing changes
    with pytest.raises(CalendarNotCovered):
        before.add_working_days(D(2027, 2, 12), 1)
    provisional = before.deadline(D(2027, 2, 12), 1, allow_provisional=True)
    assert (provisional.date, provisional.provisional) == (D(2027, 2, 15), True)
    # when the 2027 notice is loaded
    holiday_notice_load(payload=notice(), actor="管理员")
    # then the next question gets a rebuilt calendar that knows 2027
    after = national_calendar()
    assert after is not before
    assert 2027 in after.covered_years
    final = after.deadline(D(2027, 2, 12), 1)
    assert (final.date, final.provisional) == (D(2027, 2, 14), False)  # the make-up Sunday
    assert after.day(D(2027, 2, 8)).kind == DayKind.HOLIDAY
    assert after.working_days_between(D(2027, 2, 4), D(2027, 2, 15)) == 2  # 14 and 15 Feb


@pytest.mark.django_db
def test_a_load_rolled_back_leaves_no_stale_calendar():
    # given a load that is rolled back after a calendar was built from it
    with pytest.raises(RuntimeError), transaction.atomic():
        holiday_notice_load(payload=notice(), actor="管理员")
        assert national_calendar().is_working_day(D(2027, 2, 14))
        raise RuntimeError("the surrounding work failed")
    # when a different notice is committed
    holiday_notice_load(payload=notice(workdays=[]), actor="管理员")
    # then the calendar is built from it, not from the rolled-back one
    assert not national_calendar().is_working_day(D(2027, 2, 14))


@pytest.mark.django_db
def test_load_appends_an_audit_event():
    holiday_notice_load(payload=notice(), actor="管理员")
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_type, event.object_id) == (
        AuditAction.CALENDAR_NOTICE_LOADED,
        "管理员",
        "holiday_notice",
        "2027",
    )
    assert event.data == {
        "year": 2027,
        "title": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
        "document_number": "国办发明电〔2026〕1号",
        "days": 13,
    }


# -- the command --------------------------------------------------------------------------


def run_command(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("calendar_load_year", *map(str, args), stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def write(tmp_path: Path, payload) -> Path:
    path = tmp_path / "notice.json"
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_file_is_labelled_illustrative():
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert example["year"] == 2027
    assert "示例" in example["title"] and "并非国务院正式通知" in example["title"]
    parse_holiday_notice(example)


@pytest.mark.django_db
def test_command_loads_the_example_file():
    stdout, stderr = run_command(2027, EXAMPLE)
    assert stderr == ""
    assert "已载入 2027 年节假日安排" in stdout
    assert "放假 29 天，调休上班 6 天" in stdout
    assert "此前该年没有通知" in stdout
    assert "工作日历版本已更新" in stdout
    loaded = HolidayNotice.objects.get(year=2027)
    assert loaded.loaded_by == f"command-line user ({getpass.getuser()})"
    calendar = national_calendar()
    assert calendar.is_working_day(D(2027, 2, 14))  # a make-up Sunday in the example
    assert not calendar.is_working_day(D(2027, 5, 4))
    assert calendar.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 14)


@pytest.mark.django_db
def test_command_says_what_it_replaced(tmp_path):
    path = write(tmp_path, notice())
    assert "此前该年没有通知" in run_command(2027, path)[0]
    assert "替换了此前载入的同年通知" in run_command(2027, path)[0]
    payload = notice(
        year=2026, holidays=[{"name": "元旦", "from": "2026-01-01", "to": "2026-01-03"}]
    )
    payload["workdays"] = []
    stdout, _stderr = run_command(2026, write(tmp_path, payload))
    assert "替换了 chinesecalendar 中该年的安排" in stdout


@pytest.mark.django_db
def test_command_prints_every_problem_and_loads_nothing(tmp_path):
    broken = notice(
        title="",
        holidays=[{"name": "春节", "from": "2027-02-13", "to": "2027-02-05"}],
        workdays=[{"name": "春节", "date": "2027-02-15"}],
    )
    path = write(tmp_path, broken)
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("calendar_load_year", "2027", str(path), stdout=stdout, stderr=stderr)
    assert "节假日安排通知有误，未载入" in str(raised.value)
    assert stderr.getvalue().splitlines() == [
        "  title：通知名称不能为空",
        "  holidays[1]：结束日期早于开始日期",
        "  workdays[1]：调休上班日 2027-02-15 不是周六或周日",
    ]
    assert stdout.getvalue() == ""
    assert not HolidayNotice.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("year", "content", "message"),
    [
        (2028, None, "命令指定的年份为 2028，文件中的 year 为 2027；未载入"),
        (2027, "{not json", "不是有效的 JSON（第 1 行第 2 列"),
        (2027, "[]", "应为一个 JSON 对象"),
        (2027, '{"title": "缺年份"}', "文件中的 year 为 None"),
    ],
)
def test_command_refuses_a_bad_file(tmp_path, year, content, message):
    path = write(tmp_path, notice() if content is None else content)
    with pytest.raises(CommandError, match=re.escape(message)):
        run_command(year, path)
    assert not HolidayNotice.objects.exists()


@pytest.mark.django_db
def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="无法读取"):
        run_command(2027, tmp_path / "missing.json")


@pytest.mark.django_db
def test_command_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "gbk.json"
    path.write_bytes(json.dumps(notice(), ensure_ascii=False).encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8"):
        run_command(2027, path)


@pytest.mark.django_db
def test_command_overlap_is_reported(tmp_path):
    first = notice(holidays=[{"name": "元旦", "from": "2027-12-31", "to": "2027-12-31"}])
    run_command(2027, write(tmp_path, first))
    second = copy.deepcopy(first)
    second.update(year=2028, workdays=[])
    second["holidays"][0]["to"] = "2028-01-01"
    with pytest.raises(CommandError, match="2027-12-31 已由 2027 年的通知规定"):
        run_command(2028, write(tmp_path, second))
