"""The permission walk of appeals: every page and every API operation × every role.

The expected answer of each (page or operation, role) is written out below. The tables
are checked against the URL resolver (namespace "appeals"), the API router and the
action registries of the pages, so a new page, endpoint or action without a row fails
the walk (naming the rows it lacks) until someone decides who may use it.

Each row uses an order in the status its action starts from, so a role that may act gets
through (302 onwards on a page, 200/201 on the API), a role that sees the order but may
not act is refused (403, or 409 where the order's moment refuses first) and a role that
may not see it is told "not found" (404). Writes carry a real CSRF token through a
client that enforces it.

The world (built once for the module, on Mon 2 Mar 2026 at 10:00; each test's changes
are rolled back): the zone's category 0101 企业开办 is dispatched by the catalogue to
"lead" (SCJG) with "other" (ZJJ) as co-department. "requester" is the enterprise's user
(its orders are filed by it); "stranger" an applicant's user of nobody here; "handler"
handles appeals for the lead department, "other_handler" for the other one (the
co-department of the dispatched orders, nothing else); "reviewer", "decider" and
"regulator" hold the cases roles of the lead department (no appeal role; "regulator" is
also the department's policy officer); every org Role has a person in the walk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from onewindow.appeals import api as appeals_api
from onewindow.appeals.constants import AppealStatus, SupervisionLevel
from onewindow.appeals.models import Appeal, AppealSupervision, KnowledgeArticle
from onewindow.appeals.services.handling import (
    appeal_co_sign,
    appeal_dispatch,
    appeal_extension_request,
)
from onewindow.appeals.services.knowledge import article_save
from onewindow.appeals.services.supervision import appeal_supervise
from onewindow.appeals.tests.factories import (
    AppealWorld,
    appeal_world,
    at,
    cases_beside,
    make_appeal,
)
from onewindow.appeals.views import followup as followup_views
from onewindow.appeals.views import handling as handling_views
from onewindow.org.constants import Role
from onewindow.org.models import User
from onewindow.reviews.models import Channel as RatingChannel
from onewindow.reviews.models import Rating
from onewindow.reviews.services import rating_submit
from onewindow.reviews.tests.conftest import deliver_immediate
from onewindow.testing import worlds
from onewindow.testing.clients import client_for, send
from onewindow.testing.walk import (
    L,
    PermissionWalk,
    R,
    api_operations,
    check,
    first_allowed,
    page_names,
    params,
    refusals_are_error_bodies,
    row_maker,
)

pytestmark = pytest.mark.django_db

NOW = at(dt.date(2026, 3, 2), 10)  # Mon 2 Mar 2026, 10:00
RECEIVED = at(dt.date(2026, 3, 2), 9)  # an hour earlier: make_appeal dispatches at 10:00
API = "/api/v1"

# -- the table's vocabulary -------------------------------------------------------------------

#: The columns of every row, in this order.
ROLES = (
    "anonymous",
    "requester",  # the enterprise's user: it filed the orders
    "stranger",  # an applicant's user representing nobody here
    "clerk",  # 综合窗口人员 (no appeal role)
    "operator",  # 话务员
    "dispatcher",  # 派单员 (the centre)
    "handler",  # 诉求承办人员 of the lead department
    "other_handler",  # 诉求承办人员 of the co-department
    "supervisor",  # 电子监察人员
    "analyst",  # 领导与分析人员
    "administrator",  # 系统管理员
    "reviewer",  # 审查人员 of the lead department
    "decider",  # 审批决定人 of the lead department
    "regulator",  # 监管人员 of the lead department
    "security_admin",  # 安全管理员
    "audit_admin",  # 审计管理员: the audit trail and nothing else (403 everywhere here)
)
row = row_maker(ROLES)

OK = 200
NEW = 201  # created
U = 401  # no session (API)
F = 403  # forbidden
N = 404  # not found
M = 405  # method not allowed
C = 409  # the wrong moment
V = 422  # bad input

# -- pages ------------------------------------------------------------------------------------
#
# The POST rows of the action pages use one action each; every action has its own row in
# the action tables below.
#
#       anon requester stranger clerk operator dispatcher handler other_handler supervisor
#       analyst administrator reviewer decider regulator security_admin audit_admin
PAGES: dict[tuple[str, str], dict] = {
    # -- intake: 我要反映 (an empty form: the applicant's user meets its errors)
    ("new", "GET"): row(L, OK, OK, F, F, F, F, F, F, F, F, F, F, F, F, F),
    ("new", "POST"): row(L, V, V, F, F, F, F, F, F, F, F, F, F, F, F, F),
    # Nothing just filed: back to 我的诉求.
    ("submitted", "GET"): row(L, R, R, F, F, F, F, F, F, F, F, F, F, F, F, F),
    ("submitted", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    ("mine", "GET"): row(L, OK, OK, F, F, F, F, F, F, F, F, F, F, F, F, F),
    ("mine", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # The requester's page of the dispatched order.
    ("my_appeal", "GET"): row(L, OK, N, F, F, F, F, F, F, F, F, F, F, F, F, F),
    ("my_appeal", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # The public query, with the dispatched order's number and query code.
    ("query", "GET"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, F),
    ("query", "POST"): row(M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # -- intake: 来电登记 (an empty form: the operator meets its errors)
    ("hotline_new", "GET"): row(L, F, F, F, OK, F, F, F, F, F, F, F, F, F, F, F),
    ("hotline_new", "POST"): row(L, F, F, F, V, F, F, F, F, F, F, F, F, F, F, F),
    # Nothing just recorded: back to the form.
    ("hotline_done", "GET"): row(L, F, F, F, R, F, F, F, F, F, F, F, F, F, F, F),
    ("hotline_done", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # -- intake: 差评转诉求, the centre and 电子监察 of the zone (the POST lands on the order)
    ("rating_appeal", "GET"): row(L, F, F, F, F, OK, F, F, OK, F, F, F, F, F, F, F),
    ("rating_appeal", "POST"): row(L, F, F, F, F, R, F, F, R, F, F, F, F, F, F, F),
    # -- handling
    ("department_queue", "GET"): row(L, F, F, F, F, F, OK, OK, F, F, F, F, F, F, F, F),
    ("department_queue", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    ("centre_board", "GET"): row(L, F, F, F, F, OK, F, F, F, F, F, F, F, F, F, F),
    ("centre_board", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # The dispatched order: the zone-wide staff, the lead and the co-department see it.
    ("staff_order", "GET"): row(L, F, F, F, OK, OK, OK, OK, OK, F, F, F, F, F, F, F),
    ("staff_order", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # An action no order page has: not found, before anyone's access is looked at.
    ("staff_action", "POST"): row(L, N, N, N, N, N, N, N, N, N, N, N, N, N, N, F),
    ("staff_action", "GET"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # -- follow-up: 回访 by the centre on the answered order (each action: STAFF_FOLLOWUP)
    ("followup_staff_action", "POST"): row(L, F, F, N, F, R, F, N, F, N, N, N, N, N, N, F),
    ("followup_staff_action", "GET"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # The requester's own verdict on the answered order (each action: REQUESTER_FOLLOWUP)
    ("followup_requester_action", "POST"): row(L, R, N, F, F, F, F, F, F, F, F, F, F, F, F, F),
    ("followup_requester_action", "GET"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # -- 督办: the board, and the open 督办 against the lead department
    ("supervision_board", "GET"): row(L, F, F, F, F, OK, OK, OK, OK, F, F, F, F, F, F, F),
    ("supervision_board", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    ("supervision", "GET"): row(L, F, F, F, F, OK, OK, N, OK, F, F, F, F, F, F, F),
    ("supervision", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # The lead department's answer (each action: SUPERVISION_ACTIONS)
    ("supervision_action", "POST"): row(L, F, F, F, F, F, R, N, F, F, F, F, F, F, F, F),
    ("supervision_action", "GET"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # -- reports: 电子监察, the centre and the analysts; the statistics are public
    ("weekly_report", "GET"): row(L, F, F, F, F, OK, F, F, OK, OK, F, F, F, F, F, F),
    ("weekly_report", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    ("weekly_report_pdf", "GET"): row(L, F, F, F, F, OK, F, F, OK, OK, F, F, F, F, F, F),
    ("weekly_report_pdf", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    ("weekly_report_xlsx", "GET"): row(L, F, F, F, F, OK, F, F, OK, OK, F, F, F, F, F, F),
    ("weekly_report_xlsx", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    ("report_department", "GET"): row(L, F, F, F, F, OK, F, F, OK, OK, F, F, F, F, F, F),
    ("report_department", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    ("public_stats", "GET"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, F),
    ("public_stats", "POST"): row(M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # -- knowledge base: readers are the appeal staff, editors the centre and the handlers
    # of the article's department (the article is the lead department's)
    ("knowledge_list", "GET"): row(L, F, F, F, OK, OK, OK, OK, OK, F, F, F, F, F, F, F),
    ("knowledge_list", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    ("knowledge_detail", "GET"): row(L, F, F, F, OK, OK, OK, OK, OK, F, F, F, F, F, F, F),
    ("knowledge_detail", "POST"): row(L, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # An empty form: an editor meets its errors.
    ("knowledge_new", "GET"): row(L, F, F, F, F, OK, OK, OK, F, F, F, F, F, F, F, F),
    ("knowledge_new", "POST"): row(L, F, F, F, F, V, V, V, F, F, F, F, F, F, F, F),
    ("knowledge_edit", "GET"): row(L, F, F, F, F, OK, OK, F, F, F, F, F, F, F, F, F),
    ("knowledge_edit", "POST"): row(L, F, F, F, F, V, V, F, F, F, F, F, F, F, F, F),
}

#: ``POST appeals/staff/<number>/<action>/`` (the order page's actions): action →
#: (the order it is walked on, the answer of each role).
STAFF_ACTIONS: dict[str, tuple[str, dict]] = {
    "dispatch": ("received", row(L, F, F, F, F, R, N, N, F, F, F, F, F, F, F, F)),
    "designate": ("returned", row(L, F, F, F, F, R, F, N, F, F, F, F, F, F, F, F)),
    "sign": ("dispatched", row(L, F, F, F, F, F, R, F, F, F, F, F, F, F, F, F)),
    "co_sign": ("dispatched", row(L, F, F, F, F, F, F, R, F, F, F, F, F, F, F, F)),
    "part": ("co_signed", row(L, F, F, F, F, F, F, R, F, F, F, F, F, F, F, F)),
    "return": ("dispatched", row(L, F, F, F, F, F, R, F, F, F, F, F, F, F, F, F)),
    "extend": ("handling", row(L, F, F, F, F, F, R, N, F, F, F, F, F, F, F, F)),
    "approve_extension": ("extended", row(L, F, F, F, F, R, F, N, F, F, F, F, F, F, F, F)),
    "reply": ("handling", row(L, F, F, F, F, F, R, N, F, F, F, F, F, F, F, F)),
    "approve_reply": ("replied", row(L, F, F, F, F, R, F, N, F, F, F, F, F, F, F, F)),
}

#: ``POST appeals/staff/<number>/followup/<action>/``: action → (order, answers).
STAFF_FOLLOWUP: dict[str, tuple[str, dict]] = {
    "visit": ("answered", row(L, F, F, N, F, R, F, N, F, N, N, N, N, N, N, F)),
    "close": ("answered", row(L, F, F, N, F, R, F, N, F, N, N, N, N, N, N, F)),
    "merge": ("duplicate", row(L, F, F, N, F, R, F, N, F, N, N, N, N, N, N, F)),
    "supervise": ("handling", row(L, F, F, N, F, R, F, N, R, N, N, N, N, N, N, F)),
}

#: ``POST appeals/my/<number>/<action>/``: action → (order, answers).
REQUESTER_FOLLOWUP: dict[str, tuple[str, dict]] = {
    "visit": ("answered", row(L, R, N, F, F, F, F, F, F, F, F, F, F, F, F, F)),
    "reopen": ("answered", row(L, R, N, F, F, F, F, F, F, F, F, F, F, F, F, F)),
}

#: ``POST appeals/supervision/<pk>/<action>/`` on the open 督办: action → answers.
SUPERVISION_ACTIONS: dict[str, dict] = {
    "answer": row(L, F, F, F, F, F, R, N, F, F, F, F, F, F, F, F),
    "close": row(L, F, F, F, F, F, F, N, R, F, F, F, F, F, F, F),
}

# -- API --------------------------------------------------------------------------------------
#
#       anon requester stranger clerk operator dispatcher handler other_handler supervisor
#       analyst administrator reviewer decider regulator security_admin audit_admin
ACTION = "/appeals/{number}/actions/"
API_ROWS: dict[tuple[str, str], dict] = {
    # The queues: each reader within their scope; everyone else is refused.
    ("GET", "/appeals"): row(U, F, F, F, OK, OK, OK, OK, OK, F, F, F, F, F, F, F),
    # 我要反映 in the enterprise's name: its user may, the stranger is told it may not (on
    # the field); the operator is told what a call needs (its body: CALL_ROW).
    ("POST", "/appeals"): row(U, NEW, V, F, V, F, F, F, F, F, F, F, F, F, F, F),
    ("DELETE", "/appeals"): row(M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # The upstream platform's push: the centre's account of the zone.
    ("POST", "/appeals/import"): row(U, F, F, F, F, NEW, F, F, F, F, F, F, F, F, F, F),
    ("GET", "/appeals/import"): row(M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # 差评转诉求: the centre and 电子监察 of the zone.
    ("POST", "/appeals/from-rating"): row(U, F, F, F, F, NEW, F, F, NEW, F, F, F, F, F, F, F),
    ("GET", "/appeals/from-rating"): row(M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # The public lookup by number and query code.
    ("GET", "/appeals/lookup"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, F),
    ("GET", "/appeals/reports/weekly"): row(U, F, F, F, F, OK, F, F, OK, OK, F, F, F, F, F, F),
    ("GET", "/appeals/stats"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, F),
    # The dispatched order.
    ("GET", "/appeals/{number}"): row(U, OK, N, N, OK, OK, OK, OK, OK, N, N, N, N, N, N, F),
    ("POST", "/appeals/{number}"): row(M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    ("GET", ACTION + "dispatch"): row(M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    # -- handling, each action on an order in the status it starts from
    ("POST", ACTION + "dispatch"): row(U, F, N, N, F, OK, N, N, F, N, N, N, N, N, N, F),
    # The lead signs the order, the co-department its co assignment.
    ("POST", ACTION + "sign"): row(U, F, N, N, F, F, OK, OK, F, N, N, N, N, N, N, F),
    ("POST", ACTION + "part"): row(U, F, N, N, F, F, F, OK, F, N, N, N, N, N, N, F),
    ("POST", ACTION + "return"): row(U, F, N, N, F, F, OK, F, F, N, N, N, N, N, N, F),
    ("POST", ACTION + "designate"): row(U, F, N, N, F, OK, F, N, F, N, N, N, N, N, N, F),
    ("POST", ACTION + "extend"): row(U, F, N, N, F, F, OK, N, F, N, N, N, N, N, N, F),
    ("POST", ACTION + "reply"): row(U, F, N, N, F, F, OK, N, F, N, N, N, N, N, N, F),
    ("POST", ACTION + "approve_extension"): row(U, F, N, N, F, OK, F, N, F, N, N, N, N, N, N, F),
    ("POST", ACTION + "approve_reply"): row(U, F, N, N, F, OK, F, N, F, N, N, N, N, N, N, F),
    # -- follow-up and 督办
    ("POST", ACTION + "visit"): row(U, OK, N, N, F, OK, F, N, F, N, N, N, N, N, N, F),
    ("POST", ACTION + "reopen"): row(U, OK, N, N, F, F, F, N, F, N, N, N, N, N, N, F),
    ("POST", ACTION + "close"): row(U, F, N, N, F, OK, F, N, F, N, N, N, N, N, N, F),
    ("POST", ACTION + "merge"): row(U, F, N, N, F, OK, F, N, F, N, N, N, N, N, N, F),
    ("POST", ACTION + "supervise"): row(U, F, N, N, F, NEW, F, N, NEW, N, N, N, N, N, N, F),
    # -- knowledge base and duplicates
    ("GET", "/knowledge"): row(U, F, F, F, OK, OK, OK, OK, OK, F, F, F, F, F, F, F),
    ("POST", "/knowledge"): row(M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, F),
    ("GET", "/knowledge/{pk}"): row(U, F, F, F, OK, OK, OK, OK, OK, F, F, F, F, F, F, F),
    # Before a call or a push is recorded: the hotline and the centre.
    ("POST", "/appeals/duplicates/check"): row(U, F, F, F, OK, OK, F, F, F, F, F, F, F, F, F, F),
    # The dispatched order's look-alikes: the appeal staff who see it.
    ("GET", "/appeals/{number}/duplicates"): row(
        U, F, F, F, OK, OK, OK, OK, OK, F, F, F, F, F, F, F
    ),
}

#: ``POST /appeals`` with the hotline seat's body (来电登记, dispatched to the centre).
CALL_ROW = row(U, V, V, F, NEW, F, F, F, F, F, F, F, F, F, F, F)

#: The API operation each action row uses: action → the order it is walked on.
API_ORDERS = {
    "dispatch": "received",
    "sign": "dispatched",
    "part": "co_signed",
    "return": "dispatched",
    "designate": "returned",
    "extend": "handling",
    "reply": "handling",
    "approve_extension": "extended",
    "approve_reply": "replied",
    "visit": "answered",
    "reopen": "answered",
    "close": "answered",
    "merge": "duplicate",
    "supervise": "handling",
}


# -- the world, built once --------------------------------------------------------------------


@dataclass
class Walk:
    aw: AppealWorld
    users: dict[str, User | None]
    orders: dict[str, Appeal]
    supervision: AppealSupervision
    article: KnowledgeArticle  # published, of the lead department
    rating: Rating  # 非常不满意, of a case of the lead department

    def order(self, key: str) -> Appeal:
        return self.orders[key]


def _people(aw: AppealWorld) -> dict[str, User | None]:
    zone, lead = aw.zone, aw.lead

    def person(role: str, **fields) -> User:
        return worlds.staff(zone, role, username=f"walk_{role}", **fields)

    return {
        "anonymous": None,
        "requester": aw.requester,
        "stranger": aw.stranger,
        "clerk": aw.clerk,
        "operator": aw.operator,
        "dispatcher": aw.dispatcher,
        "handler": aw.handler,
        "other_handler": aw.other_handler,
        "supervisor": aw.supervisor,
        "analyst": person(Role.ANALYST),
        "administrator": person(Role.ADMINISTRATOR),
        "reviewer": person(Role.REVIEWER, department=lead),
        "decider": person(Role.DECIDER, department=lead),
        # 监管人员 and 政策专员 of the lead department: neither gives a right on appeals, so
        # the column walks the policy officer's role too.
        "regulator": worlds.staff(
            zone, Role.REGULATOR, Role.POLICY_OFFICER, username="walk_regulator", department=lead
        ),
        "security_admin": person(Role.SECURITY_ADMIN),
        "audit_admin": person(Role.AUDIT_ADMIN),
    }


def _bad_rating(aw: AppealWorld, places: worlds.Places) -> Rating:
    world = cases_beside(aw, places)
    return rating_submit(
        case=deliver_immediate(world, None),
        channel=RatingChannel.ONLINE,
        level=1,
        comment="窗口态度差",
        actor=world.applicant_user,
    )


def _build() -> Walk:
    places = worlds.zone_world()
    aw = appeal_world(places)
    users = _people(aw)

    def made(status: str = AppealStatus.RECEIVED) -> Appeal:
        return make_appeal(aw, status, received=RECEIVED)

    # Dispatched by the catalogue now: lead SCJG, co ZJJ, inside the return window.
    dispatched = appeal_dispatch(appeal=made(), actor=aw.dispatcher)
    co_signed = appeal_dispatch(appeal=made(), actor=aw.dispatcher)
    appeal_co_sign(appeal=co_signed, actor=aw.other_handler)
    extended = made(AppealStatus.HANDLING)
    appeal_extension_request(appeal=extended, actor=aw.handler, days=2, reason="需现场核查")
    supervised = made(AppealStatus.HANDLING)
    supervision = appeal_supervise(
        appeal=supervised,
        actor=aw.supervisor,
        level=SupervisionLevel.DAILY,
        note="请加快办理",
        days=3,
    )
    orders = {
        "received": made(),
        "dispatched": dispatched,
        "co_signed": co_signed,
        "returned": made(AppealStatus.RETURN_REQUESTED),
        "handling": made(AppealStatus.HANDLING),
        "duplicate": made(AppealStatus.HANDLING),  # merged into "handling"
        "extended": extended,
        "replied": made(AppealStatus.REPLIED),
        "answered": made(AppealStatus.ANSWERED),
        "supervised": supervised,
    }
    orders = {key: Appeal.objects.get(pk=order.pk) for key, order in orders.items()}
    article = article_save(
        actor=aw.dispatcher,
        zone=aw.zone,
        department=aw.lead,
        category=aw.category,
        title="企业开办流程",
        body="企业开办全程网办，一个工作日内办结。",
    )
    return Walk(
        aw=aw,
        users=users,
        orders=orders,
        supervision=supervision,
        article=article,
        rating=_bad_rating(aw, places),
    )


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """The world, built once in a transaction that the module rolls back (each test runs
    in a savepoint inside it, rolled back after the test)."""
    with (
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def frozen():
    """The walk's instant; the public lookup's rate limit (in the cache) starts afresh."""
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


# -- what each row asks -----------------------------------------------------------------------


def _page_request(walk: Walk, name: str, method: str) -> tuple[str, dict | None]:
    dispatched, answered = walk.order("dispatched"), walk.order("answered")
    post = method == "POST"
    if name in (
        "new",
        "submitted",
        "mine",
        "hotline_new",
        "hotline_done",
        "department_queue",
        "centre_board",
        "supervision_board",
        "weekly_report",
        "weekly_report_pdf",
        "weekly_report_xlsx",
        "public_stats",
    ):
        return reverse(f"appeals:{name}"), {} if post else None
    if name == "query":
        query = {"number": dispatched.number, "code": dispatched.query_code}
        return reverse("appeals:query"), {} if post else query
    if name in ("my_appeal", "staff_order"):
        return reverse(f"appeals:{name}", args=[dispatched.number]), {} if post else None
    if name == "staff_action":
        url = reverse("appeals:staff_action", args=[dispatched.number, "undo"])
        return url, {} if post else None
    if name == "followup_staff_action":
        url = reverse("appeals:followup_staff_action", args=[answered.number, "visit"])
        return url, _followup_data(walk, "visit") if post else None
    if name == "followup_requester_action":
        url = reverse("appeals:followup_requester_action", args=[answered.number, "visit"])
        return url, _followup_data(walk, "visit") if post else None
    if name == "supervision":
        return reverse("appeals:supervision", args=[walk.supervision.pk]), {} if post else None
    if name == "supervision_action":
        url = reverse("appeals:supervision_action", args=[walk.supervision.pk, "answer"])
        return url, _supervision_data("answer") if post else None
    if name in ("knowledge_detail", "knowledge_edit"):
        url = reverse(f"appeals:{name}", args=[walk.article.pk])
        return url, {} if post else None
    if name in ("knowledge_list", "knowledge_new"):
        return reverse(f"appeals:{name}"), {} if post else None
    if name == "rating_appeal":
        url = reverse("appeals:rating_appeal", args=[walk.rating.pk])
        return url, {"category": walk.aw.category.code} if post else None
    if name == "report_department":
        url = reverse("appeals:report_department", args=[walk.aw.lead.pk])
        return url, {} if post else None
    raise AssertionError(f"no request for the page {name!r}: add it to _page_request")


def _staff_action_data(walk: Walk, action: str) -> dict:
    """The POST of an order page's action form, filled so that a user who may act gets
    through."""
    return {
        "dispatch": {"lead": "", "co": []},
        "designate": {"department": "", "reason": "经核查属于本部门职责"},
        "part": {"text": "已核查登记材料"},
        "return": {"reason": "不属于本部门职责"},
        "extend": {"days": "2", "reason": "需现场核查"},
        "approve_extension": {"decision": "approve", "reason": ""},
        "reply": {"reply": "已办理，执照已核发。"},
        "approve_reply": {"decision": "approve", "reason": ""},
    }.get(action, {})


def _followup_data(walk: Walk, action: str) -> dict:
    """The POST of a follow-up form (its fields carry the action as prefix)."""
    fields = {
        "visit": {"satisfaction": "satisfied", "resolved": "yes", "note": ""},
        "reopen": {"reason": "问题仍未解决"},
        "close": {"reason": "多次回访无法联系诉求人"},
        "merge": {"into": walk.order("handling").number},
        "supervise": {"level": SupervisionLevel.LISTED, "days": "2", "note": "请加快办理"},
    }[action]
    return {f"{action}-{name}": value for name, value in fields.items()}


def _supervision_data(action: str) -> dict:
    fields = {"answer": {"response": "已约谈企业，正在办理"}, "close": {"note": "已落实"}}[action]
    return {f"{action}-{name}": value for name, value in fields.items()}


def _submit_body(walk: Walk) -> dict:
    return {
        "requester": walk.aw.enterprise.pk,
        "nature": "complaint",
        "category": walk.aw.category.code,
        "subject": "营业执照办理进度",
        "description": "我公司上周提交的设立登记至今没有消息，请帮忙催办。",
    }


def _call_body(walk: Walk) -> dict:
    return {
        "outcome": "dispatch",
        "nature": "help",
        "category": walk.aw.category.code,
        "subject": "来电咨询执照办理",
        "description": "来电人称设立登记至今没有消息。",
        "caller_name": "王五",
        "caller_phone": "13800000001",
    }


def _import_body(walk: Walk) -> dict:
    return {
        "upstream_id": "JS12345-2026-000001",
        "category": walk.aw.category.code,
        "nature": "complaint",
        "subject": "企业开办进度",
        "description": "省12345平台转来：企业设立登记迟迟未办结。",
        "contact_name": "赵六",
        "contact_phone": "13800000002",
    }


def _api_action_body(walk: Walk, action: str) -> dict:
    return {
        "dispatch": {},
        "sign": {},
        "part": {"text": "已核查登记材料"},
        "return": {"reason": "不属于本部门职责"},
        "designate": {},
        "extend": {"days": 2, "reason": "需现场核查"},
        "reply": {"reply": "已办理，执照已核发。"},
        "approve_extension": {"approve": True},
        "approve_reply": {"approve": True},
        "visit": {"satisfaction": "satisfied", "resolved": True},
        "reopen": {"reason": "问题仍未解决"},
        "close": {"reason": "多次回访无法联系诉求人"},
        "merge": {"into": walk.order("handling").number},
        "supervise": {"level": SupervisionLevel.LISTED, "note": "请加快办理", "days": 2},
    }[action]


def _api_request(walk: Walk, method: str, path: str) -> tuple[str, dict | None, dict | None]:
    """(url, query, JSON body) of an API row."""
    dispatched = walk.order("dispatched")
    if path.startswith(ACTION):
        action = path.removeprefix(ACTION)
        order = walk.order(API_ORDERS[action])
        url = API + path.format(number=order.number)
        return url, None, _api_action_body(walk, action) if method == "POST" else None
    url = API + path.format(number=dispatched.number, pk=walk.article.pk)
    if (method, path) == ("POST", "/appeals"):
        return url, None, _submit_body(walk)
    if (method, path) == ("POST", "/appeals/import"):
        return url, None, _import_body(walk)
    if (method, path) == ("POST", "/appeals/from-rating"):
        return url, None, {"rating": walk.rating.pk, "category": walk.aw.category.code}
    if (method, path) == ("POST", "/appeals/duplicates/check"):
        body = {"category": walk.aw.category.code, "subject": "营业执照办理进度"}
        return url, None, body
    if path == "/knowledge":
        return url, {"q": "企业开办"}, None
    if path == "/appeals/lookup":
        return url, {"number": dispatched.number, "code": dispatched.query_code}, None
    return url, None, ({} if method == "POST" else None)


# -- the walk ---------------------------------------------------------------------------------

WALK = PermissionWalk(
    roles=ROLES,
    namespace="appeals",
    pages=PAGES,
    page_request=_page_request,
    router=appeals_api.router,
    api_rows=API_ROWS,
    api_request=_api_request,
    every_page_both_methods=True,
    after_api=refusals_are_error_bodies,
)
_tests = WALK.tests()
test_page = _tests["test_page"]
test_api = _tests["test_api"]


# -- every page, operation, action and role has its row ---------------------------------------


def test_every_page_has_its_rows():
    """Both methods of every page of the namespace; a missing row is named."""
    names = page_names("appeals")
    wanted = {(name, method) for name in names for method in ("GET", "POST")}
    missing = sorted(wanted - set(PAGES))
    assert not missing, f"pages of appeals without a row in PAGES: {missing}"
    stale = sorted({name for name, _method in PAGES} - names)
    assert not stale, f"rows in PAGES for pages appeals does not have: {stale}"


def test_every_api_operation_has_a_row():
    """Every operation of the router; a missing row is named. The other rows ask a method
    a served path does not serve: 405 for everyone but the audit administrator, whom the
    API refuses before any operation is looked for (ADR 0010)."""
    operations = api_operations(appeals_api.router)
    missing = sorted(operations - set(API_ROWS))
    assert not missing, f"API operations without a row in API_ROWS: {missing}"
    served_paths = {path for _method, path in operations}
    for key, expected in API_ROWS.items():
        if key not in operations:
            assert key[1] in served_paths, f"{key}: no such path"
            others = {role: status for role, status in expected.items() if role != "audit_admin"}
            assert set(others.values()) == {405}, f"{key}: not served, so 405 for everyone"
            assert expected["audit_admin"] == 403, key


def test_every_action_has_its_row():
    assert set(handling_views.ACTIONS) == set(STAFF_ACTIONS)
    assert set(followup_views.STAFF_FORMS) == set(STAFF_FOLLOWUP)
    assert set(followup_views.REQUESTER_FORMS) == set(REQUESTER_FOLLOWUP)
    assert set(SUPERVISION_ACTIONS) == {"answer", "close"}
    api_actions = {
        path.removeprefix(ACTION) for _method, path in API_ROWS if path.startswith(ACTION)
    }
    assert api_actions == set(API_ORDERS)


def test_every_role_has_a_person_in_the_walk(walk):
    held = {role for user in walk.users.values() if user for role in user.role_set()}
    assert held == set(Role.values), set(Role.values) ^ held
    assert set(walk.users) == set(ROLES)


def test_the_orders_are_where_their_rows_need_them(walk):
    statuses = {key: order.status for key, order in walk.orders.items()}
    assert statuses == {
        "received": AppealStatus.RECEIVED,
        "dispatched": AppealStatus.DISPATCHED,
        "co_signed": AppealStatus.DISPATCHED,
        "returned": AppealStatus.RETURN_REQUESTED,
        "handling": AppealStatus.HANDLING,
        "duplicate": AppealStatus.HANDLING,
        "extended": AppealStatus.HANDLING,
        "replied": AppealStatus.REPLIED,
        "answered": AppealStatus.ANSWERED,
        "supervised": AppealStatus.HANDLING,
    }


# -- the actions, one row each ----------------------------------------------------------------


def _post_page(walk: Walk, role: str, url: str, data: dict):
    return send(client_for(walk.users[role], csrf=True), "POST", url, data)


@pytest.mark.parametrize(
    ("action", "role"), params(STAFF_ACTIONS, ROLES, lambda action: f"staff_action {action}")
)
def test_staff_action(walk, action, role):
    key, expected = STAFF_ACTIONS[action]
    order = walk.order(key)
    url = reverse("appeals:staff_action", args=[order.number, action])
    response = _post_page(walk, role, url, _staff_action_data(walk, action))
    check(response, expected[role], f"POST {url} ({key}) as {role}")
    if expected[role] == R:
        assert response["Location"] == reverse("appeals:staff_order", args=[order.number])


@pytest.mark.parametrize(
    ("action", "role"), params(STAFF_FOLLOWUP, ROLES, lambda action: f"followup {action}")
)
def test_staff_followup(walk, action, role):
    key, expected = STAFF_FOLLOWUP[action]
    order = walk.order(key)
    url = reverse("appeals:followup_staff_action", args=[order.number, action])
    response = _post_page(walk, role, url, _followup_data(walk, action))
    check(response, expected[role], f"POST {url} ({key}) as {role}")
    if expected[role] == R:
        assert response["Location"] == reverse("appeals:staff_order", args=[order.number])


@pytest.mark.parametrize(
    ("action", "role"), params(REQUESTER_FOLLOWUP, ROLES, lambda action: f"my {action}")
)
def test_requester_followup(walk, action, role):
    key, expected = REQUESTER_FOLLOWUP[action]
    order = walk.order(key)
    url = reverse("appeals:followup_requester_action", args=[order.number, action])
    response = _post_page(walk, role, url, _followup_data(walk, action))
    check(response, expected[role], f"POST {url} ({key}) as {role}")
    if expected[role] == R:
        assert response["Location"] == reverse("appeals:my_appeal", args=[order.number])


@pytest.mark.parametrize(
    ("action", "role"),
    params(SUPERVISION_ACTIONS, ROLES, lambda action: f"supervision {action}"),
)
def test_supervision_action(walk, action, role):
    expected = SUPERVISION_ACTIONS[action]
    pk = walk.supervision.pk
    url = reverse("appeals:supervision_action", args=[pk, action])
    response = _post_page(walk, role, url, _supervision_data(action))
    check(response, expected[role], f"POST {url} as {role}")
    if expected[role] == R:
        assert response["Location"] == reverse("appeals:supervision", args=[pk])


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_call(walk, role):
    """``POST /appeals`` with the hotline seat's body."""
    client = client_for(walk.users[role], csrf=True)
    response = send(client, "POST", f"{API}/appeals", json=_call_body(walk))
    check(response, CALL_ROW[role], f"POST {API}/appeals (a call) as {role}")
    refusals_are_error_bodies(walk, ("POST", "/appeals"), role, response)


