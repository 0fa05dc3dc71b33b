"""The permission walk of policies: every page and every API operation × every role.

The expected answer of each (page or operation, role) is written out below. The tables are
checked against the URL resolver (namespace "policies"), the API router and the action forms
of the redemption pages, so a new page, endpoint or action without a row fails the walk until
someone decides who may use it.

Each row uses an object in the state its action starts from, so a role that may act gets
through (302 onwards on a page, 200/201 on the API), a role that sees the object but may not
act is refused (403) and a role that may not see it is told "not found" (404). Writes carry a
real CSRF token through a client that enforces it.

The world (built once for the module, on Mon 2 Mar 2026 at 10:00; each test's changes are
rolled back): the policy of "department", whose 政策专员 is "officer" ("other_officer" manages
the other department's policies: a policy officer reads every redemption of the zone, but
works only their own department's). "representative" acts for the enterprise, which qualifies
for every 免申即享 item (its profile facts), "other_representative" for the other enterprise
(no facts, no redemption); "stranger" is an applicant's user of nobody. The 免申即享 items:
PENDING (a redemption waiting for the enterprise), PAYABLE (confirmed), PAID, LISTED (asks for
a 公示: confirmed, then publicised, with an objection) and OPEN (asks for a 公示, confirmed, not
yet publicised); FAST is a 快申快享 item mapped to a catalog item (apply_start).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from onewindow.catalog.constants import VersionStatus
from onewindow.catalog.tests.factories import make_item
from onewindow.certificates.keys import key_generate
from onewindow.org.models import User
from onewindow.policies import api as policies_api
from onewindow.policies.constants import RedemptionStatus, RedemptionWay
from onewindow.policies.models import Objection, Policy, PolicyItemVersion, Publicity, Redemption
from onewindow.policies.models.profile import FactSource
from onewindow.policies.services import matching
from onewindow.policies.services import redemptions as service
from onewindow.policies.services.profile import set_facts
from onewindow.policies.tests.factories import PolicyWorld, make_policy, make_version, policy_world
from onewindow.policies.views import redemption as redemption_views
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

NOW = timezone.make_aware(dt.datetime(2026, 3, 2, 10))  # Mon 2 Mar 2026, 10:00
ON = NOW.date()
API = "/api/v1"

# -- the table's vocabulary -------------------------------------------------------------------

#: The columns of every row, in this order.
ROLES = (
    "anonymous",
    "stranger",  # an applicant's user representing nobody
    "representative",  # the enterprise's: its redemptions
    "other_representative",  # the other enterprise's (no redemption)
    "clerk",  # 综合窗口人员: no policy role
    "officer",  # 政策专员 of the policy's department
    "other_officer",  # 政策专员 of the other department
    "administrator",  # 系统管理员
    "supervisor",  # 电子监察人员
    "analyst",  # 领导与分析人员
)
row = row_maker(ROLES)

OK = 200
NEW = 201  # created
U = 401  # no session (API)
F = 403  # forbidden
N = 404  # not found
M = 405  # method not allowed
V = 422  # bad input

# -- pages ------------------------------------------------------------------------------------
#
#       anon stranger representative other_representative clerk officer other_officer
#       administrator supervisor analyst
PAGES: dict[tuple[str, str], dict] = {
    # -- the public policy pages
    ("list", "GET"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("list", "POST"): row(M, M, M, M, M, M, M, M, M, M),
    ("detail", "GET"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("detail", "POST"): row(M, M, M, M, M, M, M, M, M, M),
    # -- the enterprise profile: its own page for its representatives (a user of nobody is
    # told so); the staff page for the zone's readers, written by its fact writers
    # An empty form changes nothing and shows the page again; a representative sent to the
    # staff page of its own enterprise lands on its own page.
    ("profile", "GET"): row(L, OK, OK, OK, F, F, F, F, F, F),
    ("profile", "POST"): row(L, OK, OK, OK, F, F, F, F, F, F),
    ("enterprise_profile", "GET"): row(L, N, R, N, N, OK, OK, OK, OK, OK),
    ("enterprise_profile", "POST"): row(L, N, R, N, N, OK, OK, OK, F, F),
    # -- the facts import: the zone's fact writers (policy officers, the administrator); an
    # empty upload meets its error
    ("facts_import", "GET"): row(L, F, F, F, F, OK, OK, OK, F, F),
    ("facts_import", "POST"): row(L, F, F, F, F, V, V, V, F, F),
    ("facts_import_template", "GET"): row(L, F, F, F, F, OK, OK, OK, F, F),
    ("facts_import_template", "POST"): row(L, M, M, M, M, M, M, M, M, M),
    # -- the officer's desk: every officer has one; another department's policy is not found
    ("manage", "GET"): row(L, F, F, F, F, OK, OK, F, F, F),
    ("manage", "POST"): row(L, M, M, M, M, M, M, M, M, M),
    # An empty form: an officer meets its errors.
    ("policy_new", "GET"): row(L, F, F, F, F, OK, OK, F, F, F),
    ("policy_new", "POST"): row(L, F, F, F, F, V, V, F, F, F),
    ("policy_edit", "GET"): row(L, F, F, F, F, OK, N, F, F, F),
    ("policy_edit", "POST"): row(L, F, F, F, F, V, N, F, F, F),
    ("item_new", "GET"): row(L, F, F, F, F, OK, N, F, F, F),
    ("item_new", "POST"): row(L, F, F, F, F, V, N, F, F, F),
    ("item_manage", "GET"): row(L, F, F, F, F, OK, N, F, F, F),
    ("item_manage", "POST"): row(L, M, M, M, M, M, M, M, M, M),
    # The DRAFT item's draft.
    ("draft_edit", "GET"): row(L, F, F, F, F, OK, N, F, F, F),
    ("draft_edit", "POST"): row(L, F, F, F, F, V, N, F, F, F),
    # new_draft from the published PENDING version.
    ("version_action", "POST"): row(L, F, F, F, F, R, N, F, F, F),
    ("version_action", "GET"): row(L, M, M, M, M, M, M, M, M, M),
    # -- the calculator: a representative's enterprise; typed facts for anyone
    ("calculator", "GET"): row(L, F, OK, OK, F, F, F, F, F, F),
    ("calculator", "POST"): row(L, M, M, M, M, M, M, M, M, M),
    ("try", "GET"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("try", "POST"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    # Subscribing the enterprise: its representative only.
    ("subscription", "POST"): row(L, N, R, N, F, F, F, F, F, F),
    ("subscription", "GET"): row(L, M, M, M, M, M, M, M, M, M),
    # -- 免申即享: the enterprise's pages (staff who see the row are sent to the desk's page)
    ("my_redemptions", "GET"): row(L, OK, OK, OK, F, F, F, F, F, F),
    ("my_redemptions", "POST"): row(L, M, M, M, M, M, M, M, M, M),
    ("my_redemption", "GET"): row(L, N, OK, N, N, R, R, R, R, R),
    ("my_redemption", "POST"): row(L, M, M, M, M, M, M, M, M, M),
    # "confirm" on the PENDING redemption (each action: ACTIONS below).
    ("redemption_action", "POST"): row(L, N, R, N, N, N, N, N, N, N),
    ("redemption_action", "GET"): row(L, M, M, M, M, M, M, M, M, M),
    # -- the officer's redemption desk; a 公示 of the OPEN item's payable row
    ("redemption_desk", "GET"): row(L, F, F, F, F, OK, OK, F, F, F),
    ("redemption_desk", "POST"): row(L, F, F, F, F, R, N, F, F, F),
    # The zone's readers; the representative is sent to their own page.
    ("redemption_manage", "GET"): row(L, N, R, N, N, OK, OK, OK, OK, OK),
    ("redemption_manage", "POST"): row(L, M, M, M, M, M, M, M, M, M),
    # -- the public 公示 and its objection form (anyone)
    ("publicity_list", "GET"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("publicity_list", "POST"): row(M, M, M, M, M, M, M, M, M, M),
    ("publicity_detail", "GET"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("publicity_detail", "POST"): row(R, R, R, R, R, R, R, R, R, R),
    # -- 快申快享: applicants; an enterprise the user does not represent is not found; the
    # other enterprise has no profile and is told what it lacks
    ("apply_start", "GET"): row(L, N, OK, OK, F, F, F, F, F, F),
    ("apply_start", "POST"): row(L, N, R, V, F, F, F, F, F, F),
    # -- the figures: the zone's readers, an officer their departments' items
    ("figures", "GET"): row(L, F, F, F, F, OK, OK, OK, OK, OK),
    ("figures", "POST"): row(L, M, M, M, M, M, M, M, M, M),
    ("figures_item", "GET"): row(L, F, F, F, F, OK, N, OK, OK, OK),
    ("figures_item", "POST"): row(L, M, M, M, M, M, M, M, M, M),
    ("figures_export", "GET"): row(L, F, F, F, F, OK, N, OK, OK, OK),
    ("figures_export", "POST"): row(L, M, M, M, M, M, M, M, M, M),
}

#: ``POST policies/redemptions/<number>/actions/<action>/``: action → (the redemption it is
#: walked on, the answer of each role). The enterprise's actions are not the staff's (404).
ACTIONS: dict[str, tuple[str, dict]] = {
    "confirm": ("pending", row(L, N, R, N, N, N, N, N, N, N)),
    "decline": ("pending", row(L, N, R, N, N, N, N, N, N, N)),
    "pay": ("payable", row(L, N, N, N, N, R, F, F, F, F)),
    "claw_back": ("paid", row(L, N, N, N, N, R, F, F, F, F)),
    "withdraw": ("payable", row(L, N, N, N, N, R, F, F, F, F)),
    "answer": ("listed", row(L, N, N, N, N, R, F, F, F, F)),
    # The 公示 still runs: whoever may end it meets the refusal (409).
    "end_publicity": ("listed", row(L, N, N, N, N, 409, F, F, F, F)),
}

# -- API --------------------------------------------------------------------------------------
#
#       anon stranger representative other_representative clerk officer other_officer
#       administrator supervisor analyst
ACTION = "/redemptions/{number}/actions/"
API_ROWS: dict[tuple[str, str], dict] = {
    ("GET", "/policies"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("POST", "/policies"): row(M, M, M, M, M, M, M, M, M, M),
    ("GET", "/policies/{code}"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    # Typed facts: anyone.
    ("POST", "/policies/evaluate"): row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("GET", "/policies/evaluate"): row(M, M, M, M, M, M, M, M, M, M),
    ("GET", "/policies/figures"): row(U, F, F, F, F, OK, OK, OK, OK, OK),
    # The enterprise's profile and matches: itself and the zone's readers.
    ("GET", "/enterprises/{uscc}/facts"): row(U, N, OK, N, N, OK, OK, OK, OK, OK),
    ("PUT", "/enterprises/{uscc}/facts"): row(U, N, F, N, N, OK, OK, OK, F, F),
    ("GET", "/enterprises/{uscc}/matches"): row(U, N, OK, N, N, OK, OK, OK, OK, OK),
    # -- 免申即享
    ("GET", "/redemptions"): row(U, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    ("GET", "/redemptions/{number}"): row(U, N, OK, N, N, OK, OK, OK, OK, OK),
    ("POST", "/redemptions/{number}"): row(M, M, M, M, M, M, M, M, M, M),
    ("POST", ACTION + "confirm"): row(U, N, OK, N, N, F, F, F, F, F),
    ("POST", ACTION + "decline"): row(U, N, OK, N, N, F, F, F, F, F),
    ("POST", ACTION + "pay"): row(U, N, F, N, N, OK, F, F, F, F),
    ("POST", ACTION + "claw_back"): row(U, N, F, N, N, OK, F, F, F, F),
    ("POST", ACTION + "withdraw"): row(U, N, F, N, N, OK, F, F, F, F),
    ("GET", ACTION + "pay"): row(M, M, M, M, M, M, M, M, M, M),
    # A 公示 of the OPEN item's payable row: its officer; applicants are told there is none.
    ("POST", "/publicities"): row(U, N, N, N, F, NEW, F, F, F, F),
    ("POST", "/publicities/{pk}/objections"): row(NEW, NEW, NEW, NEW, NEW, NEW, NEW, NEW, NEW, NEW),
    ("POST", "/objections/{pk}/answer"): row(U, N, F, N, N, OK, F, F, F, F),
}

#: The redemption each API action is walked on.
API_REDEMPTIONS = {
    "confirm": "pending",
    "decline": "pending",
    "pay": "payable",
    "claw_back": "paid",
    "withdraw": "payable",
}


# -- the world, built once --------------------------------------------------------------------


@dataclass
class Walk:
    pw: PolicyWorld
    users: dict[str, User | None]
    policy: Policy
    versions: dict[str, PolicyItemVersion]
    redemptions: dict[str, Redemption]
    publicity: Publicity  # running, of the LISTED item's row
    objection: Objection  # open, against that row

    def redemption(self, key: str) -> Redemption:
        return self.redemptions[key]


QUALIFIED = {"rd_share": "0.06", "credit_status": "normal", "employees": 120}
ACCOUNT = {
    "account_name": "示范智能制造有限公司",
    "bank": "示范银行高新支行",
    "account_number": "6222 0000 1111 2222",
    "statement": True,
}


def _build() -> Walk:
    places = worlds.zone_world()
    pw = policy_world(places)
    key_generate(zone=pw.zone)
    set_facts(
        None, pw.enterprise, QUALIFIED, source=FactSource.IMPORTED, as_of=dt.date(2026, 1, 15)
    )
    policy = make_policy(pw)

    def automatic(code: str, **fields) -> tuple[PolicyItemVersion, Redemption]:
        version = make_version(pw, policy=policy, code=code, **fields)
        matching.run_match(version, on=ON)
        return version, Redemption.objects.get(version=version, enterprise=pw.enterprise)

    def confirmed(redemption: Redemption) -> Redemption:
        return service.redemption_confirm(redemption, actor=pw.representative, **ACCOUNT)

    pending_version, pending = automatic("ZC-2026-001")
    payable_version, payable = automatic("ZC-2026-002")
    payable = confirmed(payable)
    paid_version, paid = automatic("ZC-2026-003")
    paid = confirmed(paid)
    service.redemption_pay(paid, actor=pw.officer, voucher="PZ-1", paid_on=ON)
    listed_version, listed = automatic("ZC-2026-004", requires_publicity=True, publicity_days=5)
    listed = confirmed(listed)
    publicity = service.publicity_open(listed_version, actor=pw.officer, numbers=[listed.number])
    objection = service.objection_file(publicity, number=listed.number, text="该企业研发数据虚报")
    open_version, open_row = automatic("ZC-2026-005", requires_publicity=True, publicity_days=5)
    open_row = confirmed(open_row)
    draft = make_version(pw, policy=policy, code="ZC-2026-006", status=VersionStatus.DRAFT)
    catalog = make_item(
        pw.zone,
        pw.department,
        name="研发投入奖励申请（示例）",
        legal_limit_days=60,
        promised_limit_days=60,
        materials=["申请表"],
    )
    fast = make_version(
        pw,
        policy=policy,
        code="ZC-2026-007",
        way=RedemptionWay.FAST,
        catalog_item=catalog.item,
        materials=[{"name": "研发费用专项审计报告", "fact": "rd_share"}],
    )
    redemptions = {
        "pending": pending,
        "payable": payable,
        "paid": paid,
        "listed": listed,
        "open": open_row,
    }
    return Walk(
        pw=pw,
        users={"anonymous": None} | {role: getattr(pw, role) for role in ROLES[1:]},
        policy=policy,
        versions={
            "pending": pending_version,
            "payable": payable_version,
            "paid": paid_version,
            "listed": listed_version,
            "open": open_version,
            "draft": draft,
            "fast": fast,
        },
        redemptions={key: Redemption.objects.get(pk=row_.pk) for key, row_ in redemptions.items()},
        publicity=publicity,
        objection=objection,
    )


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """The world, built once in a transaction that the module rolls back (each test runs in
    a savepoint inside it, rolled back after the test)."""
    with (
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def frozen():
    """The walk's instant; the rate limits (in the cache) start afresh."""
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


