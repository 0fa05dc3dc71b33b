"""The catalog's pages in a real browser (Debian's Chromium through Playwright): search
"外国人", open the bundle guide, read an item guide, print them.

Screenshots land in ``test-artifacts/`` (not committed) for a person to look at.
"""

from __future__ import annotations

import re

import pytest

from onewindow.catalog.constants import OnlineDepth, StepKind, StepRole
from onewindow.catalog.tests.factories import (
    make_bundle,
    make_certificate_type,
    make_item,
    material,
)
from onewindow.demo import org_data
from onewindow.org.models import Department, Window
from onewindow.testing.browser import ARTIFACTS, PHONE, horizontal_overflow, screenshot
from onewindow.testing.calendar import reset_calendar_cache

pytestmark = [pytest.mark.browser]


def steps(*stages) -> list[dict]:
    """Steps from (key, name, kind, role, days, after) tuples."""
    return [
        {"key": key, "name": name, "kind": kind, "role": role, "limit_days": days, "after": after}
        for key, name, kind, role, days, after in stages
    ]


@pytest.fixture
def catalog(transactional_db):
    """The demo zone's organisation with 外国人来华工作一件事 and its two items."""
    reset_calendar_cache()
    org_data.load()
    department = {d.code: d for d in Department.objects.all()}
    foreigner_window = Window.objects.get(code="A03")
    passport = make_certificate_type(code="11100000MB0000002B001", name="护照")
    work_permit = make_certificate_type(code="11100000MB0000003C001", name="外国人工作许可证")
    work = make_item(
        department["XZSPJ"].zone,
        department["KJJ"],
        name="外国人来华工作许可",
        legal_limit_days=20,
        promised_limit_days=5,
        legal_basis="《中华人民共和国出境入境管理法》；《外国人在中国就业管理规定》",
        legal_citations=["《中华人民共和国出境入境管理法》第四十一条"],
        acceptance_conditions="用人单位依法设立；申请人年满18周岁，身体健康，无犯罪记录，"
        "具有从事其工作所必需的专业技能或相适应的工作经历。",
        result_name="外国人工作许可证",
        certificate_type=work_permit,
        windows=[foreigner_window],
        materials=[
            material("外国人来华工作许可申请表", originals=1),
            material("护照", source="certificate", certificate_type=passport, originals=0),
            material("工作资历证明", originals=1, commitment_allowed=True),
            material("最高学位（学历）证书", copies=1),
            material("无犯罪记录证明", originals=1, tolerable=True),
            material("体检证明", originals=1, tolerable=True),
            material("聘用合同", copies=1),
            material("近6个月内正面免冠照片", originals=1),
        ],
        steps=steps(
            ("accept", "受理", StepKind.ACCEPTANCE, StepRole.WINDOW_CLERK, 1, []),
            ("review", "审查", StepKind.REVIEW, StepRole.REVIEWER, 2, ["accept"]),
            ("decide", "决定", StepKind.DECISION, StepRole.DECIDER, 1, ["review"]),
            ("deliver", "制证送达", StepKind.DELIVERY, StepRole.WINDOW_CLERK, 1, ["decide"]),
        ),
    )
    residence = make_item(
        department["XZSPJ"].zone,
        department["GACRJ"],
        name="外国人居留许可",
        item_type="20",
        legal_limit_days=15,
        promised_limit_days=7,
        required_visits=1,
        online_depth=OnlineDepth.ONE_VISIT,
        legal_basis="《中华人民共和国出境入境管理法》；《中华人民共和国外国人入境出境管理条例》",
        legal_citations=["《中华人民共和国出境入境管理法》第三十条"],
        result_name="外国人居留许可",
        acceptance_conditions="已取得外国人工作许可，在本区工作；持有效护照和工作类签证，"
        "已办理境外人员住宿登记。",
        windows=[foreigner_window],
        materials=[
            material("外国人居留许可申请表", originals=1),
            material("护照", source="certificate", certificate_type=passport, originals=0),
            material(
                "外国人工作许可证", source="certificate", certificate_type=work_permit, originals=0
            ),
            material(
                "境外人员住宿登记表",
                source="department",
                source_department=department["GACRJ"],
                originals=0,
            ),
            material("近6个月内正面免冠照片", originals=1),
        ],
        steps=steps(
            ("accept", "受理", StepKind.ACCEPTANCE, StepRole.WINDOW_CLERK, 1, []),
            ("review", "材料审查", StepKind.REVIEW, StepRole.REVIEWER, 3, ["accept"]),
            ("check", "住宿登记核验", StepKind.INSPECTION, StepRole.REVIEWER, 2, ["accept"]),
            ("decide", "审批决定", StepKind.DECISION, StepRole.DECIDER, 1, ["review", "check"]),
            ("deliver", "制证送达", StepKind.DELIVERY, StepRole.WINDOW_CLERK, 2, ["decide"]),
        ),
    )
    make_bundle(
        department["XZSPJ"].zone,
        department["XZSPJ"],
        items=[work.item, residence.item],
        code="foreigner-work",
        name="外国人来华工作一件事",
        promised_limit_days=4,
        required_visits=1,
        publish=True,
    )
    yield {"work": work, "residence": residence}
    reset_calendar_cache()


