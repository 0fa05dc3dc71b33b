"""Shared fixtures: a zone with departments, and users for each role."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from onewindow.org.constants import DepartmentKind, Role, UserKind
from onewindow.org.models import Department, User, Window, Zone
from onewindow.org.services import staff_create

PASSWORD = "test-Password-2026"


@pytest.fixture
def zone(db) -> Zone:
    return Zone.objects.create(code="SFQ", name="示范经济技术开发区", division_code="320192")


@pytest.fixture
def department(zone) -> Department:
    return Department.objects.create(
        zone=zone, code="SCJG", name="市场监督管理局", kind=DepartmentKind.FUNCTIONAL
    )


@pytest.fixture
def other_department(zone) -> Department:
    return Department.objects.create(
        zone=zone, code="ZJJ", name="住房和城乡建设局", kind=DepartmentKind.FUNCTIONAL
    )


@pytest.fixture
def window(zone, department) -> Window:
    return Window.objects.create(zone=zone, code="A01", name="综合受理窗口一", kind="comprehensive")


@pytest.fixture
def make_staff(zone, department):
    """make_staff(Role.REVIEWER) → a saved staff user with that role (password PASSWORD)."""

    def make(*roles: str, username: str | None = None, dept: Department | None = None) -> User:
        name = username or "_".join(roles) or "staff"
        return staff_create(
            zone=zone,
            username=name,
            password=PASSWORD,
            display_name=name,
            roles=list(roles),
            department=dept or department,
        )

    return make


@pytest.fixture
def make_applicant_user(zone):
    def make(username: str = "applicant") -> User:
        user = User(username=username, kind=UserKind.APPLICANT, zone=zone, display_name=username)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def clerk(make_staff) -> User:
    return make_staff(Role.WINDOW_CLERK, username="clerk")


@pytest.fixture
def administrator(make_staff) -> User:
    return make_staff(Role.ADMINISTRATOR, username="admin")


# --- the second factor (docs/decisions/0009) ----------------------------------------------


# otp_login and sign_in live in the shared test toolkit; imported here so that
# ``from conftest import otp_login, sign_in`` keeps working.
from onewindow.testing.clients import otp_login, sign_in  # noqa: E402, F401


def login_request(address: str = "127.0.0.1"):
    """A request for ``client.login(request=…, …)``: the login throttle (django-axes)
    counts every authentication against an address, so one without a request is refused."""
    from django.test import RequestFactory

    return RequestFactory().post("/login/", REMOTE_ADDR=address)


# --- real-browser tests (Debian's Chromium through Playwright; never a downloaded browser) --

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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
