"""Every main page of the demo zone under the site's Content-Security-Policy (ADR 0014).

Chromium reports each violation as a ``securitypolicyviolation`` event (collected by an
init script) and on the console; an unknown Permissions-Policy feature is a console error
too. The pages: the portal, the item guide, the working-day calendar, the login page, the
certificate check (form and a certificate's page), the window desk, a case page, the
rating page with its comment counter (a static script), the dashboard with its ECharts
charts and a chart's tooltip (HTML with style attributes). None may report a violation.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from onewindow.cases.constants import CaseStatus
from onewindow.cases.models import Case
from onewindow.catalog.models import ItemVersion
from onewindow.certificates.models import Certificate
from onewindow.demo import org_data
from onewindow.org.models import User, Zone
from onewindow.testing.browser import CSP_LISTENER, log_in, watch
from onewindow.testing.calendar import reset_calendar_cache

pytestmark = [pytest.mark.browser]


@pytest.fixture
def demo_zone(transactional_db) -> Zone:
    reset_calendar_cache()
    call_command("demo", cases=1, stdout=StringIO())
    yield Zone.objects.get(code=org_data.ZONE_CODE)
    reset_calendar_cache()


class Watched:
    """A browser context whose pages report CSP violations, console errors and page errors."""

    def __init__(self, open_page, base: str) -> None:
        self.base = base
        self.problems: list[str] = []
        self.page = open_page(timeout=15_000)
        self.page.context.add_init_script(CSP_LISTENER)
        watch(self.page, self.problems, labelled=True)

    def visit(self, path: str) -> Page:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, path
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, path
        self.check(path)
        return self.page

    def check(self, where: str) -> None:
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate("window.__cspViolations || []")
        self.problems.extend(f"{where}: CSP {violation}" for violation in violations)

    def sign_in(self, username: str) -> None:
        self.visit("/login/")
        log_in(self.page, username, password=org_data.DEMO_PASSWORD)
        self.check("/home/")


def test_the_main_pages_pass_the_content_security_policy(open_page, live_server, demo_zone):
    zone = demo_zone
    certificate = Certificate.objects.filter(zone=zone).order_by("id").first()
    item = (
        ItemVersion.objects.filter(item__zone=zone, status="published")
        .select_related("item")
        .first()
    )
    case = Case.objects.filter(zone=zone, parent__isnull=True).order_by("id").first()
    enterprise = User.objects.get(username="enterprise")
    to_rate = (
        Case.objects.filter(
            applicant__in=enterprise.applicants.all(),
            parent__isnull=True,
            status=CaseStatus.DELIVERED,
            ratings__isnull=True,
        )
        .order_by("-delivered_at")
        .first()
    )
    assert certificate and item and case and to_rate
    watched = []

    # anyone
    public = Watched(open_page, live_server.url)
    watched.append(public)
    for path in (
        "/",
        "/items/",
        f"/items/{item.item.implementation_code}/",
        "/calendar/",
        "/verify/",
    ):
        public.visit(path)
    public.visit(certificate.verification_path())  # the check itself, its 查验码 included

    # the window clerk: the desk and a case page
    clerk = Watched(open_page, live_server.url)
    watched.append(clerk)
    clerk.sign_in("clerk")
    clerk.visit("/desk/")
    clerk.visit(f"/cases/{case.number}/")

    # the enterprise: the rating page's comment counter runs from its static file
    applicant = Watched(open_page, live_server.url)
    watched.append(applicant)
    applicant.sign_in("enterprise")
    page = applicant.visit(f"/rate/{to_rate.number}/")
    page.get_by_label("意见或建议（选填）").fill("很好")
    expect(page.locator("#comment-counter")).to_have_text("还可输入 998 字")

    # a leader: the dashboard's charts, and a tooltip drawn as HTML with style attributes
    leader = Watched(open_page, live_server.url)
    watched.append(leader)
    leader.sign_in("analyst")
    page = leader.visit("/insights/")
    expect(page.locator("#chart-volume canvas")).to_have_count(1)
    box = page.locator("#chart-volume canvas").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(500)
    leader.check("/insights/ tooltip")

    problems = [problem for one in watched for problem in one.problems]
    assert problems == []
