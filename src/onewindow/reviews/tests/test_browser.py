"""好差评 in a real browser (Debian's Chromium through Playwright), in Chinese.

1. On a phone (390 px wide), the applicant signs in, finds the delivered case in "my
   cases", follows 去评价 and rates it with the keyboard only (arrow keys in the level
   group, typing the comment, Enter on the button). The rating page is
   ``docs/screenshots/rating-phone.png``.
2. The window clerk shows the QR code; its image decodes (zxing) to the window link; a
   visitor without an account opens it on a phone and gives a bad rating; the
   department's reviewer rectifies it and closes it without a visit (anonymous); the
   supervisor sees it closed.

The cases are delivered now (the browser's cookies follow the real clock).
"""

from __future__ import annotations

import io

import pytest
import zxingcpp
from django.conf import settings
from PIL import Image
from playwright.sync_api import Page, expect

from onewindow.reviews import links
from onewindow.reviews.models import Channel, Rating, Rectification, RectificationStatus
from onewindow.reviews.tests.conftest import deliver_immediate
from onewindow.testing.browser import PHONE, SCREENSHOTS, screenshot
from onewindow.testing.calendar import reset_calendar_cache

pytestmark = [pytest.mark.browser]


@pytest.fixture
def browser_world(transactional_db, world):
    reset_calendar_cache()
    yield world
    reset_calendar_cache()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_the_applicant_rates_on_a_phone_with_the_keyboard(
    browser_world, signed_in, live_server, tmp_path
):
    world = browser_world
    case = deliver_immediate(world, None)
    page = signed_in(world.applicant_user.username, PHONE, has_touch=True, is_mobile=True)

    page.goto(live_server.url + "/my/cases/")
    row = page.locator("tbody tr").filter(has_text=case.number)
    row.get_by_role("link", name=f"去评价：{case.title}").click()
    page.wait_for_url(f"**/rate/{case.number}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("服务评价")
    group = page.get_by_role("group", name="您对本次服务的评价")
    expect(group.get_by_role("radio")).to_have_count(5)
    no_sideways_scroll(page)

    # the keyboard only: into the group, arrow down to 满意, Tab to the comment
    group.get_by_role("radio", name="非常满意").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(group.get_by_role("radio", name="满意", exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    comment = page.get_by_label("意见或建议（选填）")
    expect(comment).to_be_focused()
    page.keyboard.type("窗口一次办好，很方便。")
    expect(page.locator("#comment-counter")).to_have_text("还可输入 989 字")
    # each choice is a large target with its text
    box = group.get_by_text("基本满意").locator("..").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300, box
    screenshot(page, SCREENSHOTS / "rating-phone.png")

    page.get_by_role("button", name="提交评价").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/rate/thanks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("感谢您的评价")
    expect(page.get_by_role("status")).to_contain_text("满意")
    no_sideways_scroll(page)
    screenshot(page, tmp_path / "thanks-phone.png")

    rating = Rating.objects.get()
    assert (rating.case_id, rating.channel, rating.level) == (case.pk, Channel.ONLINE, 4)
    assert rating.comment == "窗口一次办好，很方便。" and rating.real_name

    page.get_by_role("link", name="返回我的办件").click()
    row = page.locator("tbody tr").filter(has_text=case.number)
    expect(row).to_contain_text("已评价")
    expect(row.get_by_role("link", name="去评价")).to_have_count(0)


def test_the_window_qr_code_a_bad_rating_and_its_rectification(
    browser_world, signed_in, open_page, live_server, tmp_path, monkeypatch
):
    world = browser_world
    monkeypatch.setattr(settings, "ONEWINDOW_PUBLIC_URL", live_server.url)
    case = deliver_immediate(world, None)

    # 1. the clerk shows the QR code; it decodes to this case's window link
    clerk = signed_in(world.clerk.username)
    clerk.goto(f"{live_server.url}/reviews/cases/{case.number}/qr/")
    image = clerk.get_by_role("img", name=f"评价二维码：{case.number}")
    expect(image).to_be_visible()
    screenshot(clerk, tmp_path / "rating-code.png")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))
    assert len(decoded) == 1
    link = decoded[0].text
    assert link.startswith(live_server.url + "/rate/t/")
    claim = links.read_rating_token(link.rstrip("/").rsplit("/", 1)[1])
    assert (claim.case_id, claim.channel) == (case.pk, Channel.WINDOW)

    # 2. a visitor without an account scans it and gives a bad rating
    visitor = open_page(viewport=PHONE, timeout=10_000, has_touch=True, is_mobile=True)
    visitor.goto(link)
    expect(visitor.get_by_text("本评价为匿名评价")).to_be_visible()
    visitor.get_by_text("不满意", exact=True).click()
    visitor.get_by_label("意见或建议（选填）").fill("排队时间太长。")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="提交评价").click()
    expect(visitor.get_by_role("status")).to_contain_text("核实整改")
    rectification = Rectification.objects.get()
    assert not rectification.rating.real_name

    # 3. the department's reviewer rectifies it and closes it without a visit
    reviewer = signed_in(world.reviewer.username)
    reviewer.goto(live_server.url + "/reviews/rectifications/")
    expect(reviewer.get_by_text("剩 15 个工作日")).to_be_visible()
    screenshot(reviewer, tmp_path / "rectifications.png")
    reviewer.get_by_role("link", name=case.title).click()
    reviewer.wait_for_url(f"**/reviews/rectifications/{rectification.pk}/")
    reviewer.get_by_label("核实情况").fill("经调取叫号记录核实，高峰时段等候较久属实。")
    reviewer.get_by_label("整改措施").fill("高峰时段增开一个综合窗口。")
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="登记整改").click()
    expect(reviewer.get_by_role("status")).to_contain_text("已登记整改情况")
    reviewer.get_by_label("未回访理由").fill("匿名扫码评价，无法确定评价人；整改措施已在大厅公示。")
    screenshot(reviewer, tmp_path / "rectification.png")
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="不回访办结").click()
    expect(reviewer.get_by_role("status")).to_contain_text("已办结")
    assert Rectification.objects.get().status == RectificationStatus.CLOSED

    # 4. the supervisor sees it closed
    supervisor = signed_in(world.supervisor.username)
    supervisor.goto(live_server.url + "/reviews/supervision/")
    expect(supervisor.locator(".rectifications")).to_have_count(0)  # none pending
    supervisor.get_by_label("状态").select_option("closed")
    with supervisor.expect_navigation():
        supervisor.get_by_role("button", name="筛选").click()
    expect(supervisor.locator(".rectifications")).to_contain_text(case.number)
    screenshot(supervisor, tmp_path / "supervision.png")
    print("screenshots in", tmp_path)
