"""The window clerk's working day in a real browser (Debian's Chromium through Playwright):
the case-number box in the staff header, and the clicks the commonest action takes
(accept a complete online application, from the open desk).

Clicks measured the same way on the desk before the queues (main at d9118b8): two for one
application (open it, accept it), and the clerk then stayed on the accepted case, so each
further application took a click back to the desk too: three per application in a run.
Now: two for the first, one for each next application of the queue (the next case opens).

Screenshots: the desk is ``docs/screenshots/clerk-desk.png`` (committed, in the README);
the case page with the pre-review goes to the test's ``tmp_path``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from onewindow.cases.constants import CaseStatus
from onewindow.cases.models import Case
from onewindow.cases.services import case_request_correction
from onewindow.testing.browser import (
    ARTIFACTS,
    PHONE,
    SCREENSHOTS,
    horizontal_overflow,
    screenshot,
)

pytestmark = [pytest.mark.browser]

#: The most clicks accepting a complete online application may take, from the open desk.
MOST_CLICKS = 3


@pytest.fixture
def desk_world(transactional_db, world):
    return world


class Clicks:
    """Clicks made through it, counted (typing and waiting are not clicks)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def __call__(self, locator, *, navigates: bool = True) -> None:
        self.count += 1
        if navigates:
            with self.page.expect_navigation():
                locator.click()
        else:
            locator.click()


def lookup_box(page: Page):
    return page.get_by_role("search", name="办件号查询").get_by_role("searchbox", name="办件编号")


def test_the_clerk_finds_a_case_by_number_from_the_navigation_box(desk_world, signed_in):
    world = desk_world
    case = world.submit()
    page = signed_in(world.clerk.username)
    page.wait_for_url("**/desk/")
    # typed in short (the sequence alone) and in full-width, from any staff page
    sequence = str(int(case.number.rsplit("-", 1)[1]))
    box = lookup_box(page)
    box.fill(sequence)
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith(f"/cases/{case.number}/"), page.url
    expect(page.locator(".case-head .case-number")).to_have_text(case.number)
    full_width = case.number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-SFQ"})
    lookup_box(page).fill(full_width)
    with page.expect_navigation():
        page.get_by_role("search", name="办件号查询").get_by_role("button", name="查办件").click()
    assert page.url.endswith(f"/cases/{case.number}/"), page.url
    # a scanned QR code of the acceptance notice: the progress page's address
    page.goto(page.url.split("/cases/")[0] + "/inbox/")
    lookup_box(page).fill(f"https://zwfw.example.gov.cn/track/?number={case.number}&code=X")
    with page.expect_navigation():
        lookup_box(page).press("Enter")
    assert page.url.endswith(f"/cases/{case.number}/"), page.url
    # an unknown number: back on the page the clerk was on, told so
    lookup_box(page).fill("SFQ-2026-9999999")
    with page.expect_navigation():
        lookup_box(page).press("Enter")
    assert page.url.endswith(f"/cases/{case.number}/"), page.url
    expect(page.get_by_role("status")).to_contain_text("未找到办件：SFQ-2026-9999999")


def test_accepting_a_complete_online_application_takes_at_most_three_clicks(
    desk_world, signed_in, tmp_path
):
    world = desk_world
    first = world.submit()  # online, every material uploaded
    second = world.submit()
    waiting = world.submit(skip=("营业场所证明",))
    case_request_correction(case=waiting, actor=world.clerk, items=["营业场所证明：未提交"])
    world.submit(world.other_item)
    world.decided()
    page = signed_in(world.clerk.username)
    page.wait_for_url("**/desk/")  # the clerk's landing page: the desk is open
    queue = page.locator("#queue")
    expect(queue.locator("tbody tr")).to_have_count(3)
    expect(page.get_by_role("navigation", name="工作队列")).to_contain_text("待申请人补正 1")
    screenshot(page, SCREENSHOTS / "clerk-desk.png")

    click = Clicks(page)
    # 1: open the oldest application of 待我预审
    click(queue.get_by_role("link", name=first.number, exact=True))
    expect(page.locator(".case-head .case-number")).to_have_text(first.number)
    screenshot(page, ARTIFACTS / "case-pre-review.png")
    # 2: accept it (正常受理 is preselected)
    click(page.get_by_role("button", name="受理并开始计时"))

    assert click.count <= MOST_CLICKS
    print(f"clicks to accept a complete online application from the desk: {click.count}")
    assert Case.objects.get(pk=first.pk).status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)
    # and the clerk is on the next application of the same queue, told what happened
    expect(page.locator(".case-head .case-number")).to_have_text(second.number)
    expect(page.get_by_role("status")).to_contain_text(f"{first.number}：已受理")
    expect(page.locator(".desk-next")).to_contain_text(f"上一件 {first.number}")
    expect(
        page.locator(".desk-next").get_by_role("link", name=re.compile("受理通知书"))
    ).to_have_count(1)
    # the next application of the run takes one click: the desk is not visited in between
    click(page.get_by_role("button", name="受理并开始计时"))
    assert click.count == 3
    assert Case.objects.get(pk=second.pk).status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)
    expect(page.locator(".desk-next")).to_contain_text(f"上一件 {second.number}")


def test_pre_review_drafts_the_correction_notice_in_the_browser(desk_world, signed_in):
    world = desk_world
    case = world.submit(skip=("营业场所证明",))
    page = signed_in(world.clerk.username)
    page.wait_for_url("**/desk/")
    click = Clicks(page)
    click(page.locator("#queue").get_by_role("link", name=case.number, exact=True))
    row = page.locator("#materials tbody tr").filter(has_text="申请表")
    row.get_by_label("不通过", exact=True).check()
    row.get_by_label("不通过原因").fill("未加盖公章")
    click(page.get_by_role("button", name="保存预审结论"))
    notice = page.get_by_label("补正内容（每行一项）")
    expect(notice).to_be_visible()
    expect(notice).to_have_value("申请表：未加盖公章\n营业场所证明：未提交")
    notice.fill("申请表：未加盖公章，请盖章后重新上传\n营业场所证明：未提交")
    click(page.get_by_role("button", name="发出补正告知"))
    page.wait_for_url("**/desk/?queue=pre_review#queue")
    expect(page.get_by_role("status")).to_contain_text(f"{case.number}：已一次性告知补正内容")
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION_REQUESTED
    assert case.correction_items[0] == "申请表：未加盖公章，请盖章后重新上传"


def test_the_box_and_the_desk_fit_a_phone(desk_world, signed_in):
    world = desk_world
    world.submit()
    page = signed_in(world.clerk.username, viewport=PHONE)
    page.wait_for_url("**/desk/")
    expect(lookup_box(page)).to_be_visible()
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    screenshot(page, ARTIFACTS / "clerk-desk-phone.png")
    assert horizontal_overflow(page) <= 0