# -- what each row asks -----------------------------------------------------------------------

CLAW_BACK = {
    "amount": "5",
    "reason": "研发费用数据更正",
    "voucher": "ZH-1",
    "paid_on": ON.isoformat(),
}


def _action_data(walk: Walk, action: str) -> dict:
    """The POST of a redemption action's form (its fields carry the action as prefix)."""
    fields = {
        "confirm": {
            "account_name": ACCOUNT["account_name"],
            "bank": ACCOUNT["bank"],
            "account_number": ACCOUNT["account_number"],
            "statement": "on",
        },
        "decline": {"reason": "本年度不申请"},
        "pay": {"voucher": "PZ-2", "paid_on": ON.isoformat()},
        "claw_back": CLAW_BACK,
        "withdraw": {"reason": "企业已注销"},
        "answer": {"objection": str(walk.objection.pk), "upheld": "0", "answer": "经核实不成立"},
        "end_publicity": {"publicity": str(walk.publicity.pk)},
    }[action]
    return {f"{action}-{name}": value for name, value in fields.items()}


def _page_request(walk: Walk, name: str, method: str) -> tuple[str, dict | None]:
    post = method == "POST"
    pending = walk.redemption("pending")
    if name in (
        "list",
        "manage",
        "policy_new",
        "calculator",
        "try",
        "my_redemptions",
        "redemption_desk",
        "publicity_list",
        "figures",
        "facts_import",
        "facts_import_template",
    ):
        url = reverse(f"policies:{name}")
        if name == "redemption_desk" and post:
            open_row = walk.redemption("open")
            return url, {"version": str(open_row.version_id), "numbers": [open_row.number]}
        return url, {} if post else None
    if name == "profile":
        return reverse("policies:profile"), {} if post else None
    if name == "enterprise_profile":
        url = reverse("policies:enterprise_profile", args=[walk.pw.enterprise.uscc])
        return url, {} if post else None
    if name == "detail":
        return reverse("policies:detail", args=[pending.version.item.code]), {} if post else None
    if name in ("policy_edit", "item_new"):
        return reverse(f"policies:{name}", args=[walk.policy.pk]), {} if post else None
    if name in ("item_manage", "figures_item", "figures_export"):
        url = reverse(f"policies:{name}", kwargs={"code": pending.version.item.code})
        return url, {} if post else None
    if name == "draft_edit":
        url = reverse("policies:draft_edit", kwargs={"code": walk.versions["draft"].item.code})
        return url, {} if post else None
    if name == "version_action":
        version = walk.versions["pending"]
        url = reverse(
            "policies:version_action",
            kwargs={"code": version.item.code, "number": version.number, "action": "new_draft"},
        )
        return url, {} if post else None
    if name == "subscription":
        return reverse("policies:subscription"), (
            {"enterprise": walk.pw.enterprise.uscc, "subscribe": "1"} if post else None
        )
    if name in ("my_redemption", "redemption_manage"):
        return reverse(f"policies:{name}", args=[pending.number]), {} if post else None
    if name == "redemption_action":
        url = reverse("policies:redemption_action", args=[pending.number, "confirm"])
        return url, _action_data(walk, "confirm") if post else None
    if name == "publicity_detail":
        url = reverse("policies:publicity_detail", args=[walk.publicity.pk])
        objection = {
            "objection-number": walk.redemption("listed").number,
            "objection-text": "该企业去年已享受同类奖励",
            "objection-contact": "13800000009",
        }
        return url, objection if post else None
    if name == "apply_start":
        return reverse("policies:apply_start", args=[walk.versions["fast"].pk]), (
            {} if post else None
        )
    raise AssertionError(f"no request for the page {name!r}: add it to _page_request")


