"""The permission walk: every page and API endpoint of an app, with every role.

An app's walk is a table plus one call::

    WALK = PermissionWalk(
        roles=ROLES,
        namespace="certificates",  # the app's URL namespace
        pages={("list", "GET"): row(L, 403, 200, ...), ...},
        page_request=_page_request,  # (walk, name, method) -> (url, form data or query)
        router=certificates_api.router,
        api_rows={("GET", "/certificates/{identifier}/verify"): everyone(200), ...},
        api_request=_api_request,  # (walk, method, path) -> (url, query, JSON body)
    )
    globals().update(WALK.tests())

The tests it makes check the tables against the URL resolver and the API router (a new
page or endpoint without a row fails until someone decides who may use it), then send
every (row, role) request through a client that enforces CSRF and holds a real token,
and compare the answer with the row. The module provides a ``walk`` fixture: the world,
with ``walk.users[role]`` the user of each role (``None`` for anonymous).

A role that may open almost nothing is walked over the whole site instead, every URL read
from the resolver (pages, the admin site, the API), so a page added later is walked
without anyone writing a row for it::

    WALK = SiteWalk(role="audit_admin", open=ALWAYS_OPEN | AUDIT_ADMIN_PAGES, ...)
    globals().update(WALK.tests())
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from onewindow.testing.clients import client_for, send

#: 302 to the login page.
L = "302 to login"
#: 302 onwards (not to the login page): the action succeeded (post/redirect/get).
R = "302 onwards"

Row = dict[str, int | str]


def row_maker(roles: tuple[str, ...]) -> Callable[..., Row]:
    """``row(*statuses)``: one expected answer per role, in the order of ``roles``."""

    def row(*statuses) -> Row:
        assert len(statuses) == len(roles), statuses
        return dict(zip(roles, statuses, strict=True))

    return row


def page_names(namespace: str) -> set[str]:
    """The URL names of the namespace ``namespace``."""
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    return {key for key in resolver.reverse_dict if isinstance(key, str)}


def named_with(namespace: str, parameter: str) -> set[str]:
    """The URL names of ``namespace`` whose path takes ``parameter``."""
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    return {
        name
        for name in page_names(namespace)
        for possibilities, *_rest in resolver.reverse_dict.getlist(name)
        for _format, params in possibilities
        if parameter in params
    }


def api_operations(router) -> set[tuple[str, str]]:
    """(method, path) of every operation of a django-ninja router."""
    return {
        (method, path)
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }


def check(response, expected, what: str) -> None:
    """The answer is ``expected``: a status code, ``L`` or ``R``."""
    body = response.content[:300].decode(errors="replace") if not response.streaming else ""
    got = response.status_code
    if expected in (L, R):
        location = response.get("Location", "")
        to_login = location.startswith(reverse("login"))
        ok = got == 302 and to_login == (expected == L)
        got = f"{got} to {location!r}" if got == 302 else got
    else:
        ok = got == expected
    assert ok, f"{what}: expected {expected}, got {got}\n{body}"


def refusals_are_error_bodies(walk, key, role: str, response) -> None:
    """An ``after_api`` check: every refusal of the API (but 405) is the platform's error body."""
    if response.status_code >= 400 and response.status_code != 405:
        assert set(response.json()) == {"message", "code", "fields"}, response.content


def first_allowed(expected: Row) -> str:
    """The first role that gets past the access checks (it may still meet a 409)."""
    return next(role for role, status in expected.items() if status not in (L, 401, 403, 404, 405))


def params(table: Iterable, roles: tuple[str, ...], label: Callable) -> list:
    """One pytest parameter per (row key, role), with an id of the row's label and the role."""
    return [pytest.param(key, role, id=f"{label(key)}-{role}") for key in table for role in roles]


def _label(key: tuple[str, str]) -> str:
    return f"{key[0]} {key[1]}"


