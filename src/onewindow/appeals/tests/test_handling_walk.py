"""The permission walk of handling: each of its pages (both methods) and API operations ×
every role, from explicit tables.

Only the walk's request tests are taken here: the check that every page of the
``appeals`` namespace and every operation of its router has a row belongs to the app's
whole walk, which holds the rows of every part of the app.

The world: the enterprise's user is "requester" (it sees its orders, but no staff page);
"stranger" is an applicant's user of nobody here; "handler" works for the catalogue's
lead department (SCJG), "other_handler" for ZJJ, the co-department of the dispatched
order and of nothing else. Each action is walked on an order in the status it starts from.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import reverse

from onewindow.appeals.api import handling as handling_api  # noqa: F401 (the operations)
from onewindow.appeals.api.router import router
from onewindow.appeals.constants import AppealStatus
from onewindow.appeals.models import Appeal
from onewindow.appeals.services.handling import appeal_dispatch, appeal_extension_request
from onewindow.appeals.tests.factories import appeal_world, make_appeal
from onewindow.org.models import User
from onewindow.testing import worlds
from onewindow.testing.walk import L, PermissionWalk, R, row_maker

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "requester",
    "stranger",
    "clerk",
    "operator",
    "dispatcher",
    "handler",
    "other_handler",
    "supervisor",
)
row = row_maker(ROLES)
NOT_ALLOWED = row(L, 405, 405, 405, 405, 405, 405, 405, 405)

PAGES = {
    ("department_queue", "GET"): row(L, 403, 403, 403, 403, 403, 200, 200, 403),
    ("department_queue", "POST"): NOT_ALLOWED,
    ("centre_board", "GET"): row(L, 403, 403, 403, 403, 200, 403, 403, 403),
    ("centre_board", "POST"): NOT_ALLOWED,
    # The dispatched order (lead SCJG, co ZJJ).
    ("staff_order", "GET"): row(L, 403, 403, 403, 200, 200, 200, 200, 200),
    ("staff_order", "POST"): NOT_ALLOWED,
    # "sign" on the dispatched order: the lead department signs; the co-department signs
    # its part through "co_sign", not this one.
    ("staff_action", "POST"): row(L, 403, 403, 403, 403, 403, R, 403, 403),
    ("staff_action", "GET"): NOT_ALLOWED,
}

ACTION = "/appeals/{number}/actions/"
API = {
    ("GET", "/appeals"): row(401, 403, 403, 403, 200, 200, 200, 200, 200),
    # On the received order: nobody but the zone-wide staff and its requester sees it.
    ("POST", ACTION + "dispatch"): row(401, 403, 404, 404, 403, 200, 404, 404, 403),
    # On the dispatched order: the lead signs it, the co-department its co assignment.
    ("POST", ACTION + "sign"): row(401, 403, 404, 404, 403, 403, 200, 200, 403),
    # The co-department has not signed yet: the order's moment refuses it (409).
    ("POST", ACTION + "part"): row(401, 403, 404, 404, 403, 403, 403, 409, 403),
    ("POST", ACTION + "return"): row(401, 403, 404, 404, 403, 403, 200, 403, 403),
    # On the order sent back (the lead department still holds it).
    ("POST", ACTION + "designate"): row(401, 403, 404, 404, 403, 200, 403, 404, 403),
    # On the order being handled.
    ("POST", ACTION + "extend"): row(401, 403, 404, 404, 403, 403, 200, 404, 403),
    ("POST", ACTION + "reply"): row(401, 403, 404, 404, 403, 403, 200, 404, 403),
    # On the order with an extension pending.
    ("POST", ACTION + "approve_extension"): row(401, 403, 404, 404, 403, 200, 403, 404, 403),
    # On the replied order.
    ("POST", ACTION + "approve_reply"): row(401, 403, 404, 404, 403, 200, 403, 404, 403),
}


@dataclass
class Walk:
    users: dict[str, User | None]
    orders: dict[str, Appeal]


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """The world, built once in a transaction the module rolls back."""
    with django_db_blocker.unblock(), transaction.atomic():
        aw = appeal_world(worlds.zone_world())
        dispatched = appeal_dispatch(appeal=make_appeal(aw), actor=aw.dispatcher)
        extended = make_appeal(aw, AppealStatus.HANDLING)
        appeal_extension_request(appeal=extended, actor=aw.handler, days=2, reason="需核查")
        orders = {
            "received": make_appeal(aw),
            "dispatched": dispatched,
            "returned": make_appeal(aw, AppealStatus.RETURN_REQUESTED),
            "handling": make_appeal(aw, AppealStatus.HANDLING),
            "extended": extended,
            "replied": make_appeal(aw, AppealStatus.REPLIED),
        }
        users = {role: getattr(aw, role, None) for role in ROLES}
        yield Walk(users=users, orders=orders)
        transaction.set_rollback(True)


def _page_request(walk: Walk, name: str, method: str):
    number = walk.orders["dispatched"].number
    args = {"staff_order": [number], "staff_action": [number, "sign"]}
    return reverse(f"appeals:{name}", args=args.get(name, [])), {} if method == "POST" else None


#: (the order each action is walked on, its body)
ACTION_CASES = {
    "dispatch": ("received", {}),
    "sign": ("dispatched", {}),
    "part": ("dispatched", {"text": "已核查"}),
    "return": ("dispatched", {"reason": "不属于本部门职责"}),
    "designate": ("returned", {}),
    "extend": ("handling", {"days": 2, "reason": "需现场核查"}),
    "reply": ("handling", {"reply": "已办理。"}),
    "approve_extension": ("extended", {"approve": True}),
    "approve_reply": ("replied", {"approve": True}),
}


def _api_request(walk: Walk, method: str, path: str):
    if path == "/appeals":
        return "/api/v1/appeals", None, None
    name = path.rsplit("/", 1)[-1]
    order, body = ACTION_CASES[name]
    number = walk.orders[order].number
    return f"/api/v1/appeals/{number}/actions/{name}", None, body


WALK = PermissionWalk(
    roles=ROLES,
    namespace="appeals",
    pages=PAGES,
    page_request=_page_request,
    router=router,
    api_rows=API,
    api_request=_api_request,
    every_page_both_methods=True,
)
_tests = WALK.tests()
test_page = _tests["test_page"]
test_api = _tests["test_api"]
