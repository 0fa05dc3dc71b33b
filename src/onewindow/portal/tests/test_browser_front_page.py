"""The demo zone's front page in a real browser (Debian's Chromium through Playwright): it
leads with popular services, 一件事, 办件查询 and 好差评公示, the organisation below; a
colloquial search (开公司) from it finds the bundle first; on a 390 px phone nothing
overflows. Screenshots (desktop and phone) land in ``test-artifacts/``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from onewindow.testing.browser import ARTIFACTS, PHONE, horizontal_overflow, screenshot, watch
from onewindow.testing.calendar import reset_calendar_cache

pytestmark = [pytest.mark.browser]


@pytest.fixture
def demo(transactional_db):
    reset_calendar_cache()
    call_command("demo", cases=1, stdout=StringIO())
    yield
    reset_calendar_cache()


def test_front_page_leads_with_what_people_come_for(demo, open_page):
    problems: list[str] = []
    page = watch(open_page("/"), problems)
    panels = ["热门服务", "一件事一次办", "办件查询", "好差评公示", "机构与窗口"]
    headings = page.locator("main h2")
    expect(headings.first).to_be_visible()
    texts = headings.all_inner_texts()
    assert [text for text in texts if text in panels] == panels
    expect(page.locator(".popular-list li").first).to_be_visible()
    expect(page.locator(".bundle-list li")).to_have_count(5)
    expect(page.locator(".ratings-table tbody tr").first).to_be_visible()
    screenshot(page, ARTIFACTS / "portal-front.png")

    # a colloquial search from the front page: the bundle first, its item after
    page.get_by_label("查找办事指南").fill("开公司")
    with page.expect_navigation():
        page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("link", name="开办企业一件事").first).to_be_visible()
    expect(page.get_by_role("link", name="企业设立登记").first).to_be_visible()
    assert problems == []


def test_front_page_on_a_phone(demo, open_page):
    page = open_page("/", viewport=PHONE)
    expect(page.get_by_role("heading", name="热门服务")).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, ARTIFACTS / "portal-front-phone.png")

    # 办件查询 from the front page reaches the public progress page
    page.get_by_label("办件编号").fill("SFQ-2026-0000001")
    page.get_by_label("查询码").fill("WRONG1")
    with page.expect_navigation():
        page.get_by_role("button", name="查询进度").click()
    expect(page.get_by_role("heading", name="办件进度查询")).to_be_visible()
