"""The permission walk: every page and every API endpoint of cases, with every role.

The expected answer of each (endpoint, role) is written out in the tables below. The
tables are checked against the URL resolver (namespace "cases"), the cases API router and
both action registries, so a new page, endpoint or action without a row fails the walk
until someone decides who may use it.

Each row uses a case in a state where its action makes sense, so a role that may act
gets through (302 onwards on a page, 200 on the API), a role that sees the case but may
not act is refused (403, or 409 where the service checks the state first) and a role
that may not see it is told "not found" (404). Writes carry a real CSRF token through a
client that enforces it. The world is built once for the module; each test's changes
are rolled back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from onewindow.cases import api as cases_api
from onewindow.cases.constants import AcceptanceMode, CaseStatus, SuspensionKind, TaskKind
from onewindow.cases.models import ApplicationDraft, Case, CaseMaterial, Task
from onewindow.cases.services import (
    MaterialFile,
    case_accept,
    case_create,
    case_request_correction,
    case_suspend,
    draft_keep,
    task_claim,
    task_complete,
    task_decide,
)
from onewindow.cases.tests.factories import World, pdf_upload
from onewindow.cases.views_staff import actions as staff_actions
from onewindow.catalog.bundles import merge_materials
from onewindow.org.constants import Role
from onewindow.org.models import User
from onewindow.testing.clients import client_for, send
from onewindow.testing.walk import (
    L,
    PermissionWalk,
    R,
    api_operations,
    check,
    first_allowed,
    named_with,
    params,
    row_maker,
)
from onewindow.testing.worlds import case_world, staff, walk_people, zone_world

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday
API = "/api/v1"
#: A well-formed number no case has.
MISSING = "SFQ-2026-9999999"

# -- the table's vocabulary --------------------------------------------------------------

#: The columns of every row, in this order.
ROLES = (
    "anonymous",
    "applicant",  # represents the case's applicant (world.applicant_user)
    "stranger",  # an applicant user representing nobody
    "clerk",  # window clerk of the zone
    "reviewer",  # reviewer of the case's department (the case has a task there)
    "other_reviewer",  # reviewer of another department, no task in the case
    "decider",  # decider of the case's department
    "supervisor",
    "regulator",  # regulator of the case's department (sees its 告知承诺 cases)
    "analyst",
    "administrator",
)


row = row_maker(ROLES)


# -- the cases the rows use ------------------------------------------------------------------
#
# draft       created online, not submitted
# submitted   submitted, every material uploaded (intake at the window)
# correction  correction requested (补正)
# immediate   a submitted 即办件
# review      accepted on commitment (告知承诺), review task open (unclaimed)
# claimed     accepted on commitment, review task claimed by the reviewer
# suspended   accepted on commitment, suspended (特别程序) by the reviewer
# deciding    accepted on commitment, review done, decision task open
# delivering  accepted on commitment, approved, delivery task open
# tolerated   accepted normally with 营业场所证明 tolerated (容缺), in review
#
# The "review" case is the one every read uses: all of reviewer, decider and regulator
# see it (a task in their department; a commitment case of the regulator's department).

# -- pages ------------------------------------------------------------------------------------
#
#            anonymous applicant stranger clerk reviewer other_reviewer decider supervisor
#            regulator analyst administrator
PAGES: dict[tuple[str, str], dict] = {
    ("desk", "GET"): row(L, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    ("desk", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("desk_new", "GET"): row(L, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    # An empty walk-in form: the clerk gets past the access check to the form's errors.
    ("desk_new", "POST"): row(L, 403, 403, 422, 403, 403, 403, 403, 403, 403, 403),
    ("inbox", "GET"): row(L, 403, 403, 200, 200, 200, 200, 403, 403, 403, 403),
    ("inbox", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("board", "GET"): row(L, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    ("board", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # The case-number box: staff go to the case or back with "未找到办件" (a redirect
    # either way, so whether the case exists is not told); applicants are refused.
    ("case_lookup", "GET"): row(L, 403, 403, 302, 302, 302, 302, 302, 302, 302, 302),
    ("case_lookup", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("case", "GET"): row(L, 200, 404, 200, 200, 404, 200, 200, 200, 404, 404),
    ("case", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("case_action", "GET"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("material_file", "GET"): row(L, 200, 404, 200, 200, 404, 200, 200, 200, 404, 404),
    ("notice", "GET"): row(L, 200, 404, 200, 200, 404, 200, 200, 200, 404, 404),
    # The 经办人's authorisation on the "review" case: as a material's file.
    ("agent_authorisation", "GET"): row(L, 200, 404, 200, 200, 404, 200, 200, 200, 404, 404),
    ("agent_authorisation", "POST"): row(L, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("apply_item", "GET"): row(L, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    # Empty form: the representative gets the form's errors; the stranger (representing
    # nobody) the page that says so, whatever is posted.
    ("apply_item", "POST"): row(L, 422, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("apply_bundle", "GET"): row(L, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("apply_bundle", "POST"): row(L, 422, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("apply_done", "GET"): row(L, 200, 404, 200, 200, 404, 200, 200, 200, 404, 404),
    ("my_cases", "GET"): row(L, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    # The applicant's own draft (申请草稿): anyone else's is "not found", staff have none.
    ("draft_file", "GET"): row(L, 200, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    ("draft_file", "POST"): row(L, 405, 405, 403, 403, 403, 403, 403, 403, 403, 403),
    ("draft_discard", "GET"): row(L, 405, 405, 403, 403, 403, 403, 403, 403, 403, 403),
    ("draft_discard", "POST"): row(L, R, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    ("material_upload", "GET"): row(L, 200, 404, 200, 403, 404, 403, 403, 403, 404, 404),
    # A 容缺 supplement on the "tolerated" case (a normal acceptance: no regulator).
    ("material_upload", "POST"): row(L, R, 404, R, 403, 404, 403, 403, 404, 404, 404),
    ("track", "GET"): row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("track", "POST"): row(405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
}

#: ``POST cases/<number>/do/<action>/``: action → (case, expected).
PAGE_ACTIONS: dict[str, tuple[str, dict]] = {
    "claim": ("review", row(L, 403, 404, 403, R, 404, 403, 403, 403, 404, 404)),
    "complete": ("claimed", row(L, 403, 404, 403, R, 404, 403, 403, 403, 404, 404)),
    # The reviewer holds the task, but its previous step is the window's acceptance.
    "return": ("claimed", row(L, 403, 404, 403, 409, 404, 403, 403, 403, 404, 404)),
    "transfer": ("claimed", row(L, 403, 404, 403, R, 404, 403, 403, 403, 404, 404)),
    "co_review": ("claimed", row(L, 403, 404, 403, R, 404, 403, 403, 403, 404, 404)),
    "decide": ("deciding", row(L, 403, 404, 403, 403, 404, R, 403, 403, 404, 404)),
    "deliver": ("delivering", row(L, 403, 404, R, 403, 404, 403, 403, 403, 404, 404)),
    "suspend": ("review", row(L, 403, 404, 403, R, 404, R, 403, 403, 404, 404)),
    "resume": ("suspended", row(L, 403, 404, 403, R, 404, R, 403, 403, 404, 404)),
    "extend": ("review", row(L, 403, 404, 403, 403, 404, R, 403, 403, 404, 404)),
    "request_correction": ("submitted", row(L, 403, 404, R, 404, 404, 404, 403, 404, 404, 404)),
    "pre_review": ("submitted", row(L, 403, 404, R, 404, 404, 404, 403, 404, 404, 404)),
    "refuse": ("submitted", row(L, 403, 404, R, 404, 404, 404, 403, 404, 404, 404)),
    "accept": ("submitted", row(L, 403, 404, R, 404, 404, 404, 403, 404, 404, 404)),
    "on_the_spot": ("immediate", row(L, 403, 404, R, 404, 404, 404, 403, 404, 404, 404)),
    "receive_paper": ("tolerated", row(L, 403, 404, R, 403, 404, 403, 403, 404, 404, 404)),
    "upload": ("tolerated", row(L, R, 404, R, 403, 404, 403, 403, 404, 404, 404)),
    "withdraw": ("review", row(L, R, 404, R, 403, 404, 403, 403, 403, 404, 404)),
    "resubmit": ("correction", row(L, R, 404, R, 404, 404, 404, 403, 404, 404, 404)),
}

# -- API --------------------------------------------------------------------------------------
#
#            anonymous applicant stranger clerk reviewer other_reviewer decider supervisor
#            regulator analyst administrator
API_ROWS: dict[tuple[str, str], dict] = {
    # Applying for the world's applicant: its representative and a clerk (walk-in) may;
    # anyone else is told the applicant does not exist (as for one not represented).
    ("POST", "/cases"): row(401, 201, 404, 201, 404, 404, 404, 404, 404, 404, 404),
    ("GET", "/cases"): row(405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("GET", "/cases/{number}"): row(401, 200, 404, 200, 200, 404, 200, 200, 200, 404, 404),
    ("POST", "/cases/{number}"): row(405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("GET", "/cases/{number}/actions/{action}"): row(
        405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405
    ),
    # The inbox is staff-only; a staff member without a handling role has an empty one.
    ("GET", "/tasks"): row(401, 403, 403, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/tasks"): row(405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # Public: the number and query code are the credential.
    ("GET", "/track/{number}"): row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}

#: ``POST /api/v1/cases/{number}/actions/{action}``: action → (case, expected).
API_ACTIONS: dict[str, tuple[str, dict]] = {
    "submit": ("draft", row(401, 200, 404, 200, 404, 404, 404, 403, 404, 404, 404)),
    "resubmit": ("correction", row(401, 200, 404, 200, 404, 404, 404, 403, 404, 404, 404)),
    "request_correction": ("submitted", row(401, 403, 404, 200, 404, 404, 404, 403, 404, 404, 404)),
    "refuse": ("submitted", row(401, 403, 404, 200, 404, 404, 404, 403, 404, 404, 404)),
    "accept": ("submitted", row(401, 403, 404, 200, 404, 404, 404, 403, 404, 404, 404)),
    "withdraw": ("review", row(401, 200, 404, 200, 403, 404, 403, 403, 403, 404, 404)),
    "suspend": ("review", row(401, 403, 404, 403, 200, 404, 200, 403, 403, 404, 404)),
    "resume": ("suspended", row(401, 403, 404, 403, 200, 404, 200, 403, 403, 404, 404)),
    "extend": ("review", row(401, 403, 404, 403, 403, 404, 200, 403, 403, 404, 404)),
    "claim": ("review", row(401, 403, 404, 403, 200, 404, 403, 403, 403, 404, 404)),
    "complete": ("claimed", row(401, 403, 404, 403, 200, 404, 403, 403, 403, 404, 404)),
    "return": ("claimed", row(401, 403, 404, 403, 409, 404, 403, 403, 403, 404, 404)),
    "transfer": ("claimed", row(401, 403, 404, 403, 200, 404, 403, 403, 403, 404, 404)),
    "co_review": ("claimed", row(401, 403, 404, 403, 200, 404, 403, 403, 403, 404, 404)),
    "decide": ("deciding", row(401, 403, 404, 403, 403, 404, 200, 403, 403, 404, 404)),
    "deliver": ("delivering", row(401, 403, 404, 200, 403, 404, 403, 403, 403, 404, 404)),
    "on_the_spot": ("immediate", row(401, 403, 404, 200, 404, 404, 404, 403, 404, 404, 404)),
}


# -- the world, built once --------------------------------------------------------------------


@dataclass
class Walk:
    world: World
    users: dict[str, User | None]
    cases: dict[str, Case]
    draft: ApplicationDraft | None = None

    def case(self, key: str) -> Case:
        return self.cases[key]

    def material(self, key: str, name: str) -> CaseMaterial:
        return CaseMaterial.objects.get(case=self.cases[key], name=name)

    def task(self, key: str, kind: str) -> Task:
        return Task.objects.active().get(case=self.cases[key], kind=kind)


def _on_commitment(world: World) -> Case:
    case = world.submit(skip=("安全管理制度",))
    case_accept(
        case=case,
        actor=world.clerk,
        mode=AcceptanceMode.COMMITMENT,
        committed=[CaseMaterial.objects.get(case=case, name="安全管理制度").pk],
        commitment_text="本人承诺已建立食品安全管理制度。",
        commitment_signed_name="李四",
    )
    return Case.objects.get(pk=case.pk)


def _build() -> Walk:
    places = zone_world()
    world = case_world(places)
    administrator = staff(
        places.zone,
        Role.ADMINISTRATOR,
        username="w_administrator",
        display_name="管理员",
        department=places.department,
    )
    users = walk_people(world, administrator)

    draft = case_create(
        actor=world.applicant_user,
        applicant=world.applicant,
        item_version=world.item,
        form_data={"contact": "张三", "phone": "13800000000"},
        submit=False,
    )
    submitted = world.submit()
    correction = world.submit()
    case_request_correction(case=correction, actor=world.clerk, items=["申请表缺少签章"])
    immediate = world.submit(world.immediate)

    review = _on_commitment(world)
    claimed = _on_commitment(world)
    task_claim(task=world.task(claimed, "review"), actor=world.reviewer)
    suspended = _on_commitment(world)
    case_suspend(
        case=suspended, actor=world.reviewer, kind=SuspensionKind.EXPERT_REVIEW, reason="专家评审"
    )
    deciding = _on_commitment(world)
    task_claim(task=world.task(deciding, "review"), actor=world.reviewer)
    task_complete(task=world.task(deciding, "review"), actor=world.reviewer, comment="符合条件")
    delivering = _on_commitment(world)
    task_claim(task=world.task(delivering, "review"), actor=world.reviewer)
    task_complete(task=world.task(delivering, "review"), actor=world.reviewer, comment="符合条件")
    task_decide(task=world.task(delivering, "decide"), actor=world.decider, decision="approved")

    tolerated = world.submit(skip=("营业场所证明",))
    case_accept(
        case=tolerated,
        actor=world.clerk,
        mode=AcceptanceMode.TOLERATED,
        tolerated=[CaseMaterial.objects.get(case=tolerated, name="营业场所证明").pk],
    )
    cases = {
        "draft": draft,
        "submitted": submitted,
        "correction": correction,
        "immediate": immediate,
        "review": review,
        "claimed": claimed,
        "suspended": suspended,
        "deciding": deciding,
        "delivering": delivering,
        "tolerated": tolerated,
    }
    cases = {key: Case.objects.get(pk=case.pk) for key, case in cases.items()}
    states = {key: case.status for key, case in cases.items()}
    assert states == {
        "draft": CaseStatus.DRAFT,
        "submitted": CaseStatus.SUBMITTED,
        "correction": CaseStatus.CORRECTION_REQUESTED,
        "immediate": CaseStatus.SUBMITTED,
        "review": CaseStatus.IN_REVIEW,
        "claimed": CaseStatus.IN_REVIEW,
        "suspended": CaseStatus.SUSPENDED,
        "deciding": CaseStatus.IN_REVIEW,
        "delivering": CaseStatus.APPROVED,
        "tolerated": CaseStatus.IN_REVIEW,
    }
    draft = draft_keep(
        actor=world.applicant_user,
        zone=world.zone,
        title=world.item.name,
        item=world.item.item,
        files=[
            MaterialFile(merge_key=line.key, name=line.name, field="material_1", file=pdf_upload())
            for line in merge_materials([world.item])[:1]
        ],
    )
    return Walk(world=world, users=users, cases=cases, draft=draft)


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """The world and its cases, built once in a transaction that the module rolls back
    (each test runs in a savepoint inside it, rolled back after the test)."""
    with (
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def fresh_cache():
    """The public lookup's rate limit counts in the cache: every test starts afresh."""
    cache.clear()
    yield
    cache.clear()


