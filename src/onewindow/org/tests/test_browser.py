"""The pages in a real browser: Debian's Chromium driven by Playwright.

Screenshots land in ``test-artifacts/`` (not committed) for a person to look at.
"""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from onewindow.demo import org_data
from onewindow.testing.browser import PHONE, horizontal_overflow, screenshot, signed_in_page
from onewindow.testing.browser import log_in as form_log_in
from onewindow.testing.calendar import reset_calendar_cache

pytestmark = [pytest.mark.browser]


@pytest.fixture
def demo(transactional_db):
    reset_calendar_cache()
    org_data.load()
    yield
    reset_calendar_cache()


def _at_second_factor(url: str) -> bool:
    return "/account/second-factor/" in url


def log_in(page, username: str) -> None:
    """A demo user through the login form: administrators go on to the second factor."""
    landing = _at_second_factor if username == "admin" else signed_in_page
    form_log_in(page, username, password=org_data.DEMO_PASSWORD, landing=landing)


def test_portal_on_desktop_and_phone(demo, open_page):
    page = open_page("/")
    assert page.locator("h1").inner_text() == "示范经济技术开发区"
    assert page.get_by_role("heading", name="服务窗口").is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    screenshot(page, "portal-desktop")

    phone = open_page("/", viewport=PHONE)
    assert phone.locator("h1").inner_text() == "示范经济技术开发区"
    assert horizontal_overflow(phone) <= 0
    screenshot(phone, "portal-phone")


