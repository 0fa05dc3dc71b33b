"""The enterprise facts import in a real browser (Debian's Chromium through Playwright), in
Chinese, through the pages only:

1. the policy officer goes from 政策管理 to 导入企业档案 and finds the template's link;
2. uploads a file with a bad row: the error table names the row, the column and the
   problem, and nothing is written;
3. uploads the corrected file with the keyboard (Tab to the button, Enter): the summary
   counts the rows and links to the changed enterprise's profile, which shows the value;
4. the page fits a phone (390 px, no sideways scroll).

Screenshots (committed, looked at): ``docs/screenshots/policies-facts-import-*.png``.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from onewindow.catalog.tests.factories import uscc_for
from onewindow.policies.models import EnterpriseFact, FactSource
from onewindow.testing.browser import PHONE, SCREENSHOTS, horizontal_overflow, screenshot

pytestmark = [pytest.mark.browser]

#: Milliseconds a page may take on a busy shared machine.
SLOW = 60_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "数据截至日期", "从业人员（人）", "上年度营业收入（万元）"])
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def choose(page: Page, name: str, content: bytes) -> None:
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(
        files=[{"name": name, "mimeType": XLSX, "buffer": content}]
    )


def test_an_officer_imports_facts_fixes_a_bad_row_and_opens_the_profile(
    transactional_db, pw, signed_in, live_server
):
    expect.set_options(timeout=SLOW)
    problems: list[str] = []
    officer = signed_in(pw.officer.username, errors=problems, timeout=SLOW)

    # 1. from the officer's desk to the import page
    officer.goto(f"{live_server.url}/policies/manage/")
    with officer.expect_navigation():
        officer.get_by_role("link", name="导入企业档案").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("导入企业档案")
    template = officer.get_by_role("link", name="下载导入模板")
    expect(template).to_have_attribute("href", "/policies/manage/facts/import/template/")

    # 2. a file with a bad row: the table names it, nothing is written
    outsider = uscc_for(9301, registration="91")
    choose(
        officer,
        "企业档案.xlsx",
        workbook([pw.enterprise.uscc, "2025-12-31", 350, 15000], [outsider, "2025-12-31", "很多"]),
    )
    with officer.expect_navigation():
        officer.get_by_role("button", name="导入", exact=True).click()
    errors = officer.get_by_role("table")
    expect(officer.get_by_role("heading", name="文件有错误，未导入任何数据")).to_be_visible()
    expect(errors).to_contain_text("第 3 行")
    expect(errors).to_contain_text(f"“{outsider}”不是本区的企业。")
    expect(errors).to_contain_text("从业人员（人）")
    screenshot(officer, SCREENSHOTS / "policies-facts-import-errors.png")
    assert not EnterpriseFact.objects.exists()

    # 3. the corrected file, sent with the keyboard
    choose(officer, "企业档案.xlsx", workbook([pw.enterprise.uscc, "2025-12-31", 350, 15000]))
    officer.get_by_label("Excel 文件（.xlsx）").focus()
    officer.keyboard.press("Tab")
    expect(officer.get_by_role("button", name="导入", exact=True)).to_be_focused()
    with officer.expect_navigation():
        officer.keyboard.press("Enter")
    expect(officer.get_by_role("heading", name="导入完成")).to_be_visible()
    expect(officer.get_by_role("status")).to_contain_text("已导入“企业档案.xlsx”")
    screenshot(officer, SCREENSHOTS / "policies-facts-import-done.png")
    fact = EnterpriseFact.objects.get(enterprise=pw.enterprise, name="employees")
    assert (fact.value, fact.source) == (350, FactSource.IMPORTED)

    with officer.expect_navigation():
        officer.get_by_role("link", name=pw.enterprise.name).click()
    expect(officer.get_by_role("main")).to_contain_text("350")

    # 4. on a phone
    phone = signed_in(pw.officer.username, PHONE, errors=problems, timeout=SLOW, is_mobile=True)
    phone.goto(f"{live_server.url}/policies/manage/facts/import/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("导入企业档案")
    assert horizontal_overflow(phone) <= 0
    screenshot(phone, SCREENSHOTS / "policies-facts-import-phone.png")
    # the file with errors answers 422 (the form shown again with its errors), nothing else
    assert [p for p in problems if "status of 422" not in p] == []
