"""The permission walk: every page and API endpoint of suggestions, with every role.

The tables are checked against the URL resolver (namespace "suggestions") and the API
router, so a new page or endpoint without a row fails until someone decides who may use
it. The suggestion walked is submitted by "applicant" in the zone of "clerk",
"reviewer" and "supervisor"; "other_clerk" is a window clerk of another zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import reverse

from onewindow.org.models import User
from onewindow.testing.walk import L, PermissionWalk, R, row_maker
from suggestions import api as suggestions_api
from suggestions.models import Suggestion
from suggestions.tests.conftest import build_people, submit

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "applicant", "neighbour", "clerk", "other_clerk", "reviewer", "supervisor")
row = row_maker(ROLES)

PAGES = {
    ("list", "GET"): row(L, 200, 200, 200, 200, 403, 200),
    ("list", "POST"): row(L, 405, 405, 405, 405, 405, 405),
    ("new", "GET"): row(L, 200, 200, 403, 403, 403, 403),
    ("new", "POST"): row(L, R, R, 403, 403, 403, 403),
    ("detail", "GET"): row(L, 200, 404, 200, 404, 404, 200),
    ("detail", "POST"): row(L, 405, 405, 405, 405, 405, 405),
    # "answer" on the submitted suggestion: the author sees it but may not answer (403).
    ("action", "POST"): row(L, 403, 404, R, 404, 404, 403),
    ("action", "GET"): row(L, 405, 405, 405, 405, 405, 405),
}

API = {
    ("GET", ""): row(401, 200, 200, 200, 200, 403, 200),
    ("POST", ""): row(401, 201, 201, 403, 403, 403, 403),
    ("GET", "/{int:pk}"): row(401, 200, 404, 200, 404, 404, 200),
    ("POST", "/{int:pk}/answer"): row(401, 403, 404, 200, 404, 404, 403),
    # Closing a submitted suggestion: whoever may close meets the table's refusal (409).
    ("POST", "/{int:pk}/close"): row(401, 409, 404, 409, 404, 404, 403),
}


@dataclass
class Walk:
    users: dict[str, User | None]
    suggestion: Suggestion


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """The world, built once in a transaction the module rolls back."""
    with django_db_blocker.unblock(), transaction.atomic():
        people = build_people()
        users = {
            "anonymous": None,
            "applicant": people.author,
            "neighbour": people.neighbour,
            "clerk": people.clerk,
            "other_clerk": people.other_clerk,
            "reviewer": people.reviewer,
            "supervisor": people.supervisor,
        }
        yield Walk(users=users, suggestion=submit(people))
        transaction.set_rollback(True)


FORMS = {
    "new": {"zone": "SFQ", "subject": "饮水机", "content": "二楼没有热水。"},
    "action": {"answer": "已处理。"},
}


def _page_request(walk: Walk, name: str, method: str) -> tuple[str, dict | None]:
    args = {"detail": [walk.suggestion.pk], "action": [walk.suggestion.pk, "answer"]}
    url = reverse(f"suggestions:{name}", args=args.get(name, []))
    return url, FORMS.get(name) if method == "POST" else None


BODIES = {
    ("POST", ""): {"zone": "SFQ", "subject": "饮水机", "content": "二楼没有热水。"},
    ("POST", "/{int:pk}/answer"): {"answer": "已处理。"},
}


def _api_request(walk: Walk, method: str, path: str) -> tuple[str, dict | None, dict | None]:
    url = "/api/v1/suggestions" + path.replace("{int:pk}", str(walk.suggestion.pk))
    return url, None, BODIES.get((method, path))


WALK = PermissionWalk(
    roles=ROLES,
    namespace="suggestions",
    pages=PAGES,
    page_request=_page_request,
    router=suggestions_api.router,
    api_rows=API,
    api_request=_api_request,
    every_page_both_methods=True,
)
globals().update(WALK.tests())
