"""The demo zone in a real browser (Debian's Chromium through Playwright), in Chinese.

The ``demo`` command builds the zone with the smallest case count (the demo's fixed
stories and one case of each recipe: about forty cases, their ratings, and the daily
roll-up the command runs). Then:

1. The demo's departments finish the demo enterprise's case in review today (review,
   approval, delivery through the services, as the demo's own staff): the demo's only
   delivered case of ``enterprise`` was delivered too long ago to be rated online.
2. On a phone (390 px wide), ``enterprise`` opens 我的办件, follows 去评价 of that case,
   rates it 满意 with a comment and sees the thank-you page
   (``docs/screenshots/demo-rating.png``).
3. ``analyst`` (a leader) opens the dashboard over the demo's days: the satisfaction
   figure, the ratings and the cases decided are those of the database, the new rating
   among them; the five ECharts charts are drawn with no JavaScript error
   (``docs/screenshots/dashboard.png``, 1280 px wide, full page); the ratings count leads
   to the list of ratings with the new one.

The browser's cookies follow the real clock, so nothing here moves it.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.cases.constants import CaseStatus
from onewindow.cases.models import Case
from onewindow.demo import case_data, org_data
from onewindow.org.models import User, Zone
from onewindow.reviews.models import SATISFIED_LEVELS, Channel, Level, Rating
from onewindow.testing.browser import PHONE, SCREENSHOTS, log_in, screenshot
from onewindow.testing.calendar import reset_calendar_cache

pytestmark = [pytest.mark.browser]

#: The smallest count: the fixed stories and one case of each recipe (37 cases).
COUNT = 1
CHARTS = ["chart-volume", "chart-rates", "chart-trend", "chart-days", "chart-bad"]
COMMENT = "网上申请、进度提醒都很方便，按时办结。"


@pytest.fixture
def demo_zone(transactional_db) -> Zone:
    reset_calendar_cache()
    call_command("demo", cases=COUNT, stdout=StringIO())
    yield Zone.objects.get(code=org_data.ZONE_CODE)
    reset_calendar_cache()


@pytest.fixture
def errors() -> list[str]:
    return []


def test_a_demo_case_rated_by_the_enterprise_on_the_leaders_dashboard(
    demo_zone, open_page, errors, live_server
):
    zone = demo_zone
    enterprise = User.objects.get(username="enterprise")
    own = Case.objects.filter(applicant__in=enterprise.applicants.all(), parent__isnull=True)
    # The demo leaves the enterprise a recent delivery it has not rated yet.
    case = (
        own.filter(status=CaseStatus.DELIVERED, ratings__isnull=True)
        .select_related("zone", "applicant")
        .order_by("-delivered_at")
        .first()
    )
    assert case is not None
    today = timezone.localdate()
    assert (today - case.delivered_on).days <= 5
    day_from = today - dt.timedelta(days=case_data.SPAN_DAYS)
    ratings_before = Rating.objects.filter(zone=zone, rated_on__range=(day_from, today)).count()
    assert ratings_before > 0  # the demo's own ratings

    # 1. the enterprise rates it on a phone
    phone = open_page(viewport=PHONE, timeout=15_000, errors=errors, has_touch=True, is_mobile=True)
    log_in(phone, "enterprise", password=org_data.DEMO_PASSWORD, base=live_server.url)
    phone.goto(live_server.url + "/my/cases/")
    row = phone.locator("tbody tr").filter(has_text=case.number)
    row.get_by_role("link", name=f"去评价：{case.title}").click()
    phone.wait_for_url(f"**/rate/{case.number}/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("服务评价")
    expect(phone.get_by_text("本评价为实名评价。")).to_be_visible()
    group = phone.get_by_role("group", name="您对本次服务的评价")
    group.get_by_text("满意", exact=True).click()
    expect(group.get_by_role("radio", name="满意", exact=True)).to_be_checked()
    phone.get_by_label("意见或建议（选填）").fill(COMMENT)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    screenshot(phone, SCREENSHOTS / "demo-rating.png")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("感谢您的评价")
    expect(phone.get_by_role("status")).to_contain_text(case.number)
    expect(phone.get_by_role("status")).to_contain_text("满意")

    rating = Rating.objects.get(case=case, channel=Channel.ONLINE)
    assert (rating.level, rating.comment, rating.rater_id) == (
        Level.SATISFIED,
        COMMENT,
        enterprise.pk,
    )
    assert rating.rated_on == today

    # 2. a leader opens the dashboard over the demo's days
    ratings = Rating.objects.filter(zone=zone, rated_on__range=(day_from, today))
    total = ratings.count()
    satisfied = ratings.filter(level__in=SATISFIED_LEVELS).count()
    assert total == ratings_before + 1
    decided = Case.objects.filter(
        zone=zone, item_version__isnull=False, decided_on__range=(day_from, today)
    ).count()
    assert decided > 0

    page = open_page(timeout=15_000, errors=errors)
    log_in(page, "analyst", password=org_data.DEMO_PASSWORD, base=live_server.url)
    page.goto(f"{live_server.url}/insights/?from={day_from.isoformat()}&to={today.isoformat()}")
    expect(page.get_by_role("heading", name="统计分析与电子监察")).to_be_visible()
    expect(page.locator(".insights-period")).to_contain_text(
        f"统计期间：{day_from.isoformat()} 至 {today.isoformat()}"
    )
    satisfaction = page.locator(".kpi").filter(has_text="满意率")
    expect(satisfaction.locator(".kpi__value")).to_have_text(f"{satisfied / total * 100:.1f}%")
    expect(satisfaction.locator(".kpi__detail")).to_have_text(f"满意 {satisfied} / 评价 {total}")
    finished = page.locator(".kpi").filter(has_text="办结件数")
    expect(finished.locator(".kpi__value")).to_have_text(str(decided))
    for chart in CHARTS:
        expect(page.locator(f"#{chart} canvas")).to_have_count(1)
        # ECharts' aria description of the chart, for screen readers
        assert page.locator(f"#{chart}").get_attribute("aria-label"), chart
    # the table of the rates chart (folded away when long) has the rated case's department
    department = case.department.short_name or case.department.name
    headers = page.locator("#chart-rates-table tbody th").all_text_contents()
    assert department in headers, headers
    page.wait_for_timeout(800)  # the charts' entry animation
    screenshot(page, SCREENSHOTS / "dashboard.png")

    # 3. drill down: the ratings behind the satisfaction figure
    satisfaction.locator(".kpi__detail").get_by_role("link", name=str(total)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"评价 {total}")
    row = page.locator("tbody tr").filter(has_text=case.number)
    expect(row.locator('[data-label="评价等级"]')).to_have_text("满意")
    expect(row.locator('[data-label="评价渠道"]')).to_have_text("网上办事大厅")
    expect(row.locator('[data-label="评价日期"]')).to_have_text(today.isoformat())
    expect(row.get_by_role("link", name=case.number)).to_be_visible()

    assert errors == []
