"""材料预审: the clerk marks each submitted material pass or fail with a reason; the
one-time correction notice is drafted from the failed and the missing materials and stays
editable; bad input is named and changes nothing; only the zone's clerk, before the intake
decision, may do it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases.constants import CaseEventAction, CaseStatus, MaterialVerdict
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services import (
    case_pre_review,
    case_request_correction,
    correction_items_from,
    material_upload,
)
from onewindow.cases.tests.factories import pdf_upload
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def rows(case: Case) -> dict[str, CaseMaterial]:
    return {row.name: row for row in CaseMaterial.objects.filter(case=case)}


def test_verdicts_are_recorded_with_who_and_when_and_audited(world):
    case = world.submit(skip=("营业场所证明",))
    by_name = rows(case)
    case_pre_review(
        case=case,
        actor=world.clerk,
        verdicts={
            by_name["申请表"].pk: ("failed", "  未加盖公章 "),
            by_name["安全管理制度"].pk: ("passed", "ignored"),
        },
    )
    by_name = rows(case)
    form = by_name["申请表"]
    assert (form.review_verdict, form.review_reason) == ("failed", "未加盖公章")
    assert form.reviewed_by == world.clerk and form.reviewed_at is not None
    assert (by_name["安全管理制度"].review_verdict, by_name["安全管理制度"].review_reason) == (
        "passed",
        "",
    )
    event = AuditEvent.objects.get(action=CaseEventAction.MATERIALS_PRE_REVIEWED)
    assert event.data["failed"] == [{"material": "申请表", "reason": "未加盖公章"}]
    assert event.data["passed"] == ["安全管理制度"]


def test_the_correction_draft_lists_failed_then_missing_materials_in_order(world):
    case = world.submit(skip=("营业场所证明", "情况说明"))
    by_name = rows(case)
    case_pre_review(
        case=case,
        actor=world.clerk,
        verdicts={by_name["安全管理制度"].pk: ("failed", "缺少签字")},
    )
    # 情况说明 is optional: not missing; 营业场所证明 is required and not submitted
    assert correction_items_from(CaseMaterial.objects.filter(case=case)) == [
        "营业场所证明：未提交",
        "安全管理制度：缺少签字",
    ]


@pytest.mark.parametrize(
    ("verdict", "reason", "field", "message"),
    [
        ("failed", "", "reason", "不通过原因：请写明材料「申请表」不通过的原因"),
        ("failed", "　 ", "reason", "不通过原因：请写明材料「申请表」不通过的原因"),
        ("failed", "长" * 201, "reason", "不通过原因：材料「申请表」的原因不能超过 200 个字"),
        ("maybe", "", "verdict", "预审结论：材料「申请表」请选择通过或不通过"),
    ],
)
def test_bad_verdicts_are_named_and_nothing_is_written(world, verdict, reason, field, message):
    case = world.submit()
    by_name = rows(case)
    good, bad = by_name["安全管理制度"], by_name["申请表"]
    with pytest.raises(ValidationFailed) as raised:
        case_pre_review(
            case=case,
            actor=world.clerk,
            verdicts={good.pk: ("passed", ""), bad.pk: (verdict, reason)},
        )
    assert raised.value.fields == {f"materials.{bad.pk}.{field}": [message]}
    assert not CaseMaterial.objects.exclude(review_verdict="").exists()
    assert not AuditEvent.objects.filter(action=CaseEventAction.MATERIALS_PRE_REVIEWED).exists()


def test_a_material_not_submitted_cannot_be_judged(world):
    case = world.submit(skip=("营业场所证明",))
    missing = rows(case)["营业场所证明"]
    with pytest.raises(ValidationFailed) as raised:
        case_pre_review(case=case, actor=world.clerk, verdicts={missing.pk: ("passed", "")})
    assert "尚未提交" in raised.value.fields[f"materials.{missing.pk}.verdict"][0]


def test_another_cases_material_is_refused(world):
    case, other = world.submit(), world.submit()
    foreign = rows(other)["申请表"]
    with pytest.raises(ValidationFailed):
        case_pre_review(case=case, actor=world.clerk, verdicts={foreign.pk: ("passed", "")})
    assert CaseMaterial.objects.get(pk=foreign.pk).review_verdict == ""


@pytest.mark.parametrize("role", ["reviewer", "decider", "supervisor", "applicant_user"])
def test_only_the_clerk_may_pre_review(world, role):
    case = world.submit()
    form = rows(case)["申请表"]
    with pytest.raises(ApplicationError):
        case_pre_review(case=case, actor=getattr(world, role), verdicts={form.pk: ("passed", "")})


def test_not_after_acceptance(world):
    case = world.accepted()
    form = rows(case)["申请表"]
    with pytest.raises(ApplicationError):
        case_pre_review(case=case, actor=world.clerk, verdicts={form.pk: ("passed", "")})


def test_a_new_file_is_reviewed_anew(world):
    case = world.submit()
    form = rows(case)["申请表"]
    case_pre_review(case=case, actor=world.clerk, verdicts={form.pk: ("failed", "模糊")})
    case_request_correction(case=case, actor=world.clerk, items=["申请表：模糊"])
    material_upload(
        case=case, material_id=form.pk, uploaded=pdf_upload(), actor=world.applicant_user
    )
    form.refresh_from_db()
    assert (form.review_verdict, form.review_reason, form.reviewed_by) == ("", "", None)


def test_the_database_refuses_a_failure_without_reason(world):
    from django.db import IntegrityError, transaction

    case = world.submit()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseMaterial.objects.filter(case=case).update(review_verdict=MaterialVerdict.FAILED)


# -- the case page -------------------------------------------------------------------------


def post(client, world, case: Case, action: str, data: dict):
    client.force_login(world.clerk)
    return client.post(reverse("cases:case_action", args=[case.number, action]), data)


def test_the_clerk_reviews_on_the_page_and_sends_the_drafted_notice(client, world):
    case = world.submit(skip=("营业场所证明",))
    by_name = rows(case)
    client.force_login(world.clerk)
    html = client.get(reverse("cases:case", args=[case.number])).content.decode()
    field = f"pre_review-materials.{by_name['申请表'].pk}.verdict"
    assert f'name="{field}"' in html and 'form="pre-review-form"' in html
    # when the clerk fails the application form with a reason
    response = post(
        client,
        world,
        case,
        "pre_review",
        {
            field: "failed",
            f"pre_review-materials.{by_name['申请表'].pk}.reason": "未加盖公章",
            f"pre_review-materials.{by_name['安全管理制度'].pk}.verdict": "passed",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "不通过：申请表" in page
    # then the correction form is open and drafted from the failed and the missing ones
    assert "申请表：未加盖公章\n营业场所证明：未提交</textarea>" in page
    # the clerk edits the draft before sending
    response = post(
        client,
        world,
        case,
        "request_correction",
        {"request_correction-items": "申请表：未加盖公章，请盖章后重新上传"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION_REQUESTED
    assert case.correction_items == ["申请表：未加盖公章，请盖章后重新上传"]


def test_a_failure_without_reason_is_shown_beside_the_material(client, world):
    case = world.submit()
    pk = rows(case)["申请表"].pk
    response = post(
        client, world, case, "pre_review", {f"pre_review-materials.{pk}.verdict": "failed"}
    )
    assert response.status_code == 422
    assert "不通过原因：请写明材料「申请表」不通过的原因" in response.content.decode()
    assert CaseMaterial.objects.get(pk=pk).review_verdict == ""


def test_the_applicant_sees_neither_the_inputs_nor_the_verdicts(client, world):
    case = world.submit()
    pk = rows(case)["申请表"].pk
    case_pre_review(case=case, actor=world.clerk, verdicts={pk: ("failed", "内部意见")})
    client.force_login(world.applicant_user)
    html = client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert "pre-review-form" not in html and "内部意见" not in html
    response = client.post(
        reverse("cases:case_action", args=[case.number, "pre_review"]),
        {f"pre_review-materials.{pk}.verdict": "passed"},
    )
    assert response.status_code == 403
    assert CaseMaterial.objects.get(pk=pk).review_verdict == "failed"
