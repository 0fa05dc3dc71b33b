"""Shared fixtures: a zone with departments, and users for each role."""

from __future__ import annotations

import pytest

from onewindow.catalog import published
from onewindow.core.notifications.templates import templates_forget
from onewindow.org.constants import Role
from onewindow.org.models import Department, User, Window, Zone
from onewindow.testing import worlds
from onewindow.testing.worlds import PASSWORD  # noqa: F401 (``from conftest import PASSWORD``)

#: Fixtures shared by every app's tests: real-browser tests (``browser``, ``open_page``,
#: ``signed_in``) and a Redis server (``redis_url``).
pytest_plugins = ["onewindow.testing.browser", "onewindow.testing.redis"]


@pytest.fixture(autouse=True)
def fresh_published_versions():
    """Published versions' parts are cached per process by version id
    (``catalog.published``), and message templates per process
    (``core.notifications.templates``); a test's database starts afresh and ids come
    back, so every test starts and ends with both caches empty."""
    published.forget()
    templates_forget()
    yield
    published.forget()
    templates_forget()


@pytest.fixture
def zone(db) -> Zone:
    return worlds.zone()


@pytest.fixture
def department(zone) -> Department:
    return worlds.department(zone)


@pytest.fixture
def other_department(zone) -> Department:
    return worlds.department(zone, "ZJJ", "住房和城乡建设局")


@pytest.fixture
def window(zone, department) -> Window:
    return worlds.window(zone)


@pytest.fixture
def world(zone, department, other_department, window):
    """The cases ``World`` (cases/tests/factories.py): people of every role, items, a bundle."""
    return worlds.case_world(worlds.Places(zone, department, other_department, window))


@pytest.fixture
def make_staff(zone, department):
    """make_staff(Role.REVIEWER) → a saved staff user with that role (password PASSWORD)."""

    def make(*roles: str, username: str | None = None, dept: Department | None = None) -> User:
        return worlds.staff(zone, *roles, username=username, department=dept or department)

    return make


@pytest.fixture
def make_applicant_user(zone):
    def make(username: str = "applicant") -> User:
        return worlds.applicant_user(zone, username, display_name=username)

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