@dataclass
class PermissionWalk:
    """An app's pages and API endpoints × roles → the expected answers, and the tests."""

    roles: tuple[str, ...]
    namespace: str
    pages: dict[tuple[str, str], Row]
    page_request: Callable
    router: object | None = None
    api_rows: dict[tuple[str, str], Row] = field(default_factory=dict)
    api_request: Callable | None = None
    #: every page has a GET row and a POST row
    every_page_both_methods: bool = False
    #: API operations walked by the app's own tests (e.g. one row per action)
    api_walked_elsewhere: frozenset[tuple[str, str]] = frozenset()
    #: more checks after a page or API row: (walk, key, role, response)
    after_page: Callable | None = None
    after_api: Callable | None = None

    def __post_init__(self) -> None:
        for table in (self.pages, self.api_rows):
            for key, expected in table.items():
                assert tuple(expected) == self.roles, key

    def tests(self) -> dict[str, Callable]:
        """The walk's test functions, by name, for the module's ``globals()``."""
        tests = {
            "test_every_page_has_rows_in_the_walk": self._pages_covered(),
            "test_page": self._page_test(),
        }
        if self.router is not None:
            tests["test_every_api_endpoint_has_a_row"] = self._api_covered()
            tests["test_api"] = self._api_test()
        return tests

    def _pages_covered(self) -> Callable:
        def test_every_page_has_rows_in_the_walk():
            names = page_names(self.namespace)
            assert names == {name for name, _method in self.pages}
            if self.every_page_both_methods:
                for name in names:
                    assert {(name, "GET"), (name, "POST")} <= set(self.pages), name

        return test_every_page_has_rows_in_the_walk

    def _api_covered(self) -> Callable:
        def test_every_api_endpoint_has_a_row():
            operations = api_operations(self.router)
            served_rows = {key for key in self.api_rows if key in operations}
            assert operations - self.api_walked_elsewhere == served_rows
            # The other rows ask a method the path does not serve: 405 for everyone.
            served_paths = {path for _method, path in operations}
            for key, expected in self.api_rows.items():
                if key not in operations:
                    assert set(expected.values()) == {405}, key
                    assert key[1] in served_paths, key

        return test_every_api_endpoint_has_a_row

    def _page_test(self) -> Callable:
        @pytest.mark.parametrize(("key", "role"), params(self.pages, self.roles, _label))
        def test_page(walk, key, role):
            name, method = key
            url, data = self.page_request(walk, name, method)
            response = send(client_for(walk.users[role], csrf=True), method, url, data)
            check(response, self.pages[key][role], f"{method} {url} as {role}")
            if self.after_page is not None:
                self.after_page(walk, key, role, response)

        return test_page

    def _api_test(self) -> Callable:
        @pytest.mark.parametrize(("key", "role"), params(self.api_rows, self.roles, _label))
        def test_api(walk, key, role):
            method, path = key
            url, query, body = self.api_request(walk, method, path)
            client = client_for(walk.users[role], csrf=True)
            response = send(client, method, url, query, json=body)
            check(response, self.api_rows[key][role], f"{method} {url} as {role}")
            if self.after_api is not None:
                self.after_api(walk, key, role, response)

        return test_api


# -- the whole site, one role ------------------------------------------------------------------

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


def site_urls(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    """(URL, namespace, name) for every pattern of the site, parameters filled in."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        part = _route(entry.pattern)
        if part is None:
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from site_urls(entry.url_patterns, prefix + part, inner.strip(":"))
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + part, namespace, entry.name


@dataclass
class SiteWalk:
    """One role over every URL of the site: each answers one of ``refused`` to each of
    ``methods``, except the ``open`` URL names (outside any namespace). ``landmarks``
    are (namespace, name) pairs the walk must meet (proof that it sees the whole site);
    it must walk ``at_least`` URLs. The tests take the module's ``walk`` fixture, with
    ``walk.users[role]`` the role's user."""

    role: str
    open: frozenset[str]
    landmarks: tuple[tuple[str, str], ...] = ()
    refused: tuple[int, ...] = (403, 404)
    methods: tuple[str, ...] = ("GET", "POST")
    at_least: int = 100

    def tests(self) -> dict[str, Callable]:
        """The walk's test functions, by name, for the module's ``globals()``."""
        return {
            "test_the_walk_sees_the_whole_site": self._whole_site(),
            f"test_every_other_url_refuses_the_{self.role}": self._refusals(),
        }

    def _whole_site(self) -> Callable:
        def test_the_walk_sees_the_whole_site():
            urls = list(site_urls())
            names = {(namespace, name) for _url, namespace, name in urls}
            assert set(self.landmarks) <= names, set(self.landmarks) - names
            assert any(url.startswith("/api/") for url, _namespace, _name in urls)
            assert len(names) > self.at_least

        return test_the_walk_sees_the_whole_site

    def _refusals(self) -> Callable:
        def test_every_other_url_refuses(walk):
            client = client_for(walk.users[self.role], csrf=True)
            walked = 0
            for url, namespace, name in site_urls():
                if not namespace and name in self.open:
                    continue
                for method in self.methods:
                    status = send(client, method, url).status_code
                    assert status in self.refused, f"{method} {url} ({name}): {status}"
                walked += 1
            assert walked > self.at_least

        return test_every_other_url_refuses
