"""The permission walk: every page of reviews, with every role.

The expected answer of each (page, method) is written out below and checked against the
URL resolver (namespace "reviews"), so a new page without a row fails the walk until
someone decides who may use it. Writes carry a real CSRF token through a client that
enforces it. The world is built once for the module, on Mon 28 Sep 2026 with its cases
delivered on Fri 18 Sep; each test's changes are rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.org.constants import Role
from onewindow.org.models import User
from onewindow.reviews import links
from onewindow.reviews.models import Channel, Level, Rectification
from onewindow.reviews.services import rating_submit
from onewindow.reviews.tests.conftest import D, at, deliver_immediate
from onewindow.testing.walk import L, PermissionWalk, R, row_maker
from onewindow.testing.worlds import case_world, staff, walk_people, zone_world

pytestmark = pytest.mark.django_db

DELIVERED = D(2026, 9, 18)
TODAY = D(2026, 9, 28)

ROLES = (
    "anonymous",
    "applicant",  # represents the case's applicant
    "stranger",  # an applicant user representing nobody
    "clerk",
    "reviewer",  # of the responsible department
    "other_reviewer",  # of another department
    "decider",
    "supervisor",
    "regulator",
    "analyst",
    "administrator",
)

row = row_maker(ROLES)

#: (name, method) → the answer of each role. The "rectification" rows use a bad rating's
#: rectification in the reviewer's department; "rate_link" a window link (no login).
PAGES = {
    ("rate", "GET"): row(L, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("rate", "POST"): row(L, R, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("rate", "PUT"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("rate_link", "GET"): row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("rate_link", "POST"): row(R, R, R, R, R, R, R, R, R, R, R),
    ("thanks", "GET"): row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("thanks", "POST"): row(405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("rating_code", "GET"): row(L, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    ("rating_code", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("rectifications", "GET"): row(L, 403, 403, 403, 200, 200, 200, 403, 403, 403, 403),
    ("rectifications", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("rectification", "GET"): row(L, 404, 404, 404, 200, 404, 200, 200, 404, 404, 404),
    ("rectification", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("rectification_action", "POST"): row(L, 404, 404, 404, R, 404, R, 403, 404, 404, 404),
    ("rectification_action", "GET"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("supervision", "GET"): row(L, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    ("supervision", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
}


# -- the world, built once --------------------------------------------------------------------


@dataclass
class Walk:
    users: dict[str, User | None]
    case: Case  # delivered, not rated
    rectification: Rectification  # of a bad online rating, open


def _build() -> Walk:
    places = zone_world()
    world = case_world(places)
    administrator = staff(
        places.zone, Role.ADMINISTRATOR, username="admin", department=places.department
    )
    users = walk_people(world, administrator)
    case = deliver_immediate(world, DELIVERED)
    bad = deliver_immediate(world, DELIVERED)
    rating = rating_submit(
        case=bad, channel=Channel.ONLINE, level=Level.DISSATISFIED, actor=world.applicant_user
    )
    return Walk(users=users, case=case, rectification=rating.rectification)


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """The world, built once in a transaction that the module rolls back (each test runs in
    a savepoint inside it, rolled back after the test)."""
    with (
        time_machine.travel(at(TODAY, 10), tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(TODAY, 10), tick=False):
        yield


# -- requests ---------------------------------------------------------------------------------


def _page_request(walk: Walk, name: str, method: str) -> tuple[str, dict | None]:
    args = {
        "rate": [walk.case.number],
        "rate_link": [links.rating_token(walk.case, Channel.WINDOW)],
        "rating_code": [walk.case.number],
        "rectification": [walk.rectification.pk],
        "rectification_action": [walk.rectification.pk, "rectify"],
    }.get(name, [])
    data = {
        "rate": {"level": "4", "comment": "好"},
        "rate_link": {"level": "5"},
        "rectification_action": {"verified_facts": "属实", "measures": "已改进"},
    }.get(name)
    return reverse(f"reviews:{name}", args=args), data if method == "POST" else None


# -- the walk ---------------------------------------------------------------------------------

WALK = PermissionWalk(
    roles=ROLES,
    namespace="reviews",
    pages=PAGES,
    page_request=_page_request,
    every_page_both_methods=True,
)
globals().update(WALK.tests())
