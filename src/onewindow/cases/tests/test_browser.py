"""The case spine in a real browser (Debian's Chromium through Playwright), in Chinese:
外国人来华工作一件事 from the online application to the unified delivery (统一出件).

The enterprise applies online with every required file but one tolerable (容缺) material;
the window clerk accepts it with that material tolerated; the two departments review in
parallel; the applicant brings the material (the certificates wait for it); the
departments decide their child cases; the clerk delivers the bundle. Each person
uses their own browser context and signs in through the login page.

Screenshots: the final case page is ``docs/screenshots/bundle-delivery.png`` (committed);
the others go to the test's ``tmp_path``.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from reportlab.pdfgen import canvas

from onewindow.cases.constants import CaseStatus, MaterialState
from onewindow.cases.models import Case
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.constants import MaterialSource, StepRole, VersionStatus
from onewindow.catalog.models import Bundle, Step
from onewindow.catalog.services import MATERIAL_FIELDS, item_draft, item_draft_update, item_publish
from onewindow.certificates.keys import key_generate
from onewindow.core.audit import audit_verify
from onewindow.demo import catalog_data, org_data
from onewindow.org.constants import Role
from onewindow.org.models import RoleAssignment
from onewindow.org.services import staff_create
from onewindow.testing.browser import SCREENSHOTS, screenshot
from onewindow.testing.calendar import reset_calendar_cache

pytestmark = [pytest.mark.browser]

SCREENSHOT = SCREENSHOTS / "bundle-delivery.png"
PASSWORD = org_data.DEMO_PASSWORD

BUNDLE = "外国人来华工作一件事"
WORK_PERMIT = "外国人来华工作许可"
RESIDENCE = "外国人居留许可"
#: The material the applicant leaves out and the clerk tolerates (容缺).
TOLERATED = "无犯罪记录证明"

FORM = {
    "用人单位名称": "示范智造科技有限公司",
    "用人单位统一社会信用代码": org_data.demo_uscc("91", 1),
    "外国人姓名（与护照一致）": "Anna Müller",
    "国籍": "德国",
    "护照号码": "C4J7R9K2L",
    "出生日期": "1988-05-12",
    "拟任职务": "研发总监",
    "拟工作起始日期": "2027-01-04",
    "劳动合同期限（月）": "36",
    "年薪（万元）": "60",
    "在华居住地址": "示范经济技术开发区高新技术产业园创新路 6 号人才公寓 3 栋 1201 室",
    "联系电话": "13800000003",
}
CHOICES = {"性别": "女", "人员类别": "B类（专业人才）"}
#: The facts each decider gives for the certificate the approval issues (the rest come
#: from the applicant, the shared form and the issue itself).
CERTIFICATE_FACTS = {
    WORK_PERMIT: {"人员类别（A/B/C类）": "B类", "工作单位": "示范智造科技有限公司"},
    RESIDENCE: {"居留事由": "工作", "工作单位": "示范智造科技有限公司"},
}
CERTIFICATES = {WORK_PERMIT: "外国人工作许可证", RESIDENCE: "外国人居留许可"}
TITLES = {StepRole.REVIEWER: "审查员", StepRole.DECIDER: "决定人"}
#: Materials the applicant does not bring (the apply page has no file input for them).
SHARED = (MaterialSource.DEPARTMENT, MaterialSource.NOT_NEEDED)


# -- data ----------------------------------------------------------------------------------


def _tolerate_in_catalog(bundle: Bundle, item_name: str, material_name: str) -> None:
    """Publish a new version of ``item_name`` in which ``material_name`` may be tolerated.

    The demo bundle has no tolerable material the applicant brings: its only one,
    境外人员体检证明, is shared by a department and, merged with the residence permit's
    non-tolerable copy, is not tolerable in the bundle."""
    item = next(
        entry.item
        for entry in bundle.bundle_items.select_related("item")
        if entry.item.versions.filter(status=VersionStatus.PUBLISHED, name=item_name).exists()
    )
    draft = item_draft(item=item, actor=None)
    rows = []
    for row in draft.materials.order_by("position"):
        values = {f: getattr(row, f) for f in MATERIAL_FIELDS if f not in ("template", "sample")}
        if row.name == material_name:
            assert row.required and row.source == MaterialSource.APPLICANT, row
            values["tolerable"] = True
        rows.append(values)
    assert any(row["tolerable"] for row in rows if row["name"] == material_name)
    item_draft_update(version=draft, materials=rows, actor=None)
    item_publish(version=draft, actor=None)


def _department_staff(bundle: Bundle) -> dict[tuple[str, str], str]:
    """A reviewer and a decider in each department whose steps the bundle's items run
    (the demo staffs only 市场监管): {(item name, role): username}."""
    guide = catalog_selectors.bundle_guide(zone=bundle.zone, code=bundle.code)
    people = {}
    for version in guide.versions:
        for step in Step.objects.filter(
            version=version, role__in=[StepRole.REVIEWER, StepRole.DECIDER]
        ).select_related("department"):
            department = step.department or version.department
            holder = (
                RoleAssignment.objects.filter(role=step.role, department=department)
                .select_related("user")
                .first()
            )
            if holder is not None:  # a demo login: its password is the demo's
                people[(version.name, step.role)] = holder.user.username
                continue
            user = staff_create(
                zone=bundle.zone,
                username=f"{step.role}-{department.code.lower()}",
                password=PASSWORD,
                display_name=department.short_name + TITLES[step.role],
                roles=[step.role],
                department=department,
            )
            people[(version.name, step.role)] = user.username
    return people


@pytest.fixture
def demo(transactional_db):
    reset_calendar_cache()
    org_data.load()
    catalog_data.load()
    bundle = Bundle.objects.get(name=BUNDLE, status=VersionStatus.PUBLISHED)
    _tolerate_in_catalog(bundle, WORK_PERMIT, TOLERATED)
    guide = catalog_selectors.bundle_guide(zone=bundle.zone, code=bundle.code)
    assert [version.name for version in guide.versions] == [WORK_PERMIT, RESIDENCE]
    key_generate(zone=bundle.zone)  # approvals issue signed e-certificates
    produced = {version.certificate_type_id for version in guide.versions}
    yield {
        "bundle": bundle,
        # what the applicant brings: not shared, not issued by the bundle's own items
        "materials": [line for line in guide.materials if line.certificate_type_id not in produced],
        "staff": _department_staff(bundle),
    }
    reset_calendar_cache()


@pytest.fixture
def sign_in(signed_in):
    """sign_in(username) → a page of a fresh Chinese browser, a demo user signed in."""
    return functools.partial(signed_in, password=PASSWORD)


@pytest.fixture
def pdf(tmp_path):
    """pdf(name) → the path of a real one-page PDF called ``name``.pdf."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=(420, 595))
    document.drawString(60, 520, "OneWindow browser test: an applicant's material")
    document.showPage()
    document.save()
    content = buffer.getvalue()

    def make(name: str) -> Path:
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(content)
        return path

    return make


