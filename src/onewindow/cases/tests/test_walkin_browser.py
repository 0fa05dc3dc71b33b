"""A walk-in in a real browser (Debian's Chromium through Playwright), in Chinese.

A window clerk serves an enterprise that was never registered: on the walk-in page
(``/desk/new/``) the search finds nobody, the registration opens below it, a wrong check
character is refused next to the field, the corrected USCC registers the enterprise and
the page comes back with it chosen; the clerk picks the item, registers the application,
recording the agent who came with a written authorisation (经办人), receives the paper
material and accepts the case; the case page shows the agent, the number masked. The
walk-in page after registration is ``docs/screenshots/desk-walk-in.png``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from onewindow.cases.constants import CaseChannel, CaseStatus
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import PDF_BYTES
from onewindow.core.audit import AuditAction
from onewindow.core.models import AuditEvent
from onewindow.demo.org_data import demo_uscc
from onewindow.org.models import Applicant
from onewindow.testing.browser import SCREENSHOTS, screenshot
from onewindow.testing.calendar import reset_calendar_cache

pytestmark = [pytest.mark.browser]

USCC = demo_uscc("91", 7401)
AGENT_ID = "11010519491231002X"
NAME = "新开智造(苏州)有限公司"  # typed with half-width brackets, stored full-width


@pytest.fixture
def browser_world(transactional_db, world):
    reset_calendar_cache()
    yield world
    reset_calendar_cache()


def submit(page: Page, button) -> None:
    with page.expect_navigation():
        button.click()


def test_a_clerk_registers_a_walk_in_enterprise_and_accepts_its_application(
    browser_world, signed_in, live_server, tmp_path
):
    world = browser_world
    item = world.parallel  # 建设工程消防验收: one material, 申请表
    page = signed_in(world.clerk.username)
    page.goto(live_server.url + "/desk/new/")
    who = page.get_by_role("region", name="1. 申请人")

    # 1. the search finds nobody; the registration is offered right there
    who.get_by_label("申请人名称或证件号码").fill(USCC)
    submit(page, who.get_by_role("button", name="查询申请人"))
    expect(who.get_by_text("没有找到申请人")).to_be_visible()
    registration = who.locator("details#register")
    expect(registration).to_have_attribute("open", "")

    # 2. a wrong check character is named next to the USCC field
    registration.get_by_role("radio", name="企业").check()
    registration.get_by_label("名称或姓名").fill(NAME)
    wrong = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    registration.get_by_label("统一社会信用代码").fill(wrong)
    registration.get_by_label("法定代表人").fill("周敏")
    registration.get_by_label("联系电话").fill("13912345678")
    submit(page, registration.get_by_role("button", name="登记申请人"))
    field = page.locator("details#register .field--invalid")
    expect(field).to_have_count(1)
    expect(field).to_contain_text("统一社会信用代码校验位错误")
    screenshot(page, "walkin-registration-error")
    assert not Applicant.objects.filter(uscc__in=[USCC, wrong]).exists()

    # 3. corrected (typed full-width, as a Chinese input method does): registered, chosen
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in USCC)
    page.locator("details#register").get_by_label("统一社会信用代码").fill(fullwidth)
    submit(page, page.locator("details#register").get_by_role("button", name="登记申请人"))
    expect(page.get_by_role("status")).to_contain_text("已登记申请人 新开智造（苏州）有限公司")
    expect(page.locator(".walkin__chosen")).to_contain_text(USCC)
    applicant = Applicant.objects.get(uscc=USCC)
    assert applicant.name == "新开智造（苏州）有限公司"
    assert page.url.endswith(f"/desk/new/?applicant={applicant.pk}#what-title")
    screenshot(page, SCREENSHOTS / "desk-walk-in.png")

    # 4. the item: searched, chosen, the application form opens with the applicant kept
    what = page.get_by_role("region", name="2. 事项或一件事")
    what.get_by_label("事项名称、拼音或实施编码").fill("消防验收")
    submit(page, what.get_by_role("button", name="查询事项"))
    page.get_by_role("region", name="2. 事项或一件事").get_by_role("radio", name=item.name).check()
    submit(page, page.get_by_role("button", name="确定所选，填写申请表"))
    form = page.get_by_role("region", name="3. 申请表")
    expect(form).to_contain_text(applicant.name)
    expect(form).to_contain_text(item.name)
    form.get_by_label("经办人", exact=True).fill("周敏")
    # the person at the window is an agent with a written authorisation (经办人)
    agent = form.locator("details#agent")
    agent.locator("summary").click()
    agent.get_by_label("经办人姓名").fill("周敏")
    agent.get_by_label("经办人居民身份证号码").fill(AGENT_ID)
    agent.get_by_label("经办人联系电话").fill("13912345678")
    authorisation = tmp_path / "授权委托书.pdf"
    authorisation.write_bytes(PDF_BYTES)
    agent.get_by_label("授权委托书").set_input_files(authorisation)
    screenshot(page, "walkin-agent")
    submit(page, form.get_by_role("button", name="登记并提交"))
    case = Case.objects.get(applicant=applicant)
    assert page.url.split("#")[0].endswith(f"/cases/{case.number}/")
    assert (case.channel, case.status) == (CaseChannel.WINDOW, CaseStatus.SUBMITTED)

    # 5. the paper material received, the case accepted
    materials = page.get_by_role("region", name="申请材料")
    submit(page, materials.get_by_role("button", name="收取纸质材料").first)
    accept = page.locator("#form-accept")
    submit(page, accept.get_by_role("button", name="受理并开始计时"))
    expect(page.get_by_role("status")).to_contain_text("已受理")
    agent_fact = page.locator(".case-facts .facts__item").filter(has_text="经办人")
    expect(agent_fact).to_contain_text("周敏")
    expect(agent_fact).to_contain_text("1101**********002X")
    expect(page.locator("#timeline")).to_contain_text("经办人持授权委托书办理")
    assert AGENT_ID not in page.content()
    case.refresh_from_db()
    assert case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)
    assert AuditEvent.objects.filter(
        action=AuditAction.APPLICANT_ADDED, object_id=str(applicant.pk)
    ).exists()
    screenshot(page, "walkin-accepted")