def _api_body(walk: Walk, action: str) -> dict:
    return {
        "confirm": ACCOUNT,
        "decline": {"reason": "本年度不申请"},
        "pay": {"voucher": "PZ-2", "paid_on": ON.isoformat()},
        "claw_back": CLAW_BACK,
        "withdraw": {"reason": "企业已注销"},
    }[action]


def _api_request(walk: Walk, method: str, path: str) -> tuple[str, dict | None, dict | None]:
    """(url, query, JSON body) of an API row."""
    pending = walk.redemption("pending")
    if path.startswith(ACTION):
        action = path.removeprefix(ACTION)
        redemption = walk.redemption(API_REDEMPTIONS[action])
        url = API + path.format(number=redemption.number)
        return url, None, _api_body(walk, action) if method == "POST" else None
    pk = walk.objection.pk if path.startswith("/objections") else walk.publicity.pk
    url = API + path.format(
        number=pending.number,
        code=pending.version.item.code,
        uscc=walk.pw.enterprise.uscc,
        pk=pk,
    )
    body = {
        ("POST", "/policies/evaluate"): {"facts": {"rd_share": "0.06", "credit_status": "normal"}},
        ("PUT", "/enterprises/{uscc}/facts"): {
            "facts": {"employees": 130},
            "source": "department",
            "as_of": "2026-02-28",
        },
        ("POST", "/publicities"): {
            "version": walk.redemption("open").version_id,
            "numbers": [walk.redemption("open").number],
        },
        ("POST", "/publicities/{pk}/objections"): {
            "number": walk.redemption("listed").number,
            "text": "该企业去年已享受同类奖励",
        },
        ("POST", "/objections/{pk}/answer"): {"upheld": False, "answer": "经核实不成立"},
    }.get((method, path))
    if body is None and method in ("POST", "PUT"):
        body = {}
    return url, None, body