# -- helpers -------------------------------------------------------------------------------


def submit(page: Page, button) -> None:
    """Press a form's button, wait for the page that answers, and fail on a refusal."""
    with page.expect_navigation():
        button.click()
    error = page.locator("#action-error, .error-summary")
    assert error.count() == 0, error.first.inner_text()


def go_home(page: Page) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的工作台").click()
    page.wait_for_url("**/home/")


def open_from_home(page: Page, link: str, url: str) -> None:
    """Open a desk from the main navigation (it is also a button on the home page)."""
    go_home(page)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=link, exact=True).click()
    page.wait_for_url(url)


def inbox_row(page: Page, number: str):
    return page.locator("#tasks tbody tr").filter(
        has=page.get_by_role("link", name=number, exact=True)
    )


def claim(page: Page, number: str, task: str) -> None:
    """On the inbox, claim the task of case ``number``: lands on that case's page."""
    row = inbox_row(page, number)
    expect(row).to_contain_text(task)
    expect(row).to_contain_text("待签收")
    submit(page, row.get_by_role("button", name=f"签收 {number} {task}"))
    assert page.url.endswith(f"/cases/{number}/"), page.url
    expect(page.get_by_role("status")).to_contain_text(f"已签收“{task}”")


def find_case(page: Page, number: str) -> None:
    """Open case ``number`` through the staff header's case-number box."""
    box = page.get_by_role("search", name="办件号查询").get_by_role("searchbox", name="办件编号")
    box.fill(number)
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith(f"/cases/{number}/"), page.url


def task_panel(page: Page, task: str):
    return page.locator("#actions").get_by_role("region", name=f"我的任务：{task}")


def case_status(page: Page):
    return page.locator(".case-head .status")


# -- the test ------------------------------------------------------------------------------