# -- requests ---------------------------------------------------------------------------------


# -- what each page row asks ----------------------------------------------------------------

PageRequest = tuple[str, dict | None]


def _page_request(walk: Walk, name: str, method: str) -> PageRequest:
    world, review = walk.world, walk.case("review")
    if name in ("desk", "desk_new", "inbox", "board", "my_cases"):
        return reverse(f"cases:{name}"), {} if method == "POST" else None
    if name == "case_lookup":
        return reverse("cases:case_lookup"), {"number": review.number} if method == "GET" else {}
    if name == "case":
        return reverse("cases:case", args=[review.number]), None
    if name == "case_action":  # the wrong method; POST is walked per action
        return reverse("cases:case_action", args=[review.number, "claim"]), None
    if name == "material_file":
        row_ = walk.material("review", "申请表")
        return reverse("cases:material_file", args=[review.number, row_.pk]), None
    if name == "notice":
        return reverse("cases:notice", args=[review.number, "acceptance"]), None
    if name == "agent_authorisation":
        _record_agent(review, world.clerk)
        return reverse("cases:agent_authorisation", args=[review.number]), None
    if name == "apply_item":
        url = reverse("cases:apply_item", args=[world.item.item.implementation_code])
        return url, {} if method == "POST" else None
    if name == "apply_bundle":
        return reverse("cases:apply_bundle", args=[world.bundle.code]), (
            {} if method == "POST" else None
        )
    if name == "apply_done":
        return reverse("cases:apply_done", args=[review.number]), None
    if name == "material_upload":
        if method == "GET":
            row_ = walk.material("review", "申请表")
            return reverse("cases:material_upload", args=[review.number, row_.pk]), None
        case, row_ = walk.case("tolerated"), walk.material("tolerated", "营业场所证明")
        url = reverse("cases:material_upload", args=[case.number, row_.pk])
        return url, {"file": pdf_upload()}
    if name == "draft_file":
        return reverse("cases:draft_file", args=[walk.draft.files.get().pk]), (
            {} if method == "POST" else None
        )
    if name == "draft_discard":
        return reverse("cases:draft_discard", args=[walk.draft.pk]), (
            {} if method == "POST" else None
        )
    if name == "track":
        query = {"number": review.number, "code": review.query_code}
        return reverse("cases:track"), query if method == "GET" else None
    raise AssertionError(f"no request for the page {name!r}: add it to _page_request")