# -- the walk ---------------------------------------------------------------------------------

WALK = PermissionWalk(
    roles=ROLES,
    namespace="policies",
    pages=PAGES,
    page_request=_page_request,
    router=policies_api.router,
    api_rows=API_ROWS,
    api_request=_api_request,
    after_api=refusals_are_error_bodies,
)
_tests = WALK.tests()
test_page = _tests["test_page"]
test_api = _tests["test_api"]


# -- every page, operation, action and role has its row ---------------------------------------


def test_every_page_has_its_rows():
    """Every page of the namespace with the methods it serves; a missing row is named."""
    names = page_names("policies")
    posted_only = {"subscription", "redemption_action", "version_action"}
    wanted = {(name, method) for name in names for method in ("GET", "POST")}
    missing = sorted(wanted - set(PAGES))
    assert not missing, f"pages of policies without a row in PAGES: {missing}"
    stale = sorted({name for name, _method in PAGES} - names)
    assert not stale, f"rows in PAGES for pages policies does not have: {stale}"
    for name in posted_only:
        assert set(PAGES[(name, "GET")].values()) <= {L, M}, name


def test_every_api_operation_has_a_row():
    operations = api_operations(policies_api.router)
    missing = sorted(operations - set(API_ROWS))
    assert not missing, f"API operations without a row in API_ROWS: {missing}"
    served_paths = {path for _method, path in operations}
    for key, expected in API_ROWS.items():
        if key not in operations:
            assert key[1] in served_paths, f"{key}: no such path"
            assert set(expected.values()) == {M}, f"{key}: not served, so 405 for everyone"