def test_search_foreigner_and_open_the_bundle_guide(catalog, open_page):
    # given the portal, an applicant types into its search box
    page = open_page("/")
    page.get_by_label("查找办事指南").fill("外国人")
    page.keyboard.press("Enter")
    page.wait_for_url("**/items/?q=*")
    # then the bundle comes first, in its own section, and the items follow
    bundles = page.locator("#bundles")
    assert bundles.is_visible()
    assert page.locator("#items").get_by_role("link", name="外国人居留许可").is_visible()
    screenshot(page, "catalog-search")
    # when the bundle is opened
    bundles.get_by_role("link", name="外国人来华工作一件事").click()
    page.wait_for_url("**/bundles/foreigner-work/")
    assert page.locator("h1").inner_text() == "外国人来华工作一件事"
    # then the merged material list and the flow are on the page
    materials = page.locator("#materials")
    assert materials.is_visible()
    assert materials.get_by_role("heading", name="申请材料").is_visible()
    passport_row = materials.locator("tr", has_text="护照")
    assert passport_row.count() == 1  # asked once for both items
    assert "只交一次" in passport_row.inner_text()
    flow = page.locator("#flow")
    assert flow.is_visible()
    assert page.locator(".lane").count() == 2
    assert flow.get_by_text("住宿登记核验").is_visible()
    assert "少跑 1 次" in page.locator("#savings").inner_text()
    assert "节省 8 个工作日" in page.locator("#savings").inner_text()
    screenshot(page, "catalog-bundle-guide")

    # the item guide, reached from the bundle's item list
    page.locator("#items").get_by_role("link", name="外国人居留许可").click()
    page.wait_for_url("**/items/*/")
    assert page.locator("h1").inner_text() == "外国人居留许可"
    assert page.locator("#flow .flow__stage").count() == 4
    assert "2 个环节同时进行" in page.locator("#flow").inner_text()
    screenshot(page, "catalog-item-guide")


def test_guides_print_cleanly(catalog, open_page):
    code = catalog["work"].item.implementation_code
    page = open_page(f"/items/{code}/")
    page.emulate_media(media="print")
    assert page.locator(".site-nav").is_hidden()
    assert page.locator(".language").is_hidden()
    assert page.locator(".guide__toc").is_hidden()
    assert page.locator(".guide__address").is_visible()  # the guide's own address, on paper
    assert page.locator("#materials").evaluate("e => getComputedStyle(e).breakBefore") == "page"
    screenshot(page, "catalog-item-guide-print")
    # on A4 paper the material list and the flow each start a page
    pdf = page.pdf(path=str(ARTIFACTS / "catalog-item-guide.pdf"), format="A4")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 3, pages

    page = open_page("/bundles/foreigner-work/")
    page.emulate_media(media="print")
    assert page.locator(".site-nav").is_hidden()
    item_link = page.locator("#items a").first
    assert "http" in item_link.evaluate("e => getComputedStyle(e, '::after').content")
    screenshot(page, "catalog-bundle-guide-print")


def test_filters_by_keyboard_and_bad_input_beside_the_field(catalog, open_page):
    page = open_page("/items/")
    page.focus("#id_q")
    page.keyboard.type("许可")
    page.keyboard.press("Tab")  # to the department select
    assert page.evaluate("document.activeElement.id") == "id_department"
    page.select_option("#id_department", label="公安分局出入境管理大队")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    items = page.locator("#items")
    assert items.get_by_role("link", name="外国人居留许可").is_visible()
    assert items.get_by_role("link", name="外国人来华工作许可").count() == 0

    page = open_page("/items/?department=NOPE")
    error = page.locator("#id_department_error")
    assert "实施部门：“NOPE”不是本区的部门" in error.inner_text()
    assert page.locator("#id_department").get_attribute("aria-invalid") == "true"


def test_catalog_pages_fit_a_phone(catalog, open_page):
    code = catalog["residence"].item.implementation_code
    for path in ["/items/?q=外国人", f"/items/{code}/", "/bundles/foreigner-work/"]:
        page = open_page(path, viewport=PHONE)
        assert horizontal_overflow(page) <= 0, path
    screenshot(page, "catalog-bundle-guide-phone")
