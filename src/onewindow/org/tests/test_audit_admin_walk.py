"""The audit administrator's permission walk (ADR 0010): every URL the site has, read
from the URL resolver (pages, the admin site, the API), answers 403 or 404 to the audit
administrator, GET and POST, except the audit trail, the home page and the few pages every
session needs. A page added later is walked without anyone writing a row for it."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from conftest import sign_in
from onewindow.org.account_middleware import ALWAYS_OPEN, AUDIT_ADMIN_PAGES
from onewindow.org.constants import Role

pytestmark = pytest.mark.django_db

#: Sample values for path converters; "1" resolves as an int, a str, a slug and a path.
SAMPLE = "1"


def _route(pattern) -> str | None:
    """The URL text of one pattern with each parameter replaced by a sample value."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?\w+>", SAMPLE, str(pattern._route))
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex.lstrip("^").rstrip("$").replace("\\Z", "")
        # named groups → a sample (admin's app list: an app label), no other regex syntax
        regex = re.sub(r"\(\?P<app_label>[^)]*\)", "org", regex)
        regex = re.sub(r"\(\?P<\w+>[^)]*\)", SAMPLE, regex)
        if re.search(r"[\\()\[\]*+?|]", regex):
            return None
        return regex
    return None


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    """(URL, namespace, name) for every pattern of the site."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        part = _route(entry.pattern)
        if part is None:
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + part, inner.strip(":"))
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + part, namespace, entry.name


def _open_to_audit_admin(namespace: str, name: str | None) -> bool:
    return not namespace and name in ALWAYS_OPEN | AUDIT_ADMIN_PAGES


@pytest.fixture
def auditor_client(client, make_staff):
    sign_in(client, make_staff(Role.AUDIT_ADMIN, username="auditor"))
    return client


def test_the_walk_sees_the_whole_site():
    urls = {(namespace, name) for _url, namespace, name in walk()}
    for expected in [
        ("cases", "desk"),
        ("admin", "index"),
        ("admin", "org_user_changelist"),
        ("", "applicant_search"),
        ("certificates", "list"),
        ("", "portal"),
    ]:
        assert expected in urls
    assert any(url.startswith("/api/v1/") for url, _namespace, _name in walk())
    assert len(urls) > 100


def test_every_other_url_refuses_the_audit_admin(auditor_client):
    walked = 0
    for url, namespace, name in walk():
        if _open_to_audit_admin(namespace, name):
            continue
        for method in (auditor_client.get, auditor_client.post):
            status = method(url).status_code
            assert status in (403, 404), f"{method.__name__.upper()} {url} ({name}): {status}"
        walked += 1
    assert walked > 100


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