def test_every_action_has_its_row():
    forms = set(redemption_views.ENTERPRISE_FORMS) | set(redemption_views.OFFICER_FORMS)
    assert forms == set(ACTIONS)
    api_actions = {
        path.removeprefix(ACTION) for _method, path in API_ROWS if path.startswith(ACTION)
    }
    assert api_actions == set(API_REDEMPTIONS)


def test_the_scene_is_where_the_rows_need_it(walk):
    statuses = {key: row_.status for key, row_ in walk.redemptions.items()}
    assert statuses == {
        "pending": RedemptionStatus.PENDING,
        "payable": RedemptionStatus.PAYABLE,
        "paid": RedemptionStatus.PAID,
        "listed": RedemptionStatus.PUBLICISING,
        "open": RedemptionStatus.PAYABLE,
    }
    assert not Redemption.objects.filter(enterprise=walk.pw.other_enterprise).exists()
    assert walk.versions["draft"].status == VersionStatus.DRAFT


# -- the redemption actions, one row each -------------------------------------------------------


@pytest.mark.parametrize(("action", "role"), params(ACTIONS, ROLES, lambda a: f"action {a}"))
def test_redemption_action(walk, action, role):
    key, expected = ACTIONS[action]
    redemption = walk.redemption(key)
    url = reverse("policies:redemption_action", args=[redemption.number, action])
    client = client_for(walk.users[role], csrf=True)
    response = send(client, "POST", url, _action_data(walk, action))
    check(response, expected[role], f"POST {url} ({key}) as {role}")
    if expected[role] == R:
        page = "my_redemption" if role == "representative" else "redemption_manage"
        assert response["Location"] == reverse(f"policies:{page}", args=[redemption.number])


