"""快申快享 / 依申请 as a case: start, the case's submission and decision move the redemption."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from onewindow.cases.models import ApplicationDraft
from onewindow.cases.services import task_claim, task_complete, task_decide
from onewindow.catalog.tests.factories import make_item
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.core.models import AuditEvent
from onewindow.policies.constants import Event, RedemptionStatus, RedemptionWay
from onewindow.policies.models import FactSource, Redemption
from onewindow.policies.rules.evaluate import result_hash
from onewindow.policies.services import applications
from onewindow.policies.services.applications import start_application
from onewindow.policies.services.profile import set_facts
from onewindow.policies.tests.factories import make_version, policy_world
from onewindow.testing import worlds

ON = dt.date(2026, 3, 2)


def declare(enterprise, **facts):
    """Write facts through the profile, as the enterprise's declaration would."""
    set_facts(None, enterprise, facts, source=FactSource.DECLARED, as_of=timezone.localdate())


def application_world():
    """A case world, a policy world in the same zone, and a 快申快享 version mapped to a
    catalog item promising 60 working days; the case world's enterprise declared eligible."""
    places = worlds.zone_world()
    cw = worlds.case_world(places)
    pw = policy_world(places)
    declare(cw.applicant, rd_share="0.06", employees=120, credit_status="normal")
    catalog = make_item(
        places.zone,
        places.department,
        name="研发投入奖励申请（示例）",
        legal_limit_days=60,
        promised_limit_days=60,
        materials=["申请表"],
    )
    version = make_version(
        pw,
        way=RedemptionWay.FAST,
        catalog_item=catalog.item,
        materials=[{"name": "研发费用专项审计报告", "fact": "rd_share"},
                   {"name": "知识产权证明", "fact": ""}],
    )  # fmt: skip
    return cw, pw, version, catalog


@pytest.fixture
def world(db):
    return application_world()


def test_an_eligible_enterprise_gets_a_prefilled_draft_and_an_applied_redemption(world):
    cw, _pw, version, catalog = world
    redemption = start_application(cw.applicant_user, cw.applicant, version, on=ON)
    assert redemption.status == RedemptionStatus.APPLIED
    assert redemption.way == RedemptionWay.FAST
    assert redemption.amount == Decimal("20")
    assert redemption.result_hash == result_hash(
        {"rd_share": Decimal("0.06"), "credit_status": "normal"},
        version.key,
        version.content(),
        ON,
    )
    assert redemption.result["limit_days"] == 60
    assert redemption.case is None
    draft = ApplicationDraft.objects.get(user=cw.applicant_user, item=catalog.item)
    assert draft.form_data == {"rd_share": "0.06", "credit_status": "normal"}
    assert draft.applicant_key == str(cw.applicant.pk)
    assert AuditEvent.objects.filter(
        action=Event.REDEMPTION_CREATED, object_id=str(redemption.pk)
    ).exists()
    # starting again keeps the one live redemption
    again = start_application(cw.applicant_user, cw.applicant, version, on=ON)
    assert again.pk == redemption.pk
    assert Redemption.objects.count() == 1


def test_an_ineligible_enterprise_is_refused_with_the_reasons(world):
    cw, _pw, version, _catalog = world
    declare(cw.applicant, rd_share="0.046")
    with pytest.raises(ValidationFailed) as refused:
        start_application(cw.applicant_user, cw.applicant, version, on=ON)
    assert "4.6% < 5%（第十一条(四)）" in refused.value.fields["version"][0]
    assert not Redemption.objects.exists()
    assert not ApplicationDraft.objects.exists()


def test_fast_needs_eligible_but_on_application_allows_unknown(world):
    cw, pw, version, catalog = world
    declare(cw.applicant, rd_share=None)
    with pytest.raises(ValidationFailed) as refused:
        start_application(cw.applicant_user, cw.applicant, version, on=ON)
    assert "信息不全" in refused.value.message
    other = make_version(
        pw, code="ZC-2026-002", way=RedemptionWay.ON_APPLICATION, catalog_item=catalog.item
    )
    redemption = start_application(cw.applicant_user, cw.applicant, other, on=ON)
    assert redemption.result["outcome"] == "unknown"
    assert redemption.amount == Decimal("20")  # a fixed award: the sum if approved


def test_another_enterprises_user_is_refused(world):
    cw, pw, version, _catalog = world
    for user in (pw.representative, cw.stranger, pw.officer):
        with pytest.raises(NotFound):
            start_application(user, cw.applicant, version, on=ON)
    assert not Redemption.objects.exists()


def test_an_automatic_version_is_not_applied_for(world):
    cw, pw, _version, catalog = world
    automatic = make_version(
        pw, code="ZC-2026-003", way=RedemptionWay.AUTOMATIC, catalog_item=catalog.item
    )
    with pytest.raises(ValidationFailed) as refused:
        start_application(cw.applicant_user, cw.applicant, automatic, on=ON)
    assert refused.value.code == "not_an_application"
    unmapped = make_version(pw, code="ZC-2026-004", way=RedemptionWay.FAST)
    with pytest.raises(ValidationFailed) as refused:
        start_application(cw.applicant_user, cw.applicant, unmapped, on=ON)
    assert refused.value.code == "not_open"


def test_an_approved_case_makes_the_redemption_payable(world):
    cw, _pw, version, catalog = world
    redemption = start_application(cw.applicant_user, cw.applicant, version, on=ON)
    case = cw.decided(catalog)
    redemption.refresh_from_db()
    assert redemption.case_id == case.pk
    assert case.deadline is not None  # the case clock counts the 60 working days
    assert redemption.status == RedemptionStatus.PAYABLE
    assert applications.case_deadline(redemption) == case.deadline


def test_a_denied_case_withdraws_the_redemption_with_the_reason(world):
    cw, _pw, version, catalog = world
    redemption = start_application(cw.applicant_user, cw.applicant, version, on=ON)
    case = cw.accepted(catalog)
    review = cw.task(case, "review")
    task_claim(task=review, actor=cw.reviewer)
    task_complete(task=review, actor=cw.reviewer, comment="审计报告不实")
    task_decide(
        task=cw.task(case, "decide"),
        actor=cw.decider,
        decision="denied",
        reason="研发费用专项审计报告与账簿不符",
    )
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.WITHDRAWN
    assert redemption.reason == "研发费用专项审计报告与账簿不符"


def test_an_ordinary_case_of_another_item_moves_no_redemption(world):
    cw, _pw, version, _catalog = world
    redemption = start_application(cw.applicant_user, cw.applicant, version, on=ON)
    cw.decided(cw.item)
    redemption.refresh_from_db()
    assert redemption.case is None
    assert redemption.status == RedemptionStatus.APPLIED
