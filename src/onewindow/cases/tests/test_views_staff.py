"""The staff pages of cases: desk, walk-in, inbox, board, the case page and its actions,
material files and notices. Every page: success, bad input, refused roles."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.cases.constants import (
    AcceptanceMode,
    CaseStatus,
    MaterialState,
    TaskKind,
    TaskStatus,
)
from onewindow.cases.models import Case, CaseMaterial, Commitment, Task
from onewindow.cases.services import (
    case_accept,
    case_create,
    case_request_correction,
    task_claim,
    task_decide,
)
from onewindow.cases.tests.factories import pdf_upload
from onewindow.cases.views_staff.common import MATERIAL_VIEWED
from onewindow.core.audit import AuditAction, audit_verify
from onewindow.core.models import AuditEvent
from onewindow.demo.org_data import demo_id_number
from onewindow.org.constants import ApplicantKind
from onewindow.org.services import applicant_register

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A Tuesday; the cases of the board tests are accepted six weeks earlier.
NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
EARLIER = dt.datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def page(client: Client, user, url: str, **params):
    client.force_login(user)
    return client.get(url, params)


def act(client: Client, user, case: Case, action: str, data: dict | None = None, **extra):
    client.force_login(user)
    return client.post(
        reverse("cases:case_action", args=[case.number, action]), data or {}, **extra
    )


def text(response) -> str:
    return response.content.decode()


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def claimed_review(world, case: Case) -> Task:
    review = world.task(case, "review")
    task_claim(task=review, actor=world.reviewer)
    return review


# -- role checks of the three desks ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "allowed", "refused"),
    [
        ("desk", ["clerk"], ["reviewer", "supervisor", "applicant_user", "analyst"]),
        ("desk_new", ["clerk"], ["reviewer", "decider", "applicant_user"]),
        ("inbox", ["reviewer", "decider", "clerk"], ["supervisor", "applicant_user", "regulator"]),
        ("board", ["supervisor"], ["clerk", "reviewer", "decider", "applicant_user"]),
    ],
)
def test_desks_by_role(client, world, name, allowed, refused):
    url = reverse(f"cases:{name}")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for role in allowed:
        assert page(client, getattr(world, role), url).status_code == 200, role
    for role in refused:
        assert page(client, getattr(world, role), url).status_code == 403, role


# The desk's queues, filters, sorting and "next case": test_desk.py.


# -- 窗口申请登记 ------------------------------------------------------------------------------


def test_walk_in_search_finds_applicant_and_item(client, world):
    url = reverse("cases:desk_new")
    html = text(page(client, world.clerk, url, q="示范科技", item_q="食品经营"))
    assert "示范科技有限公司" in html
    assert "食品经营许可" in html
    code = world.item.item.implementation_code
    html = text(page(client, world.clerk, url, item_q=code))
    assert f'value="item:{world.item.pk}"' in html
    html = text(page(client, world.clerk, url, q="9132"))  # a partial identifier finds nothing
    assert "没有找到申请人" in html


def test_walk_in_registers_a_window_case(client, world):
    client.force_login(world.clerk)
    response = client.post(
        reverse("cases:desk_new"),
        {"applicant": world.applicant.pk, "target": f"item:{world.item.pk}", "contact": "王五"},
    )
    case = Case.objects.get(channel="window")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case", args=[case.number])
    assert case.status == CaseStatus.SUBMITTED
    assert case.window == world.window
    assert case.form_data == {"contact": "王五"}


def test_walk_in_bad_input_changes_nothing(client, world):
    client.force_login(world.clerk)
    url = reverse("cases:desk_new")
    response = client.post(url, {"applicant": world.applicant.pk})
    assert response.status_code == 422
    assert "事项或一件事：请先查询并选择" in text(response)
    response = client.post(url, {"applicant": 999999, "target": f"item:{world.item.pk}"})
    assert response.status_code == 422
    assert "申请人：不存在" in text(response)
    assert not Case.objects.exists()


def test_walk_in_bundle_needs_its_required_fields(client, world):
    world.bundle.form_fields = [
        {"key": "employer", "label": "用人单位", "type": "text", "required": True}
    ]
    world.bundle.save(update_fields=["form_fields"])
    client.force_login(world.clerk)
    data = {"applicant": world.applicant.pk, "target": f"bundle:{world.bundle.pk}"}
    response = client.post(reverse("cases:desk_new"), data)
    assert response.status_code == 422
    assert "申请表有必填项未填写：用人单位" in text(response)
    assert not Case.objects.exists()
    response = client.post(reverse("cases:desk_new"), {**data, "form_employer": "示范科技"})
    assert response.status_code == 302
    parent = Case.objects.get(parent__isnull=True)
    assert parent.form_data["employer"] == "示范科技"
    assert parent.children.count() == 2


# -- 待办任务 ---------------------------------------------------------------------------------


def test_inbox_rows_filters_and_claim(client, world):
    first, second = world.accepted(), world.accepted()
    claimed_review(world, second)
    url = reverse("cases:inbox")
    html = text(page(client, world.reviewer, url))
    assert first.number in html and second.number in html
    assert "绿灯" in html and "待签收" in html and "剩 " in html
    html = text(page(client, world.reviewer, url, mine="on"))
    assert second.number in html and first.number not in html
    html = text(page(client, world.reviewer, url, light="red"))
    assert first.number not in html and "没有符合筛选条件的任务" in html
    response = page(client, world.reviewer, url, light="purple")
    assert response.status_code == 200
    assert "灯色：请从列表中选择" in text(response)
    assert first.number in text(response)  # the bad filter is not applied
    assert first.number not in text(page(client, world.other_reviewer, url))
    # the claim button
    review = world.task(first, "review")
    response = act(client, world.reviewer, first, "claim", {"task": review.pk})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == TaskStatus.CLAIMED and review.assignee == world.reviewer


def _accepted_cases(world, count: int) -> None:
    with time_machine.travel(EARLIER, tick=False):
        for _ in range(count):
            world.accepted()


def _queries(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("role", "name"), [("reviewer", "inbox"), ("supervisor", "board")])
def test_list_queries_do_not_grow_with_rows(
    client, world, django_assert_max_num_queries, role, name
):
    user, url = getattr(world, role), reverse(f"cases:{name}")
    _accepted_cases(world, 10)
    small = _queries(client, user, url)
    _accepted_cases(world, 20)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert text(response).count("/cases/SFQ-") >= 30


@pytest.mark.parametrize(("role", "name"), [("reviewer", "inbox"), ("supervisor", "board")])
def test_lists_read_the_calendar_once_and_no_zone_per_list(client, world, role, name):
    # given rows in both of the board's lists (red cases and their red tasks)
    _accepted_cases(world, 5)
    client.force_login(getattr(world, role))
    client.get(reverse(f"cases:{name}"))  # warm the calendar cache

    with CaptureQueriesContext(connection) as queries:
        html = text(client.get(reverse(f"cases:{name}")))

    sql = [query["sql"] for query in queries.captured_queries]
    # at most once per request (core.selectors.calendar_revision; inside this test's one
    # transaction the first request's read may still be remembered)
    assert sum("core_calendarrevision" in statement for statement in sql) <= 1
    # the one zone read is the page header's (the site's zone), none for the lists
    assert sum(statement.startswith('SELECT "org_zone"') for statement in sql) == 1
    assert html.count("/cases/SFQ-") >= 5


# -- 红黄牌监察 -------------------------------------------------------------------------------


def test_board_shows_late_tasks_with_holder_and_filters(client, world):
    with time_machine.travel(EARLIER, tick=False):
        late = world.accepted()
        other = world.accepted(world.other_item)
        claimed_review(world, late)
    url = reverse("cases:board")
    html = text(page(client, world.supervisor, url))
    assert late.number in html and other.number in html
    assert "红灯" in html and "超期 " in html
    assert str(world.reviewer) in html  # who holds it
    assert "待签收（未分配）" in html
    html = text(page(client, world.supervisor, url, department=world.other_department.pk))
    assert other.number in html and late.number not in html
    html = text(page(client, world.supervisor, url, light="yellow"))
    assert late.number not in html
    response = page(client, world.supervisor, url, department=999999)
    assert "部门：请从列表中选择" in text(response)


# -- the case page: who sees what ----------------------------------------------------------------


def test_case_page_visibility(client, world):
    case = world.accepted()
    url = reverse("cases:case", args=[case.number])
    assert client.get(url).status_code == 302
    for user in (
        world.clerk,
        world.reviewer,
        world.decider,
        world.supervisor,
        world.applicant_user,
    ):
        assert page(client, user, url).status_code == 200
    for user in (world.other_reviewer, world.stranger, world.analyst):
        assert page(client, user, url).status_code == 404
    assert page(client, world.clerk, "/cases/SFQ-2026-9999999/").status_code == 404


def test_case_page_for_the_clerk_shows_intake_forms(client, world):
    case = world.submit()
    html = text(page(client, world.clerk, reverse("cases:case", args=[case.number])))
    for label in ("受理并开始计时", "发出补正告知", "作出不予受理决定", "告知承诺书"):
        assert label in html
    assert world.applicant.uscc in html  # clerks see the full identifier
    assert "提交申请" in html and "已提交" in html  # the timeline, in Chinese


def test_case_page_internal_comments_only_for_staff(client, world):
    case = world.decided()
    url = reverse("cases:case", args=[case.number])
    staff_html = text(page(client, world.reviewer, url))
    assert "材料齐全，符合条件" in staff_html
    assert world.applicant.masked_identifier in staff_html
    applicant_html = text(page(client, world.applicant_user, url))
    assert "材料齐全，符合条件" not in applicant_html
    assert "准予许可" in applicant_html
    assert "签收办理" not in applicant_html


def test_case_page_reviewer_claims_then_works(client, world):
    case = world.accepted()
    url = reverse("cases:case", args=[case.number])
    html = text(page(client, world.reviewer, url))
    assert "签收办理" in html and "同意，提交下一环节" not in html
    claimed_review(world, case)
    html = text(page(client, world.reviewer, url))
    assert "同意，提交下一环节" in html and "发起会签" in html
    assert "签收办理" not in text(page(client, world.reviewer2, url))


# -- actions at the window ---------------------------------------------------------------------


def test_accept_normally(client, world):
    case = world.submit()
    response = act(client, world.clerk, case, "accept", {"accept-mode": "normal"})
    assert response.status_code == 302
    assert fresh(case).status == CaseStatus.IN_REVIEW
    followed = client.get(response["Location"])
    assert "已受理，办结期限" in text(followed)


def test_accept_tolerated_and_on_commitment(client, world):
    tolerated = world.submit(skip=("营业场所证明",))
    row = tolerated.materials.get(name="营业场所证明")
    data = {"accept-mode": "tolerated", "accept-tolerated": [row.pk]}
    assert act(client, world.clerk, tolerated, "accept", data).status_code == 302
    tolerated = fresh(tolerated)
    assert tolerated.acceptance_mode == AcceptanceMode.TOLERATED
    assert tolerated.tolerance_due_on is not None
    committed = world.submit(skip=("安全管理制度",))
    row = committed.materials.get(name="安全管理制度")
    data = {
        "accept-mode": "commitment",
        "accept-committed": [row.pk],
        "accept-commitment_text": "本人承诺所填内容真实。",
        "accept-commitment_signed_name": "李四",
    }
    assert act(client, world.clerk, committed, "accept", data).status_code == 302
    commitment = Commitment.objects.get(case=committed)
    assert commitment.signed_name == "李四"
    html = text(client.get(reverse("cases:case", args=[committed.number])))
    assert commitment.text_sha256 in html


def test_accept_bad_input_is_shown_and_changes_nothing(client, world):
    case = world.submit(skip=("营业场所证明",))
    response = act(client, world.clerk, case, "accept", {"accept-mode": "tolerated"})
    assert response.status_code == 422
    html = text(response)
    assert "容缺受理须至少选择一项容缺材料" in html
    assert 'id="form-accept"' in html
    response = act(client, world.clerk, case, "accept", {"accept-mode": "normal"})
    assert response.status_code == 422
    assert "以下必要材料尚未提交：营业场所证明" in text(response)
    response = act(client, world.clerk, case, "accept", {"accept-mode": "fast"})
    assert response.status_code == 422
    assert "受理方式：请从列表中选择" in text(response)
    assert fresh(case).status == CaseStatus.SUBMITTED


def test_accept_refused_to_others(client, world):
    case = world.submit()
    response = act(client, world.applicant_user, case, "accept", {"accept-mode": "normal"})
    assert response.status_code == 403
    assert "只有窗口人员可以受理" in text(response)
    assert (
        act(client, world.other_reviewer, case, "accept", {"accept-mode": "normal"}).status_code
        == 404
    )
    assert fresh(case).status == CaseStatus.SUBMITTED


def test_request_correction_at_once(client, world):
    case = world.submit()
    response = act(
        client, world.clerk, case, "request_correction", {"request_correction-items": ""}
    )
    assert response.status_code == 422
    assert "补正内容（每行一项）：请填写" in text(response)
    data = {"request_correction-items": "申请表缺少签字\n\n营业执照复印件不清晰\n"}
    assert act(client, world.clerk, case, "request_correction", data).status_code == 302
    case = fresh(case)
    assert case.status == CaseStatus.CORRECTION_REQUESTED
    assert case.correction_items == ["申请表缺少签字", "营业执照复印件不清晰"]


def test_refuse_needs_reason_and_basis(client, world):
    case = world.submit()
    data = {"refuse-reason": "不属于本机关职权范围", "refuse-legal_basis": ""}
    response = act(client, world.clerk, case, "refuse", data)
    assert response.status_code == 422
    assert "不予受理依据不能为空" in text(response)
    assert fresh(case).status == CaseStatus.SUBMITTED
    data["refuse-legal_basis"] = "《中华人民共和国行政许可法》第三十二条"
    assert act(client, world.clerk, case, "refuse", data).status_code == 302
    assert fresh(case).status == CaseStatus.NOT_ACCEPTED


def test_receive_paper_material(client, world):
    case = world.submit(skip=("申请表",))
    row = case.materials.get(name="申请表")
    assert act(client, world.clerk, case, "receive_paper", {"material": row.pk}).status_code == 302
    row.refresh_from_db()
    assert row.state == MaterialState.PAPER
    other = world.submit()
    foreign = other.materials.first()
    response = act(client, world.clerk, case, "receive_paper", {"material": foreign.pk})
    assert response.status_code == 422
    assert "该办件没有这项材料" in text(response)


def test_paper_is_received_during_a_correction_as_the_service_allows(client, world):
    """补正: the applicant may bring the paper original to the window. The page offers
    what the service accepts (cases.rules answers both; the page once left it out)."""
    case = world.submit(skip=("申请表",))
    row = case.materials.get(name="申请表")
    case_request_correction(case=case, actor=world.clerk, items=["请提交申请表"])
    html = text(page(client, world.clerk, reverse("cases:case", args=[case.number])))
    assert f'id="form-m{row.pk}-receive_paper"' in html
    assert act(client, world.clerk, case, "receive_paper", {"material": row.pk}).status_code == 302
    row.refresh_from_db()
    assert row.state == MaterialState.PAPER
    html = text(page(client, world.clerk, reverse("cases:case", args=[case.number])))
    assert f'id="form-m{row.pk}-receive_paper"' not in html  # given: nothing more to offer


def test_on_the_spot_item(client, world):
    case = world.submit(world.immediate)
    html = text(page(client, world.clerk, reverse("cases:case", args=[case.number])))
    assert "当场办结" in html
    assert (
        act(
            client, world.clerk, case, "on_the_spot", {"on_the_spot-decision": "approved"}
        ).status_code
        == 302
    )
    assert fresh(case).status == CaseStatus.DELIVERED


# -- the applicant's own actions -------------------------------------------------------------------


def test_applicant_uploads_and_resubmits_after_correction(client, world):
    case = world.submit(skip=("申请表",))
    case_request_correction(case=case, actor=world.clerk, items=["补交申请表"])
    row = case.materials.get(name="申请表")
    bad = act(
        client,
        world.applicant_user,
        case,
        "upload",
        {"material": row.pk, f"m{row.pk}-upload-file": SimpleUploadedFile("x.pdf", b"hello")},
    )
    assert bad.status_code == 422
    row.refresh_from_db()
    assert row.state == MaterialState.MISSING
    good = act(
        client,
        world.applicant_user,
        case,
        "upload",
        {"material": row.pk, f"m{row.pk}-upload-file": pdf_upload("申请表.pdf")},
    )
    assert good.status_code == 302
    row.refresh_from_db()
    assert row.state == MaterialState.UPLOADED
    assert act(client, world.applicant_user, case, "resubmit").status_code == 302
    assert fresh(case).status == CaseStatus.SUBMITTED


def test_withdraw_needs_confirmation(client, world):
    case = world.accepted()
    response = act(client, world.applicant_user, case, "withdraw", {"withdraw-reason": "不办了"})
    assert response.status_code == 422
    assert "确认撤回：请勾选确认" in text(response)
    assert fresh(case).status == CaseStatus.IN_REVIEW
    assert (
        act(client, world.stranger, case, "withdraw", {"withdraw-confirm": "on"}).status_code == 404
    )
    data = {"withdraw-confirm": "on", "withdraw-reason": "不办了"}
    assert act(client, world.applicant_user, case, "withdraw", data).status_code == 302
    assert fresh(case).status == CaseStatus.WITHDRAWN


def test_resubmit_is_refused_in_the_wrong_state(client, world):
    case = world.submit()
    response = act(client, world.applicant_user, case, "resubmit")
    assert response.status_code == 409
    assert "不能执行“补正后重新提交”" in text(response)


# -- actions on tasks -----------------------------------------------------------------------------


def test_claim_conflict_and_wrong_task(client, world):
    case = world.accepted()
    review = claimed_review(world, case)
    response = act(client, world.reviewer2, case, "claim", {"task": review.pk})
    assert response.status_code == 409
    assert "已由" in text(response)
    other = world.accepted()
    foreign = world.task(other, "review")
    assert act(client, world.reviewer, case, "claim", {"task": foreign.pk}).status_code == 404
    assert act(client, world.reviewer, case, "claim", {"task": "x"}).status_code == 404
    assert act(client, world.reviewer, case, "no_such_action").status_code == 404


def test_complete_return_and_decide(client, world):
    case = world.accepted()
    review = claimed_review(world, case)
    data = {"task": review.pk, f"t{review.pk}-complete-comment": "同意"}
    assert act(client, world.reviewer, case, "complete", data).status_code == 302
    decide = world.task(case, "decide")
    task_claim(task=decide, actor=world.decider)
    response = act(client, world.decider, case, "return", {"task": decide.pk})
    assert response.status_code == 422
    assert "退回理由不能为空" in text(response)
    response = act(
        client,
        world.decider,
        case,
        "decide",
        {"task": decide.pk, f"t{decide.pk}-decide-decision": "denied"},
    )
    assert response.status_code == 422
    assert "不予许可理由不能为空" in text(response)
    assert fresh(case).status == CaseStatus.IN_REVIEW
    data = {
        "task": decide.pk,
        f"t{decide.pk}-decide-decision": "denied",
        f"t{decide.pk}-decide-reason": "经营场所不符合要求",
        f"t{decide.pk}-decide-remedy_notice": "",
    }
    assert act(client, world.decider, case, "decide", data).status_code == 302
    case = fresh(case)
    assert case.status == CaseStatus.DENIED
    assert "行政复议" in case.remedy_notice


def test_return_sends_the_decision_back(client, world):
    case = world.accepted()
    review = claimed_review(world, case)
    act(client, world.reviewer, case, "complete", {"task": review.pk})
    decide = world.task(case, "decide")
    task_claim(task=decide, actor=world.decider)
    data = {"task": decide.pk, f"t{decide.pk}-return-reason": "请补充现场核查意见"}
    assert act(client, world.decider, case, "return", data).status_code == 302
    decide.refresh_from_db()
    assert decide.status == TaskStatus.RETURNED
    assert world.task(case, "review").status == TaskStatus.OPEN


def test_transfer_to_a_colleague(client, world):
    case = world.accepted()
    review = claimed_review(world, case)
    prefix = f"t{review.pk}-transfer"
    data = {"task": review.pk, f"{prefix}-to_user": world.decider.pk, f"{prefix}-reason": "休假"}
    response = act(client, world.reviewer, case, "transfer", data)
    assert response.status_code == 422
    assert "转给：请从列表中选择" in text(response)
    data[f"{prefix}-to_user"] = world.reviewer2.pk
    assert act(client, world.reviewer, case, "transfer", data).status_code == 302
    review.refresh_from_db()
    assert review.assignee == world.reviewer2


def test_co_review_in_another_department(client, world):
    case = world.accepted()
    review = claimed_review(world, case)
    prefix = f"t{review.pk}-co_review"
    data = {
        "task": review.pk,
        f"{prefix}-department": world.department.pk,
        f"{prefix}-limit_days": 3,
        f"{prefix}-reason": "涉及施工",
    }
    response = act(client, world.reviewer, case, "co_review", data)
    assert response.status_code == 422
    assert "会签部门：请从列表中选择" in text(response)
    data[f"{prefix}-department"] = world.other_department.pk
    assert act(client, world.reviewer, case, "co_review", data).status_code == 302
    co_review = Task.objects.get(case=case, kind=TaskKind.CO_REVIEW)
    assert co_review.department == world.other_department
    # the other department now sees the case and its task
    assert (
        page(client, world.other_reviewer, reverse("cases:case", args=[case.number])).status_code
        == 200
    )


def test_suspend_and_resume(client, world):
    case = world.accepted()
    claimed_review(world, case)
    response = act(client, world.reviewer, case, "suspend", {"suspend-reason": "专家评审"})
    assert response.status_code == 422
    assert "请选择特别程序类型" in text(response)
    data = {"suspend-kind": "expert_review", "suspend-reason": "组织专家评审"}
    assert act(client, world.reviewer, case, "suspend", data).status_code == 302
    assert fresh(case).status == CaseStatus.SUSPENDED
    html = text(client.get(reverse("cases:case", args=[case.number])))
    assert "暂停计时" in html and "结束特别程序，恢复计时" in html
    assert act(client, world.reviewer, case, "resume").status_code == 302
    assert fresh(case).status == CaseStatus.IN_REVIEW


def test_extend_by_the_decider_only(client, world):
    case = world.accepted()
    data = {"extend-days": 11, "extend-reason": "情况复杂"}
    response = act(client, world.decider, case, "extend", data)
    assert response.status_code == 422
    assert "延长天数应为 1 至 10 个工作日" in text(response)
    data["extend-days"] = 5
    response = act(client, world.reviewer, case, "extend", data)
    assert response.status_code == 403
    assert "须经本部门审批决定人批准" in text(response)
    assert fresh(case).extension_days == 0
    assert act(client, world.decider, case, "extend", data).status_code == 302
    assert fresh(case).extension_days == 5


def test_delivery_and_unified_delivery(client, world):
    case = world.decided()
    deliver = world.task(case, "deliver")
    assert act(client, world.clerk, case, "deliver", {"task": deliver.pk}).status_code == 302
    assert fresh(case).status == CaseStatus.DELIVERED
    # 一件事: the parent's 统一出件 once every child is decided
    parent = world.submit(bundle=world.bundle)
    case_accept(case=parent, actor=world.clerk)
    for child, reviewer, decider in zip(
        parent.children.order_by("pk"),
        (world.reviewer, world.other_reviewer),
        (world.decider, world.other_decider),
        strict=True,
    ):
        review = world.task(child, "review")
        task_claim(task=review, actor=reviewer)
        act(client, reviewer, child, "complete", {"task": review.pk})
        task_decide(task=world.task(child, "decide"), actor=decider, decision="approved")
    unified = Task.objects.get(case=parent, kind=TaskKind.DELIVERY)
    html = text(page(client, world.clerk, reverse("cases:case", args=[parent.number])))
    assert "确认统一出件，办结" in html
    assert act(client, world.clerk, parent, "deliver", {"task": unified.pk}).status_code == 302
    assert set(parent.children.values_list("status", flat=True)) == {CaseStatus.DELIVERED}


def test_actions_need_the_csrf_token(world):
    case = world.submit()
    client = Client(enforce_csrf_checks=True)
    response = act(client, world.clerk, case, "accept", {"accept-mode": "normal"})
    assert response.status_code == 403
    assert fresh(case).status == CaseStatus.SUBMITTED


# -- material files and notices --------------------------------------------------------------


def test_material_file_served_to_those_who_see_the_case(client, world):
    case = world.submit()
    row = case.materials.get(name="申请表")
    url = reverse("cases:material_file", args=[case.number, row.pk])
    response = page(client, world.applicant_user, url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # Uploaded PDFs are downloads (ADR 0014): never rendered from the site's origin.
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%9D%90%E6%96%99.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert not AuditEvent.objects.filter(action=MATERIAL_VIEWED).exists()  # the uploader
    assert page(client, world.clerk, url).status_code == 200
    event = AuditEvent.objects.get(action=MATERIAL_VIEWED)
    assert (event.actor, event.object_id, event.data["material"]) == (
        "w_clerk",
        case.number,
        "申请表",
    )
    assert audit_verify().ok
    for user in (world.other_reviewer, world.stranger):
        assert page(client, user, url).status_code == 404
    empty = world.submit(skip=("情况说明",)).materials.get(name="情况说明")
    empty_url = reverse("cases:material_file", args=[empty.case.number, empty.pk])
    assert page(client, world.clerk, empty_url).status_code == 404
    foreign_url = reverse("cases:material_file", args=[case.number, empty.pk])
    assert page(client, world.clerk, foreign_url).status_code == 404


def test_notice_pdf(client, world):
    case = world.accepted()
    url = reverse("cases:notice", args=[case.number, "acceptance"])
    response = page(client, world.applicant_user, url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''SFQ-")
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")
    assert f'href="{url}"' in text(client.get(reverse("cases:case", args=[case.number])))
    decision = reverse("cases:notice", args=[case.number, "decision"])
    assert page(client, world.clerk, decision).status_code == 404  # not decided yet
    assert page(client, world.stranger, url).status_code == 404
    assert (
        page(client, world.clerk, reverse("cases:notice", args=[case.number, "bogus"])).status_code
        == 404
    )


def test_material_rows_link_their_files(client, world):
    case = world.submit()
    html = text(page(client, world.clerk, reverse("cases:case", args=[case.number])))
    for row in CaseMaterial.objects.filter(case=case).exclude(file=""):
        assert reverse("cases:material_file", args=[case.number, row.pk]) in html


def test_full_person_identifier_only_to_clerks_and_logged(client, world):
    person = applicant_register(
        kind=ApplicantKind.PERSON,
        name="张明",
        id_number=demo_id_number(dt.date(1990, 3, 7), 451),
    )
    case = case_create(
        actor=world.clerk, applicant=person, item_version=world.immediate, channel="window"
    )
    url = reverse("cases:case", args=[case.number])
    html = text(page(client, world.supervisor, url))
    assert person.masked_identifier in html and person.id_number not in html
    assert not AuditEvent.objects.filter(action=AuditAction.IDENTIFIER_VIEWED).exists()
    html = text(page(client, world.clerk, url))
    assert person.id_number in html
    event = AuditEvent.objects.get(action=AuditAction.IDENTIFIER_VIEWED)
    assert (event.actor, event.data["channel"], event.data["purpose"]) == (
        "w_clerk",
        "page",
        case.number,
    )