def _record_agent(case: Case, clerk: User) -> None:
    """A 经办人 on ``case`` (inside the test's savepoint), as the walk-in desk files one."""
    from django.utils import timezone

    from onewindow.cases.models import CaseAgent

    agent = CaseAgent(
        case=case,
        name="周敏",
        id_number="11010519491231002X",
        phone="13912345678",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        recorded_by=clerk,
        recorded_at=timezone.now(),
    )
    agent.authorisation.save("walk-authorisation.pdf", pdf_upload(), save=False)
    agent.save()


def _page_action_data(walk: Walk, action: str, case_key: str) -> dict:
    """The POST of a case page's action form (its prefix, its fields), filled so that a
    user who may act gets through."""
    world = walk.world
    task_kind = {
        "claim": TaskKind.REVIEW,
        "complete": TaskKind.REVIEW,
        "return": TaskKind.REVIEW,
        "transfer": TaskKind.REVIEW,
        "co_review": TaskKind.REVIEW,
        "decide": TaskKind.DECISION,
        "deliver": TaskKind.DELIVERY,
    }.get(action)
    data: dict = {}
    prefix = action
    if task_kind is not None:
        task = walk.task(case_key, task_kind)
        data["task"] = task.pk
        prefix = f"t{task.pk}-{action}"
    if action in ("receive_paper", "upload"):
        material = walk.material(case_key, "营业场所证明")
        data["material"] = material.pk
        prefix = f"m{material.pk}-{action}"
    fields = {
        "complete": {"comment": "符合条件"},
        "return": {"reason": "请补充核查"},
        "transfer": {"to_user": world.reviewer2.pk, "reason": "工作调整"},
        "co_review": {"department": world.other_department.pk, "limit_days": 3, "reason": "会签"},
        "decide": {"decision": "approved"},
        "deliver": {"comment": "窗口领取"},
        "suspend": {"kind": SuspensionKind.EXPERT_REVIEW, "reason": "专家评审"},
        "extend": {"days": 5, "reason": "情况复杂"},
        "request_correction": {"items": "申请表缺少签章"},
        "refuse": {"reason": "不属于本机关职权范围", "legal_basis": "《行政许可法》第三十二条"},
        "accept": {"mode": AcceptanceMode.NORMAL},
        "on_the_spot": {"decision": "approved"},
        "upload": {"file": pdf_upload()},
        "withdraw": {"confirm": "on", "reason": "不再需要"},
    }.get(action, {})
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


