"""The 个体工商户设立登记 即办件 in a real browser (Debian's Chromium through Playwright): a
person's walk-in application waits in the desk's queue; the window clerk opens it, sees
the 营业执照's facts (名称 and 经营者 from the applicant, shown; 统一社会信用代码 and the rest
to give, pre-filled from the application form), is told beside the field what is missing,
and registers it on the spot: 准予登记, the licence issued.

Screenshot: ``test-artifacts/sole-trader-decision.png`` (the form, refused beside the field).
"""

from __future__ import annotations

import functools
import re

import pytest
from playwright.sync_api import Page, expect
from stdnum.cn import uscc

from onewindow.cases.constants import CaseStatus, Decision, MaterialState
from onewindow.cases.models import Case
from onewindow.cases.services import case_create, material_upload
from onewindow.cases.tests.factories import pdf_upload
from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.models import ItemVersion
from onewindow.certificates.keys import key_generate
from onewindow.certificates.models import Certificate
from onewindow.core.identifiers import organisation_code_check_character
from onewindow.demo import catalog_data, org_data
from onewindow.org.constants import ApplicantKind
from onewindow.org.models import Applicant, User
from onewindow.testing.browser import ARTIFACTS, screenshot
from onewindow.testing.calendar import reset_calendar_cache

pytestmark = [pytest.mark.browser]

ITEM = "个体工商户设立登记"
SCOPE = "小吃服务；预包装食品销售"


def sole_trader_uscc() -> str:
    org8 = "MA00A5X1"
    body = f"92{org_data.DIVISION}{org8}{organisation_code_check_character(org8)}"
    return body + uscc.calc_check_digit(body)


@pytest.fixture
def walk_in(transactional_db):
    """The demo person's application for the 即办件, taken at the window (submitted, its
    files in), the zone with its signing key."""
    reset_calendar_cache()
    org_data.load()
    catalog_data.load()
    version = ItemVersion.objects.get(name=ITEM, status=VersionStatus.PUBLISHED)
    key_generate(zone=version.item.zone)
    person = Applicant.objects.get(kind=ApplicantKind.PERSON, name="张明")
    clerk = User.objects.get(username="clerk")
    case = case_create(
        actor=clerk,
        applicant=person,
        item_version=version,
        form_data={"contact": "张明", "phone": "13800000002", "business_scope": SCOPE},
    )
    for row in case.materials.filter(state=MaterialState.MISSING):
        material_upload(case=case, material_id=row.pk, uploaded=pdf_upload(), actor=clerk)
    yield Case.objects.get(pk=case.pk)
    reset_calendar_cache()


@pytest.fixture
def sign_in(signed_in):
    return functools.partial(signed_in, password=org_data.DEMO_PASSWORD)


def submit(page: Page, button) -> None:
    with page.expect_navigation():
        button.click()


def test_the_sole_trader_is_registered_and_its_licence_issued_at_the_window(walk_in, sign_in):
    number = walk_in.number
    clerk = sign_in("clerk")
    clerk.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="窗口工作台", exact=True
    ).click()
    clerk.wait_for_url("**/desk/")
    queue = clerk.locator("#queue")  # 待我预审, the desk's first queue
    queue.get_by_role("link", name=number, exact=True).click()
    clerk.wait_for_url(re.compile(rf"/cases/{number}/"))  # with ?from=<the queue>

    form = clerk.locator("#form-on_the_spot")
    expect(form.get_by_role("radio", name="准予登记")).to_be_checked()
    expect(form.get_by_role("radio", name="不予登记")).to_be_visible()
    facts = form.get_by_role("group", name="准予登记时签发电子证照：营业执照（个体工商户）")
    expect(facts.get_by_label("名称", exact=True)).to_have_value("张明")
    expect(facts.get_by_label("名称", exact=True)).to_be_disabled()
    expect(facts.get_by_label("经营者")).to_have_value("张明")  # the person is the 经营者
    expect(facts.get_by_label("经营范围")).to_have_value(SCOPE)  # from the application
    expect(facts.get_by_label("统一社会信用代码")).to_have_value("")
    expect(facts.get_by_label("统一社会信用代码")).to_be_editable()

    # Without the 统一社会信用代码: refused beside it, nothing written.
    facts.get_by_label("组成形式").fill("个人经营")
    facts.get_by_label("注册日期").fill("2026-03-02")
    facts.get_by_label("经营场所").fill("示范经济技术开发区示范大道 120 号")
    submit(clerk, form.get_by_role("button", name="当场办结"))
    form = clerk.locator("#form-on_the_spot")
    facts = form.get_by_role("group", name="准予登记时签发电子证照：营业执照（个体工商户）")
    error = facts.locator(".field__error")
    expect(error).to_have_count(1)
    expect(error).to_have_text("请填写证照字段「统一社会信用代码」")
    expect(facts.get_by_label("组成形式")).to_have_value("个人经营")  # what was typed is kept
    screenshot(clerk, ARTIFACTS / "sole-trader-decision.png", full_page=True)
    assert Case.objects.get(pk=walk_in.pk).status == CaseStatus.SUBMITTED
    assert not Certificate.objects.filter(case_number=number).exists()

    # With it (typed in full-width, as an input method gives it): registered, issued.
    code = sole_trader_uscc()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    facts.get_by_label("统一社会信用代码").fill(full_width)
    submit(clerk, form.get_by_role("button", name="当场办结"))
    status = clerk.get_by_role("status")
    expect(status).to_contain_text("即办件已当场办结")
    expect(status).to_contain_text("已签发电子证照《营业执照（个体工商户）》")
    # the desk goes on with the queue; the case opens again from the number box
    box = clerk.get_by_role("search", name="办件号查询")
    box.get_by_role("searchbox", name="办件编号").fill(number)
    submit(clerk, box.get_by_role("button", name="查办件"))
    expect(clerk.locator(".case-head .status")).to_contain_text("已办结")
    results = clerk.get_by_role("region", name="办理结果")
    expect(results.locator(".cert-card").filter(has_text="营业执照")).to_contain_text("有效")

    case = Case.objects.get(pk=walk_in.pk)
    assert case.status == CaseStatus.DELIVERED and case.decision == Decision.APPROVED
    certificate = Certificate.objects.get(case_number=number)
    assert certificate.facts["holder_uscc"] == code
    assert certificate.facts["legal_representative"] == "张明"
    assert certificate.facts["business_scope"] == SCOPE
