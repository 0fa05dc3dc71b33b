"""A bundle form with 25 files keeps its files after a validation error (申请草稿, ADR
0027), in a real browser (Debian's Chromium through Playwright), in Chinese.

The applicant attaches all 25 files, submits with a required field of the shared form
left empty, is told which field, finds every file kept (name, size, a remove button) and
not asked for again, removes one and attaches another, fills the field and submits: the
case has all 25 files. Screenshots of the refused page (desktop and 390 px) go to
``test-artifacts/``; the desktop one is committed as ``docs/screenshots/apply-draft.png``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from reportlab.pdfgen import canvas

from onewindow.cases.constants import MaterialState
from onewindow.cases.models import ApplicationDraft, Case
from onewindow.cases.tests.factories import make_bundle, make_item
from onewindow.testing.browser import PHONE, SCREENSHOTS, horizontal_overflow, screenshot
from onewindow.testing.calendar import reset_calendar_cache

pytestmark = [pytest.mark.browser]

FIRST = [f"材料甲{number:02d}" for number in range(1, 14)]  # 13 materials of the first item
SECOND = [f"材料乙{number:02d}" for number in range(1, 13)]  # 12 of the second
FIELDS = [
    {"key": "company_name", "label": "企业名称", "type": "text", "required": True},
    {"key": "uscc", "label": "统一社会信用代码", "type": "text", "required": True},
    {"key": "contact_phone", "label": "联系电话", "type": "text", "required": True},
    {"key": "business_scope", "label": "经营范围", "type": "textarea", "required": True},
]


@pytest.fixture
def bundle(world):
    reset_calendar_cache()
    first = make_item(world.zone, world.department, name="开店许可甲", materials=FIRST)
    second = make_item(world.zone, world.other_department, name="开店许可乙", materials=SECOND)
    return make_bundle(
        world.zone,
        world.department,
        items=[first.item, second.item],
        code="shop-25",
        name="开店二十五件材料一件事",
        promised_limit_days=10,
        form_fields=FIELDS,
        publish=True,
    )


@pytest.fixture
def pdf(tmp_path):
    """pdf(name) → the path of a real one-page PDF called ``name``.pdf."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=(420, 595))
    document.drawString(60, 520, "OneWindow browser test: a kept material")
    document.showPage()
    document.save()
    content = buffer.getvalue()

    def make(name: str) -> Path:
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(content)
        return path

    return make


def field(page: Page, label: str):
    return page.get_by_label(re.compile(f"^{re.escape(label)}( 必填)?$"))