# -- every write needs the CSRF token ---------------------------------------------------------


def _no_token(walk: Walk, role: str, method: str, url: str, data=None, json=None):
    client = client_for(walk.users[role], csrf=True)
    return send(client, method, url, data, json=json, token=False)


@pytest.mark.parametrize("action", list(STAFF_ACTIONS))
def test_an_order_page_action_without_the_csrf_token_is_refused(walk, action):
    key, expected = STAFF_ACTIONS[action]
    order = walk.order(key)
    before = Appeal.objects.values().get(pk=order.pk)
    url = reverse("appeals:staff_action", args=[order.number, action])
    data = _staff_action_data(walk, action)
    assert _no_token(walk, first_allowed(expected), "POST", url, data).status_code == 403
    assert Appeal.objects.values().get(pk=order.pk) == before


@pytest.mark.parametrize(
    ("name", "action"),
    [("followup_staff_action", action) for action in STAFF_FOLLOWUP]
    + [("followup_requester_action", action) for action in REQUESTER_FOLLOWUP],
)
def test_a_followup_action_without_the_csrf_token_is_refused(walk, name, action):
    table = STAFF_FOLLOWUP if name == "followup_staff_action" else REQUESTER_FOLLOWUP
    key, expected = table[action]
    order = walk.order(key)
    before = Appeal.objects.values().get(pk=order.pk)
    url = reverse(f"appeals:{name}", args=[order.number, action])
    data = _followup_data(walk, action)
    assert _no_token(walk, first_allowed(expected), "POST", url, data).status_code == 403
    assert Appeal.objects.values().get(pk=order.pk) == before