def _api_action_body(walk: Walk, action: str, case_key: str) -> dict:
    world = walk.world

    def task(kind: str) -> int:
        return walk.task(case_key, kind).pk

    bodies: dict[str, Callable[[], dict]] = {
        "submit": dict,
        "resubmit": dict,
        "resume": dict,
        "request_correction": lambda: {"items": ["申请表缺少签章"]},
        "refuse": lambda: {
            "reason": "不属于本机关职权范围",
            "legal_basis": "《行政许可法》第三十二条",
        },
        "accept": lambda: {"mode": AcceptanceMode.NORMAL},
        "withdraw": lambda: {"reason": "不再需要"},
        "suspend": lambda: {"kind": SuspensionKind.EXPERT_REVIEW, "reason": "专家评审"},
        "extend": lambda: {"days": 5, "reason": "情况复杂"},
        "claim": lambda: {"task": task(TaskKind.REVIEW)},
        "complete": lambda: {"task": task(TaskKind.REVIEW), "comment": "符合条件"},
        "return": lambda: {"task": task(TaskKind.REVIEW), "reason": "请补充核查"},
        "transfer": lambda: {
            "task": task(TaskKind.REVIEW),
            "to_user": world.reviewer2.username,
            "reason": "工作调整",
        },
        "co_review": lambda: {
            "task": task(TaskKind.REVIEW),
            "department": world.other_department.code,
            "reason": "会签",
            "limit_days": 3,
        },
        "decide": lambda: {"task": task(TaskKind.DECISION), "decision": "approved"},
        "deliver": lambda: {"task": task(TaskKind.DELIVERY), "comment": "窗口领取"},
        "on_the_spot": lambda: {"decision": "approved"},
    }
    if action not in bodies:
        raise AssertionError(f"no body for the API action {action!r}: add it to _api_action_body")
    return bodies[action]()


