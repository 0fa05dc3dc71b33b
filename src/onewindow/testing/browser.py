"""Real-browser tests: Debian's Chromium driven by Playwright (never a downloaded browser).

A pytest plugin (the root ``conftest.py`` lists it in ``pytest_plugins``) with the fixtures

- ``browser``: one headless Chromium for the session;
- ``open_page``: ``open_page(path=None, viewport=DESKTOP, **options)`` → a page of a fresh
  Chinese browser context, at ``path`` on the live server if given; every context is
  closed when the test ends;
- ``signed_in``: ``signed_in(username, viewport=DESKTOP, **options)`` → such a page,
  signed in through the login page;

and the helpers every browser test uses: ``log_in`` (the login form), ``screenshot``
(committed ones under ``SCREENSHOTS``, the others in ``test-artifacts/`` or ``tmp_path``),
``watch`` (collect page and console errors), ``horizontal_overflow``, and ``CSP_LISTENER``
(an init script that collects the page's content-security-policy violations).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

from onewindow.testing.worlds import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: Screenshots committed with the documentation.
SCREENSHOTS = Path(settings.REPOSITORY_DIR) / "docs" / "screenshots"
#: Screenshots for a person to look at, not committed.
ARTIFACTS = Path(settings.REPOSITORY_DIR) / "test-artifacts"
#: The home page (administrators and users without a work page land there after login).
HOME = "**/home/"


def signed_in_page(url: str) -> bool:
    """Any page but the login form: where a user lands after logging in depends on their
    role (their work page, ``org.landing``), so a helper waits only to leave the form."""
    return "/login/" not in url


#: An init script: ``window.__cspViolations`` collects every content-security-policy
#: violation the page reports, with the directive and the blocked URL.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sourceFile
    + ":" + event.lineNumber
  );
});
"""


# -- helpers ---------------------------------------------------------------------------------


def log_in(
    page: Page,
    username: str,
    *,
    password: str = PASSWORD,
    base: str | None = None,
    landing: str | Callable | None = signed_in_page,
) -> Page:
    """Sign ``username`` in through the login form of ``page`` (first opened at ``base`` +
    ``/login/`` if ``base`` is given), and wait for the URL ``landing`` (``None``: don't)."""
    if base is not None:
        page.goto(base + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    if landing is not None:
        page.wait_for_url(landing)
    return page


def screenshot(page: Page, where: str | Path, *, full_page: bool = True) -> Path:
    """Save ``page`` as a PNG at the path ``where``, or for a bare name at
    ``test-artifacts/<name>.png``; the whole page unless ``full_page`` is false."""
    path = ARTIFACTS / f"{where}.png" if isinstance(where, str) else where
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


def watch(page: Page, problems: list[str], *, labelled: bool = False) -> Page:
    """Collect the page's uncaught errors and console errors in ``problems``, but the
    browser's own request for /favicon.ico (the site has none); ``labelled`` prefixes them
    with "page error: " and "console: "."""
    page_error, console = ("page error: ", "console: ") if labelled else ("", "")

    def on_console(message) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(console + message.text)

    page.on("pageerror", lambda error: problems.append(f"{page_error}{error}"))
    page.on("console", on_console)
    return page


def horizontal_overflow(page: Page) -> int:
    """How far the page scrolls sideways (0 or less: it fits the window)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session. Skipped on a machine without it, except in
    CI, where a missing browser is a failure (``.ci/run`` installs it)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls that fixtures
    # and live_server make are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Browser, live_server):
    """``open_page(path=None, viewport=DESKTOP, *, timeout=None, errors=None, **options)``
    → a page of a fresh Chinese browser context (``options`` go to ``new_context``), at
    ``path`` on the live server if given; ``timeout`` (ms) the context's default timeout;
    ``errors`` a list that collects the page's errors (``watch``)."""
    contexts = []

    def open_(
        path: str | None = None,
        viewport: dict = DESKTOP,
        *,
        timeout: float | None = None,
        errors: list[str] | None = None,
        **options,
    ) -> Page:
        context = browser.new_context(locale="zh-CN", viewport=viewport, **options)
        if timeout is not None:
            context.set_default_timeout(timeout)
        contexts.append(context)
        page = context.new_page()
        if errors is not None:
            watch(page, errors)
        if path is not None:
            page.goto(live_server.url + path)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def signed_in(open_page, live_server):
    """``signed_in(username, viewport=DESKTOP, *, password=PASSWORD, timeout=10_000,
    **options)`` → a page of a fresh Chinese browser, signed in at the login page."""

    def sign_in(
        username: str,
        viewport: dict = DESKTOP,
        *,
        password: str = PASSWORD,
        timeout: float | None = 10_000,
        **options,
    ) -> Page:
        page = open_page(viewport=viewport, timeout=timeout, **options)
        return log_in(page, username, password=password, base=live_server.url)

    return sign_in