def test_skip_link_is_the_first_keyboard_stop(demo, open_page):
    page = open_page("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_keyboard_login_as_window_clerk(demo, open_page):
    page = open_page("/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"  # autofocus
    # start again from the top of the page and tab through the header to the form
    page.evaluate("document.activeElement.blur()")
    page.mouse.click(1, 1)
    for _ in range(30):
        if page.evaluate("document.activeElement.id") == "id_username":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type("clerk")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(org_data.DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/")  # the clerk's work page; the home page is one link away
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的工作台").click()
    page.wait_for_url("**/home/")
    assert page.locator("h1").inner_text() == "综合窗口工作台"
    assert page.get_by_role("heading", name="窗口受理").is_visible()
    assert page.get_by_text("A01 综合受理窗口一").first.is_visible()
    screenshot(page, "home-window-clerk")


def test_wrong_password_is_announced_beside_the_form(demo, open_page):
    page = open_page("/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()
    alert = page.get_by_role("alert")
    assert "用户名或密码不正确" in alert.inner_text()


def test_enterprise_applicant_home(demo, open_page, live_server):
    page = open_page("/login/")
    log_in(page, "enterprise")
    page.wait_for_url("**/my/cases/")  # an applicant lands on their cases
    page.goto(live_server.url + "/home/")
    assert page.locator("h1").inner_text() == "我的办事主页"
    assert page.get_by_role("heading", name="我代表的申请人").is_visible()
    assert page.get_by_text(org_data.demo_uscc("91", 1)).is_visible()
    assert page.get_by_role("heading", name="窗口受理").count() == 0
    screenshot(page, "home-enterprise")


def enrol_second_factor(page) -> None:
    """On the enrolment page an administrator lands on: read the secret as a person types
    it into an authenticator app, and enter the app's code (docs/decisions/0009)."""
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    page.get_by_label("验证码").fill(f"{totp(base64.b32decode(secret)):06d}")
    page.get_by_role("button", name="确认绑定").click()
    # The click submits a form: wait for the page it lands on, never count the old one.
    expect(page.locator("#recovery-codes li")).to_have_count(5)
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(lambda url: "/account/second-factor/" not in url)


def test_administrator_enrols_a_second_factor_and_reaches_the_admin(demo, open_page, live_server):
    page = open_page("/admin/")
    page.wait_for_url("**/login/?next=/admin/")
    log_in(page, "admin")
    assert page.url.endswith("/account/second-factor/?next=%2Fadmin%2F")
    assert page.locator("h1").inner_text() == "绑定验证器（双因素验证）"
    assert page.locator(".otp-code svg").is_visible()
    screenshot(page, "second-factor-enrol")

    enrol_second_factor(page)

    page.wait_for_url(live_server.url + "/admin/")
    assert "管理后台" in page.locator("#site-name").inner_text()


def test_administrator_and_supervisor_homes(demo, open_page, live_server):
    page = open_page("/login/")
    log_in(page, "admin")
    enrol_second_factor(page)
    assert page.locator("h1").inner_text() == "系统管理工作台"
    section = page.locator("#section-administrator").inner_text()
    # no full verification on record yet (the daily job's), and the chainer's progress
    assert "上次校验：尚无记录" in section and "onewindow audit-verify" in section
    # (SQLite links at once; on PostgreSQL the events wait here, no chainer runs)
    assert "已入链至第" in section and "待链接" in section
    screenshot(page, "home-administrator")

    page = open_page("/login/")
    log_in(page, "supervisor")
    page.wait_for_url("**/board/")  # the supervisor's work page
    page.goto(live_server.url + "/home/")
    assert page.locator("h1").inner_text() == "电子监察工作台"
    assert page.get_by_role("heading", name="审计日志（最近 20 条）").is_visible()
    screenshot(page, "home-supervisor")


def test_homes_fit_a_phone(demo, open_page, live_server):
    for username in ("clerk", "admin", "supervisor", "person"):
        page = open_page("/login/", viewport=PHONE)
        log_in(page, username)
        if username == "admin":
            assert horizontal_overflow(page) <= 0, "second-factor enrolment"
            enrol_second_factor(page)
        assert horizontal_overflow(page) <= 0, username  # the work page
        page.goto(live_server.url + "/home/")
        assert horizontal_overflow(page) <= 0, username
    screenshot(page, "home-person-phone")


def test_logout_from_the_header(demo, open_page, live_server):
    page = open_page("/login/")
    log_in(page, "reviewer")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("banner").get_by_role("link", name="登录").is_visible()


def test_calendar_calculator_in_the_browser(demo, open_page):
    page = open_page("/calendar/?month=2026-02")
    assert page.locator("#month-title").inner_text() == "2026年2月"
    assert page.locator('td[title="2026年2月16日 法定节假日（春节）"]').is_visible()
    # a working deadline across the Spring Festival
    page.fill("#id_start", "2026-02-10")
    page.fill("#id_days", "10")
    page.get_by_role("button", name="计算截止日").click()
    assert "2026年3月2日" in page.locator("#deadline-result").inner_text()
    screenshot(page, "calendar-desktop")

    # a bad number is named beside its field
    page.fill("#id_days", "-1")
    page.get_by_role("button", name="计算截止日").click()
    assert "工作日数：不能为负数" in page.locator("#id_days_error").inner_text()
    assert page.locator("#id_days").get_attribute("aria-invalid") == "true"

    # a year without a notice: refused, then answered provisionally with the checkbox
    page.fill("#id_start", "2027-03-01")
    page.fill("#id_days", "5")
    page.get_by_role("button", name="计算截止日").click()
    assert "2027年的国务院节假日安排尚未载入" in page.locator("#id_start_error").inner_text()
    page.focus("#id_provisional")
    page.keyboard.press("Space")
    page.get_by_role("button", name="计算截止日").click()
    result = page.locator("#deadline-result")
    assert "2027年3月8日" in result.inner_text() and "临时结果" in result.inner_text()


def test_calendar_on_a_phone_and_a_provisional_month(demo, open_page):
    page = open_page("/calendar/?month=2027-10", viewport=PHONE)
    assert page.locator("#provisional-notice").is_visible()
    assert horizontal_overflow(page) <= 0
    screenshot(page, "calendar-phone-provisional")