def _api_request(walk: Walk, method: str, path: str) -> tuple[str, dict | None, dict | None]:
    """(url, query, JSON body) of an API row."""
    world, review = walk.world, walk.case("review")
    url = API + path.format(number=review.number, action="claim")
    if path == "/cases" and method == "POST":
        body = {
            "item": world.item.item.implementation_code,
            "applicant": world.applicant.pk,
            "form": {"contact": "张三", "phone": "13800000000"},
        }
        return url, None, body
    if path == "/track/{number}":
        return url, {"code": review.query_code}, None
    return url, None, ({} if method == "POST" else None)


def _after_api(walk: Walk, key, role: str, response) -> None:
    if response.status_code >= 400 and response.status_code != 405:
        assert set(response.json()) == {"message", "code", "fields"}


# -- the walk: pages and API rows (the actions' own rows are walked below) -----------------------

WALK = PermissionWalk(
    roles=ROLES,
    namespace="cases",
    pages=PAGES,
    page_request=_page_request,
    router=cases_api.router,
    api_rows=API_ROWS,
    api_request=_api_request,
    api_walked_elsewhere=frozenset({("POST", "/cases/{number}/actions/{action}")}),
    after_api=_after_api,
)
globals().update(WALK.tests())


def test_every_action_of_the_case_page_is_walked():
    assert set(staff_actions.ACTIONS) == set(PAGE_ACTIONS)


