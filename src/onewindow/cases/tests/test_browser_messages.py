"""An applicant is told in 我的消息, in a real browser (Debian's Chromium through Playwright):
the window clerk accepts the online application on the case page, the decider approves it
from the task inbox, and the applicant, signed in, sees the unread count in the header,
opens 我的消息 and finds the acceptance and the decision there (newest first), follows a
message to the case and marks everything read.

Screenshot: ``docs/screenshots/applicant-messages.png`` (committed).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from onewindow.cases.services import task_claim, task_complete
from onewindow.cases.tests.factories import World
from onewindow.testing.browser import PHONE, SCREENSHOTS, horizontal_overflow, screenshot

pytestmark = [pytest.mark.browser]

SCREENSHOT = SCREENSHOTS / "applicant-messages.png"


@pytest.fixture
def browser_world(transactional_db, world: World) -> World:
    return world


def submit(page: Page, button) -> None:
    """Press a form's button, wait for the page that answers, and fail on a refusal."""
    with page.expect_navigation():
        button.click()
    expect(page.locator("#action-error, .error-summary")).to_have_count(0)


def test_an_applicant_sees_the_acceptance_and_the_decision_in_my_messages(
    browser_world: World, signed_in, live_server
):
    world = browser_world
    case = world.submit()
    number = case.number

    # 1. The clerk accepts it on the case page.
    clerk = signed_in("w_clerk")
    clerk.goto(live_server.url + f"/cases/{number}/")
    accept = clerk.locator("#form-accept")
    submit(clerk, accept.get_by_role("button", name="受理并开始计时"))
    expect(clerk.get_by_role("status")).to_contain_text("已受理")

    # 2. The reviewer completes the review; the decider approves from the task inbox.
    review = world.task(case, "review")
    task_claim(task=review, actor=world.reviewer)
    task_complete(task=review, actor=world.reviewer, comment="材料齐全")
    decider = signed_in("w_decider")
    decider.get_by_role("navigation", name="主导航").get_by_role("link", name="待办任务").click()
    decider.wait_for_url("**/inbox/")
    row = decider.locator("#tasks tbody tr").filter(
        has=decider.get_by_role("link", name=number, exact=True)
    )
    submit(decider, row.get_by_role("button", name=re.compile(f"^签收 {number}")))
    panel = decider.locator("#actions").get_by_role("region", name=re.compile("^我的任务"))
    panel.get_by_role("radio", name="准予许可").check()
    submit(decider, panel.get_by_role("button", name="确认决定"))
    expect(decider.get_by_role("status")).to_contain_text("已作出决定：准予许可")

    # 3. The applicant sees the count in the header and opens 我的消息.
    applicant = signed_in("w_applicant")
    link = applicant.locator(".account__messages")
    expect(link.locator(".account__unread")).to_have_text(
        re.compile(r"^4")
    )  # 提交 受理 准予 待领取
    link.click()
    applicant.wait_for_url("**/notifications/")
    items = applicant.locator(".notification")
    expect(items).to_have_count(4)
    expect(applicant.locator(".notification--unread")).to_have_count(4)
    titles = applicant.locator(".notification__title")
    expect(titles).to_have_text(
        [
            f"办理结果待领取：{number}",
            f"准予许可：{number}",
            f"申请已受理：{number}",
            f"申请已提交：{number}",
        ]
    )
    accepted = items.filter(has_text=f"申请已受理：{number}")
    expect(accepted).to_contain_text("办结期限为")
    expect(items.filter(has_text=f"准予许可：{number}")).to_contain_text("作出准予许可的决定")
    expect(items.filter(has_text="材料齐全")).to_have_count(0)  # no staff comment
    screenshot(applicant, SCREENSHOT)

    # 4. A message leads to the case; back in 我的消息, everything is marked read.
    with applicant.expect_navigation():
        accepted.get_by_role("link", name=re.compile("查看办件")).click()
    assert applicant.url.endswith(f"/cases/{number}/"), applicant.url
    applicant.locator(".account__messages").click()
    applicant.wait_for_url("**/notifications/")
    submit(applicant, applicant.get_by_role("button", name="全部标为已读"))
    expect(applicant.locator(".notification--unread")).to_have_count(0)
    expect(applicant.locator(".account__unread")).to_have_count(0)


def test_my_messages_fits_a_phone(browser_world: World, signed_in):
    world = browser_world
    world.accepted()
    phone = signed_in("w_applicant", viewport=PHONE)
    expect(phone.locator(".account__unread")).to_have_text(re.compile(r"^2"))
    phone.locator(".account__messages").click()
    phone.wait_for_url("**/notifications/")
    expect(phone.locator(".notification")).to_have_count(2)
    screenshot(phone, "messages-phone")
    assert horizontal_overflow(phone) <= 0
