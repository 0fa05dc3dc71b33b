"""The main navigation in a real browser (Debian's Chromium through Playwright).

On a phone (390 px) the navigation folds behind a "菜单" button: closed on arrival, opened
and closed with the keyboard (Enter, Space, Escape back to the button), no sideways
scrolling, nothing the content-security-policy refuses. On a desktop (1280 px) the
button is not there and every link shows. Screenshots: ``test-artifacts/nav-phone-*.png``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from onewindow.testing.browser import CSP_LISTENER, PHONE, horizontal_overflow, screenshot

pytestmark = [pytest.mark.browser]


def test_the_navigation_folds_on_a_phone_and_opens_with_the_keyboard(
    open_page, live_server, world, transactional_db
):
    errors: list[str] = []
    page = open_page("/", viewport=PHONE, timeout=30_000, errors=errors)
    page.context.add_init_script(CSP_LISTENER)
    page.reload()
    nav = page.get_by_role("navigation", name="主导航")
    toggle = nav.get_by_role("button", name="菜单")
    guide = nav.get_by_role("link", name="办事指南")

    # arriving: closed, the button says so
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(guide).to_be_hidden()
    assert horizontal_overflow(page) <= 0
    screenshot(page, "nav-phone-closed", full_page=False)

    # the keyboard opens it: Enter on the focused button
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(guide).to_be_visible()
    assert horizontal_overflow(page) <= 0
    screenshot(page, "nav-phone-open", full_page=False)

    # Escape closes it and leaves the focus on the button; Space opens it again
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="服务大厅")).to_be_focused()
    page.keyboard.press("Escape")
    expect(guide).to_be_hidden()
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(guide).to_be_visible()

    # following a link works from the open menu
    with page.expect_navigation():
        guide.click()
    expect(
        page.get_by_role("navigation", name="主导航").get_by_role("button", name="菜单")
    ).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("window.__cspViolations") == []

    # a desktop: no button, every link in view
    desktop = open_page("/", timeout=30_000, errors=errors)
    desktop_nav = desktop.get_by_role("navigation", name="主导航")
    expect(desktop_nav.get_by_role("link", name="办事指南")).to_be_visible()
    expect(desktop_nav.get_by_role("button", name="菜单")).to_be_hidden()
    assert errors == []


def test_without_scripts_the_navigation_stays_open_on_a_phone(
    open_page, live_server, world, transactional_db
):
    page = open_page("/", viewport=PHONE, java_script_enabled=False, timeout=30_000)
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="办事指南")).to_be_visible()
    expect(nav.locator(".site-nav__toggle")).to_be_hidden()