def test_every_action_of_the_api_is_walked():
    assert set(cases_api.ACTIONS) == set(API_ACTIONS)


# -- the actions, one row each ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "role"), params(PAGE_ACTIONS, ROLES, lambda action: f"case_action {action}")
)
def test_page_action(walk, action, role):
    case_key, expected = PAGE_ACTIONS[action]
    case = walk.case(case_key)
    url = reverse("cases:case_action", args=[case.number, action])
    data = _page_action_data(walk, action, case_key)
    response = send(client_for(walk.users[role], csrf=True), "POST", url, data)
    check(response, expected[role], f"POST {url} ({case_key}) as {role}")
    if expected[role] == R:
        assert response["Location"] == reverse("cases:case", args=[case.number])


@pytest.mark.parametrize(
    ("action", "role"), params(API_ACTIONS, ROLES, lambda action: f"api {action}")
)
def test_api_action(walk, action, role):
    case_key, expected = API_ACTIONS[action]
    case = walk.case(case_key)
    url = f"{API}/cases/{case.number}/actions/{action}"
    body = _api_action_body(walk, action, case_key)
    response = send(client_for(walk.users[role], csrf=True), "POST", url, json=body)
    check(response, expected[role], f"POST {url} ({case_key}) as {role}")
    if response.status_code == 200:
        assert response.json()["number"] == case.number
    else:
        assert set(response.json()) == {"message", "code", "fields"}


