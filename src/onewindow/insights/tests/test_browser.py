"""The dashboard in a real browser (Debian's Chromium through Playwright), in Chinese.

An analyst (领导与分析人员) signs in, opens the dashboard for March 2026 over the small
zone of ``dataset.py`` (rolled up), sees the five ECharts charts drawn (a canvas each,
ECharts' aria description on them, no JavaScript error), follows a figure to the cases
behind it, and the page works at 390 px. Screenshot: ``docs/screenshots/dashboard.png``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from onewindow.insights import services
from onewindow.insights.tests.dataset import build_march
from onewindow.org.models import User
from onewindow.testing.browser import log_in, screenshot, watch
from onewindow.testing.calendar import reset_calendar_cache

pytestmark = [pytest.mark.browser]

CHARTS = ["chart-volume", "chart-rates", "chart-trend", "chart-days", "chart-bad"]


@pytest.fixture
def zone_of_march(transactional_db, world):
    reset_calendar_cache()
    data = build_march(world)
    services.rollup_due(zone=world.zone)
    yield data
    reset_calendar_cache()


def test_the_dashboard_as_a_leader(open_page, live_server, world, zone_of_march, tmp_path):
    analyst = User.objects.get(pk=world.analyst.pk)
    errors: list[str] = []
    page = open_page(timeout=15_000, errors=errors)
    log_in(page, analyst.username, base=live_server.url)

    page.goto(live_server.url + "/insights/?from=2026-03-01&to=2026-03-31")
    expect(page.get_by_role("heading", name="统计分析与电子监察")).to_be_visible()
    for chart in CHARTS:
        expect(page.locator(f"#{chart} canvas")).to_have_count(1)
        # ECharts' aria: a description of the chart for screen readers.
        label = page.locator(f"#{chart}").get_attribute("aria-label") or ""
        assert label, chart
    volume = page.locator("#chart-volume").get_attribute("aria-label")
    assert "市场监督管理局" in volume
    # The table beside a chart holds the same numbers.
    table = page.locator("#chart-volume-table")
    expect(table.get_by_role("row", name="市场监督管理局 9 7")).to_be_visible()
    kpi = page.locator(".kpi").filter(has_text="受理件数")
    expect(kpi.locator(".kpi__value")).to_have_text("12")
    page.wait_for_timeout(600)  # the charts' entry animation
    screenshot(page, tmp_path / "dashboard-march.png")

    # Drill down: the late case behind the on-time rate.
    page.locator(".kpi").filter(has_text="按时办结率").get_by_role("link", name="1").click()
    expect(page.get_by_role("heading", name="超期办结件数")).to_be_visible()
    late = zone_of_march.cases["C4"].number
    expect(page.get_by_role("link", name=late)).to_be_visible()
    expect(page.get_by_role("cell", name="超期")).to_be_visible()
    screenshot(page, tmp_path / "drill-down.png")

    # The public summary, as anyone sees it (another context: no session).
    anonymous = open_page()
    anonymous.on("pageerror", lambda error: errors.append(str(error)))
    anonymous.goto(live_server.url + "/public/service-summary/?from=2026-03-01&to=2026-03-31")
    expect(anonymous.get_by_role("heading", name="政务服务评价公开")).to_be_visible()
    expect(anonymous.get_by_role("row", name="市场监督管理局 7 85.7% 6 50.0%")).to_be_visible()
    screenshot(anonymous, tmp_path / "public-summary.png")

    # On a phone: no sideways scrolling of the page; the charts still draw.
    phone = watch(page.context.new_page(), errors)
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(live_server.url + "/insights/?from=2026-03-01&to=2026-03-31")
    expect(phone.locator("#chart-rates canvas")).to_have_count(1)
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    phone.wait_for_timeout(600)
    screenshot(phone, tmp_path / "dashboard-phone.png")

    assert errors == []
