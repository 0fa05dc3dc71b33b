"""The weekly 督查通报 (data, PDF, Excel), the periods people type, the scheduled job and
the public statistics' data."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from onewindow.appeals import reports
from onewindow.appeals.constants import WEEKLY_REPORT_NOTIFICATION
from onewindow.appeals.report_jobs import send_weekly_reports
from onewindow.appeals.tests.reports_dataset import NOW, WEEK_START, build_week
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import Notification
from onewindow.org.constants import Role
from onewindow.testing import worlds

TODAY = dt.date(2026, 3, 9)  # a Monday


@pytest.fixture
def week(aw):
    with time_machine.travel(NOW, tick=False):
        yield build_week(aw)


# -- the periods (no database) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "monday"),
    [
        (None, dt.date(2026, 3, 2)),  # the last full week
        ("", dt.date(2026, 3, 2)),
        ("2026-03-04", dt.date(2026, 3, 2)),  # a Wednesday: its week
        ("2026-03-08", dt.date(2026, 3, 2)),  # a Sunday: the week it ends
        ("２０２６-０３-１１", dt.date(2026, 3, 9)),  # full-width digits; this week so far
        ("2025-12-31", dt.date(2025, 12, 29)),  # a week across the new year
    ],
)
def test_a_week_is_the_monday_of_the_date_given(typed, monday):
    assert reports.parse_week(typed, today=TODAY) == monday


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2026-3-4", "invalid_week"),
        ("2026-02-30", "invalid_week"),
        ("next week", "invalid_week"),
        ("2026-03-16", "week_in_future"),
    ],
)
def test_a_bad_week_is_refused_naming_the_field(typed, code):
    with pytest.raises(ValidationFailed) as refused:
        reports.parse_week(typed, today=TODAY)
    assert refused.value.code == code
    assert list(refused.value.fields) == ["week"]
    assert refused.value.message.startswith("统计周：")


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        (None, dt.date(2026, 2, 1)),  # the last full month
        ("2026-03", dt.date(2026, 3, 1)),  # this month so far
        ("2025-12", dt.date(2025, 12, 1)),
    ],
)
def test_a_month(typed, first):
    assert reports.parse_month(typed, today=TODAY) == first


@pytest.mark.parametrize(
    ("typed", "code"),
    [("2026-13", "invalid_month"), ("2026/03", "invalid_month"), ("2026-04", "month_in_future")],
)
def test_a_bad_month_is_refused_naming_the_field(typed, code):
    with pytest.raises(ValidationFailed) as refused:
        reports.parse_month(typed, today=TODAY)
    assert refused.value.code == code
    assert list(refused.value.fields) == ["month"]


def test_percent():
    assert reports.percent(2 / 3) == "66.7%"
    assert reports.percent(0.0) == "0.0%"
    assert reports.percent(None) == "—"


# -- the report -----------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_the_weekly_report_by_hand(aw, week):
    report = reports.weekly_report(aw.zone, WEEK_START, now=NOW)
    assert report.title == "诉求办理督查通报（2026-03-02 至 2026-03-08）"
    rows = dict(report.rows())
    # received, replied, open, response, on time, resolution, satisfaction, returned,
    # late returns, reopened (tests/reports_dataset.py)
    assert rows["市场监督管理局"] == [
        "5", "3", "2", "60.0%", "66.7%", "50.0%", "100.0%", "1", "0", "1",
    ]  # fmt: skip
    assert rows["住房和城乡建设局"] == [
        "2", "1", "1", "100.0%", "100.0%", "0.0%", "0.0%", "0", "1", "0",
    ]  # fmt: skip
    assert rows["未派单"] == ["1", "0", "1", "—", "—", "—", "—", "0", "0", "0"]
    assert rows["全区合计"] == [
        "8", "4", "4", "71.4%", "75.0%", "33.3%", "66.7%", "1", "1", "1",
    ]  # fmt: skip
    assert [row.number for row in report.late] == [week.a2.number, week.b2.number]
    assert report.late[1].replied_at is None


@pytestmark_db
def test_the_pdf_names_the_departments_rates_and_late_orders(aw, week):
    report = reports.weekly_report(aw.zone, WEEK_START, now=NOW)
    content = reports.weekly_pdf(report)
    assert content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    compact = "".join(text.split())
    assert "诉求办理督查通报" in compact
    assert "市场监督管理局" in compact
    assert "住房和城乡建设局" in compact
    assert "66.7%" in compact  # the lead's on-time rate
    assert "71.4%" in compact  # the zone's response rate
    assert week.a2.number in compact
    assert week.b2.number in compact
    assert "工地夜间施工扰民" in compact


@pytestmark_db
def test_the_workbook_reads_back_the_figures(aw, week):
    report = reports.weekly_report(aw.zone, WEEK_START, now=NOW)
    book = load_workbook(io.BytesIO(reports.weekly_xlsx(report)))
    assert book.sheetnames == ["部门", "超期工单"]
    sheet = book["部门"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}
    lead = rows["市场监督管理局"]
    header = [cell.value for cell in sheet[3]]
    assert header[:4] == ["承办部门", "受理", "已答复", "在办"]
    assert lead[:3] == (5, 3, 2)
    assert lead[3] == pytest.approx(0.6)  # response rate, a fraction shown as a percentage
    assert lead[4] == pytest.approx(2 / 3)
    assert sheet.cell(row=4, column=5).number_format == "0.0%"
    assert rows["未派单"][3] is None  # no rate: an empty cell, not 0
    assert rows["全区合计"][0] == 8
    late = [row for row in book["超期工单"].iter_rows(min_row=2, values_only=True)]
    assert [row[0] for row in late] == [week.a2.number, week.b2.number]
    assert late[1][1] == "住房和城乡建设局"
    assert late[1][4] is None  # not replied


@pytestmark_db
def test_the_weekly_json(aw, week):
    data = reports.weekly_json(reports.weekly_report(aw.zone, WEEK_START, now=NOW))
    assert data["week"] == {"start": dt.date(2026, 3, 2), "end": dt.date(2026, 3, 8)}
    assert data["total"]["counts"]["received"] == 8
    assert data["total"]["rates"]["on_time_rate"] == 0.75
    assert [row["name"] for row in data["departments"]] == [
        "市场监督管理局",
        "住房和城乡建设局",
        "未派单",
    ]


# -- the scheduled job ----------------------------------------------------------------------


@pytestmark_db
def test_the_job_tells_each_supervisor_once_with_a_link(aw, week):
    second = worlds.staff(aw.zone, Role.SUPERVISOR, username="a_supervisor_2")
    with time_machine.travel(NOW, tick=False):
        assert send_weekly_reports() == {aw.zone.code: 2}
        # Run again (cron twice, a retried task): nothing new.
        assert send_weekly_reports() == {aw.zone.code: 0}
    messages = Notification.objects.filter(kind=WEEKLY_REPORT_NOTIFICATION).order_by("pk")
    assert {message.recipient_id for message in messages} == {aw.supervisor.pk, second.pk}
    message = messages[0]
    assert message.link == "/appeals/reports/weekly/?week=2026-03-02"
    assert "2026-03-02 至 2026-03-08" in message.text
    assert "受理 8 件" in message.text
    assert "按时办结率 75.0%" in message.text
    assert "超期工单 2 件" in message.text
    # Nobody else is told (the centre and analysts read the page themselves).
    assert not Notification.objects.filter(
        kind=WEEKLY_REPORT_NOTIFICATION, recipient=aw.dispatcher
    ).exists()


@pytestmark_db
def test_the_command_runs_the_job(aw, week):
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("appeals_weekly_report", stdout=out)
    assert "通知电子监察人员 1 人次" in out.getvalue()
    assert Notification.objects.filter(recipient=aw.supervisor).count() == 1


@pytestmark_db
def test_the_command_enqueues_the_job(aw):
    out = io.StringIO()
    call_command("appeals_weekly_report", "--enqueue", stdout=out)
    assert "已加入后台队列" in out.getvalue()


# -- public statistics ------------------------------------------------------------------------


@pytestmark_db
def test_public_statistics_of_a_month(aw, week):
    stats = reports.public_stats(aw.zone, dt.date(2026, 3, 1))
    assert stats["month"] == "2026-03"
    categories = {row["name"]: row for row in stats["categories"]}
    # March so far: the week's 8 orders, O1 (9 Mar) and O2 (1 Mar, 23:59), both of the
    # lead, closed and late.
    assert categories["企业开办"]["received"] == 8  # A1–A5, C1, O1, O2
    assert categories["工程建设"] == {
        "name": "工程建设",
        "received": 2,
        "answered": 1,
        "on_time_rate": 1.0,
        "satisfaction_rate": 0.0,
    }
    departments = {row["name"]: row for row in stats["departments"]}
    assert "未派单" not in departments  # only in the total
    assert departments["市场监督管理局"]["received"] == 7  # A1–A5, O1, O2
    # Replied: A1, A2, A5, O1, O2; on time: A1, A5.
    assert departments["市场监督管理局"]["on_time_rate"] == pytest.approx(2 / 5)
    assert stats["total"]["received"] == 10