@pytest.mark.parametrize("action", list(SUPERVISION_ACTIONS))
def test_a_supervision_action_without_the_csrf_token_is_refused(walk, action):
    row_ = walk.supervision
    before = AppealSupervision.objects.values().get(pk=row_.pk)
    url = reverse("appeals:supervision_action", args=[row_.pk, action])
    role = first_allowed(SUPERVISION_ACTIONS[action])
    assert _no_token(walk, role, "POST", url, _supervision_data(action)).status_code == 403
    assert AppealSupervision.objects.values().get(pk=row_.pk) == before


@pytest.mark.parametrize(
    "key", [key for key in API_ROWS if key[0] == "POST" and key[1].startswith(ACTION)]
)
def test_an_api_action_without_the_csrf_token_is_refused(walk, key):
    method, path = key
    url, _query, body = _api_request(walk, method, path)
    order = walk.order(API_ORDERS[path.removeprefix(ACTION)])
    before = Appeal.objects.values().get(pk=order.pk)
    response = _no_token(walk, first_allowed(API_ROWS[key]), method, url, json=body)
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert Appeal.objects.values().get(pk=order.pk) == before


@pytest.mark.parametrize("path", ["/appeals", "/appeals/import"])
def test_filing_over_the_api_without_the_csrf_token_is_refused(walk, path):
    url, _query, body = _api_request(walk, "POST", path)
    count = Appeal.objects.count()
    response = _no_token(walk, first_allowed(API_ROWS[("POST", path)]), "POST", url, json=body)
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert Appeal.objects.count() == count