def test_a_bundle_form_keeps_its_25_files_after_a_validation_error(
    world, bundle, signed_in, live_server, pdf
):
    page = signed_in(world.applicant_user.username)
    page.goto(f"{live_server.url}/apply/bundles/{bundle.code}/")

    # Pre-filled from the account: the enterprise the user represents.
    expect(field(page, "企业名称")).to_have_value("示范科技有限公司")
    expect(field(page, "统一社会信用代码")).to_have_value(world.applicant.uscc)
    expect(field(page, "联系电话")).to_have_value("13900000000")

    # 1. All 25 files, but 经营范围 (required) left empty.
    expect(page.locator("input[type=file]")).to_have_count(25)
    for name in FIRST + SECOND:
        page.get_by_label(f"选择文件：{name}", exact=True).set_input_files(pdf(name))
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()

    # 2. Refused, naming the field; every file is kept and shown, none asked for again.
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("经营范围：此项为必填项")
    expect(summary).to_contain_text("已上传的 25 个文件已保存在草稿中，无需重新选择")
    expect(page.locator(".kept-file")).to_have_count(25)
    kept = page.locator(".material-input").filter(has_text="材料甲01").locator(".kept-file")
    expect(kept).to_contain_text("材料甲01.pdf")
    expect(kept.get_by_role("button", name=re.compile(r"^移除\s*：材料甲01$"))).to_be_visible()
    expect(page.get_by_label("更换文件：材料甲01", exact=True)).to_be_visible()
    assert Case.objects.count() == 0
    screenshot(page, "apply-draft-top", full_page=False)
    page.evaluate("document.querySelector('.material-inputs').scrollIntoView()")
    screenshot(page, SCREENSHOTS / "apply-draft.png", full_page=False)
    narrow = page.context.browser.new_context(locale="zh-CN", viewport=PHONE)
    try:
        phone = narrow.new_page()
        phone.context.add_cookies(page.context.cookies())
        phone.goto(page.url)
        expect(phone.locator(".kept-file")).to_have_count(25)
        assert horizontal_overflow(phone) <= 0
        screenshot(phone, "apply-draft-390", full_page=False)
        phone.locator(".material-input").nth(3).scroll_into_view_if_needed()
        screenshot(phone, "apply-draft-390-files", full_page=False)
    finally:
        narrow.close()

    # 3. Remove one kept file: the others stay, and the page asks for that one only.
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^移除\s*：材料乙12$")).click()
    expect(page.get_by_role("status")).to_contain_text("已移除该文件")
    expect(page.locator(".kept-file")).to_have_count(24)

    # 4. Leave, and come back from 我的草稿 on my cases.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的办件").click()
    page.wait_for_url("**/my/cases/")
    drafts = page.get_by_role("region", name="我的草稿")
    expect(drafts).to_contain_text("开店二十五件材料一件事")
    expect(drafts).to_contain_text("已上传 24 个文件")
    screenshot(page, "my-drafts", full_page=False)
    with page.expect_navigation():
        drafts.get_by_role("link", name="继续填写").click()
    expect(page.locator(".kept-file")).to_have_count(24)
    expect(page.locator(".notice--draft")).to_contain_text("保存的草稿")
    page.get_by_label("选择文件：材料乙12", exact=True).set_input_files(pdf("材料乙12-新"))

    # 5. Fix the field and submit: the case has every file.
    field(page, "经营范围").fill("餐饮服务；食品销售")
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    expect(page.locator("h1")).to_contain_text("申请已提交")

    case = Case.objects.get(parent__isnull=True)
    rows = {row.name: row for row in case.materials.all()}
    assert sorted(rows) == sorted(FIRST + SECOND)
    assert all(row.state == MaterialState.UPLOADED for row in rows.values())
    assert rows["材料乙12"].original_name == "材料乙12-新.pdf"
    assert case.form_data["business_scope"] == "餐饮服务；食品销售"
    assert not ApplicationDraft.objects.exists()


def test_an_applicant_signs_a_commitment_online(world, signed_in, live_server, pdf):
    """食品经营许可: 安全管理制度 (可告知承诺) replaced by the commitment, signed on the page."""
    page = signed_in(world.applicant_user.username)
    page.goto(f"{live_server.url}/apply/items/{world.item.item.implementation_code}/")
    page.get_by_label("选择文件：申请表", exact=True).set_input_files(pdf("申请表"))
    page.get_by_label("选择文件：营业场所证明", exact=True).set_input_files(pdf("场所"))
    field(page, "联系人").fill("张三")
    section = page.locator("#fieldset-commitment")
    expect(section).to_contain_text("申请人郑重承诺")
    section.get_by_label("安全管理制度").check()
    # Not signed yet: refused, naming the field; the files are kept.
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#error-summary")).to_contain_text("承诺人签名：请输入承诺人姓名")
    expect(page.locator(".kept-file")).to_have_count(2)
    section = page.locator("#fieldset-commitment")
    expect(section.get_by_label("安全管理制度")).to_be_checked()
    section.get_by_label("承诺人签名").fill("李四")
    section.get_by_label(re.compile("我已阅读上述告知承诺书全文")).check()
    section.scroll_into_view_if_needed()
    screenshot(page, "apply-commitment", full_page=False)
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    expect(page.locator("h1")).to_contain_text("申请已提交")
    case = Case.objects.get()
    assert case.commitment.signed_name == "李四"
    assert case.materials.get(name="安全管理制度").state == MaterialState.COMMITTED
