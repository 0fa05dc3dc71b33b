"""The facts import (一企一档导入): the template, a clean file written in one go, every kind of
row error reported with its row and column while nothing is written, the file refused as a
whole, full-width input folded, the import's audit event and signal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import Workbook, load_workbook

from onewindow.catalog.tests.factories import uscc_for
from onewindow.core.errors import Forbidden, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.org.constants import Role
from onewindow.org.models import Department, Park
from onewindow.policies.constants import Event
from onewindow.policies.models import EnterpriseFact, FactChange, FactSource
from onewindow.policies.profile_workbook import template_workbook
from onewindow.policies.services.profile import set_facts
from onewindow.policies.services.profile_import import MAX_ROWS, facts_import
from onewindow.policies.signals import facts_changed
from onewindow.testing import worlds

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
HEAD = [
    "统一社会信用代码",
    "数据截至日期",
    "从业人员（人）",
    "上年度营业收入（万元）",
    "国民经济行业代码",
]


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def workbook(*rows, head=HEAD) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(head))
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def run(pw, stream, name="企业档案2026.xlsx", actor=None):
    return facts_import(actor=actor or pw.officer, file=stream, file_name=name)


def held(enterprise) -> dict:
    return {row.name: row.value for row in EnterpriseFact.objects.filter(enterprise=enterprise)}


def errors_of(report) -> set[tuple[int, str, str]]:
    return {(error.row, error.column, error.message) for error in report.errors}


# -- the template


def test_the_template_has_the_headers_with_units_and_an_example_row(pw):
    Park.objects.create(zone=pw.zone, code="GX", name="高新园")
    book = load_workbook(io.BytesIO(template_workbook(["GX"])))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["统一社会信用代码", "数据截至日期"]
    assert "上年度营业收入（万元）" in header
    assert "从业人员（人）" in header
    assert "企业规模" not in header  # derived
    assert sheet["A2"].value.startswith("示例")
    assert "填写说明" in book.sheetnames


def test_the_template_imports_as_it_is_with_nothing_to_import(pw):
    with pytest.raises(ValidationFailed) as refused:
        run(pw, io.BytesIO(template_workbook()), name="模板.xlsx")
    assert refused.value.fields["file"] == ["文件：没有数据行（第 2 行起每家企业一行）。"]


# -- success


def test_a_clean_file_writes_every_row_with_the_import_source(
    pw, django_capture_on_commit_callbacks
):
    # given
    sent = []

    def receiver(**kwargs):
        sent.append(kwargs)

    facts_changed.connect(receiver)
    stream = workbook(
        [pw.enterprise.uscc, dt.datetime(2025, 12, 31), 350, 15000, "C3919"],
        [pw.other_enterprise.uscc, "2025-12-31", 12, None, None],
    )
    # when
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = run(pw, stream)
    finally:
        facts_changed.disconnect(receiver)
    # then
    assert report.ok
    assert report.rows == 2
    assert {e.pk for e in report.changed} == {pw.enterprise.pk, pw.other_enterprise.pk}
    facts = held(pw.enterprise)
    assert facts["employees"] == 350
    assert facts["revenue"] == "15000"
    assert facts["industry_code"]["code"] == "C3919"
    assert facts["size_class"] == "medium"  # ≥ 300 staff, ≥ 2,000万元 (工业)
    # an empty cell leaves the fact alone: the other enterprise has only its staff count
    assert held(pw.other_enterprise) == {"employees": 12}
    row = EnterpriseFact.objects.get(enterprise=pw.enterprise, name="employees")
    assert row.source == FactSource.IMPORTED
    assert row.source_detail == "企业档案2026.xlsx"
    assert row.as_of == dt.date(2025, 12, 31)
    assert row.recorded_by == pw.officer
    assert report.facts_changed == 5  # four given + the derived size class
    assert len(sent) == 1
    assert sent[0]["enterprise_ids"] == sorted([pw.enterprise.pk, pw.other_enterprise.pk])
    assert sent[0]["source"] == FactSource.IMPORTED


def test_an_empty_cell_does_not_clear_a_held_fact(pw):
    set_facts(
        None, pw.enterprise, {"revenue": "900"}, source=FactSource.DEPARTMENT, as_of=NOW.date()
    )
    report = run(pw, workbook([pw.enterprise.uscc, "2025-12-31", 40, "", None]))
    assert report.ok
    assert held(pw.enterprise)["revenue"] == "900"


def test_the_import_appends_one_audit_event(pw):
    stream = workbook([pw.enterprise.uscc, "2025-12-31", 350, None, None])
    report = run(pw, stream)
    event = AuditEvent.objects.get(action=Event.FACTS_IMPORTED)
    assert event.actor == pw.officer.get_username()
    assert event.object_type == "facts_file"
    assert event.data["file"] == "企业档案2026.xlsx"
    assert event.data["rows"] == 1
    assert event.data["enterprises_changed"] == 1
    assert event.data["facts_changed"] == report.facts_changed == 1
    assert len(event.object_id) == 64  # the file's sha256


def test_the_zone_administrator_imports_too(pw):
    report = run(
        pw, workbook([pw.enterprise.uscc, "2025-12-31", 5, None, None]), actor=pw.administrator
    )
    assert report.ok


def test_full_width_input_is_folded(pw):
    full_width_code = pw.enterprise.uscc.translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"}
    )
    stream = workbook(
        [full_width_code, "２０２５－１２－３１", "１，５００", "３００．５", "Ｃ３９１９"],
        head=[
            "统一社会信用代码",
            "数据截至日期",
            "从业人员(人)",
            "上年度营业收入(万元)",
            "国民经济行业代码",
        ],
    )
    report = run(pw, stream, name="企业档案（一月）.xlsx")
    assert report.ok, report.errors
    facts = held(pw.enterprise)
    assert facts["employees"] == 1500
    assert facts["revenue"] == "300.5"
    assert facts["industry_code"]["code"] == "C3919"
    # the file name is folded too (the size class has its own source detail)
    assert EnterpriseFact.objects.filter(source_detail="企业档案(一月).xlsx").count() == 3


def test_the_example_row_and_blank_rows_are_skipped(pw):
    stream = workbook(
        ["示例（导入时跳过此行）", "2025-12-31", 350, 15000, "C3919"],
        [None, None, None, None, None],
        [pw.enterprise.uscc, "2025-12-31", 7, None, None],
    )
    report = run(pw, stream)
    assert report.ok
    assert report.rows == 1
    assert held(pw.enterprise) == {"employees": 7}


# -- row errors: each reported, nothing written


def test_an_unknown_uscc_is_a_row_error(pw):
    outsider = uscc_for(9301, registration="91")
    report = run(pw, workbook([pw.enterprise.uscc, "2025-12-31", 5], [outsider, "2025-12-31", 5]))
    assert errors_of(report) == {(3, "统一社会信用代码", f"“{outsider}”不是本区的企业。")}
    assert not EnterpriseFact.objects.exists()


def test_an_enterprise_of_another_zone_is_unknown(pw):
    elsewhere = worlds.department_elsewhere().zone
    department = Department.objects.get(zone=elsewhere)
    officer = worlds.staff(
        elsewhere, Role.POLICY_OFFICER, username="p_officer_elsewhere", department=department
    )
    report = run(pw, workbook([pw.enterprise.uscc, "2025-12-31", 5]), actor=officer)
    assert [error.column for error in report.errors] == ["统一社会信用代码"]
    assert not EnterpriseFact.objects.exists()


def test_a_malformed_uscc_is_named(pw):
    report = run(pw, workbook(["91320192MB00820", "2025-12-31", 5]))
    ((row, column, message),) = errors_of(report)
    assert (row, column) == (2, "统一社会信用代码")
    assert "18位" in message


def test_a_bad_value_is_placed_on_its_column(pw):
    report = run(
        pw,
        workbook(
            [pw.enterprise.uscc, "2025-12-31", "三百", 15000, "C3919"],
            [pw.other_enterprise.uscc, "2025-12-31", 12, -5, "Z99"],
        ),
    )
    columns = {(error.row, error.column) for error in report.errors}
    assert columns == {
        (2, "从业人员（人）"),
        (3, "上年度营业收入（万元）"),
        (3, "国民经济行业代码"),
    }
    assert any("不是数字" in error.message for error in report.errors if error.row == 2)
    assert not EnterpriseFact.objects.exists()
    assert not FactChange.objects.exists()


def test_an_unknown_header_is_reported_and_no_row_is_read(pw):
    stream = workbook(
        [pw.enterprise.uscc, "2025-12-31", 5, "x"],
        head=["统一社会信用代码", "数据截至日期", "从业人员", "注册资本"],
    )
    report = run(pw, stream)
    assert errors_of(report) == {
        (1, "注册资本", "不是企业档案的列（列名应与导入模板的表头一致）。")
    }
    assert not EnterpriseFact.objects.exists()


def test_the_derived_size_class_and_missing_columns_are_header_errors(pw):
    report = run(pw, workbook([pw.enterprise.uscc, "中型"], head=["统一社会信用代码", "企业规模"]))
    assert {(e.row, e.column) for e in report.errors} == {(1, "企业规模"), (1, "数据截至日期")}


def test_a_future_or_missing_as_of_is_a_row_error(pw):
    report = run(
        pw,
        workbook(
            [pw.enterprise.uscc, "2026-03-03", 5],
            [pw.other_enterprise.uscc, None, 5],
        ),
    )
    assert errors_of(report) == {
        (2, "数据截至日期", "不能晚于今天。"),
        (3, "数据截至日期", "不能为空。"),
    }


def test_a_uscc_twice_in_the_file_is_a_row_error(pw):
    report = run(
        pw,
        workbook([pw.enterprise.uscc, "2025-12-31", 5], [pw.enterprise.uscc, "2025-12-31", 6]),
    )
    assert errors_of(report) == {(3, "统一社会信用代码", "与第 2 行重复。")}
    assert not EnterpriseFact.objects.exists()


def test_a_row_without_any_fact_is_a_row_error(pw):
    report = run(pw, workbook([pw.enterprise.uscc, "2025-12-31", None, " "]))
    assert errors_of(report) == {(2, "统一社会信用代码", "本行没有填写任何企业档案事实。")}


def test_one_bad_row_among_good_ones_writes_nothing(pw):
    set_facts(None, pw.enterprise, {"employees": 3}, source=FactSource.DEPARTMENT, as_of=NOW.date())
    before = FactChange.objects.count()
    report = run(
        pw,
        workbook(
            [pw.enterprise.uscc, "2025-12-31", 400, 20000, "C3919"],
            [pw.other_enterprise.uscc, "2025-12-31", "很多", None, None],
        ),
    )
    assert not report.ok
    assert held(pw.enterprise) == {"employees": 3}
    assert FactChange.objects.count() == before
    assert not AuditEvent.objects.filter(action=Event.FACTS_IMPORTED).exists()


# -- the file refused as a whole


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("档案.csv", b"a,b", "文件：只能导入 .xlsx 格式的 Excel 文件。"),
        (
            "档案.xls",
            b"\xd0\xcf\x11\xe0",
            "文件：不支持 Excel 97–2003 的 .xls 文件，请另存为 .xlsx 后再导入。",
        ),
        ("档案.xlsx", b"", "文件：文件是空的。"),
        (
            "档案.xlsx",
            b"not a zip file",
            "文件：不是有效的 .xlsx 文件（无法作为 Excel 工作簿打开）。",
        ),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(pw, name, content, message):
    with pytest.raises(ValidationFailed) as refused:
        run(pw, io.BytesIO(content), name=name)
    assert refused.value.fields == {"file": [message]}


def test_a_file_over_five_megabytes_is_refused(pw):
    with pytest.raises(ValidationFailed) as refused:
        run(pw, io.BytesIO(b"x" * (5 * 1024 * 1024 + 1)))
    assert "不能超过 5 MB" in refused.value.fields["file"][0]


def test_a_file_of_too_many_rows_is_refused(pw):
    rows = [[pw.enterprise.uscc, "2025-12-31", 5]] * (MAX_ROWS + 1)
    with pytest.raises(ValidationFailed) as refused:
        run(pw, workbook(*rows))
    assert refused.value.fields["file"] == ["文件：超过 5000 行，请分成几个文件导入。"]


@pytest.mark.parametrize("who", ["clerk", "supervisor", "representative"])
def test_other_roles_may_not_import(pw, who):
    with pytest.raises(Forbidden):
        run(pw, workbook([pw.enterprise.uscc, "2025-12-31", 5]), actor=getattr(pw, who))
