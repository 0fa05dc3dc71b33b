"""The API documentation page (``/api/v1/docs``) works offline and under the site's CSP
(ADR 0016): every request to another host is aborted, and Swagger UI, vendored in
``static/vendor/``, still lists the operations without a policy violation.

Screenshot (committed): ``docs/screenshots/api-docs.png`` (1280 × 900, the first screen).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from onewindow.testing.browser import CSP_LISTENER, SCREENSHOTS, screenshot, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENSHOT = SCREENSHOTS / "api-docs.png"


def test_the_api_documentation_lists_the_operations_without_internet(open_page, live_server):
    local = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []
    problems: list[str] = []
    page = open_page(timeout=15_000)
    context = page.context
    context.add_init_script(CSP_LISTENER)

    def offline(route) -> None:
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", offline)
    watch(page, problems, labelled=True)

    # when
    response = page.goto(live_server.url + "/api/v1/docs")

    # then
    assert response is not None and response.status == 200
    directives = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
        if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src-elem"] == "'self'"
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 10
    expect(page.locator(".opblock-summary-path[data-path='/api/v1/items']")).to_be_visible()
    expect(page.get_by_text("期限截止日：受理日之后第 N 个工作日")).to_be_visible()
    expect(page.locator(".info .title")).to_contain_text("OneWindow API")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == []
    assert problems == []
    assert elsewhere == []
    screenshot(page, SCREENSHOT, full_page=False)  # the first screen: the operations
