"""The API documentation page (``/api/v1/docs``) works offline and under the site's CSP
(ADR 0016): every request to another host is aborted, and Swagger UI, vendored in
``static/vendor/``, still lists the operations without a policy violation.

Screenshot (committed): ``docs/screenshots/api-docs.png`` (1280 × 900, the first screen).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENSHOT = Path(settings.REPOSITORY_DIR) / "docs" / "screenshots" / "api-docs.png"
#: Collects every CSP violation the page reports.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def test_the_api_documentation_lists_the_operations_without_internet(browser, live_server):
    local = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []
    problems: list[str] = []
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(LISTEN)

    def offline(route) -> None:
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", offline)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )

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
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))  # the first screen: the operations
    context.close()
