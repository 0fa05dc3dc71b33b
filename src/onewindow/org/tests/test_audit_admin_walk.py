"""The audit administrator's permission walk (ADR 0010): every URL the site has, read
from the URL resolver (pages, the admin site, the API), answers 403 or 404 to the audit
administrator, GET and POST, except the audit trail, the home page and the few pages every
session needs. A page added later is walked without anyone writing a row for it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from conftest import sign_in
from onewindow.org.account_middleware import ALWAYS_OPEN, AUDIT_ADMIN_PAGES
from onewindow.org.constants import Role
from onewindow.testing.walk import SiteWalk

pytestmark = pytest.mark.django_db

WALK = SiteWalk(
    role="audit_admin",
    open=ALWAYS_OPEN | AUDIT_ADMIN_PAGES,
    landmarks=(
        ("cases", "desk"),
        ("admin", "index"),
        ("admin", "org_user_changelist"),
        ("", "applicant_search"),
        ("certificates", "list"),
        ("", "portal"),
    ),
)
globals().update(WALK.tests())


@pytest.fixture
def auditor(make_staff):
    return make_staff(Role.AUDIT_ADMIN, username="auditor")


@pytest.fixture
def walk(auditor):
    return SimpleNamespace(users={"audit_admin": auditor})


@pytest.fixture
def auditor_client(client, auditor):
    sign_in(client, auditor)
    return client


def test_the_api_answers_the_audit_admin_in_json(auditor_client):
    response = auditor_client.get("/api/v1/tasks")
    assert response.status_code == 403
    assert response.json()["code"] == "audit_admin_only_audit_trail"


def test_the_audit_admins_own_pages_open(auditor_client):
    assert auditor_client.get(reverse("home")).status_code == 200
    assert auditor_client.get(reverse("audit_trail")).status_code == 200
    assert auditor_client.get(reverse("password_change")).status_code == 200
    assert auditor_client.post(reverse("logout")).status_code == 302


def test_navigation_offers_the_audit_trail_and_nothing_else(auditor_client):
    html = auditor_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("audit_trail")}"' in html
    assert reverse("applicant_search") not in html
    assert reverse("certificates:list") not in html
    assert reverse("admin:index") not in html


def test_other_staff_do_not_see_the_audit_trail_link(client, clerk):
    sign_in(client, clerk)
    html = client.get(reverse("home")).content.decode()
    assert reverse("audit_trail") not in html
    assert reverse("applicant_search") in html