def test_foreigner_bundle_from_online_application_to_unified_delivery(demo, sign_in, pdf, tmp_path):
    bundle = demo["bundle"]
    staff = demo["staff"]
    to_upload = [
        line.name for line in demo["materials"] if line.required and line.source not in SHARED
    ]
    assert TOLERATED in to_upload
    to_upload.remove(TOLERATED)

    # 1. The enterprise finds the bundle's guide and applies online: the form, and every
    #    required file but the tolerable one.
    applicant = sign_in("enterprise")
    applicant.get_by_role("navigation", name="主导航").get_by_role("link", name="办事指南").click()
    applicant.wait_for_url("**/items/")
    applicant.get_by_label("事项名称或拼音").fill("外国人")
    applicant.get_by_role("button", name="查询").click()
    applicant.wait_for_url("**/items/?*")
    applicant.locator("#bundles").get_by_role("link", name=BUNDLE).click()
    applicant.wait_for_url(f"**/bundles/{bundle.code}/")
    expect(applicant.locator("h1")).to_have_text(BUNDLE)
    applicant.get_by_role("link", name="在线申请").click()
    applicant.wait_for_url(f"**/apply/bundles/{bundle.code}/")
    expect(applicant.get_by_role("radio", name=re.compile("示范智造科技有限公司"))).to_be_checked()
    for label, value in FORM.items():
        applicant.get_by_label(re.compile(f"^{re.escape(label)}( 必填)?$")).fill(value)
    for label, option in CHOICES.items():
        applicant.get_by_label(re.compile(f"^{re.escape(label)}( 必填)?$")).select_option(option)
    tolerable = applicant.locator(".material-input").filter(has_text=TOLERATED)
    expect(tolerable.locator(".badge--tolerable")).to_have_text("可容缺")
    expect(applicant.locator("input[type=file]")).to_have_count(len(to_upload) + 1)
    for name in to_upload:
        applicant.get_by_label(f"选择文件：{name}", exact=True).set_input_files(pdf(name))
    submit(applicant, applicant.get_by_role("button", name="提交申请"))
    applicant.wait_for_url("**/apply/done/*/")
    expect(applicant.get_by_role("heading", name="申请已提交")).to_be_visible()
    number = applicant.locator("#case-number").inner_text()
    code = applicant.locator("#query-code").inner_text()
    assert re.fullmatch(r"SFQ-\d{4}-\d{7}", number), number
    assert re.fullmatch(r"[A-Z0-9]{8}", code), code
    missing = applicant.get_by_role("region", name="以下必要材料尚未上传")
    expect(missing.get_by_role("listitem")).to_have_count(1)
    expect(missing.get_by_role("listitem")).to_contain_text(TOLERATED)
    expect(applicant.locator(".done__children li")).to_have_count(2)
    screenshot(applicant, tmp_path / "apply-done.png")
    parent = Case.objects.get(number=number)
    assert parent.query_code == code
    children = {child.title: child for child in parent.children.order_by("pk")}
    assert set(children) == {WORK_PERMIT, RESIDENCE}
    work, residence = children[WORK_PERMIT], children[RESIDENCE]

    # 2. The window clerk finds it in the pre-review queue and accepts it with 容缺.
    clerk = sign_in("clerk")
    open_from_home(clerk, "窗口工作台", "**/desk/")
    queue = clerk.get_by_role("region", name=re.compile("^待我预审"))
    row = queue.locator("tbody tr").filter(has=clerk.get_by_role("link", name=number, exact=True))
    expect(row).to_contain_text(BUNDLE)
    expect(row).to_contain_text("已提交")
    screenshot(clerk, tmp_path / "clerk-desk.png")
    row.get_by_role("link", name=number, exact=True).click()
    clerk.wait_for_url(re.compile(rf"/cases/{number}/\?from=queue%3Dpre_review$"))
    accept = clerk.locator("#form-accept")
    accept.get_by_role("radio", name="容缺受理").check()
    tolerated = accept.get_by_role("group", name="容缺材料")
    expect(tolerated.get_by_role("checkbox")).to_have_count(1)
    tolerated.get_by_role("checkbox", name=TOLERATED).check()
    due_on = accept.get_by_label("容缺补齐期限")
    expect(due_on).not_to_have_value("")  # the default, kept
    due = due_on.input_value()
    submit(clerk, accept.get_by_role("button", name="受理并开始计时"))
    # the queue is empty now: back on it, told what was done; the number box opens the case
    clerk.wait_for_url("**/desk/?queue=pre_review#queue")
    expect(clerk.get_by_role("status")).to_contain_text(f"{number}：已受理")
    find_case(clerk, number)
    expect(case_status(clerk)).to_contain_text("审查中")  # the children are in review
    notices = clerk.get_by_role("region", name="文书")
    expect(notices.get_by_role("link", name="受理通知书（PDF）")).to_have_attribute(
        "href", f"/cases/{number}/notices/acceptance.pdf"
    )
    materials = clerk.get_by_role("region", name="申请材料")
    expect(materials.locator("tbody tr").filter(has_text=TOLERATED)).to_contain_text("容缺待补")
    parent.refresh_from_db()
    assert parent.tolerance_due_on.isoformat() == due

    # 3. Both departments review at the same time: A claims, B claims, A and B complete.
    reviewer_a = sign_in(staff[(WORK_PERMIT, Role.REVIEWER)])
    reviewer_b = sign_in(staff[(RESIDENCE, Role.REVIEWER)])
    open_from_home(reviewer_a, "待办任务", "**/inbox/")
    expect(inbox_row(reviewer_a, residence.number)).to_have_count(0)  # not A's department
    screenshot(reviewer_a, tmp_path / "reviewer-inbox.png")
    claim(reviewer_a, work.number, "审查")
    open_from_home(reviewer_b, "待办任务", "**/inbox/")
    expect(inbox_row(reviewer_b, work.number)).to_have_count(0)
    claim(reviewer_b, residence.number, "审查")
    for page in (reviewer_a, reviewer_b):
        panel = task_panel(page, "审查")
        panel.get_by_label("审查意见").fill("材料齐全，符合法定形式，同意。")
        submit(page, panel.get_by_role("button", name="同意，提交下一环节"))
        expect(page.get_by_role("status")).to_contain_text("“审查”已完成")

    # 3b. The applicant brings the tolerated material to the window on paper; the clerk
    #     receives it (the certificates are issued only once it is in: 容缺 by default).
    row = materials.locator("tbody tr").filter(has_text=TOLERATED)
    submit(clerk, row.get_by_role("button", name="收取纸质材料"))
    expect(clerk.get_by_role("status")).to_contain_text(f"已收取纸质材料：{TOLERATED}")
    expect(materials.locator("tbody tr").filter(has_text=TOLERATED)).to_contain_text("补齐于")

    # 4. Each department's decider approves.
    for child, task in ((work, "决定"), (residence, "签发")):
        decider = sign_in(staff[(child.title, Role.DECIDER)])
        open_from_home(decider, "待办任务", "**/inbox/")
        claim(decider, child.number, task)
        panel = task_panel(decider, task)
        panel.get_by_role("radio", name="准予许可").check()
        facts = panel.get_by_role(
            "group", name=f"准予许可时签发电子证照：{CERTIFICATES[child.title]}"
        )
        expect(facts.get_by_label("工作单位")).to_have_value("")
        if child.title == WORK_PERMIT:
            expect(facts.get_by_label("职务")).to_have_value("研发总监")  # from the form
        for label, value in CERTIFICATE_FACTS[child.title].items():
            facts.get_by_label(label, exact=True).fill(value)
        submit(decider, panel.get_by_role("button", name="确认决定"))
        expect(decider.get_by_role("status")).to_contain_text("已作出决定：准予许可")
        expect(decider.get_by_role("status")).to_contain_text(
            f"已签发电子证照《{CERTIFICATES[child.title]}》"
        )
        expect(case_status(decider)).to_contain_text("准予许可")

    # 5. The clerk delivers the bundle (统一出件) from the desk.
    open_from_home(clerk, "窗口工作台", "**/desk/")
    clerk.get_by_role("navigation", name="工作队列").get_by_role("link", name="待出件").click()
    deliveries = clerk.get_by_role("region", name=re.compile("^待出件"))
    deliveries.get_by_role("link", name=number, exact=True).click()
    clerk.wait_for_url(re.compile(rf"/cases/{number}/\?from=queue%3Ddelivery$"))
    panel = task_panel(clerk, "统一出件")
    expect(panel.get_by_role("heading", name="统一出件", exact=True)).to_be_visible()
    panel.get_by_label("送达说明").fill("申请人到统一出件窗口领取工作许可证和居留许可。")
    submit(clerk, panel.get_by_role("button", name="确认统一出件，办结"))
    expect(clerk.get_by_role("status")).to_contain_text("已送达，办件办结")
    clerk.wait_for_url("**/desk/?queue=delivery#queue")  # nothing else to hand over
    find_case(clerk, number)
    expect(case_status(clerk)).to_contain_text("已办结")
    child_rows = clerk.get_by_role("region", name="一件事子件").locator("tbody tr")
    expect(child_rows).to_have_count(2)
    results = clerk.get_by_role("region", name="办理结果")
    for name in CERTIFICATES.values():
        expect(results.locator(".cert-card").filter(has_text=name)).to_contain_text("有效")
    for index in range(2):
        expect(child_rows.nth(index)).to_contain_text("已办结")
    # nothing left to do
    expect(clerk.get_by_role("button", name="确认统一出件，办结")).to_have_count(0)
    screenshot(clerk, SCREENSHOT)

    # 6. What the pages showed is what the database holds.
    parent.refresh_from_db()
    assert parent.status == CaseStatus.DELIVERED
    assert parent.on_time is not None
    supplied = parent.materials.get(name=TOLERATED)
    assert supplied.state != MaterialState.TOLERATED and supplied.supplemented_at is not None
    for child in parent.children.all():
        assert child.status == CaseStatus.DELIVERED, child.number
        assert child.decision == "approved", child.number
    assert audit_verify().ok