# -- every write needs the CSRF token ---------------------------------------------------------


def _no_token(walk: Walk, role: str, method: str, url: str, data=None, json=None):
    client = client_for(walk.users[role], csrf=True)
    return send(client, method, url, data, json=json, token=False)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_page_action_without_the_csrf_token_is_refused(walk, action):
    key, expected = ACTIONS[action]
    redemption = walk.redemption(key)
    before = Redemption.objects.values().get(pk=redemption.pk)
    url = reverse("policies:redemption_action", args=[redemption.number, action])
    role = first_allowed(expected)
    assert _no_token(walk, role, "POST", url, _action_data(walk, action)).status_code == 403
    assert Redemption.objects.values().get(pk=redemption.pk) == before


@pytest.mark.parametrize(
    "key", [key for key in API_ROWS if key[0] == "POST" and key[1].startswith(ACTION)]
)
def test_an_api_action_without_the_csrf_token_is_refused(walk, key):
    method, path = key
    url, _query, body = _api_request(walk, method, path)
    redemption = walk.redemption(API_REDEMPTIONS[path.removeprefix(ACTION)])
    before = Redemption.objects.values().get(pk=redemption.pk)
    response = _no_token(walk, first_allowed(API_ROWS[key]), method, url, json=body)
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert Redemption.objects.values().get(pk=redemption.pk) == before


def test_an_objection_answer_without_the_csrf_token_is_refused(walk):
    url, _query, body = _api_request(walk, "POST", "/objections/{pk}/answer")
    response = _no_token(walk, "officer", "POST", url, json=body)
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert Objection.objects.get(pk=walk.objection.pk).answer == ""