# -- every write needs the CSRF token ---------------------------------------------------------


@pytest.mark.parametrize("action", list(PAGE_ACTIONS))
def test_a_page_action_without_the_csrf_token_is_refused(walk, action):
    case_key, expected = PAGE_ACTIONS[action]
    case = walk.case(case_key)
    before = Case.objects.values().get(pk=case.pk)
    url = reverse("cases:case_action", args=[case.number, action])
    client = client_for(walk.users[first_allowed(expected)], csrf=True)
    response = send(client, "POST", url, _page_action_data(walk, action, case_key), token=False)
    assert response.status_code == 403
    assert Case.objects.values().get(pk=case.pk) == before


@pytest.mark.parametrize("action", list(API_ACTIONS))
def test_an_api_action_without_the_csrf_token_is_refused(walk, action):
    case_key, expected = API_ACTIONS[action]
    case = walk.case(case_key)
    before = Case.objects.values().get(pk=case.pk)
    url = f"{API}/cases/{case.number}/actions/{action}"
    client = client_for(walk.users[first_allowed(expected)], csrf=True)
    body = _api_action_body(walk, action, case_key)
    response = send(client, "POST", url, json=body, token=False)
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert Case.objects.values().get(pk=case.pk) == before


def test_applying_over_the_api_without_the_csrf_token_is_refused(walk):
    client = client_for(walk.users["applicant"], csrf=True)
    _url, _query, body = _api_request(walk, "POST", "/cases")
    count = Case.objects.count()
    response = send(client, "POST", f"{API}/cases", json=body, token=False)
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert Case.objects.count() == count


@pytest.mark.parametrize(
    "key", [key for key in PAGES if key[1] == "POST" and R in PAGES[key].values()]
)
def test_a_page_write_without_the_csrf_token_is_refused(walk, key):
    name, method = key
    url, data = _page_request(walk, name, method)
    client = client_for(walk.users[first_allowed(PAGES[key])], csrf=True)
    assert send(client, method, url, data, token=False).status_code == 403


# -- "not found" tells nothing ----------------------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _normalised(response, number: str) -> tuple[int, str]:
    text = response.content.decode().replace(number, "<number>")
    return response.status_code, CSRF_FIELD.sub('name="csrfmiddlewaretoken"', text)


#: A query code no case has (the codes are 8 letters or digits).
WRONG_CODE = "ZZZZ0000"

LeakRequest = tuple[str, str, dict | None, dict | None]


def _leak_requests(walk: Walk, number: str) -> dict[str, LeakRequest]:
    """(method, url, form data, JSON body) of every request naming a case by ``number``,
    keyed by the page's URL name or the API's ``"api METHOD path"``. The public lookups
    ask with a wrong code: "forbidden" there is a number with someone else's code."""
    file_row = walk.material("review", "申请表").pk
    return {
        "case": ("GET", reverse("cases:case", args=[number]), None, None),
        "case_action": (
            "POST",
            reverse("cases:case_action", args=[number, "withdraw"]),
            {"withdraw-confirm": "on", "withdraw-reason": "x"},
            None,
        ),
        "material_file": (
            "GET",
            reverse("cases:material_file", args=[number, file_row]),
            None,
            None,
        ),
        "notice": ("GET", reverse("cases:notice", args=[number, "acceptance"]), None, None),
        "agent_authorisation": (
            "GET",
            reverse("cases:agent_authorisation", args=[number]),
            None,
            None,
        ),
        "apply_done": ("GET", reverse("cases:apply_done", args=[number]), None, None),
        "material_upload": (
            "GET",
            reverse("cases:material_upload", args=[number, file_row]),
            None,
            None,
        ),
        "track": ("GET", reverse("cases:track"), {"number": number, "code": WRONG_CODE}, None),
        "api GET /cases/{number}": ("GET", f"{API}/cases/{number}", None, None),
        "api POST /cases/{number}/actions/{action}": (
            "POST",
            f"{API}/cases/{number}/actions/withdraw",
            None,
            {"reason": "x"},
        ),
        "api GET /track/{number}": (
            "GET",
            f"{API}/track/{number}",
            {"code": WRONG_CODE},
            None,
        ),
    }


LEAK_KINDS = [
    "case",
    "case_action",
    "material_file",
    "notice",
    "agent_authorisation",
    "apply_done",
    "material_upload",
    "track",
    "api GET /cases/{number}",
    "api POST /cases/{number}/actions/{action}",
    "api GET /track/{number}",
]


@pytest.mark.parametrize("role", ["stranger", "other_reviewer", "analyst", "administrator"])
@pytest.mark.parametrize("kind", LEAK_KINDS)
def test_not_found_is_the_same_for_a_forbidden_case_and_a_missing_one(walk, kind, role):
    number = walk.case("review").number
    client = client_for(walk.users[role], csrf=True)
    answers = []
    for asked in (number, MISSING):
        method, url, data, body = _leak_requests(walk, asked)[kind]
        response = send(client, method, url, data, json=body)
        answers.append(_normalised(response, asked))
    assert answers[0][0] == 404
    assert answers[0] == answers[1]


def test_the_leak_walk_covers_every_url_naming_a_case(walk):
    pages = named_with("cases", "number")
    api = {
        f"api {method} {path}"
        for method, path in api_operations(cases_api.router)
        if "{number}" in path
    }
    assert pages | api <= set(LEAK_KINDS)
    assert set(_leak_requests(walk, MISSING)) == set(LEAK_KINDS)


# -- what a role sees on a page it may open -----------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "decider", "supervisor", "regulator"])
def test_the_query_code_is_shown_only_to_whom_the_api_shows_it(walk, role):
    """The query code is the public lookup's credential: the API gives it to the one who
    submitted the case and to the applicant's representatives only."""
    case = walk.case("review")
    client = client_for(walk.users[role], csrf=True)
    api_case = send(client, "GET", f"{API}/cases/{case.number}").json()
    assert api_case["query_code"] is None
    done = send(client, "GET", reverse("cases:apply_done", args=[case.number]))
    assert case.query_code not in done.content.decode()
